"""What the agent sees under the standard rules: ``StandardObservation``.

``StandardQueue`` and ``StandardObservation`` extend the common ``ServiceQueue`` and
``Observation`` (so the legacy heuristics run unchanged) with the standard office's
extra facts. Semantics of the common fields under these rules:

* ``missing_docs_cases``: blocked cases a document request (or reminder) would reach now;
* ``breached_cases``: open cases past their due day;
* ``avg_age_days``: mean days since arrival of the open cases;
* ``fairness_gap``: max - min of per-service SLA compliance so far.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from govworkflow.office.models import CaseView, EpisodeState, Observation, ServiceQueue
from govworkflow.office.rulesets.standard.dynamics import CLEAR, STAGES, UNIT

if TYPE_CHECKING:
    from govworkflow.office.rulesets.standard.sim import StandardSimulator

__all__ = ["StandardObservation", "StandardQueue", "observe", "state"]

# ``observe`` runs every step: its queues and observation are blank instances (``_new``)
# filled field by field, by name, at half the cost of a positional call (a call with
# keywords would cost 2-3 times as much; see ``office.models``).
_new = object.__new__


@dataclass(slots=True)
class StandardQueue(ServiceQueue):
    """One service's queue, with the standard office's extra counts."""

    blocked_cases: int = 0
    """Open cases blocked at document verification (requestable or awaiting an answer)."""
    awaiting_documents: int = 0
    """Blocked cases whose applicant was asked and has not answered yet."""
    field_verification_cases: int = 0
    """Cases out with an inspector (external time, no officer)."""
    at_risk_cases: int = 0
    """Open, not yet breached cases whose slack (due day - earliest finish) is 0..risk days."""
    work_backlog_days: float = 0.0
    """Officer-days of office work the open cases still need."""
    available_officers: int = 0
    """Officers who can work the next day (not absent, not just moved in)."""
    sla_days: int = 0
    """SLA days a case arriving now gets (an SLA-tightening order lowers it)."""


@dataclass(slots=True)
class StandardObservation(Observation):
    """The common observation plus the day's action allowance and active events."""

    queues: list[StandardQueue]  # type: ignore[assignment]  # narrowed, so JSON round-trips the extra fields
    actions_left_today: int = 0
    """Management actions left before the day advances by itself."""
    actions_per_day: int = 0
    """The task's allowance of management actions per day."""
    active_events: list[str] = field(default_factory=list)
    """Events in force today, as ``kind[:service] (until day d)``."""
    at_risk_slack_days: int = 0
    """A case with this much slack or less counts as at risk."""


def observe(sim: StandardSimulator) -> StandardObservation:
    day = sim.day
    ev = sim.events
    queues: list[StandardQueue] = []
    for i, name in enumerate(sim.services):
        n = len(sim.queues[i])
        counts = sim.stage_counts[i]
        off = sim.officers[i]
        q = _new(StandardQueue)
        q.service = name
        q.active_cases = n
        q.missing_docs_cases = sim.n_requestable[i]
        q.escalated_cases = sim.n_escalated[i]
        q.urgent_cases = sim.n_urgent[i]
        q.breached_cases = sim.n_breached[i]
        q.avg_age_days = round(day - sim.arrival_sum[i] / n, 2) if n else 0.0
        q.stage_counts = dict(zip(STAGES, counts, strict=False))
        q.officers = off
        q.blocked_cases = sim.n_requestable[i] + sim.n_waiting[i]
        q.awaiting_documents = sim.n_waiting[i]
        q.field_verification_cases = counts[2]
        q.at_risk_cases = sim.at_risk[i]
        q.work_backlog_days = sim.backlog_units[i] / UNIT
        q.available_officers = max(0, off - ev.absent[i] - sim.fresh[i])
        q.sla_days = max(1, sim.sla[i] - ev.sla_cut[i])
        queues.append(q)
    c = sim.counters
    obs = _new(StandardObservation)
    obs.ruleset = "standard"
    obs.task_id = sim.task.task_id
    obs.day = day
    obs.max_days = sim.task.max_days
    obs.priority_mode = sim.mode
    obs.queues = queues
    obs.officers = dict(zip(sim.services, sim.officers, strict=True))
    obs.reserve_officers = sim.reserve
    obs.total_backlog = sim.active
    obs.total_completed = c["completed"]
    obs.total_sla_breaches = c["sla_breaches"]
    obs.fairness_gap = round(sim.gap, 4)
    obs.escalation_budget_remaining = sim.budget
    obs.last_action_valid = sim.last_valid
    obs.last_action_message = sim.last_message
    obs.extra = {}
    obs.actions_left_today = sim.task.actions_per_day - sim.actions_today
    obs.actions_per_day = sim.task.actions_per_day
    obs.active_events = ev.labels(sim.services)
    obs.at_risk_slack_days = sim.task.at_risk_slack_days
    return obs


def state(sim: StandardSimulator) -> EpisodeState:
    day = sim.day
    cases = [
        CaseView(
            case_id=c.name,
            service=sim.services[c.svc],
            stage=STAGES[c.stage],
            arrival_day=c.arrival,
            due_day=c.due,
            urgency=c.urgency,
            missing_documents=c.doc != CLEAR or (c.missing and c.stage == 0),
            needs_field_verification=c.fv,
            escalated=c.esc,
            total_days=day - c.arrival,
            days_in_stage=day - c.since,
            breached=c.breached,
        )
        for q in sim.queues
        for c in q
    ]
    cases.sort(key=lambda v: v.case_id)
    return EpisodeState(
        ruleset="standard",
        task_id=sim.task.task_id,
        seed=sim.seed,
        day=day,
        steps=sim.steps,
        terminated=sim.terminated,
        truncated=sim.truncated,
        priority_mode=sim.mode,
        officers=dict(zip(sim.services, sim.officers, strict=True)),
        reserve_officers=sim.reserve,
        escalation_budget_remaining=sim.budget,
        counters=dict(sim.counters),
        active_cases=cases,
    )
