"""``sla_aware``: our strong heuristic. It reads only the observation.

Each day, with the day's allowance of management actions, in this order:

1. keep the priority mode on ``urgent_first`` (most urgent first, then earliest due day);
2. staff the reserve: one reserve officer to the service under most pressure
   (work backlog per available officer);
3. chase documents: request (or remind) for the service with the most blocked cases
   waiting for a request, most at-risk first;
4. escalate: when a service has at-risk cases and more work per officer than it can
   clear before they fall due, fast-track its most at-risk case, pacing the budget
   over the horizon;
5. rebalance (off by default, ``rebalance=True``): at most once every few days, move one
   officer from the least to the most pressed service when their pressure differs by a
   wide margin;
6. otherwise advance time.

The defaults were tuned on development seeds, one knob at a time with paired CIs
(``govworkflow.evaluation.tuning``; the record is ``data/results/tuning-sla_aware.json``):
from the first setting (balanced mode, rebalancing), urgent-first mode gained +0.092
[0.082, 0.102], then no rebalancing +0.005 [0.000, 0.009], and from there no single knob
change improves the result beyond its paired 95% CI.

Under the legacy rules (no per-service work or risk counts) it falls back to active
cases as the pressure measure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from govworkflow.core.kernel import Simulator
from govworkflow.office.models import Action, Observation, ServiceQueue
from govworkflow.office.policies.heuristics import ADVANCE, set_mode
from govworkflow.office.vocab import ActionType, PriorityMode

__all__ = ["SlaAware", "documents_target", "escalation_target", "pressure", "rebalance_pair", "staffing_target"]


def pressure(q: ServiceQueue, staff_change: int = 0) -> float:
    """Days the queue's work would take its officers, as a share of the service's SLA.

    Legacy observations have no work or SLA counts: active cases per officer / 10."""
    work = getattr(q, "work_backlog_days", None)
    staff = getattr(q, "available_officers", q.officers) + staff_change
    sla = getattr(q, "sla_days", 10) or 10
    if work is None:
        work = float(q.active_cases)
    return work / max(staff, 0.5) / sla


def staffing_target(queues: list[ServiceQueue], key: Callable[[ServiceQueue], float] = pressure) -> ServiceQueue:
    """The service a reserve officer goes to: the most pressed (``key``: the pressure, or
    a lookup of it already computed)."""
    return max(queues, key=key)


def documents_target(queues: list[ServiceQueue]) -> ServiceQueue | None:
    """The service whose documents are chased: most requestable blocked cases, then most at risk."""
    docs = [q for q in queues if q.missing_docs_cases > 0]
    return max(docs, key=lambda q: (q.missing_docs_cases, getattr(q, "at_risk_cases", 0))) if docs else None


def escalation_target(
    queues: list[ServiceQueue], min_pressure: float = 0.3, key: Callable[[ServiceQueue], float] = pressure
) -> ServiceQueue | None:
    """The service whose most at-risk case is fast-tracked: at-risk cases on a pressed service."""
    risky = [q for q in queues if getattr(q, "at_risk_cases", 0) > 0 and key(q) >= min_pressure]
    return max(risky, key=lambda q: (getattr(q, "at_risk_cases", 0), key(q))) if risky else None


def rebalance_pair(
    queues: list[ServiceQueue], min_gap: float = 0.25, key: Callable[[ServiceQueue], float] = pressure
) -> tuple[ServiceQueue, ServiceQueue] | None:
    """(donor, receiver) of one officer: least to most pressed, when the gap is wide enough
    (the donor's pressure counted with one officer fewer)."""
    hot = max(queues, key=key)
    donors = [q for q in queues if q.officers > 1 and q is not hot]
    if not donors:
        return None
    cold = min(donors, key=key)
    return (cold, hot) if key(hot) - pressure(cold, -1) >= min_gap else None


@dataclass
class SlaAware:
    """SLA-aware heuristic (see the module docstring)."""

    name: str = "sla_aware"
    description: str = (
        "urgent-first mode; staff the most pressed service; chase documents; fast-track "
        "at-risk cases of overloaded services (budget paced); knobs tuned on development seeds"
    )
    mode: PriorityMode = PriorityMode.URGENT_FIRST
    escalate: bool = True
    rebalance: bool = False
    rebalance_gap: float = 0.25
    rebalance_every_days: int = 4
    escalation_pressure: float = 0.3
    escalate_case: str | None = None
    """Escalate this case (by id) today instead of choosing (used by ``oracle_lookahead``)."""
    _day: int = field(default=-1, repr=False)
    _escalated_today: bool = field(default=False, repr=False)
    _last_move_day: int = field(default=-(10**6), repr=False)
    _budget0: int = field(default=0, repr=False)

    def reset(self, seed: int | None = None) -> None:
        self._day = -1
        self._escalated_today = False
        self._last_move_day = -(10**6)
        self._budget0 = 0

    def act(self, observation: Observation, simulator: Simulator | None = None) -> Action:
        obs = observation
        if obs.day != self._day:
            self._day = obs.day
            self._escalated_today = False
        if obs.priority_mode != self.mode:
            return set_mode(self.mode)
        queues = obs.queues
        if obs.reserve_officers > 0:
            target = staffing_target(queues)
            return Action(action_type=ActionType.ASSIGN_CAPACITY, service=target.service, officer_delta=1)
        docs = documents_target(queues)
        if docs is not None:
            return Action(action_type=ActionType.REQUEST_MISSING_DOCUMENTS, service=docs.service)
        if self.escalate and not self._escalated_today and obs.escalation_budget_remaining > 0:
            action = (
                self._escalation(obs)
                if self.escalate_case is None
                else Action(action_type=ActionType.ESCALATE_SERVICE, case_id=self.escalate_case)
            )
            if action is not None:
                self._escalated_today = True
                return action
        if self.rebalance and obs.day - self._last_move_day >= self.rebalance_every_days:
            action = self._rebalance(queues)
            if action is not None:
                self._last_move_day = obs.day
                return action
        return ADVANCE

    def _escalation(self, obs: Observation) -> Action | None:
        # pace the budget: by day d at most budget * d / horizon + 1 escalations spent
        left = obs.escalation_budget_remaining
        self._budget0 = max(self._budget0, left)
        if self._budget0 - left >= self._budget0 * obs.day / max(obs.max_days, 1) + 1:
            return None
        target = escalation_target(obs.queues, self.escalation_pressure)
        if target is None:
            return None
        return Action(action_type=ActionType.ESCALATE_SERVICE, service=target.service)

    def _rebalance(self, queues: list[ServiceQueue]) -> Action | None:
        pair = rebalance_pair(queues, self.rebalance_gap)
        if pair is None:
            return None
        cold, hot = pair
        return Action(
            action_type=ActionType.REALLOCATE_OFFICERS,
            service=cold.service,
            target_service=hot.service,
            officer_delta=1,
        )
