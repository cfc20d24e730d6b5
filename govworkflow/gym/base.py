"""What every gym adapter shares: which episode a ``reset`` plays (one rule for the office
and triage envs) and ``action_masks()`` for MaskablePPO."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from govworkflow.core.errors import BadValueError, check_seed
from govworkflow.core.native import EpisodeHolder

__all__ = ["MaskedEnvMixin", "episode_seed", "requested_seed"]


def requested_seed(seed: object, options: dict[str, Any] | None) -> int | None:
    """The episode a ``reset`` asks for: ``options["episode_seed"]`` if given, else ``seed``,
    else None. Both are checked here, before ``reset`` touches the env's generator (a
    refused reset changes nothing)."""
    checked = None if seed is None else check_seed(seed)
    unknown = sorted(set(options or ()) - {"episode_seed"}, key=str)
    if unknown:
        raise BadValueError(f"options: unknown key(s) {unknown}; reset takes options['episode_seed'] only")
    if options and "episode_seed" in options:
        return check_seed(options["episode_seed"], "options['episode_seed']")
    return checked


def episode_seed(rng: np.random.Generator, requested: int | None, development: Sequence[int]) -> int:
    """``requested`` (from ``requested_seed``), else a development seed drawn with the
    env's own generator (held-out evaluation seeds are never drawn)."""
    if requested is not None:
        return requested
    return int(development[int(rng.integers(len(development)))])


class MaskedEnvMixin:
    """``action_masks()`` for sb3-contrib's MaskablePPO: a copy of the mask that the env
    computed for its last observation (``_mask``, set by ``reset`` and ``step``); and
    ``native``, the environment's native env the adapter translates (its grade, record,
    snapshots)."""

    _mask: np.ndarray | None = None

    @property
    def native(self) -> EpisodeHolder[Any, Any]:
        """The native env this adapter drives (``GovWorkflowEnv``, ``TriageEnv``)."""
        raise NotImplementedError

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
