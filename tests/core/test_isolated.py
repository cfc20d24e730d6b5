"""Submitted policies played from a process of their own (``isolated:`` specs): the same
results as in process for an honest policy; no simulator to find for one that digs; a seed
that tells nothing; clear errors for what cannot be read, loaded or answered in time."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from govworkflow.cli.main import main
from govworkflow.core.isolated import SALT_ENV, IsolatedPolicy, policy_seed
from govworkflow.core.submitted import SubmittedPolicyError
from govworkflow.evaluation import evaluate, run_episode
from govworkflow.office.rulesets import get_ruleset

AGENTS = '''
import gc
import os
import time

from govworkflow.office.rulesets import get_ruleset


class Honest:
    """Plays sla_aware."""

    def __init__(self):
        self.inner = get_ruleset("standard").policy("sla_aware")

    def reset(self, seed=None):
        self.inner.reset(seed)

    def act(self, observation):
        return self.inner.act(observation)


class Digger(Honest):
    """Looks for the simulator in its own process, and stops if it finds one."""

    def act(self, observation):
        from govworkflow.office.rulesets.standard import StandardSimulator

        found = sum(type(o) is StandardSimulator for o in gc.get_objects())
        if found:
            raise RuntimeError(f"found {found} simulator(s)")
        return super().act(observation)


class SeedTeller(Honest):
    def reset(self, seed=None):
        self.seed = seed

    def act(self, observation):
        raise RuntimeError(f"my seed is {self.seed}")


class Nonsense(Honest):
    def act(self, observation):
        return "not an action"


class Quitter(Honest):
    def act(self, observation):
        os._exit(3)


class Sleeper(Honest):
    def act(self, observation):
        time.sleep(30)
'''
SEEDS = [100000, 100001]


@pytest.fixture
def agents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "agents.py").write_text(AGENTS)
    monkeypatch.chdir(tmp_path)
    return "agents.py"


def test_an_honest_policy_plays_the_same_isolated(agents: str) -> None:
    here = evaluate("district_backlog_easy", f"{agents}:Honest", seeds=SEEDS, ruleset="standard")
    there = evaluate("district_backlog_easy", f"isolated:{agents}:Honest", seeds=SEEDS, ruleset="standard")
    assert [(r.score, r.steps, r.metrics) for r in there] == [(r.score, r.steps, r.metrics) for r in here]
    assert {r.policy for r in there} == {f"isolated:{agents}:Honest"}
    assert all(r.faithful for r in there)


def test_a_policy_that_digs_finds_the_simulator_only_in_process(agents: str) -> None:
    with pytest.raises(RuntimeError, match=r"found 1 simulator"):
        evaluate("district_backlog_easy", f"{agents}:Digger", seeds=SEEDS[:1], ruleset="standard")
    (isolated,) = evaluate("district_backlog_easy", f"isolated:{agents}:Digger", seeds=SEEDS[:1], ruleset="standard")
    (honest,) = evaluate("district_backlog_easy", f"{agents}:Honest", seeds=SEEDS[:1], ruleset="standard")
    assert isolated.score == honest.score  # it found nothing, and played like the honest one


def test_an_isolated_policy_is_told_a_seed_that_is_not_the_episodes(agents: str) -> None:
    told = policy_seed(100000)
    assert told == policy_seed(100000) and told != 100000 and policy_seed(100001) != told
    with pytest.raises(SubmittedPolicyError, match=rf"my seed is {told}\b"):
        evaluate("district_backlog_easy", f"isolated:{agents}:SeedTeller", seeds=[100000], ruleset="standard")


@pytest.mark.slow
def test_what_an_isolated_policy_cannot_do_is_a_clear_error(agents: str) -> None:
    with pytest.raises(SubmittedPolicyError, match=r"isolated:agents.py:Nonsense' returned an action that cannot"):
        evaluate("district_backlog_easy", f"isolated:{agents}:Nonsense", seeds=[1], ruleset="standard")
    with pytest.raises(SubmittedPolicyError, match=r"has no 'Missing'; it defines: .*Honest"):
        evaluate("district_backlog_easy", f"isolated:{agents}:Missing", seeds=[1], ruleset="standard")
    with pytest.raises(SubmittedPolicyError, match=r"isolated:agents.py:Quitter': its process stopped answering"):
        evaluate("district_backlog_easy", f"isolated:{agents}:Quitter", seeds=[1], ruleset="standard")


@pytest.mark.slow
def test_an_isolated_policy_that_does_not_answer_in_time_is_ended(agents: str) -> None:
    suite = get_ruleset("standard")
    policy = IsolatedPolicy(f"{agents}:Sleeper", suite, step_timeout_s=1.0)
    sim = suite.make("district_backlog_easy", 1)
    policy.reset(1)
    with pytest.raises(SubmittedPolicyError, match=r"no answer to act within 1 s"):
        policy.act(sim.observe())
    assert policy._process.poll() is not None  # the child was ended


@pytest.mark.slow
def test_an_isolated_policy_pickles_as_its_spec_and_runs_from_the_command_line(
    agents: str, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = get_ruleset("standard")
    policy = suite.policy(f"isolated:{agents}:Honest")
    copy = pickle.loads(pickle.dumps(policy))
    assert isinstance(copy, IsolatedPolicy) and copy._process.pid != policy._process.pid  # type: ignore[attr-defined]
    copy.close()
    with pytest.raises(SubmittedPolicyError, match=r"its process was ended \(close\(\)\)"):
        copy.reset(1)
    argv = ["evaluate", "--task", "district_backlog_easy", "--policy", f"isolated:{agents}:Honest", "--seed", "1"]
    assert main(argv) == 0
    assert f"isolated:{agents}:Honest" in capsys.readouterr().out


def test_a_judge_keys_the_policy_seed_with_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unkeyed, anyone can hash candidate seeds; keyed, the told seed depends on the secret."""
    public = policy_seed(123456789)
    monkeypatch.setenv(SALT_ENV, "a judge's secret")
    keyed = policy_seed(123456789)
    assert keyed == policy_seed(123456789) and keyed != public  # reproducible under the key, not the public hash
    monkeypatch.setenv(SALT_ENV, "another secret")
    assert policy_seed(123456789) not in (keyed, public)
    monkeypatch.delenv(SALT_ENV)
    assert policy_seed(123456789) == public


