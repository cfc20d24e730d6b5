"""The bottom of the ladder: stall-attempt, advance-only and random valid action.

They work on every ruleset. ``random_valid`` needs the simulator (it asks
``simulator.why_invalid`` which of its candidate actions are allowed now).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from govworkflow.core.kernel import Simulator
from govworkflow.office.models import Action, Observation
from govworkflow.office.policies.heuristics import ADVANCE, set_mode
from govworkflow.office.vocab import ActionType, PriorityMode

__all__ = ["AdvanceOnly", "RandomValid", "StallAttempt", "candidate_actions"]


@dataclass
class StallAttempt:
    """Never advances time: re-sets the current priority mode forever (a valid no-op).

    Under the standard rules the day still advances once the day's management actions
    are used up, so stalling buys nothing; under the legacy rules it freezes the clock
    (the weakness the standard ruleset fixes)."""

    name: str = "stall_attempt"
    description: str = "never advances time (re-sets the current mode); the clock still moves"

    def reset(self, seed: int | None = None) -> None:
        """Stateless."""

    def act(self, observation: Observation, simulator: Simulator | None = None) -> Action:
        return set_mode(observation.priority_mode)


@dataclass
class AdvanceOnly:
    """Advances time every step: the office runs in its default mode, unmanaged."""

    name: str = "advance_only"
    description: str = "always advance_time: default mode, no management"

    def reset(self, seed: int | None = None) -> None:
        """Stateless."""

    def act(self, observation: Observation, simulator: Simulator | None = None) -> Action:
        return ADVANCE


def candidate_actions(observation: Observation) -> list[Action]:
    """Every action ``random_valid`` considers, in a fixed order: each priority mode;
    per service, assign one reserve officer, request documents, escalate; move one
    officer between each ordered pair of services; advance time."""
    services = [q.service for q in observation.queues]
    out = [set_mode(m) for m in PriorityMode]
    for s in services:
        out.append(Action(action_type=ActionType.ASSIGN_CAPACITY, service=s, officer_delta=1))
        out.append(Action(action_type=ActionType.REQUEST_MISSING_DOCUMENTS, service=s))
        out.append(Action(action_type=ActionType.ESCALATE_SERVICE, service=s))
    for s in services:
        for t in services:
            if s != t:
                out.append(
                    Action(
                        action_type=ActionType.REALLOCATE_OFFICERS,
                        service=s,
                        target_service=t,
                        officer_delta=1,
                    )
                )
    out.append(ADVANCE)
    return out


@dataclass
class RandomValid:
    """Picks uniformly among the valid candidate actions (``candidate_actions``).

    Its own generator is seeded by ``reset(seed)``, so episodes are reproducible."""

    name: str = "random_valid"
    description: str = "uniformly random among the currently valid actions (needs the simulator)"
    _rng: random.Random = field(default_factory=lambda: random.Random(0), repr=False)
    _cache: dict[tuple[str, ...], list[Action]] = field(default_factory=dict, repr=False)

    def reset(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)

    def act(self, observation: Observation, simulator: Simulator | None = None) -> Action:
        if simulator is None:
            raise ValueError("random_valid needs the simulator (pass simulator=...) to check validity")
        key = tuple(q.service for q in observation.queues)
        candidates = self._cache.get(key)
        if candidates is None:
            candidates = self._cache[key] = candidate_actions(observation)
        why = simulator.why_invalid
        valid = [a for a in candidates if why(a) is None]
        return self._rng.choice(valid)
