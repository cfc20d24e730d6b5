"""The leaderboard: every task x policy x held-out seed, with bootstrap confidence intervals.

``run_leaderboard`` plays the episodes (in worker processes when asked), ``summarise``
turns scores into rows (mean and the 95% bootstrap interval of
``govworkflow.evaluation.stats``), ``calibration`` checks the standard ruleset's targets, and
the result is saved as JSON with provenance (package version, git commit, seeds, date,
command). ``govworkflow leaderboard`` is the command-line face.

Seeds: a task's held-out evaluation seeds come from its task file (``task.seeds``, the
rule in ``govworkflow.core.seeds``); the legacy tasks' default seeds stay the published
ones, so the published rows are reproduced by ``evaluate``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from govworkflow.core.assets import has_model
from govworkflow.core.errors import GovWorkflowError, check_count, distinct
from govworkflow.core.kernel import TaskLike, is_privileged
from govworkflow.core.provenance import provenance as _provenance
from govworkflow.evaluation import run_episode, stats, table
from govworkflow.evaluation.backends import Backend, Job, LocalBackend, run_jobs
from govworkflow.office.policies.ladder import LADDER
from govworkflow.office.ruleset import Ruleset
from govworkflow.office.rulesets import get_ruleset

__all__ = [
    "Row",
    "calibration",
    "evaluation_seeds",
    "provenance",
    "run_leaderboard",
    "summarise",
]

#: The three heuristics carried over from the published benchmark.
LEGACY_HEURISTICS = ("urgent_first", "oldest_first", "backlog_clearance")
#: Every heuristic on the ladder (the legacy three, the classic queueing rules, ours).
HEURISTICS = (*LEGACY_HEURISTICS, "c_mu", "max_weight", "sla_aware")
#: The ceiling reference: the ruleset's analytic upper bound (``Suite.bound``), a row of
#: its own that no policy can beat on any seed.
UPPER_BOUND = "upper_bound"
#: The privileged look-ahead policy: the best play found, slow (listed apart).
LOOKAHEAD = "oracle_lookahead"


def evaluation_seeds(task: TaskLike) -> list[int]:
    """The held-out evaluation seeds of ``task`` (declared in its task file)."""
    return list(task.seeds.evaluation.seeds())


#: One (task, policy) cell of the leaderboard: the shape every environment shares.
Row = table.Row

#: (seed, score, metrics, extras) of one episode.
Episode = tuple[int, float, dict[str, float], dict[str, float]]


def _player(ruleset: str, task_id: str, policy: str, max_steps: int | None) -> Callable[[int], Episode]:
    """``play(seed)`` of one policy on one task (built once per job, in the worker)."""
    rs = get_ruleset(ruleset)
    if policy == UPPER_BOUND:
        bound, task = rs.bound, rs.task(task_id)
        assert bound is not None

        def bounded(seed: int) -> Episode:
            g = bound(task, seed)
            return (seed, g.score, g.metrics, {})

        return bounded
    pol = rs.policy(policy)

    def play(seed: int) -> Episode:
        r = run_episode(rs, task_id, pol, seed, max_steps)
        if not r.faithful:  # graded on its replay all the same, but no leaderboard lists it
            raise GovWorkflowError(
                f"policy {policy!r} changed the simulator it was given "
                "(its episode differs from the replay of its actions); it is not put on a leaderboard"
            )
        return (r.seed, r.score, r.metrics, {"steps": float(r.steps), "completed": float(r.outcome["completed"])})

    return play


def summarise(task_id: str, policy: str, episodes: Sequence[Episode], privileged: bool = False) -> Row:
    """A leaderboard row from one cell's episodes (``evaluation.table.summarise``)."""
    return table.summarise(task_id, policy, episodes, privileged)


