"""Which actions the episode player offers: the gym adapter's exact action mask, plus
multi-officer moves.

``valid_actions(sim)`` is the one place the player learns what is allowed. With the
``gym`` extra installed it reads the adapter's action mask (``govworkflow.gym.action_masks``:
exactly the simulator's own validity check over the 85 macro-actions an RL agent chooses
from), so a person at the player is offered what a trained agent is offered; the macro
table moves one officer at a time, so moves of several officers are added, each checked
with ``Simulator.why_invalid``. Without the extra, the candidates below (built from the
task's own services) are filtered by ``why_invalid``; the mask can offer a little more
(under ``legacy`` rules, moving an officer to a service the task does not use is allowed).
"""

from __future__ import annotations

from collections.abc import Iterator

from govworkflow.core.kernel import Simulator
from govworkflow.office.models import ACTION_FIELDS, Action, Observation
from govworkflow.office.vocab import ActionType, PriorityMode, Service

# ACTION_FIELDS (the fields each action type needs) is owned by ``office.models``; it is
# re-exported here, where it used to be defined.
__all__ = ["ACTION_FIELDS", "candidate_actions", "masked_actions", "valid_actions"]


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


def masked_actions(sim: Simulator) -> list[Action] | None:
    """The gym adapter's macro-actions that its action mask allows now, in table order;
    None without the ``gym`` extra."""
    try:
        from govworkflow.office.encoding import action_masks, action_table
    except ImportError:  # MissingExtraError is an ImportError too
        return None
    return [a for a, ok in zip(action_table(), action_masks(sim), strict=True) if ok]


def valid_actions(sim: Simulator) -> list[Action]:
    """The actions the player offers now (empty once the episode is over): the masked-in
    macro-actions and the valid multi-officer moves, in ``candidate_actions`` order."""
    if sim.done:
        return []
    candidates = list(candidate_actions(sim.observe()))
    masked = masked_actions(sim)
    if masked is None:
        return [a for a in candidates if sim.why_invalid(a) is None]
    allowed = set(masked)
    out = [a for a in candidates if a in allowed or ((a.officer_delta or 0) > 1 and sim.why_invalid(a) is None)]
    seen = set(out)
    return out + [a for a in masked if a not in seen]  # valid moves to services outside the task
