"""The standard ruleset's ceiling: an analytic upper bound on the score of any policy.

For one task and seed, ``upper_bound`` returns a score that no policy can exceed on that
episode, privileged or not, because it is the optimum of a relaxation of the office:

* **The same citizens.** The cases (arrival day, service, due day, urgency, missing
  documents, how the applicant will answer, field verification) are exogenous and the
  same for every policy on a seed (``dynamics``: common random numbers); they are read
  off the seed by running the office with no staff.
* **Each case's earliest finish.** A case passes at most one office stage a day; its
  earliest completion is its start (arrival, or day 1 for the initial backlog), plus the
  documents' answer when they are missing (requested the day the case is blocked,
  reminders as soon as allowed: ``ignored x reminder_after_days + answer delay``), plus
  the field visit's days, plus the stages left. A case whose earliest finish is after its
  due day cannot be on time; after the last day, cannot count as completed.
* **Pooled, free staff.** Every officer of the task (the reserve included) works every
  day on any service, with no cost to move and no absence; the escalation budget adds at
  most one whole stage of work per escalation, on any day.
* **Fluid work.** A case's work (the sum of its office stages) can be split over any days
  from its start, in any order.

Under these relaxations the best completion, SLA compliance and urgent-on-time counts
are one linear programme (solved by HiGHS through ``scipy.optimize.linprog``): maximise
the weighted sum of cases on time, urgent cases on time and cases completed by the last
day, subject to each day's capacity and each case's window. Fairness, document
turnaround and officer utilisation are bounded by 1 (a privileged policy could pick
which cases to block, and a fairness gap of 0 is not excluded by capacity alone). The
bound is therefore valid but not tight; ``docs/standard-ruleset.md`` says how far it
stands above the best policy found, and the test suite checks it against every policy of
the ladder, episode by episode.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from govworkflow.core.errors import MissingExtraError
from govworkflow.core.grading import make_grade
from govworkflow.office.models import Grade
from govworkflow.office.rulesets.standard.cases import APP, DOC, ISS, SUB, UNIT
from govworkflow.office.rulesets.standard.grading import DESCRIPTIONS
from govworkflow.office.rulesets.standard.tasks import StandardTask

__all__ = ["CaseClass", "cases_of", "upper_bound", "upper_bound_components"]


@dataclass(frozen=True, slots=True)
class CaseClass:
    """Cases that are interchangeable in the relaxation, and how many there are."""

    svc: int
    start: int
    due: int
    urgent: bool
    can_be_on_time: bool
    can_finish_in_horizon: bool
    work: int


def cases_of(task: StandardTask, seed: int) -> tuple[Counter[CaseClass], int]:
    """Every case that arrives within the horizon on ``seed``, as classes with counts, and
    the officers' work units per day in the relaxation."""
    from govworkflow.office.rulesets.standard.sim import StandardSimulator

    sim = StandardSimulator(task, seed)
    capacity = (sum(sim.officers) + sim.reserve) * UNIT
    sim.officers = [0] * sim.n  # nobody works: every case stays in its queue, the draws are the same
    sim.reserve = 0
    while sim.day < task.max_days:
        sim._advance_day()
    reminder = task.reminder_after_days
    horizon = task.max_days
    classes: Counter[CaseClass] = Counter()
    for queue in sim.queues:
        for c in queue:
            start = max(c.arrival, 1)
            # the day document verification can pass: the next day, or the day the answer comes
            doc_day = start + (c.ignores * reminder + c.answer_delay if c.missing else 1)
            finish = doc_day + 2 + (sim.fv_days[c.svc] if c.fv else 0)
            w = sim.work[c.svc]
            classes[
                CaseClass(
                    svc=c.svc,
                    start=start,
                    due=c.due,
                    urgent=c.urgency == 3,
                    can_be_on_time=finish <= c.due,
                    can_finish_in_horizon=finish <= horizon,
                    work=w[SUB] + w[DOC] + w[APP] + w[ISS],
                )
            ] += 1
    return classes, capacity


