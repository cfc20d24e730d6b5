"""The triage leaderboard: every task x policy over a seed set, with the 95% bootstrap
interval of the one statistics module (``evaluation.stats``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from govworkflow.core.errors import distinct
from govworkflow.evaluation.stats import bootstrap_ci
from govworkflow.triage.evaluation import TriageResult, run_episode, seed_list
from govworkflow.triage.policies import available_policies, make_policy
from govworkflow.triage.tasks import TASKS, get_task

__all__ = ["leaderboard"]


def leaderboard(
    task_ids: str | Sequence[str] | None = None,
    policies: str | Sequence[str] | None = None,
    seed_set: str = "eval",
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """One row per (task, policy): mean score with its 95% bootstrap CI, rewards and gaps.

    ``policies`` defaults to every policy, with ``ppo`` for the tasks a model ships for.

    ``gap`` is the mean of ``oracle - reward``; ``optimal_rate`` the share of episodes
    that earned the oracle's reward.
    """
    task_ids = None if task_ids is None else distinct(task_ids, "task_ids")
    policies = None if policies is None else distinct(policies, "policies")
    tasks = [get_task(t) for t in (task_ids or list(TASKS))]
    for name in policies or []:
        make_policy(name)  # fail early on an unknown name
    rows = []
    for task in tasks:
        names = list(policies or available_policies(task.task_id))
        seeds = seed_list(task, seed_set, limit)
        results: dict[str, list[TriageResult]] = {name: [] for name in names}
        for seed in seeds:  # seed-major, so each instance's oracle is solved once
            for name in names:
                results[name].append(run_episode(task, make_policy(name), seed))
        for name in names:
            res = results[name]
            scores = [r.score for r in res]
            low, high = bootstrap_ci(scores)
            rows.append(
                {
                    "task_id": task.task_id,
                    "policy": name,
                    "seed_set": seed_set,
                    "episodes": len(res),
                    "score": float(np.mean(scores)),
                    "ci_low": low,
                    "ci_high": high,
                    "reward": float(np.mean([r.reward for r in res])),
                    "oracle": float(np.mean([r.oracle for r in res])),
                    "gap": float(np.mean([r.oracle - r.reward for r in res])),
                    "optimal_rate": float(np.mean([r.optimal for r in res])),
                }
            )
    return rows