FORGER = '''
from govworkflow.office.rulesets.standard import grading
from govworkflow.office.rulesets.standard.tasks import COMPONENTS


class Forger:
    """Rewrites the grader of the process it runs in, then only advances time."""

    def reset(self, seed):
        grading.metrics = lambda sim, copy=True: dict.fromkeys(COMPONENTS, 1.0)

    def act(self, observation):
        return {"action_type": "advance_time"}
'''


@pytest.mark.slow  # starts an interpreter
def test_in_process_a_policy_is_trusted_code_and_isolated_it_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the docs say of in-process policies: one that patches the grader scores 1.0."""
    from govworkflow.office.rulesets.standard import grading

    monkeypatch.setattr(grading, "metrics", grading.metrics)  # put back after the test
    path = tmp_path / "forger.py"
    path.write_text(FORGER, encoding="utf-8")
    rs = get_ruleset("standard")
    (isolated,) = evaluate("district_backlog_easy", f"isolated:{path}:Forger", [1], "standard")
    (honest,) = evaluate("district_backlog_easy", "advance_only", [1], "standard")
    assert isolated.score == honest.score < 0.6  # its patch stayed in its own process
    forged = run_episode(rs, "district_backlog_easy", rs.policy(f"{path}:Forger"), 1)
    assert forged.score == 1.0 and forged.faithful  # in process it rewrote the grader


PEEK_AT_THE_JUDGE = """
import os


class Peek:
    def act(self, observation):
        try:
            with open(f"/proc/{os.getppid()}/environ", "rb") as judge:
                leaked = b"GOVWORKFLOW_POLICY_SALT" in judge.read()
        except OSError:
            leaked = False
        assert not leaked and "GOVWORKFLOW_POLICY_SALT" not in os.environ, "read the judge's secret"
        return {"action_type": "advance_time"}
"""


@pytest.mark.slow  # starts the judge and the policy's interpreter
def test_the_policy_cannot_read_the_secret_from_the_judges_process(tmp_path: Path) -> None:
    path = tmp_path / "peek.py"
    path.write_text(PEEK_AT_THE_JUDGE, encoding="utf-8")
    argv = [sys.executable, "-m", "govworkflow", "evaluate", "--ruleset", "standard", "--task", "district_backlog_easy",
            "--policy", f"isolated:{path}:Peek", "--seed", "1", "--max-steps", "3", "--json"]  # fmt: skip
    env = {**os.environ, SALT_ENV: "a judge's secret", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    if os.geteuid() == 0:  # a root policy could read anything: the judge refuses rather than leak it
        assert done.returncode == 2 and "cannot be kept from a policy run as root" in done.stderr, done.stderr
        return
    assert done.returncode == 0, done.stderr  # undumpable: the policy could not read it
    assert json.loads(done.stdout)[0]["steps"] == 3
