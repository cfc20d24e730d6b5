"""Run policies over episodes and collect results (the code behind ``evaluate``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from govworkflow.core.errors import check_seeds
from govworkflow.core.kernel import Policy
from govworkflow.office.ruleset import Ruleset
from govworkflow.office.rulesets import get_ruleset

__all__ = ["EpisodeResult", "evaluate", "run_episode"]


@dataclass(frozen=True)
class EpisodeResult:
    """One finished episode, as ``govworkflow evaluate --json`` prints it."""

    task_id: str
    ruleset: str
    policy: str
    seed: int
    score: float
    steps: int
    completed: int
    backlog: int
    reward_sum: float
    metrics: dict[str, float]
    terminated: bool
    truncated: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_episode(
    ruleset: Ruleset,
    task_id: str,
    policy: Policy,
    seed: int | None = None,
    max_steps: int | None = None,
) -> EpisodeResult:
    """Play one episode of ``policy`` to its end; the simulator's fast path, no record."""
    sim = ruleset.make(task_id, seed, max_steps)
    policy.reset(sim.seed)
    act, step, observe = policy.act, sim.step, sim.observe
    reward_sum = 0.0
    while True:
        reward, _, terminated, truncated = step(act(observe(), sim))
        reward_sum += reward
        if terminated or truncated:
            break
    grade = sim.grade()
    obs = sim.observe()
    return EpisodeResult(
        task_id=task_id,
        ruleset=ruleset.name,
        policy=policy.name,
        seed=sim.seed,
        score=grade.score,
        steps=sim.steps,
        completed=obs.total_completed,
        backlog=obs.total_backlog,
        reward_sum=round(reward_sum, 4),
        metrics=grade.metrics,
        terminated=terminated,
        truncated=truncated,
    )


def evaluate(
    task_id: str,
    policy: str,
    seeds: Iterable[int] | None = None,
    ruleset: str | None = None,
    max_steps: int | None = None,
) -> list[EpisodeResult]:
    """One result per seed (default: the task's own seed)."""
    rs = get_ruleset(ruleset)
    task = rs.task(task_id)
    pol = rs.policy(policy)
    seed_list: Sequence[int] = check_seeds(seeds) if seeds is not None else [task.seed]
    return [run_episode(rs, task_id, pol, s, max_steps) for s in seed_list]
