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
from typing import TYPE_CHECKING, NamedTuple

from govworkflow.office.models import CaseView, EpisodeState, Observation, ServiceQueue
from govworkflow.office.rulesets.standard.cases import CLEAR, STAGES, UNIT

if TYPE_CHECKING:
    from govworkflow.office.rulesets.standard.sim import StandardSimulator

__all__ = ["OfficeRow", "QueueRow", "StandardObservation", "StandardQueue", "observe", "office_row", "rows", "state"]

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


class QueueRow(NamedTuple):
    """One service's counts as ``observe`` reports them (the same names as the queue's
    fields): what a ``StandardQueue`` is filled from, and what the gym adapter's encoder
    reads directly (``office.encoding.ObservationEncoder.encode_rows``)."""

    service: str
    stage_counts: tuple[int, ...]
    active_cases: int
    missing_docs_cases: int
    escalated_cases: int
    urgent_cases: int
    breached_cases: int
    avg_age_days: float
    officers: int
    blocked_cases: int
    awaiting_documents: int
    field_verification_cases: int
    at_risk_cases: int
    work_backlog_days: float
    available_officers: int
    sla_days: int


def rows(sim: StandardSimulator) -> list[QueueRow]:
    """Every service's ``QueueRow``, in task order: the one place the queue counts are read."""
    day = sim.day
    ev = sim.events
    absent, cut, fresh = ev.absent, ev.sla_cut, sim.fresh
    out = []
    for i, name in enumerate(sim.services):
        n = len(sim.queues[i])
        counts = sim.stage_counts[i]
        off = sim.officers[i]
        waiting = sim.n_waiting[i]
        requestable = sim.n_requestable[i]
        out.append(
            QueueRow(
                name,
                tuple(counts),
                n,
                requestable,
                sim.n_escalated[i],
                sim.n_urgent[i],
                sim.n_breached[i],
                round(day - sim.arrival_sum[i] / n, 2) if n else 0.0,
                off,
                requestable + waiting,
                waiting,
                counts[2],
                sim.at_risk[i],
                sim.backlog_units[i] / UNIT,
                max(0, off - absent[i] - fresh[i]),
                max(1, sim.sla[i] - cut[i]),
            )
        )
    return out


class OfficeRow(NamedTuple):
    """The office-wide facts of an observation (the same names as its fields)."""

    day: int
    max_days: int
    priority_mode: str
    reserve_officers: int
    escalation_budget_remaining: int
    fairness_gap: float
    last_action_valid: bool
    actions_left_today: int


def office_row(sim: StandardSimulator) -> OfficeRow:
    """The office-wide facts ``observe`` reports."""
    return OfficeRow(sim.day, sim.task.max_days, sim.mode, sim.reserve, sim.budget, round(sim.gap, 4),
                     sim.last_valid, sim.task.actions_per_day - sim.actions_today)  # fmt: skip


def observe(sim: StandardSimulator) -> StandardObservation:
    ev = sim.events
    queues: list[StandardQueue] = []
    for row in rows(sim):
        q = _new(StandardQueue)
        q.service = row.service
        q.stage_counts = dict(zip(STAGES, row.stage_counts, strict=False))
        (q.active_cases, q.missing_docs_cases, q.escalated_cases, q.urgent_cases, q.breached_cases,
         q.avg_age_days, q.officers, q.blocked_cases, q.awaiting_documents, q.field_verification_cases,
         q.at_risk_cases, q.work_backlog_days, q.available_officers, q.sla_days) = row[2:]  # fmt: skip
        queues.append(q)
    c = sim.counters
    obs = _new(StandardObservation)
    obs.ruleset = "standard"
    obs.task_id = sim.task.task_id
    office = office_row(sim)
    (obs.day, obs.max_days, obs.priority_mode, obs.reserve_officers, obs.escalation_budget_remaining,
     obs.fairness_gap, obs.last_action_valid, obs.actions_left_today) = office  # fmt: skip
    obs.queues = queues
    obs.officers = dict(zip(sim.services, sim.officers, strict=True))
    obs.total_backlog = sim.active
    obs.total_completed = c["completed"]
    obs.total_sla_breaches = c["sla_breaches"]
    obs.last_action_message = sim.last_message
    obs.extra = {}
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
    return sim.episode_state(dict(zip(sim.services, sim.officers, strict=True)), cases)
