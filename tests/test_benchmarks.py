"""The speed benchmarks run end to end with tiny numbers and print every row.

Figures are printed, never asserted: these tests only check that the scripts work."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from govworkflow.core.assets import has_model
from govworkflow.triage import TASKS

ROOT = Path(__file__).resolve().parents[1]


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def _bench(script: str, *args: str) -> str:
    out = _run(script, *args)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


@pytest.mark.slow
def test_bench_triage_prints_every_row() -> None:
    text = _bench("bench_triage.py", "--episodes", "2", "--repeats", "1")
    row = re.compile(r"^(\w+) +(sim \+ edf|gym \+ random|oracle|ppo) +(\d+) +[\d,.]+ (st/s|ms/i) ", re.M)
    found = row.findall(text)
    assert len(found) == len(text.splitlines()) - 2, text  # every line under the header is a row
    for task_id in TASKS:
        kinds = [kind for task, kind, _, _ in found if task == task_id]
        expected = ["sim + edf", "gym + random", "oracle"] + (["ppo"] if has_model("triage", task_id) else [])
        assert kinds == expected, text


def test_bench_triage_refuses_bad_counts() -> None:
    out = _run("bench_triage.py", "--episodes", "0")
    assert out.returncode == 2
    assert "--episodes and --repeats must be at least 1, got 0 and 3" in out.stderr


@pytest.mark.parametrize("script", ["bench_legacy.py", "bench_standard.py"])
def test_office_benchmarks_run(script: str) -> None:
    text = _bench(script, "--episodes", "1", "--repeats", "1")
    assert "best of 1" in text
    assert len(text.splitlines()) > 3
    if script == "bench_standard.py":
        # the step's cost in CartPole steps, and with the day free (cheaper, as the day costs something)
        costs = re.findall(r"^\w+ \(sla_aware, play\) +[\d,]+ +([\d.]+)x +([\d.]+)x$", text, re.M)
        assert len(costs) == 4 and all(float(free) < float(cost) for cost, free in costs), text
        # the cost of settling: a row per task, ratios to the play alone
        table = text.split("grading v1")[1].splitlines()[2:]
        assert len(table) == 4 and all(line.count("x)") == 2 for line in table), text


STAND_IN_ENV = '''
from types import SimpleNamespace

from govworkflow.office.models import Action
from govworkflow.office.rulesets import get_ruleset


class _Name(str):
    @property
    def value(self):
        return str(self)


def _named(mapping):
    return {{_Name(k): v for k, v in mapping.items()}}


class GovWorkflowEnv:
    """The published env's interface over our own legacy simulator (one observation moved when {off})."""

    def __init__(self, task_id):
        self.task_id = task_id

    def reset(self, seed=None):
        self.sim = get_ruleset("legacy").make(self.task_id, seed)

    def step(self, action):
        reward, _, terminated, truncated = self.sim.step(Action.model_validate(action.fields))
        o = self.sim.observe()
        pool = SimpleNamespace(reserve_officers=o.reserve_officers, allocations=_named(o.officers))
        queues = [SimpleNamespace(service=_Name(q.service), active_cases=q.active_cases,
                                  missing_docs_cases=q.missing_docs_cases, escalated_cases=q.escalated_cases,
                                  urgent_cases=q.urgent_cases, breached_cases=q.breached_cases,
                                  avg_age_days=q.avg_age_days, stage_counts=_named(q.stage_counts))
                  for q in o.queues]
        moved = {off} if self.task_id == "cross_department_hard" and o.day == 3 else 0
        obs = SimpleNamespace(day=o.day, priority_mode=_Name(o.priority_mode),
                              total_backlog=o.total_backlog + moved, total_completed=o.total_completed,
                              total_sla_breaches=o.total_sla_breaches, fairness_gap=o.fairness_gap,
                              escalation_budget_remaining=o.escalation_budget_remaining,
                              last_action_valid=o.last_action_valid, officer_pool=pool, queue_snapshots=queues)
        return obs, reward, terminated, truncated, {{}}

    def state(self):
        return self.sim