def run_leaderboard(
    ruleset: str | None = None,
    tasks: Iterable[str] | None = None,
    policies: Iterable[str] | None = None,
    n_seeds: int | None = None,
    workers: int = 1,
    max_steps: int | None = None,
    progress: bool = True,
    backend: Backend | None = None,
) -> list[Row]:
    """Play every task x policy x held-out seed; one ``Row`` per (task, policy).

    ``policies`` defaults to the ruleset's ladder policies (``LADDER``), plus ``ppo`` when a
    trained model ships for every task played, plus the ruleset's analytic bound
    (``UPPER_BOUND``, when it has one: ``Suite.bound``).

    ``backend``: where the episodes run (``evaluation.backends``, entered already); None:
    ``workers`` local processes. Every backend gives the same rows."""
    rs: Ruleset = get_ruleset(ruleset)
    if n_seeds is not None:
        check_count(n_seeds, "n_seeds")
    check_count(workers, "workers")
    task_ids = distinct(tasks, "tasks") if tasks is not None else list(rs.tasks)
    if policies is not None:
        policy_names = distinct(policies, "policies")
    else:
        policy_names = [p for p in rs.policies if p in LADDER]
        if "ppo" in rs.policies and all(has_model(rs.name, t) for t in task_ids):
            policy_names.append("ppo")
        if rs.bound is not None:
            policy_names.append(UPPER_BOUND)
    for t in task_ids:
        rs.task(t)
    for p in policy_names:
        if p == UPPER_BOUND:
            if rs.bound is None:
                raise GovWorkflowError(f"the {rs.name} ruleset has no analytic bound ({UPPER_BOUND!r})")
        else:
            rs.policy(p)
    jobs: list[Job] = []
    for t in task_ids:
        seeds = evaluation_seeds(rs.task(t))
        if n_seeds is not None:
            seeds = seeds[:n_seeds]
        for p in policy_names:
            size = 2 if p == LOOKAHEAD else 10
            jobs += [
                Job(_player, (rs.name, t, p, max_steps), tuple(seeds[i : i + size]), f"{rs.name}/{t}/{p}")
                for i in range(0, len(seeds), size)
            ]
    # the slow look-ahead first, so that workers finish together
    jobs.sort(key=lambda j: j.args[2] != LOOKAHEAD)
    results: dict[tuple[str, str], list[Episode]] = {(t, p): [] for t in task_ids for p in policy_names}
    played = run_jobs(jobs, backend or LocalBackend(workers), f"leaderboard {rs.name}", progress)
    for job, out in zip(jobs, played, strict=True):
        results[(job.args[1], job.args[2])] += out
    privileged = {p: p == UPPER_BOUND or is_privileged(rs.policy(p)) for p in policy_names}
    return [summarise(t, p, results[(t, p)], privileged[p]) for t in task_ids for p in policy_names]


