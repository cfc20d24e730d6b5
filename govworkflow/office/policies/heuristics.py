"""The benchmark's three baseline heuristics, shared by every ruleset.

They read only the common ``Observation`` fields, so they also drive a remote server.
"The service with the most X" sorts the per-service queues (task order) descending by
(X, active cases, service name) and takes the first; there is none if its X is 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from operator import attrgetter
from typing import Any

from govworkflow.core.kernel import FunctionPolicy, PolicyFactory, function_policies
from govworkflow.office.models import Action, Observation, ServiceQueue
from govworkflow.office.vocab import ActionType, PriorityMode

__all__ = [
    "ADVANCE",
    "FunctionPolicy",
    "backlog_clearance",
    "most",
    "oldest_first",
    "set_mode",
    "urgent_first",
]

_ACTIVE = attrgetter("active_cases")
ADVANCE = Action(action_type=ActionType.ADVANCE_TIME)
_SET_MODE = {m: Action(action_type=ActionType.SET_PRIORITY_MODE, priority_mode=m) for m in PriorityMode}


def set_mode(mode: PriorityMode | str) -> Action:
    """The (shared, immutable) action that sets ``mode``."""
    return _SET_MODE[PriorityMode(mode)]


def most(queues: Sequence[ServiceQueue], attr: str) -> ServiceQueue | None:
    """The queue with the most ``attr`` (ties: more active cases, then later name)."""
    get = _most_key(attr)
    best = max(queues, key=get)
    return best if get(best)[0] > 0 else None


@cache
def _most_key(attr: str) -> attrgetter[Any]:
    return attrgetter(attr, "active_cases", "service")


@cache
def _action(
    kind: ActionType, service: str | None = None, target: str | None = None, delta: int | None = None
) -> Action:
    """Actions are immutable, so each distinct one is built (and validated) once."""
    return Action(action_type=kind, service=service, target_service=target, officer_delta=delta)


def _request_docs(service: str) -> Action:
    return _action(ActionType.REQUEST_MISSING_DOCUMENTS, service)


def backlog_clearance(obs: Observation) -> Action:
    """Clear the biggest queues: backlog mode, staff the longest queue, chase documents,
    move an officer from the shortest queue to the longest when they differ by 3+."""
    if obs.priority_mode != PriorityMode.BACKLOG_CLEARANCE:
        return set_mode(PriorityMode.BACKLOG_CLEARANCE)
    queues = obs.queues
    if obs.reserve_officers > 0:
        target = most(queues, "active_cases")
        if target is not None:
            return _action(ActionType.ASSIGN_CAPACITY, target.service, None, 1)
    target = most(queues, "missing_docs_cases")
    if target is not None:
        return _request_docs(target.service)
    hot = max(queues, key=_ACTIVE)
    cold = min(queues, key=_ACTIVE)
    if hot.active_cases - cold.active_cases >= 3 and hot is not cold and cold.officers > 1:
        return _action(ActionType.REALLOCATE_OFFICERS, cold.service, hot.service, 1)
    return ADVANCE


def urgent_first(obs: Observation) -> Action:
    """Urgent-first mode; chase the service with the most missing documents; advance."""
    if obs.priority_mode != PriorityMode.URGENT_FIRST:
        return set_mode(PriorityMode.URGENT_FIRST)
    target = most(obs.queues, "missing_docs_cases")
    return _request_docs(target.service) if target is not None else ADVANCE


def oldest_first(obs: Observation) -> Action:
    """Oldest-first mode, then advance time."""
    if obs.priority_mode != PriorityMode.OLDEST_FIRST:
        return set_mode(PriorityMode.OLDEST_FIRST)
    return ADVANCE


HEURISTICS: dict[str, Callable[[Observation], Action]] = {
    "backlog_clearance": backlog_clearance,
    "urgent_first": urgent_first,
    "oldest_first": oldest_first,
}


#: A ``FunctionPolicy`` factory per heuristic (``core.kernel.function_policies``).
HEURISTIC_POLICIES: dict[str, PolicyFactory] = function_policies(HEURISTICS)


def heuristic_factory(name: str) -> PolicyFactory:
    """The factory of heuristic ``name``."""
    return HEURISTIC_POLICIES[name]
