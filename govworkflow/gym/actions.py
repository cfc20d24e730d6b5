"""The macro-action table of the gym adapter and its exact action masks.

The table is the same for every task and ruleset (all eight services, fixed order), so a
policy's action space never changes shape. A mask entry is True exactly when the
simulator's own validity check (``Simulator.why_invalid``) accepts that action now.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from govworkflow.kernel import Simulator
from govworkflow.models import Action
from govworkflow.vocab import ActionType, PriorityMode, Service

__all__ = ["MaskedEnvMixin", "action_label", "action_masks", "action_table"]


class MaskedEnvMixin:
    """``action_masks()`` for sb3-contrib's MaskablePPO: a copy of the mask that the env
    computed for its last observation (``_mask``, set by ``reset`` and ``step``)."""

    _mask: np.ndarray | None = None

    def action_masks(self) -> np.ndarray:
        """Valid actions now."""
        if self._mask is None:
            raise RuntimeError("call reset() first")
        return self._mask.copy()

    def _action_index(self, action: object) -> int:
        """``action`` as an index into the ``Discrete`` action space, or a ``ValueError``
        (a bool is refused: ``True`` would otherwise play action 1)."""
        space: Any = getattr(self, "action_space")  # noqa: B009 - set by the gymnasium env
        if isinstance(action, bool | np.bool_) or not space.contains(action):
            raise ValueError(f"action {action!r} is outside Discrete({space.n}): an integer from 0 to {space.n - 1}")
        return int(action)  # type: ignore[call-overload]


@cache
def action_table() -> tuple[Action, ...]:
    """Every macro-action, in index order.

    0: advance_time; 1-4: set_priority_mode (PriorityMode order); then for each service
    (Service order): assign_capacity(+1), request_missing_documents,
    escalate_service(most pressing case of the service); then reallocate_officers(+1)
    for every ordered pair of distinct services.
    """
    t = ActionType
    actions = [Action(action_type=t.ADVANCE_TIME)]
    actions += [Action(action_type=t.SET_PRIORITY_MODE, priority_mode=m) for m in PriorityMode]
    actions += [Action(action_type=t.ASSIGN_CAPACITY, service=s, officer_delta=1) for s in Service]
    actions += [Action(action_type=t.REQUEST_MISSING_DOCUMENTS, service=s) for s in Service]
    actions += [Action(action_type=t.ESCALATE_SERVICE, service=s) for s in Service]
    actions += [
        Action(action_type=t.REALLOCATE_OFFICERS, service=s, target_service=g, officer_delta=1)
        for s in Service
        for g in Service
        if s is not g
    ]
    return tuple(actions)


def action_label(index: int) -> str:
    """A short readable name of macro-action ``index``."""
    return str(action_table()[index])


def action_masks(sim: Simulator) -> np.ndarray:
    """Boolean mask over ``action_table()``: True where the action is valid now."""
    why = sim.why_invalid
    return np.fromiter((why(a) is None for a in action_table()), dtype=bool, count=len(action_table()))
