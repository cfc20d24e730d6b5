"""The standard grader: seven components in [0, 1], a weighted score, a breakdown.

Inaction-proof by construction: every case that arrived in the horizon counts. An open
case counts as breached once it is past due *or* cannot finish by its due day (its
earliest finish, knowing when field visits end and applicants answer, is later); a
case completed late breached on its due day. A grade taken before the last day is the
grade "if the episode ended now" and is marked provisional.

Formulas (``docs/standard-ruleset.md`` explains each choice):

* completion = completed / arrived
* sla_compliance = 1 - breached / arrived  (breached = past due, late, or doomed)
* urgent_on_time = urgent completed on time / urgent cases decided (completed, or
  breached), 0 when none is decided yet
* fairness = 1 - max(0, gap - tolerance) / (1 - tolerance), gap = max - min of
  per-service SLA compliance (services with arrivals)
* document_turnaround = blocked cases answered within the target days / blocked cases
  decided (answered, or blocked longer than the target), 1 when none
* escalation_effectiveness = escalations that saved a case / escalation budget
  (saved: at risk when escalated, completed on time)
* officer_utilisation = officer-days of work done / officer-days available (staff
  present, reserve included)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govworkflow.core.grading import clamp01 as _clip
from govworkflow.core.grading import make_grade
from govworkflow.office.models import Grade
from govworkflow.office.rulesets.standard.dynamics import CLEAR, DONE

if TYPE_CHECKING:
    from govworkflow.office.rulesets.standard.sim import StandardSimulator

__all__ = ["DESCRIPTIONS", "grade", "metrics"]

DESCRIPTIONS: dict[str, str] = {
    "completion": "completed / arrived",
    "sla_compliance": "1 - breached / arrived (open cases past due or unable to finish count as breached)",
    "urgent_on_time": "urgent cases completed on time / urgent cases decided",
    "fairness": "1 - excess gap in SLA compliance between services over the tolerance",
    "document_turnaround": "blocked cases answered within the target days / blocked cases decided",
    "escalation_effectiveness": "escalations that saved an at-risk case / escalation budget",
    "officer_utilisation": "officer-days of work done / officer-days available",
}


def metrics(sim: StandardSimulator) -> dict[str, float]:
    """The seven components, unrounded, each in [0, 1]."""
    task = sim.task
    c = sim.counters
    day = sim.day
    n = sim.n
    doomed = [0] * n  # open, not yet past due, but unable to finish in time
    urgent_open_feasible = urgent_doomed = 0
    docs_pending = 0  # blocked, not yet answered, still within the target
    esc_doomed = 0
    target = task.document_target_days
    earliest = sim.earliest_finish
    for queue in sim.queues:
        for case in queue:
            if case.stage == DONE:
                continue
            late = case.breached or earliest(case, day) > case.due
            if late and not case.breached:
                doomed[case.svc] += 1
                if case.esc and case.esc_at_risk:
                    esc_doomed += 1
            if case.urgency == 3:
                if late:
                    urgent_doomed += 1 if not case.breached else 0
                else:
                    urgent_open_feasible += 1
            if case.doc != CLEAR and day - case.blocked_day <= target:
                docs_pending += 1
    arrived = c["arrived"]
    breached = c["sla_breaches"] + sum(doomed)
    completion = c["completed"] / arrived if arrived else 0.0
    sla = 1 - breached / arrived if arrived else 0.0
    urgent_decided = c["urgent_arrived"] - urgent_open_feasible
    urgent = c["urgent_on_time"] / urgent_decided if urgent_decided > 0 else 0.0
    rates = [1 - (b + d) / a for a, b, d in zip(sim.arrived, sim.breaches, doomed, strict=True) if a > 0]
    gap = max(rates) - min(rates) if len(rates) >= 2 else 0.0
    tol = task.fairness_tolerance
    fairness = 1 - max(0.0, gap - tol) / (1 - tol)
    docs_decided = c["documents_blocked"] - docs_pending
    documents = c["documents_on_time"] / docs_decided if docs_decided > 0 else 1.0
    budget = task.escalation_budget
    escalation = c["escalations_saved"] / budget if budget else 0.0
    available = c["work_units_available"]
    utilisation = c["work_units_done"] / available if available else 0.0
    return {  # in COMPONENTS order: the order the score sums them in
        "completion": _clip(completion),
        "sla_compliance": _clip(sla),
        "urgent_on_time": _clip(urgent),
        "fairness": _clip(fairness),
        "document_turnaround": _clip(documents),
        "escalation_effectiveness": _clip(escalation),
        "officer_utilisation": _clip(utilisation),
    }


def grade(sim: StandardSimulator) -> Grade:
    """The grade so far: score, breakdown, provisional until the episode ends."""
    return make_grade(
        "standard", sim.task.task_id, metrics(sim), sim.task.grade_weights, DESCRIPTIONS, provisional=not sim.done
    )
