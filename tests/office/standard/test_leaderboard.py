"""The leaderboard: rows with bootstrap CIs, provenance, the command and the committed files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govworkflow.cli.main import main
from govworkflow.core.assets import has_model
from govworkflow.evaluation.leaderboard import (
    LOOKAHEAD,
    UPPER_BOUND,
    build_document,
    calibration,
    evaluation_seeds,
    run_leaderboard,
)
from govworkflow.office.policies.ladder import LADDER
from govworkflow.office.rulesets import get_ruleset
from tests.office.standard.helpers import RULESET

RESULTS = Path(__file__).resolve().parents[3] / "data" / "results"


def test_rows_have_means_and_intervals() -> None:
    rows = run_leaderboard("standard", ["district_backlog_easy"], ["advance_only", "sla_aware"], 6, progress=False)
    assert [r.policy for r in rows] == ["advance_only", "sla_aware"]
    for r in rows:
        assert r.n == 6
        assert r.seeds == RULESET.tasks["district_backlog_easy"].evaluation_seeds[:6]
        assert r.ci_low <= r.mean <= r.ci_high
        assert r.mean == pytest.approx(sum(r.scores) / 6, abs=1e-4)
    doc = build_document("standard", rows, 1.0, 1, ["govworkflow", "leaderboard"])
    prov = doc["provenance"]
    for key in ("package_version", "git_commit", "date", "command", "seeds", "bootstrap"):
        assert key in prov
    assert prov["seeds"]["district_backlog_easy"]["count"] == 6
    assert any(c["check"] == "best heuristic - advance_only" for c in doc["calibration"])


def test_the_bound_is_a_row_of_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "lb.json"
    argv = ["leaderboard", "--task", "district_backlog_easy", "--policy", "sla_aware", "--policy", "upper_bound",
            "--limit", "2", "--workers", "1", "--output", str(out)]  # fmt: skip
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "upper_bound (privileged)" in text
    doc = json.loads(out.read_text())
    rows = {r["policy"]: r for r in doc["rows"]}
    assert rows["upper_bound"]["privileged"] and not rows["sla_aware"]["privileged"]
    assert all(b > s for b, s in zip(rows["upper_bound"]["scores"], rows["sla_aware"]["scores"], strict=True))
    assert "canaries" not in doc  # chosen policies: no canaries


def test_legacy_uses_its_documented_held_out_seeds() -> None:
    legacy = get_ruleset("legacy")
    for task in legacy.tasks.values():  # declared in the legacy task file: 100000..100099
        assert evaluation_seeds(task) == list(range(100_000, 100_100))
        assert task.seed not in evaluation_seeds(task)


def test_the_command_writes_json_and_prints_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "lb.json"
    argv = ["leaderboard", "--ruleset", "standard", "--task", "mixed_urgency_medium", "--policy", "advance_only",
            "--policy", "urgent_first", "--limit", "3", "--workers", "1", "--output", str(out)]  # fmt: skip
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "urgent_first" in text and "ci95" in text
    doc = json.loads(out.read_text())
    assert doc["format"] == "govworkflow-leaderboard"
    assert len(doc["rows"]) == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["leaderboard", "--limit", "0"], "--limit: must be a positive integer, got 0"),
        (["leaderboard", "--workers", "0"], "--workers: must be a positive integer"),
        (["leaderboard", "--policy", "genius"], "--policy: unknown policy 'genius'; valid choices: stall_attempt"),
        (["leaderboard", "--task", "moon"], "unknown standard task 'moon'"),
        (
            ["leaderboard", "--ruleset", "legacy", "--policy", "upper_bound", "--limit", "1"],
            "the legacy ruleset has no analytic bound ('upper_bound')",
        ),
    ],
)
def test_bad_arguments_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("ruleset", ["standard", "legacy"])
def test_the_committed_leaderboards(ruleset: str) -> None:
    doc = json.loads((RESULTS / f"leaderboard-{ruleset}.json").read_text())
    rs = get_ruleset(ruleset)
    cells = {(r["task_id"], r["policy"]) for r in doc["rows"]}
    shipped = all(has_model(ruleset, t) for t in rs.tasks)
    expected = {p for p in rs.policies if p in LADDER} | ({"ppo"} if shipped else set())
    expected |= {UPPER_BOUND} if rs.bound is not None else set()
    assert cells == {(t, p) for t in rs.tasks for p in expected}
    for r in doc["rows"]:
        assert r["n"] >= 100
        assert r["ci_low"] <= r["mean"] <= r["ci_high"]
        assert r["seeds"] == evaluation_seeds(rs.task(r["task_id"]))[: r["n"]]
        assert r["privileged"] == (r["policy"] in (UPPER_BOUND, LOOKAHEAD))
    assert doc["provenance"]["package_version"]
    if ruleset == "standard":
        failed = [c for c in doc["calibration"] if not c["ok"]]
        assert not failed, failed  # every calibration target holds on the held-out seeds
        checks = {c["check"] for c in doc["calibration"]}
        assert {"canaries winning by artefact", "upper bound - best heuristic",
                "pairs where the grade disagrees with citizens"} <= checks  # fmt: skip
        from govworkflow.evaluation.leaderboard import Row

        rows = [Row(**r) for r in doc["rows"]]
        assert calibration(rows, doc["canaries"]) == doc["calibration"]


def test_no_policy_beats_the_committed_bound_on_any_seed() -> None:
    """The analytic bound is above every policy's score seed by seed, the privileged
    look-ahead and the trained PPO included, on all the committed held-out seeds."""
    doc = json.loads((RESULTS / "leaderboard-standard.json").read_text())
    bound = {r["task_id"]: r["scores"] for r in doc["rows"] if r["policy"] == UPPER_BOUND}
    margins = []
    for r in doc["rows"]:
        if r["policy"] != UPPER_BOUND:
            margins += [b - s for b, s in zip(bound[r["task_id"]], r["scores"], strict=True)]
    assert len(margins) >= 4 * 100 * 10
    assert min(margins) > 0


def test_the_ppo_claims_are_paired_and_stated_per_task() -> None:
    """What the README and docs may say about PPO: per task, its paired difference with the
    strongest heuristic on the same held-out seeds; "beats" only where the interval lies
    above 0 (``evaluation.claims``)."""
    from govworkflow.evaluation import table
    from govworkflow.evaluation.claims import claims

    doc = table.load(RESULTS / "leaderboard-standard.json")
    rows = claims(doc)
    assert [c["task_id"] for c in rows] == list(get_ruleset("standard").tasks)
    for c in rows:
        d = c["difference"]
        assert d["n"] >= 100 and d["ci_low"] <= d["mean"] <= d["ci_high"]
        assert c["beats"] == (d["ci_low"] > 0) and c["loses"] == (d["ci_high"] < 0)
        assert c["strongest_heuristic"] in LADDER and c["strongest_heuristic"] != LOOKAHEAD
        assert 0.0 <= c["probability_of_improvement"]["mean"] <= 1.0
        assert c["ceiling"] is not None and c["ceiling"] > c["heuristic_mean"]


def test_leaderboard_arguments_are_checked_first() -> None:
    rows = run_leaderboard("standard", ["district_backlog_easy"] * 2, ["oldest_first"] * 2, n_seeds=1, progress=False)
    assert [(r.task_id, r.policy, r.n) for r in rows] == [("district_backlog_easy", "oldest_first", 1)]
    for bad in (0, -1, True, 2.5):
        with pytest.raises(ValueError, match=f"n_seeds: must be a positive integer, got {bad!r}"):
            run_leaderboard("standard", ["district_backlog_easy"], ["oldest_first"], n_seeds=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tasks: give at least one name"):
        run_leaderboard("standard", [], ["oldest_first"], n_seeds=1)
