"""Run triage policies over seeded episodes (the leaderboard is ``evaluation.triage``).

Leaderboard numbers are means over a seed set with the 95% bootstrap confidence interval
of the one statistics module (``govworkflow.evaluation.stats``), as every leaderboard of
the project publishes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from govworkflow.core.errors import check_count, check_seeds
from govworkflow.triage.grading import grade_simulator
from govworkflow.triage.instance import generate
from govworkflow.triage.policies import TriagePolicy, make_policy
from govworkflow.triage.sim import TriageSimulator
from govworkflow.triage.tasks import TriageTask, get_task

__all__ = ["TriageResult", "evaluate", "run_episode", "seed_list"]


@dataclass(frozen=True)
class TriageResult:
    """One finished episode, as ``govworkflow triage evaluate --json`` prints it."""

    task_id: str
    policy: str
    seed: int
    score: float
    reward: float
    oracle: float
    floor: float
    steps: int
    worked: int
    on_time: int
    terminated: bool
    truncated: bool
    metrics: dict[str, float]
    """The grade's components by name (``normalised_reward`` is the score)."""

    @property
    def optimal(self) -> bool:
        """True if the episode earned the oracle's reward."""
        return self.reward >= self.oracle - 1e-9

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_episode(task: TriageTask | str, policy: TriagePolicy, seed: int) -> TriageResult:
    """Play one episode of ``policy`` to its end (the simulator's fast path, no record)."""
    task = get_task(task)
    sim = TriageSimulator(generate(task, seed))
    policy.reset(seed)
    while not sim.done:
        sim.step(policy.act(sim.observe(), sim))
    grade = grade_simulator(sim)
    return TriageResult(
        task_id=task.task_id,
        policy=policy.name,
        seed=seed,
        score=grade.score,
        reward=sim.reward_sum,
        oracle=grade.oracle_reward,
        floor=grade.floor_reward,
        steps=sim.steps,
        worked=len(sim.scheduled),
        on_time=sum(1 for s in sim.scheduled if s.on_time),
        terminated=sim.terminated,
        truncated=sim.truncated,
        metrics=grade.metrics,
    )


def seed_list(task: TriageTask | str, seed_set: str = "eval", limit: int | None = None) -> list[int]:
    """The seeds of ``seed_set`` (``dev`` or ``eval``) of ``task``, the first ``limit`` of them."""
    seeds = get_task(task).seeds.range(seed_set)
    if limit is not None:
        seeds = seeds[: check_count(limit, "limit")]
    return list(seeds)


def evaluate(task_id: str, policy: str, seeds: Iterable[int] | None = None) -> list[TriageResult]:
    """One result per seed (default: the task's own seed)."""
    task = get_task(task_id)
    pol = make_policy(policy)
    return [run_episode(task, pol, s) for s in (check_seeds(seeds) if seeds is not None else [task.seed])]
