"""The classic rules of queueing control, adapted to the office: ``c_mu`` and ``max_weight``.

Both read only the observation and work on every ruleset (legacy observations lack the
work and SLA counts; they fall back to active cases and a 10-day SLA). The office's
servers are its officers, pooled by service; what a policy controls is where the reserve
and moved officers work (staffing), the order within a service (the priority mode), and
document requests. The rules differ in the index they staff by:

* **cμ rule** (``c_mu``): serve the class with the largest holding cost x service rate.
  A service's cost rate ``c`` is the cost of a case waiting one more day: ``1 / SLA days``,
  doubled for the share of its open cases at risk; its service rate ``mu`` is the cases
  one officer-day finishes there (open cases / officer-days of work they still need).
  The reserve goes to the largest ``c x mu x open cases``; every day one officer moves
  from the smallest index per officer to the largest when it is at least twice as large;
  within services the order is ``urgent_first`` (the costliest cases first).
* **MaxWeight** (``max_weight``): give capacity to the queue with the largest backlog x
  service rate, ``Q x mu`` with ``Q`` the officer-days of work waiting (so ``Q x mu`` is the
  cases that capacity there would clear). The reserve goes to the largest weight; every
  day one officer moves from the smallest weight per officer to the largest when the gap
  is at least 50%; within services the order is ``balanced`` (earliest due day first).

Both chase documents like ``sla_aware`` (the service with the most requestable blocked
cases first) and do not escalate: neither classic rule has a notion of a fast track.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from govworkflow.office.models import Action, Observation, ServiceQueue
from govworkflow.office.policies.heuristics import ADVANCE, set_mode
from govworkflow.office.policies.sla_aware import documents_target
from govworkflow.office.vocab import ActionType, PriorityMode

__all__ = ["CMu", "MaxWeight", "c_mu_index", "max_weight_index"]


def _open(q: ServiceQueue) -> int:
    return int(q.active_cases)


def _work(q: ServiceQueue) -> float:
    """Officer-days of work the open cases need (legacy: one per open case)."""
    return float(getattr(q, "work_backlog_days", _open(q)))


def _staff(q: ServiceQueue) -> int:
    return int(getattr(q, "available_officers", q.officers))


def _mu(q: ServiceQueue) -> float:
    """Cases one officer-day finishes at ``q`` (1 when there is no work to measure it by)."""
    work = _work(q)
    return _open(q) / work if work > 0 else 1.0


def c_mu_index(q: ServiceQueue) -> float:
    """``c x mu x open cases``: the cost a day of this service's queue runs up, per officer-day."""
    sla = getattr(q, "sla_days", 10) or 10
    risk = getattr(q, "at_risk_cases", 0) / max(_open(q), 1)
    return (1 + risk) / sla * _mu(q) * _open(q)


def max_weight_index(q: ServiceQueue) -> float:
    """``Q x mu``: the cases the queue's waiting work would clear."""
    return _work(q) * _mu(q)


@dataclass
class _Staffing:
    """Staff by an index: the reserve to the largest, one officer a day from the smallest
    index per officer to the largest when ``ratio`` times as large; chase documents."""

    name: str
    description: str
    index: Callable[[ServiceQueue], float]
    mode: PriorityMode
    ratio: float
    _moved_day: int = field(default=-1, repr=False)

    def reset(self, seed: int | None = None) -> None:
        self._moved_day = -1

    def act(self, observation: Observation, simulator: Any = None) -> Action:
        obs = observation
        if obs.priority_mode != self.mode.value:
            return set_mode(self.mode)
        queues = obs.queues
        index = self.index
        if obs.reserve_officers > 0:
            target = max(queues, key=index)
            return Action(action_type=ActionType.ASSIGN_CAPACITY, service=target.service, officer_delta=1)
        docs = documents_target(queues)
        if docs is not None:
            return Action(action_type=ActionType.REQUEST_MISSING_DOCUMENTS, service=docs.service)
        if obs.day != self._moved_day:
            self._moved_day = obs.day
            hot = max(queues, key=index)
            donors = [q for q in queues if q is not hot and q.officers > 1 and _staff(q) >= 1]
            if donors:
                cold = min(donors, key=lambda q: index(q) / max(q.officers, 1))
                if index(hot) / max(hot.officers, 1) >= self.ratio * max(index(cold) / cold.officers, 1e-9):
                    return Action(
                        action_type=ActionType.REALLOCATE_OFFICERS,
                        service=cold.service,
                        target_service=hot.service,
                        officer_delta=1,
                    )
        return ADVANCE


class CMu(_Staffing):
    """The cμ rule adapted to the office (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(
            "c_mu",
            "cμ rule: staff by holding cost x service rate (1/SLA, at-risk share; cases per officer-day); "
            "urgent-first within services; chase documents",
            c_mu_index,
            PriorityMode.URGENT_FIRST,
            2.0,
        )


class MaxWeight(_Staffing):
    """MaxWeight adapted to the office (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(
            "max_weight",
            "MaxWeight: staff by waiting work x service rate; earliest due first within services; chase documents",
            max_weight_index,
            PriorityMode.BALANCED,
            1.5,
        )
