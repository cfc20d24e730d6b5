"""What the agent sees under the legacy rules: the observation and the episode state.

A service's view is rebuilt only after something in it changed (the simulator resets
``_views[i]`` to None); unchanged views are shared with the previous observation. The
observation and its queues are blank instances (``_new``) filled field by field, by name
(fast: see ``office.models``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govworkflow.office.models import CaseView, EpisodeState, Observation, ServiceQueue
from govworkflow.office.rulesets.legacy.cases import STAGES, case_id

if TYPE_CHECKING:
    from govworkflow.office.rulesets.legacy.sim import LegacySimulator

__all__ = ["observe", "queue_view", "state"]

_new = object.__new__


def queue_view(sim: LegacySimulator, i: int) -> ServiceQueue:
    """Service ``i``'s queue as the agent sees it, from the simulator's running counts."""
    name, n, day, sc = sim.services[i], len(sim.queues[i]), sim.day, sim.stage_counts[i]
    view = _new(ServiceQueue)
    view.service = name
    view.active_cases = n
    view.missing_docs_cases = sim.n_missing[i]
    view.escalated_cases = sim.n_escalated[i]
    view.urgent_cases = sim.n_urgent[i]
    view.breached_cases = sim.n_breached[i]
    view.avg_age_days = round((n * day + sim.age_sum[i]) / n, 2) if n else 0.0
    view.stage_counts = {
        "submission": sc[0],
        "document_verification": sc[1],
        "field_verification": sc[2],
        "approval": sc[3],
        "issuance": sc[4],
    }
    view.officers = sim.officers[name]
    return view


def observe(sim: LegacySimulator) -> Observation:
    """The observation: the office's counts and each service's (reused while unchanged) view."""
    views = sim._views
    for i, v in enumerate(views):
        if v is None:
            views[i] = queue_view(sim, i)
    queues: list[ServiceQueue] = views[:]  # type: ignore[assignment]
    c = sim.counters
    obs = _new(Observation)
    obs.ruleset = "legacy"
    obs.task_id = sim.task.task_id
    obs.day = sim.day
    obs.max_days = sim.task.max_days
    obs.priority_mode = sim.mode
    obs.queues = queues
    obs.officers = dict(sim.officers)
    obs.reserve_officers = sim.reserve
    obs.total_backlog = sim.active
    obs.total_completed = c["completed"]
    obs.total_sla_breaches = c["sla_breaches"]
    obs.fairness_gap = sim.gap
    obs.escalation_budget_remaining = sim.budget
    obs.last_action_valid = sim.last_valid
    obs.last_action_message = sim.last_message
    obs.extra = {}
    return obs


def state(sim: LegacySimulator) -> EpisodeState:
    """The full episode state, every open case included (sorted by case id)."""
    day = sim.day
    cases = [
        CaseView(
            case_id=case_id(c.num),
            service=sim.services[c.svc],
            stage=STAGES[c.stage],
            arrival_day=c.arrival_day,
            due_day=c.due_day,
            urgency=c.urgency,
            missing_documents=c.missing,
            needs_field_verification=c.fv,
            escalated=c.escalated,
            total_days=day + c.age0,
            days_in_stage=day - c.stage_since,
            breached=c.breached,
        )
        for q in sim.queues
        for c in q
    ]
    return sim.episode_state(dict(sim.officers), cases)
