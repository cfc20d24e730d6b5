"""Which episode a gym ``reset`` plays: the one rule, shared by the office and triage envs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from govworkflow.errors import check_seed

__all__ = ["check_reset", "episode_seed"]


def check_reset(seed: object, options: dict[str, Any] | None) -> None:
    """Refuse a bad ``seed`` or ``options["episode_seed"]`` before ``reset`` touches the
    env's generator (a refused reset changes nothing)."""
    if seed is not None:
        check_seed(seed)
    if options and "episode_seed" in options:
        check_seed(options["episode_seed"], "options['episode_seed']")


def episode_seed(
    rng: np.random.Generator, seed: int | None, options: dict[str, Any] | None, development: Sequence[int]
) -> int:
    """``options["episode_seed"]`` if given, else ``seed``, else a development seed drawn
    with the env's own generator (held-out evaluation seeds are never drawn)."""
    if options and "episode_seed" in options:
        return check_seed(options["episode_seed"], "options['episode_seed']")
    if seed is not None:
        return check_seed(seed)
    return int(development[int(rng.integers(len(development)))])