'''
STAND_IN_MODELS = """
class ActionModel:
    def __init__(self, **fields):
        self.fields = fields
"""
STAND_IN_GRADERS = """
from types import SimpleNamespace


def grade_episode(sim):
    return SimpleNamespace(score=sim.grade().score)
"""


STAND_IN = """
from govworkflow import evaluate


def run_policy_episode(task_id, policy_name, seed=None, max_steps=500):
    (r,) = evaluate(task_id, policy_name, seeds=[seed], ruleset="legacy")
    score = r.score + ({off!r} if (task_id, policy_name, seed) == ("mixed_urgency_medium", "oldest_first", 1) else 0.0)
    return {{"score": score, "steps": r.steps, "reward_sum": r.reward_sum, "completed": r.completed,
            "backlog": r.backlog}}
"""


@pytest.mark.parametrize("off", [0.0, 0.01])
def test_bench_legacy_runs_a_reference_side_by_side_and_counts_disagreements(tmp_path: Path, off: float) -> None:
    """The published implementation is not here: a stand-in with its entry point (our own
    legacy ruleset, one score moved when ``off``) shows the plumbing and the agreement count."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "baselines.py").write_text(STAND_IN.format(off=off))
    (tmp_path / "app" / "env.py").write_text(STAND_IN_ENV.format(off=int(off * 100)))
    (tmp_path / "app" / "models.py").write_text(STAND_IN_MODELS)
    (tmp_path / "app" / "graders.py").write_text(STAND_IN_GRADERS)
    args = ("--episodes", "1", "--repeats", "1", "--reference", str(tmp_path), "--seeds", "2", "--random-episodes", "3")
    text = _bench("bench_legacy.py", *args)
    random_play = [line.split()[-1] for line in text.split("random play")[1].splitlines()[2:]]
    assert random_play == (["3/3", "3/3", "0/3", "6/9"] if off else ["3/3", "3/3", "3/3", "9/9"]), text
    table = text.split("side by side")[1].split("random play")[0].strip().splitlines()[2:]
    assert len(table) == 10, text  # nine pairs and the total
    agree = [line.split()[-1] for line in table]
    moved = ["1/2" if "mixed_urgency_medium" in line and "oldest_first" in line else "2/2" for line in table[:9]]
    assert agree == ([*moved, "17/18"] if off else ["2/2"] * 9 + ["18/18"]), text
    ratios = [[float(cell.removesuffix("x")) for cell in line.split()[-3:-1]] for line in table]
    assert all(free >= ratio >= 0 for ratio, free in ratios), text  # with the day free, ours is no slower


def test_bench_legacy_refuses_a_folder_without_the_reference(tmp_path: Path) -> None:
    out = _run("bench_legacy.py", "--episodes", "1", "--repeats", "1", "--reference", str(tmp_path))
    assert out.returncode != 0
    assert f"--reference {tmp_path}: no app/baselines.py there" in out.stderr


@pytest.mark.slow
def test_bench_gym_prints_every_row() -> None:
    text = _bench("bench_gym.py", "--steps", "50", "--ppo-steps", "64", "--n-steps", "64", "--repeats", "1")
    assert re.search(r"^CartPole-v1 \(gym step\) +[\d,]+ steps/s$", text, re.M), text
    assert re.search(
        r"^govworkflow/CrossDepartmentHard-v1 \(gym step\) +[\d,]+ steps/s +[\d.]+x CartPole's", text, re.M
    )
    fps = re.findall(r"^(PPO on CartPole-v1|MaskablePPO on [\w ,-]+?) +[\d,]+ fps", text, re.M)
    assert fps == ["PPO on CartPole-v1", "MaskablePPO on cross_department_hard",
                   "MaskablePPO on a zero-cost env, same spaces"], text  # fmt: skip
