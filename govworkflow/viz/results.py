"""Leaderboard rows for notebooks: read the published tables, or compute a small one.

Rows are dicts ``{ruleset, task_id, policy, mean, ci_low, ci_high, n}``: the shape of
the leaderboard files in ``data/results/`` and what ``leaderboard_figure`` draws.
Confidence intervals come from the one statistics module, ``govworkflow.evaluation.stats``
(extra: ``leaderboard``); ``bootstrap_ci`` is re-exported from there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from govworkflow.core.errors import GovWorkflowError, check_count
from govworkflow.core.kernel import TaskLike
from govworkflow.evaluation import run_episode, table
from govworkflow.evaluation.stats import bootstrap_ci
from govworkflow.office.rulesets import get_ruleset

__all__ = [
    "bootstrap_ci",
    "eval_seeds",
    "load_leaderboard",
    "quick_leaderboard",
    "usable_policies",
]


def load_leaderboard(results_dir: str | Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Leaderboard rows from the leaderboard files in ``results_dir`` (``format``
    ``govworkflow-leaderboard``, validated by ``evaluation.table.load``) and the files they
    came from. Each row carries its file's ``ruleset``, so rows of different rulesets are
    never mixed up. Other JSON files (training records) are left out; a leaderboard file
    that does not validate is an error naming the file and the field. Empty when none."""
    rows: list[dict[str, Any]] = []
    sources: list[str] = []
    folder = Path(results_dir)
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            head = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(head, dict) or head.get("format") != table.FORMAT:
            continue
        doc = table.load(path)
        rows += [{"ruleset": doc.ruleset, **r.model_dump()} for r in doc.rows]
        sources.append(path.name)
    return rows, sources


def usable_policies(ruleset: str | None = None, task_id: str | None = None) -> list[str]:
    """The ruleset's policies that can act here, in registry order.

    A policy that needs something this installation lacks (a trained model, an optional
    dependency) is left out: each policy takes one action on a fresh episode of
    ``task_id`` (default: the ruleset's first task), and those that raise
    ``GovWorkflowError`` or ``ImportError`` are dropped.
    """
    rs = get_ruleset(ruleset)
    task_id = task_id if task_id is not None else next(iter(rs.tasks))
    usable = []
    for name in rs.policies:
        sim = rs.make(task_id)
        try:
            policy = rs.policy(name)
            policy.reset(sim.seed)
            policy.act(sim.observe(), sim)
        except (GovWorkflowError, ImportError):
            continue
        usable.append(name)
    return usable


def eval_seeds(task: TaskLike, n: int) -> list[int]:
    """The first ``n`` held-out evaluation seeds of ``task`` (from its task file)."""
    n = check_count(n, "n_seeds")
    return list(task.seeds.evaluation.seeds()[:n])


def quick_leaderboard(
    ruleset: str | None = None,
    tasks: Sequence[str] | None = None,
    policies: Sequence[str] | None = None,
    n_seeds: int = 5,
    max_steps: int | None = None,
) -> list[dict[str, Any]]:
    """Mean score and bootstrap CI of each policy (default: the usable ones) on each task
    over ``n_seeds`` seeds."""
    rs = get_ruleset(ruleset)
    rows = []
    for task_id in tasks if tasks is not None else list(rs.tasks):
        seeds = eval_seeds(rs.task(task_id), n_seeds)
        for name in policies if policies is not None else usable_policies(rs.name, task_id):
            policy = rs.policy(name)
            scores = [run_episode(rs, task_id, policy, s, max_steps).score for s in seeds]
            low, high = bootstrap_ci(scores)
            rows.append(
                {
                    "ruleset": rs.name,
                    "task_id": task_id,
                    "policy": name,
                    "mean": round(sum(scores) / len(scores), 4),
                    "ci_low": round(low, 4),
                    "ci_high": round(high, 4),
                    "n": len(scores),
                }
            )
    return rows