class _Programme:
    """A linear programme in the shape ``linprog`` takes: maximise, ``<=`` and ``=`` rows."""

    def __init__(self) -> None:
        self.gain: list[float] = []
        self.upper: list[float] = []
        self.rows: dict[bool, tuple[list[int], list[int], list[float], list[float]]] = {
            False: ([], [], [], []),
            True: ([], [], [], []),
        }

    def var(self, gain: float = 0.0, upper: float = float("inf")) -> int:
        self.gain.append(gain)
        self.upper.append(upper)
        return len(self.gain) - 1

    def row(self, entries: list[tuple[int, float]], bound: float, equal: bool = False) -> None:
        rows, cols, vals, rhs = self.rows[equal]
        r = len(rhs)
        for j, v in entries:
            rows.append(r)
            cols.append(j)
            vals.append(v)
        rhs.append(bound)

    def solve(self, what: str) -> list[float]:
        import numpy as np

        try:
            from scipy.optimize import linprog
            from scipy.sparse import coo_matrix
        except ImportError as err:
            raise MissingExtraError("scipy", "leaderboard") from err

        n = len(self.gain)

        def matrix(equal: bool) -> tuple[object, object]:
            rows, cols, vals, rhs = self.rows[equal]
            if not rhs:
                return None, None
            return coo_matrix((vals, (rows, cols)), shape=(len(rhs), n)).tocsr(), np.array(rhs)

        a_ub, b_ub = matrix(False)
        a_eq, b_eq = matrix(True)
        bounds = np.column_stack([np.zeros(n), np.array(self.upper)])
        res = linprog(-np.array(self.gain), A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if res.status != 0:  # pragma: no cover - always feasible (no work at all) and bounded
            raise RuntimeError(f"{what}: the bound's linear programme failed: {res.message}")
        return list(res.x)


def upper_bound_components(task: StandardTask, seed: int) -> dict[str, float]:
    """The relaxation's optimum on ``seed``, as the six grade components: their weighted
    sum (``upper_bound``) is at least the score of any policy's episode on that seed (see
    the module docstring). Each value is the optimum's, not a bound on that component
    alone: a policy may beat one of them while losing more on another."""
    classes, _ = cases_of(task, seed)
    n_cases = sum(classes.values())
    n_urgent = sum(n for k, n in classes.items() if k.urgent)
    w = task.grade_weights
    horizon = task.max_days
    n_svc = len(task.services)
    useful = [(k, n) for k, n in classes.items() if k.can_be_on_time or k.can_finish_in_horizon]
    last = max([horizon, *(k.due for k, _ in useful)])
    lp = _Programme()
    # staffing: staff[i][t] officers at service i (i = n_svc: the reserve) during day t's
    # work; productive[i][t] of them were there the day before (a moved officer is not
    # productive on the day of the move); after the horizon the staffing stays as left
    total = sum(task.officers) + task.reserve_officers
    start = [*task.officers, task.reserve_officers]
    staff = [[lp.var() for _ in range(horizon + 1)] for _ in range(n_svc + 1)]
    for i in range(n_svc + 1):
        lp.row([(staff[i][0], 1.0)], float(start[i]), equal=True)
    for t in range(1, horizon + 1):
        lp.row([(staff[i][t], 1.0) for i in range(n_svc + 1)], float(total), equal=True)
    productive = [[lp.var() for _ in range(horizon + 1)] for _ in range(n_svc)]
    for i in range(n_svc):
        for t in range(1, horizon + 1):
            lp.row([(productive[i][t], 1.0), (staff[i][t], -1.0)], 0.0)
            lp.row([(productive[i][t], 1.0), (staff[i][t - 1], -1.0)], 0.0)
    # escalations: at most one stage of work saved per escalation, anywhere
    savings = [[lp.var() for _ in range(last + 1)] for _ in range(n_svc)]
    most = task.escalation_budget * max(max(x) for x in _stage_work(task))
    lp.row([(savings[i][t], 1.0) for i in range(n_svc) for t in range(1, last + 1)], float(most))
    # the cases: work x[k][t] from the start day on; o[k] on time, h[k] completed in the horizon
    work_on: dict[tuple[int, int], list[tuple[int, float]]] = {}
    on_time_vars: list[tuple[int, bool]] = []
    done_vars: list[int] = []
    for k, n in useful:
        end = max(k.due if k.can_be_on_time else 0, horizon if k.can_finish_in_horizon else 0)
        days = {t: lp.var() for t in range(k.start, end + 1)}
        for t, j in days.items():
            work_on.setdefault((k.svc, t), []).append((j, 1.0))
        lp.row([(j, 1.0) for j in days.values()], float(n * k.work))
        if k.can_be_on_time:
            gain = w.get("sla_compliance", 0.0) / n_cases
            if k.urgent:
                gain += w.get("urgent_on_time", 0.0) / n_urgent
            o = lp.var(gain, n)
            on_time_vars.append((o, k.urgent))
            lp.row([(o, float(k.work))] + [(j, -1.0) for t, j in days.items() if t <= k.due], 0.0)
        if k.can_finish_in_horizon:
            h = lp.var(w.get("completion", 0.0) / n_cases, n)
            done_vars.append(h)
            lp.row([(h, float(k.work))] + [(j, -1.0) for t, j in days.items() if t <= horizon], 0.0)
    for (i, t), entries in work_on.items():  # a day's work at a service: its productive staff's, plus savings
        people = productive[i][t] if t <= horizon else staff[i][horizon]
        lp.row([*entries, (people, -float(UNIT)), (savings[i][t], -1.0)], 0.0)
    x = lp.solve(f"{task.task_id} seed {seed}")
    on_time = sum(x[o] for o, _ in on_time_vars)
    urgent = sum(x[o] for o, u in on_time_vars if u)
    done = sum(x[h] for h in done_vars)
    # the solver's tolerance is far below a case; round up to whole cases to stay above it
    values = {
        "completion": min(1.0, _ceil(done) / n_cases),
        "sla_compliance": min(1.0, _ceil(on_time) / n_cases),
        "urgent_on_time": min(1.0, _ceil(urgent) / n_urgent) if n_urgent else 1.0,
    }
    return {name: values.get(name, 1.0) for name in DESCRIPTIONS}


def _ceil(value: float) -> int:
    return math.ceil(value - 1e-6)


def _stage_work(task: StandardTask) -> list[list[int]]:
    return [[round(d * UNIT) for d in p.work_days] for p in task.profiles]


def upper_bound(task: StandardTask, seed: int) -> Grade:
    """The bound as a grade (``ruleset="standard"``): the components of
    ``upper_bound_components`` under the task's weights, rounded once like every grade."""
    values = upper_bound_components(task, seed)
    return make_grade("standard", task.task_id, values, task.grade_weights, DESCRIPTIONS, provisional=False)
