"""A submitted policy that raises, exits or prints cannot break a command: its episode
fails with one clear line (exit 2, no traceback), and stdout keeps the command's output."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from govworkflow.cli.main import main

POLICIES = textwrap.dedent(
    """
    import sys

    print("a policy module that talks as it loads")


    class Raises:
        def act(self, observation):
            raise RuntimeError("the agent crashed")


    class Exits:
        def act(self, observation):
            sys.exit(3)


    class Talks:
        def reset(self, seed):
            print("reset", seed)

        def act(self, observation):
            print("acting on", observation)
            return {"action_type": "advance_time"}
    """
)
TRIAGE_POLICIES = textwrap.dedent(
    """
    class Raises:
        def act(self, observation):
            raise RuntimeError("the agent crashed")
    """
)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # an exit that escaped the command (it must not)
        code = int(exc.code or 0) + 1000
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def office(tmp_path: Path) -> Path:
    path = tmp_path / "agents.py"
    path.write_text(POLICIES, encoding="utf-8")
    return path


EVALUATE = ["evaluate", "--ruleset", "standard", "--task", "district_backlog_easy", "--max-steps", "5"]


@pytest.mark.parametrize(("name", "why"), [("Raises", "RuntimeError: the agent crashed"), ("Exits", "SystemExit: 3")])
def test_a_policy_that_raises_or_exits_fails_its_episode_in_one_line(
    office: Path, name: str, why: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([*EVALUATE, "--policy", f"{office}:{name}", "--seed", "1"], capsys)
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if not line.startswith("a policy module")]
    assert lines == [f"govworkflow: error: standard/district_backlog_easy/{office}:{name} seed 1: {why}"]


def test_several_episodes_that_fail_are_listed_and_nothing_is_printed(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([*EVALUATE, "--policy", f"{office}:Raises", "--seed", "1", "--seed", "2"], capsys)
    assert code == 2 and out == ""
    assert "govworkflow: error: 2 of 2 episodes failed; nothing was written:" in err
    assert f"{office}:Raises seed 2: RuntimeError: the agent crashed" in err


def test_what_a_policy_prints_stays_out_of_the_json(office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([*EVALUATE, "--policy", f"{office}:Talks", "--seed", "1", "--seed", "2", "--json"], capsys)
    assert code == 0
    assert [r["seed"] for r in json.loads(out)] == [1, 2]  # stdout is the JSON alone
    assert "reset 1" in err and "acting on" in err and "talks as it loads" in err


def test_a_leaderboard_of_a_talking_policy_is_still_json(office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["leaderboard", "--ruleset", "legacy", "--task", "district_backlog_easy", "--policy", f"{office}:Talks",
            "--limit", "2", "--workers", "1", "--no-save", "--json"]  # fmt: skip
    code, out, err = run(argv, capsys)
    assert code == 0 and "acting on" in err
    assert [r["policy"] for r in json.loads(out)["rows"]] == [f"{office}:Talks"]


def test_triage_commands_report_a_failing_policy_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "triage_agents.py"
    path.write_text(TRIAGE_POLICIES, encoding="utf-8")
    code, out, err = run(["triage", "evaluate", "--task", "faithful_5", "--policy", f"{path}:Raises", "--seed", "3"],
                         capsys)  # fmt: skip
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"govworkflow: error: triage/faithful_5/{path}:Raises seed 3: RuntimeError: the agent crashed"
    ]
    argv = ["triage", "leaderboard", "--task", "faithful_5", "--policy", "edf", "--policy", f"{path}:Raises",
            "--seed-set", "evaluation", "--limit", "2"]  # fmt: skip
    code, out, err = run(argv, capsys)
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == "govworkflow: error: 2 of 4 episodes failed; nothing was written:"


@pytest.mark.slow  # starts an interpreter for the policy
def test_an_isolated_policy_prints_to_stderr_too(office: Path, capfd: pytest.CaptureFixture[str]) -> None:
    code = main([*EVALUATE, "--policy", f"isolated:{office}:Talks", "--seed", "1", "--json"])
    out, err = capfd.readouterr()
    assert code == 0
    assert [r["seed"] for r in json.loads(out)] == [1]
    assert "acting on" in err and "reset" in err


DRIFTY = textwrap.dedent(
    """
    import random

    from govworkflow.office.policies.sla_aware import SlaAware


    class Drifty:
        def __init__(self):
            self.rng = random.Random(0)  # drawn across episodes: the policy keeps state
            self.inner = SlaAware()

        def reset(self, seed):
            self.inner.reset(seed)

        def act(self, observation):
            return {"action_type": "advance_time"} if self.rng.random() < 0.05 else self.inner.act(observation)
    """
)


def test_the_command_plays_a_stateful_policy_as_evaluate_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One policy for every seed, in this process: the command's scores are the Python API's."""
    from govworkflow.evaluation import evaluate

    path = tmp_path / "drifty.py"
    path.write_text(DRIFTY, encoding="utf-8")
    spec = f"{path}:Drifty"
    code, out, _ = run(["evaluate", "--ruleset", "standard", "--task", "district_backlog_easy", "--policy", spec,
                        "--seed-set", "development", "--limit", "12", "--json"], capsys)  # fmt: skip
    assert code == 0
    expected = [r.score for r in evaluate("district_backlog_easy", spec, list(range(12)), "standard")]
    assert [r["score"] for r in json.loads(out)] == expected


def test_the_author_of_a_failing_policy_can_see_where_it_failed(
    office: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from govworkflow.evaluation.backends import TRACEBACK_ENV

    monkeypatch.setenv(TRACEBACK_ENV, "1")
    code, out, err = run([*EVALUATE, "--policy", f"{office}:Raises", "--seed", "1"], capsys)
    assert (code, out) == (2, "")
    assert "seed 1: RuntimeError: the agent crashed\n      Traceback (most recent call last):" in err
    assert f'File "{office}", line' in err and 'raise RuntimeError("the agent crashed")' in err
