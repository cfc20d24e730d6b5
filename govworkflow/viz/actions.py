"""Which actions the episode player offers: candidates, filtered by the simulator.

``valid_actions(sim)`` enumerates a small set of candidate actions from the common
observation fields and keeps those the simulator accepts (``Simulator.why_invalid``).
It is the one place the player learns what is allowed, so an action-mask module can
replace it without touching the widgets.
"""

from __future__ import annotations

from collections.abc import Iterator

from govworkflow.kernel import Simulator
from govworkflow.models import Action, Observation
from govworkflow.vocab import ActionType, PriorityMode, Service

__all__ = ["ACTION_FIELDS", "candidate_actions", "valid_actions"]

#: The fields each action type reads, in the order the player shows them.
ACTION_FIELDS: dict[ActionType, tuple[str, ...]] = {
    ActionType.ADVANCE_TIME: (),
    ActionType.SET_PRIORITY_MODE: ("priority_mode",),
    ActionType.ASSIGN_CAPACITY: ("service", "officer_delta"),
    ActionType.REQUEST_MISSING_DOCUMENTS: ("service",),
    ActionType.ESCALATE_SERVICE: ("service",),
    ActionType.REALLOCATE_OFFICERS: ("service", "target_service", "officer_delta"),
}


def candidate_actions(obs: Observation) -> Iterator[Action]:
    """Every action worth offering in ``obs`` (some may still be invalid)."""
    services = [Service(q.service) for q in obs.queues]
    yield Action(action_type=ActionType.ADVANCE_TIME)
    for mode in PriorityMode:
        yield Action(action_type=ActionType.SET_PRIORITY_MODE, priority_mode=mode)
    for s in services:
        for d in range(1, obs.reserve_officers + 1):
            yield Action(action_type=ActionType.ASSIGN_CAPACITY, service=s, officer_delta=d)
        yield Action(action_type=ActionType.REQUEST_MISSING_DOCUMENTS, service=s)
        yield Action(action_type=ActionType.ESCALATE_SERVICE, service=s)
        for t in services:
            if t is not s:
                for d in range(1, obs.officers.get(s.value, 0) + 1):
                    yield Action(
                        action_type=ActionType.REALLOCATE_OFFICERS,
                        service=s,
                        target_service=t,
                        officer_delta=d,
                    )


def valid_actions(sim: Simulator) -> list[Action]:
    """The candidate actions that ``sim`` accepts now (empty once the episode is over)."""
    if sim.done:
        return []
    return [a for a in candidate_actions(sim.observe()) if sim.why_invalid(a) is None]
