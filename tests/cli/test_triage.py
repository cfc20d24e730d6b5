"""``govworkflow triage ...``: JSON per episode, leaderboard, exit status 2 on bad values."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from govworkflow.cli.main import main
from govworkflow.cli.triage import NETWORK_NAMES, POLICY_NAMES
from govworkflow.core.errors import UnknownNameError
from govworkflow.evaluation.triage import leaderboard
from govworkflow.triage import TASKS, TriageEnv
from govworkflow.triage.policies import POLICIES
from govworkflow.triage.tasks import SEED_SETS


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["triage", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_evaluate_prints_one_json_object_per_episode(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "evaluate", "--task", "overload_12", "--policy", "edf", "--seed", "1", "--seed", "2", "--json"
    )
    rows = json.loads(out)
    assert code == 0
    assert [r["seed"] for r in rows] == [1, 2]
    for r in rows:
        assert {"task_id", "ruleset", "policy", "seed", "score", "reward_sum", "outcome"} <= set(r)
        assert set(r["outcome"]) == {"worked", "on_time", "oracle", "floor"}
        assert r["reward_sum"] <= r["outcome"]["oracle"] + 1e-9
        assert 0.0 <= r["score"] <= 1.0


def test_evaluate_on_a_seed_set(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "evaluate",
        "--task",
        "faithful_5",
        "--policy",
        "edf",
        "--seed-set",
        "eval",
        "--limit",
        "3",
        "--json",
    )
    assert code == 0
    assert [r["seed"] for r in json.loads(out)] == [900000, 900001, 900002]


def test_tasks_and_policies(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tasks", "--json")
    tasks = json.loads(out)
    assert code == 0
    assert {t["task_id"] for t in tasks} >= {"faithful_5", "faithful_8", "faithful_12", "overload_12"}
    assert all(set(t["seed_sets"]) == set(SEED_SETS) for t in tasks)
    code, out, _ = run(capsys, "policies")
    assert code == 0
    assert "type_then_priority" in out


def test_leaderboard_with_provenance(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "lb.json"
    code, out, _ = run(
        capsys, "leaderboard", "--task", "overload_12", "--policy", "edf", "--policy", "oracle",
        "--limit", "5", "--json", "--output", str(out_file),
    )  # fmt: skip
    rows = json.loads(out)
    assert code == 0
    assert [r["policy"] for r in rows] == ["edf", "oracle"]
    assert rows[1]["mean"] == 1.0
    assert rows[0]["ci_low"] <= rows[0]["mean"] <= rows[0]["ci_high"]
    saved = json.loads(out_file.read_text())
    assert saved["rows"] == rows
    assert saved["provenance"]["seeds"]["overload_12"] == {"first": 900000, "last": 900004, "count": 5}


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["evaluate", "--task", "nope", "--policy", "edf"], "'nope'; valid choices: faithful_5"),
        (["evaluate", "--task", "faithful_5", "--policy", "nope"], "'nope'; valid choices: edf"),
        (
            ["evaluate", "--task", "faithful_5", "--policy", "edf", "--seed-set", "dev", "--limit", "0"],
            "--limit",
        ),
        (["evaluate", "--task", "faithful_5", "--policy", "edf", "--seed", "-3"], "--seed"),
        (["leaderboard", "--task", "nope"], "'nope'"),
        (
            ["leaderboard", "--policy", "edf", "--policy", "nope"],
            "--policy: unknown triage policy 'nope'; valid choices: edf",
        ),
        (
            ["train", "--task", "overload_12", "--network", "cnn"],
            "--network: unknown network 'cnn'; valid choices: slots, mlp",
        ),
        (["train", "--task", "overload_12", "--imitate", "sage"], "--imitate: unknown triage policy 'sage'"),
        (["evaluate", "--task", "faithful_5", "--policy", "ppo"], "(models here: overload_12, arrivals_12"),
        (["leaderboard", "--task", "faithful_5", "--output", __file__ + "/x.json"], f"{__file__!r} is a file"),
        (["leaderboard", "--task", "faithful_5", "--output", ""], "--output: give a file name"),
        (["evaluate", "--task", "faithful_5", "--policy", "edf", "--limit", "2"], "--limit needs --seed-set"),
        (
            ["evaluate", "--task", "faithful_5", "--policy", "edf", "--seed", "1", "--seed-set", "dev"],
            "give --seed or --seed-set, not both",
        ),
    ],
)
def test_bad_values_exit_2_naming_the_value(capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert fragment in err
    assert len(err.strip().splitlines()) == 1


def test_an_output_folder_is_refused_before_the_work(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "leaderboard", "--task", "faithful_5", "--output", str(tmp_path))
    assert (code, out) == (2, "")
    assert f"--output: {str(tmp_path)!r} is a folder; give a file name" in err
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file left


def test_bad_seed_set_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["triage", "evaluate", "--task", "faithful_5", "--policy", "edf", "--seed-set", "test"])
    assert exc.value.code == 2
    assert "invalid choice: 'test'" in capsys.readouterr().err


def test_leaderboard_arguments_from_python() -> None:
    one = leaderboard("faithful_5", "edf", limit=3)  # one name may be a string
    assert [(r.task_id, r.policy, r.n) for r in one] == [("faithful_5", "edf", 3)]
    assert leaderboard(["faithful_5", "faithful_5"], ["edf", "edf"], limit=3) == one  # repeats collapse
    with pytest.raises(ValueError, match="task_ids: give at least one name, or None for all"):
        leaderboard([], ["edf"])
    with pytest.raises(ValueError, match="policies: give at least one name, or None for all"):
        leaderboard(["faithful_5"], [])


def test_seed_take_takes_numpy_integers() -> None:
    seeds = TASKS["faithful_5"].seeds
    assert seeds.take("dev", np.int64(3)) == seeds.take("dev", 3) == [0, 1, 2]  # type: ignore[arg-type]


@pytest.mark.parametrize("limit", [0, True, 2.5, "3"])
def test_seed_take_limit_must_be_a_positive_integer(limit: object) -> None:
    with pytest.raises(ValueError, match=f"limit: must be a positive integer, got {limit!r}"):
        TASKS["faithful_5"].seeds.take("dev", limit)  # type: ignore[arg-type]


def test_the_old_triage_evaluation_names_still_work_and_warn() -> None:
    import govworkflow.triage as triage

    with pytest.warns(DeprecationWarning, match="govworkflow.triage.seed_list is deprecated"):
        seed_list = triage.seed_list
    assert seed_list("faithful_5", "dev", 3) == [0, 1, 2]
    with pytest.warns(DeprecationWarning, match="govworkflow.triage.run_episode is deprecated"):
        result = triage.run_episode("faithful_5", triage.make_policy("edf"), 0)
    assert result.ruleset == "triage" and result.score == 1.0
    assert result.reward == result.reward_sum == result.oracle and result.optimal  # the old names
    assert result.worked == result.on_time == 5
    from govworkflow.triage import policies

    with pytest.warns(DeprecationWarning, match="policies.make_policy is deprecated"):
        assert policies.make_policy("edf").name == "edf"
    from govworkflow.server.triage import TRIAGE

    assert TRIAGE == "triage"
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        triage.nothing  # noqa: B018


def test_an_unhashable_task_name_is_an_unknown_task() -> None:
    with pytest.raises(UnknownNameError, match=r"unknown triage task \['x'\]; valid choices: faithful_5"):
        TriageEnv(["x"])  # type: ignore[arg-type]


def test_the_choices_are_the_names_the_package_knows() -> None:
    assert tuple(POLICY_NAMES) == tuple(POLICIES)
    pytest.importorskip("gymnasium")
    from govworkflow.training.triage import NETWORKS

    assert tuple(NETWORK_NAMES) == NETWORKS
