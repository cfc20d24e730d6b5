"""Which episode a gym ``reset`` plays: the one rule, shared by the office and triage envs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from govworkflow.errors import check_seed

__all__ = ["episode_seed", "requested_seed"]


def requested_seed(seed: object, options: dict[str, Any] | None) -> int | None:
    """The episode a ``reset`` asks for: ``options["episode_seed"]`` if given, else ``seed``,
    else None. Both are checked here, before ``reset`` touches the env's generator (a
    refused reset changes nothing)."""
    checked = None if seed is None else check_seed(seed)
    if options and "episode_seed" in options:
        return check_seed(options["episode_seed"], "options['episode_seed']")
    return checked


def episode_seed(rng: np.random.Generator, requested: int | None, development: Sequence[int]) -> int:
    """``requested`` (from ``requested_seed``), else a development seed drawn with the
    env's own generator (held-out evaluation seeds are never drawn)."""
    if requested is not None:
        return requested
    return int(development[int(rng.integers(len(development)))])