def calibration(rows: Sequence[Row], canaries: Sequence[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The standard ruleset's calibration targets, checked per task on ``rows`` (and on the
    rows of ``evaluation.canaries.report``, when given).

    Checks are skipped (not listed) when a policy they need is missing from ``rows``.
    """
    by_task: dict[str, dict[str, Row]] = {}
    for r in rows:
        by_task.setdefault(r.task_id, {})[r.policy] = r
    checks: list[dict[str, Any]] = []

    def check(task: str, name: str, value: float, target: str, ok: bool) -> None:
        checks.append({"task_id": task, "check": name, "value": round(value, 4), "target": target, "ok": ok})

    for task, cells in by_task.items():
        mean = {p: r.mean for p, r in cells.items()}
        heur = {p: mean[p] for p in HEURISTICS if p in mean}
        if not heur:
            continue
        best = max(heur.values())
        check(task, "best heuristic", best, "0.55..0.80", 0.55 <= best <= 0.80)
        for p in ("stall_attempt", "advance_only"):
            if p in mean:
                check(task, f"best heuristic - {p}", best - mean[p], ">= 0.15", best - mean[p] >= 0.15)
        if "random_valid" in mean:
            check(task, "random_valid", mean["random_valid"], "<= 0.40", mean["random_valid"] <= 0.40)
        legacy = [mean[p] for p in LEGACY_HEURISTICS if p in mean]
        if len(legacy) == len(LEGACY_HEURISTICS):
            spread = max(legacy) - min(legacy)
            check(task, "legacy heuristics spread", spread, ">= 0.10", spread >= 0.10)
        if UPPER_BOUND in mean:
            gap = mean[UPPER_BOUND] - best
            check(task, "upper bound - best heuristic", gap, ">= 0.05", gap >= 0.05)
            others = [m for p, m in mean.items() if p != UPPER_BOUND and not cells[p].privileged]
            margin = mean[UPPER_BOUND] - max(others)
            check(task, "upper bound - best non-privileged policy", margin, "> 0 (PPO included)", margin > 0)
        wrong = _disagreements({p: r for p, r in cells.items() if p != UPPER_BOUND})
        check(task, "pairs where the grade disagrees with citizens", len(wrong), "0", not wrong)
        if canaries is not None:
            wins = [r["canary"] for r in canaries if r["task_id"] == task and r["wins_by_artefact"]]
            check(task, "canaries winning by artefact", len(wins), "0", not wins)
    for name in sorted({k for r in rows for k in r.metrics}):
        most = max(
            len({round(r.metrics[name], 2) for p, r in cells.items() if name in r.metrics and p != UPPER_BOUND})
            for cells in by_task.values()
        )
        check("*", f"distinct values of {name} (2 decimals)", most, ">= 3 on some task", most >= 3)
    return checks


#: Eventual on-time rates closer than this are not told apart (the calibration's "the grade
#: agrees with citizens" compares only policies further apart).
CITIZENS_MARGIN = 0.03


def _disagreements(cells: dict[str, Row]) -> list[tuple[str, str]]:
    """Pairs of policies whose eventual on-time rates (``sla_compliance``: 1 - cases that
    eventually breached / cases arrived) differ by more than ``CITIZENS_MARGIN`` while the
    one that served citizens worse has the higher mean score."""
    rated = {p: r for p, r in cells.items() if "sla_compliance" in r.metrics}
    wrong = []
    for a, ra in rated.items():
        for b, rb in rated.items():
            if ra.metrics["sla_compliance"] > rb.metrics["sla_compliance"] + CITIZENS_MARGIN and ra.mean <= rb.mean:
                wrong.append((a, b))
    return wrong


def provenance(
    ruleset: str,
    rows: Sequence[Row],
    seconds: float,
    workers: int,
    command: Sequence[str] | None = None,
    backend: str = "local",
) -> dict[str, Any]:
    """``govworkflow.core.provenance.provenance`` plus the ruleset, seeds, bootstrap, where the
    episodes ran (``backend``, ``evaluation.backends``) and run time."""
    seeds: dict[str, list[int]] = {}
    for r in rows:
        seeds.setdefault(r.task_id, r.seeds)
    return _provenance(
        " ".join(command) if command is not None else None,
        ruleset=ruleset,
        seeds={t: {"count": len(s), "first": s[0], "last": s[-1]} for t, s in seeds.items()},
        bootstrap=stats.settings(),
        workers=workers,
        backend=backend,
        seconds=round(seconds, 1),
    )


def build_document(
    ruleset: str,
    rows: Sequence[Row],
    seconds: float,
    workers: int,
    command: Sequence[str] | None = None,
    canaries: Sequence[dict[str, Any]] | None = None,
    backend: str = "local",
) -> dict[str, Any]:
    """The JSON document saved under ``data/results/`` (an ``evaluation.table.Document``);
    ``canaries``: the rows of ``evaluation.canaries.report`` on the same seeds, if run;
    ``backend``: where the episodes ran."""
    doc = table.Document(
        environment="office",
        ruleset=ruleset,
        provenance=provenance(ruleset, rows, seconds, workers, command, backend),
        rows=list(rows),
        calibration=calibration(rows, canaries) if ruleset == "standard" else None,
        canaries=list(canaries) if canaries is not None else None,
    )
    return doc.model_dump(exclude_none=True)


def timed(fn: Callable[[], list[Row]]) -> tuple[list[Row], float]:
    start = time.perf_counter()
    rows = fn()
    return rows, time.perf_counter() - start
