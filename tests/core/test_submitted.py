"""Bring your own policy: a file or module outside the package, played through the same
harness as every other policy, and refused clearly when it is not a policy."""

from __future__ import annotations

import pickle
import re
import sys
from pathlib import Path

import pytest

from govworkflow.cli.main import main
from govworkflow.core.submitted import SubmittedPolicyError, is_spec, policy_seed
from govworkflow.evaluation import evaluate, run_episode
from govworkflow.evaluation.leaderboard import run_leaderboard
from govworkflow.office.rulesets import get_ruleset
from govworkflow.triage import TRIAGE

ROOT = Path(__file__).resolve().parents[2]

POLICY = '''
from govworkflow.office.policies.heuristics import urgent_first


class Copycat:
    """Plays urgent_first, and remembers what it was given."""

    def __init__(self):
        self.seen = []

    def reset(self, seed=None):
        self.seen.append(("reset", seed))

    def act(self, observation, simulator="never passed"):
        self.seen.append(simulator)
        return urgent_first(observation)


class Unreadable:
    def act(self, observation):
        return {"action_type": "fly"}


class NoAct:
    pass


def make():
    return Copycat()


NOT_CALLABLE = 3
'''


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "my_agent.py"
    path.write_text(POLICY)
    return path


def test_a_submitted_policy_plays_like_the_built_in_one(policy_file: Path) -> None:
    seeds = [1, 2, 3]
    mine = evaluate("mixed_urgency_medium", f"{policy_file}:Copycat", seeds, ruleset="standard")
    ref = evaluate("mixed_urgency_medium", "urgent_first", seeds, ruleset="standard")
    assert [r.score for r in mine] == [r.score for r in ref]
    assert mine[0].policy == f"{policy_file}:Copycat"
    factory = evaluate("mixed_urgency_medium", f"{policy_file}:make", seeds[:1], ruleset="standard")
    assert factory[0].score == ref[0].score


def test_a_submitted_policy_never_receives_the_simulator(policy_file: Path) -> None:
    policy = get_ruleset("standard").policy(f"{policy_file}:Copycat")
    sim = get_ruleset("standard").make("district_backlog_easy", 4)
    policy.reset(4)
    for _ in range(5):
        sim.step(policy.act(sim.observe(), sim))
    seen = policy.inner.seen  # type: ignore[attr-defined]
    assert seen[0] == ("reset", policy_seed(4)) and seen[1:] == ["never passed"] * 5


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Missing", "has no 'Missing'; it defines: Copycat, NoAct, Unreadable, make, urgent_first"),
        ("NoAct", "NoAct() made a NoAct, which has no act(observation) method"),
        ("NOT_CALLABLE", "'NOT_CALLABLE' is a int, not a class or factory"),
    ],
)
def test_what_is_not_a_policy_is_refused_by_name(policy_file: Path, name: str, message: str) -> None:
    with pytest.raises(SubmittedPolicyError, match=re.escape(message)):
        get_ruleset("standard").policy(f"{policy_file}:{name}")


def test_missing_files_modules_and_unreadable_actions_are_one_line_errors(
    policy_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rs = get_ruleset("standard")
    with pytest.raises(SubmittedPolicyError, match="no such file"):
        rs.policy("no/such/agent.py:Agent")
    with pytest.raises(SubmittedPolicyError, match="no module 'no_such_module_xyz'"):
        rs.policy("no_such_module_xyz:Agent")
    with pytest.raises(SubmittedPolicyError, match=r"returned an action that cannot be read \(on day 0\): .*fly"):
        evaluate("district_backlog_easy", f"{policy_file}:Unreadable", [1], ruleset="standard")
    code = main(["evaluate", "--ruleset", "standard", "--task", "district_backlog_easy",
                 "--policy", f"{policy_file}:Unreadable"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "cannot be read" in err


def test_the_example_policy_runs_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    example = ROOT / "examples" / "my_policy.py"
    code = main(["evaluate", "--ruleset", "standard", "--task", "district_backlog_easy",
                 "--policy", f"{example}:ShortestSlack", "--seed", "1", "--json"])  # fmt: skip
    assert code == 0 and '"policy":' in capsys.readouterr().out


def test_a_submitted_policy_goes_on_the_leaderboard_with_worker_processes(policy_file: Path) -> None:
    spec = f"{policy_file}:Copycat"
    assert is_spec(spec) and pickle.loads(pickle.dumps(get_ruleset("standard").policy(spec))).name == spec
    rows = run_leaderboard("standard", ["district_backlog_easy"], [spec, "urgent_first"], n_seeds=2, workers=2,
                           progress=False)  # fmt: skip
    by_policy = {r.policy: r for r in rows}
    assert by_policy[spec].scores == by_policy["urgent_first"].scores


def test_triage_takes_submitted_policies_too(tmp_path: Path) -> None:
    path = tmp_path / "first.py"
    path.write_text(
        "class First:\n    def act(self, obs):\n        return obs.tickets[0].ticket_id if obs.tickets else 'T01'\n"
    )
    results = evaluate("faithful_5", f"{path}:First", [0, 1], ruleset="triage")
    assert [r.policy for r in results] == [f"{path}:First"] * 2
    assert TRIAGE.policy(f"{path}:First").description == "submitted policy " + f"{path}:First"


@pytest.mark.parametrize("where", ["module", "factory"])
def test_a_policy_that_exits_while_loading_fails_to_load(tmp_path: Path, where: str) -> None:
    """sys.exit() in the module or in the constructor is a load failure, never the command's end."""
    path = tmp_path / "exits.py"
    body = "import sys\n" + ("sys.exit(0)\n" if where == "module" else "")
    body += "\n\nclass Agent:\n    def __init__(self):\n        sys.exit(0)\n\n"
    body += "    def act(self, observation):\n        pass\n"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(
        SubmittedPolicyError,
        match="importing .* failed: SystemExit" if where == "module" else r"Agent\(\) failed: SystemExit",
    ):
        get_ruleset("standard").policy(f"{path}:Agent")


def test_a_submitted_policy_is_told_a_derived_seed_in_process_too(tmp_path: Path) -> None:
    """As isolated: reproducible per episode, and not the episode's seed (which would let it
    rebuild the episode's own simulator)."""
    path = tmp_path / "told.py"
    path.write_text(
        "TOLD = []\n\n\nclass Agent:\n    def reset(self, seed):\n        TOLD.append(seed)\n\n"
        "    def act(self, observation):\n        return {'action_type': 'advance_time'}\n",
        encoding="utf-8",
    )
    rs = get_ruleset("standard")
    policy = rs.policy(f"{path}:Agent")
    run_episode(rs, "district_backlog_easy", policy, 100000, max_steps=2)
    told = sys.modules[type(policy.inner).__module__].TOLD  # type: ignore[attr-defined]
    assert told == [policy_seed(100000)] and told[0] != 100000
