"""The triage leaderboard: every task x policy over a seed set, with the 95% bootstrap
interval of the one statistics module (``evaluation.stats``)."""

from __future__ import annotations

from collections.abc import Sequence

from govworkflow.core.errors import distinct
from govworkflow.core.kernel import is_privileged
from govworkflow.core.provenance import provenance
from govworkflow.evaluation import stats, table
from govworkflow.evaluation.backends import EpisodesFailedError, Failure, describe_failure
from govworkflow.evaluation.run import EpisodeResult, run_episode
from govworkflow.evaluation.stats import bootstrap_ci
from govworkflow.evaluation.table import Row
from govworkflow.triage.policies import available_policies
from govworkflow.triage.suite import TRIAGE, make_policy
from govworkflow.triage.tasks import TASKS, get_task

__all__ = ["OPTIMAL_TOLERANCE", "bootstrap_ci", "document", "leaderboard"]

#: An episode is optimal when its reward is within this of the oracle's.
OPTIMAL_TOLERANCE = 1e-9


def leaderboard(
    task_ids: str | Sequence[str] | None = None,
    policies: str | Sequence[str] | None = None,
    seed_set: str = "evaluation",
    limit: int | None = None,
) -> list[Row]:
    """One row per (task, policy) in the shape every leaderboard shares (``evaluation.table``):
    the mean score with its 95% bootstrap interval, the grade's components in ``metrics``,
    and in ``extras`` the mean ``reward``, ``oracle`` reward, ``gap`` (``oracle - reward``)
    and ``optimal_rate`` (the share of episodes that earned the oracle's reward).

    ``policies`` defaults to every policy, with ``ppo`` for the tasks a model ships for.
    """
    task_ids = None if task_ids is None else distinct(task_ids, "task_ids")
    policies = None if policies is None else distinct(policies, "policies")
    tasks = [get_task(t) for t in (task_ids or list(TASKS))]
    for name in policies or []:
        make_policy(name)  # fail early on an unknown name
    rows = []
    failures: list[Failure] = []
    played: list[dict[int, EpisodeResult]] = []
    for task in tasks:
        names = list(policies or available_policies(task.task_id))
        seeds = task.seeds.take(seed_set, limit, "limit")
        results: dict[str, dict[int, EpisodeResult]] = {name: {} for name in names}
        for seed in seeds:  # seed-major, so each instance's oracle is solved once
            for name in names:
                try:
                    results[name][seed] = run_episode(TRIAGE, task, make_policy(name), seed)
                except (Exception, SystemExit) as err:  # a policy's failure is its episode's, as on every backend
                    failures.append(Failure(f"{TRIAGE.name}/{task.task_id}/{name}", seed, describe_failure(err)))
        played += results.values()
        for name in names:
            episodes = [(r.seed, r.score, r.metrics, _extras(r)) for r in results[name].values()]
            if not failures:
                rows.append(table.summarise(task.task_id, name, episodes, is_privileged(make_policy(name))))
    if failures:
        raise EpisodesFailedError(failures, len(failures) + sum(len(r) for r in played), played)
    return rows


def _extras(r: EpisodeResult) -> dict[str, float]:
    oracle = r.outcome["oracle"]
    return {"reward": r.reward_sum, "oracle": oracle, "gap": oracle - r.reward_sum,
            "optimal_rate": float(r.reward_sum >= oracle - OPTIMAL_TOLERANCE)}  # fmt: skip


def document(rows: Sequence[Row], seed_set: str, command: str | None = None) -> table.Document:
    """The leaderboard file of ``rows`` (``evaluation.table.Document``), with provenance."""
    seeds = {r.task_id: r.seeds for r in rows}
    prov = provenance(
        command,
        seed_set=seed_set,
        seeds={t: {"first": s[0], "last": s[-1], "count": len(s)} for t, s in seeds.items()},
        bootstrap=stats.settings(),
    )
    return table.Document(environment="triage", ruleset="triage", provenance=prov, rows=list(rows))
