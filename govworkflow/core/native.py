"""The native env holder every environment's native API is built on.

``EpisodeHolder`` keeps the running episode (its simulator and its record), gives a clear
error before the first ``reset()``, builds ``info`` with the same keys after reset and
every step, and pins snapshots to their episode's history. ``GovWorkflowEnv`` (the office)
and ``TriageEnv`` (ticket triage) are its two users.
"""

from __future__ import annotations

import itertools
import secrets
from typing import Any, Generic, TypeVar

from govworkflow.core.errors import NoEpisodeError

__all__ = ["EpisodeHolder"]

SimT = TypeVar("SimT")
RecT = TypeVar("RecT")


_TOKEN_BASE = secrets.randbits(32) << 32  # tokens of another process never match ours
_TOKENS = itertools.count()


def _new_token() -> int:
    return _TOKEN_BASE | (next(_TOKENS) & 0xFFFFFFFF)


class EpisodeHolder(Generic[SimT, RecT]):
    """The running episode of a native env: its simulator and its record, with a clear
    error before the first ``reset()``. Shared by the office and the triage envs."""

    _sim: SimT | None = None
    _record: RecT | None = None

    @property
    def done(self) -> bool:
        """True once the episode has terminated or been truncated."""
        return bool(self.simulator.done)  # type: ignore[attr-defined]

    @property
    def simulator(self) -> SimT:
        """The running simulator (for policies that need privileged access)."""
        if self._sim is None:
            raise NoEpisodeError("no episode yet: call reset() first")
        return self._sim

    @property
    def record(self) -> RecT:
        """The trajectory so far: every action, reward and message."""
        if self._record is None:
            raise NoEpisodeError("no episode yet: call reset() first")
        return self._record

    def _info(self, components: tuple[float, ...]) -> dict[str, Any]:
        """``info`` of a step: validity, message, named reward components, then the clock."""
        sim: Any = self.simulator
        return {
            "valid": sim.last_valid,
            "message": sim.last_message,
            "reward_components": dict(zip(sim.REWARD_COMPONENTS, components, strict=True)),
            **self._clock_info(),
        }

    def _clock_info(self) -> dict[str, Any]:
        """Where the episode stands (each env says it in its own units)."""
        raise NotImplementedError

    def reset_info(self) -> dict[str, Any]:
        """``info`` with the same keys as after a step (zero reward components)."""
        sim: Any = self.simulator
        return self._info((0.0,) * len(sim.REWARD_COMPONENTS))

    # -- which history a snapshot belongs to -------------------------------------------
    # ``_history[k]`` is a token naming the episode's history after its first ``k`` steps:
    # new tokens on reset and on every step, cut back on restore. A snapshot keeps the
    # token of its moment (a plain integer: snapshots may be copied or pickled).
    _history: list[int]

    def _start_history(self) -> None:
        self._history = [_new_token()]

    def _extend_history(self) -> None:
        self._history.append(_new_token())

    def _cut_history(self, steps: int) -> None:
        del self._history[steps + 1 :]

    def _anchor(self) -> int:
        return self._history[-1]

    def _belongs(self, steps: int, anchor: object) -> bool:
        """Whether a snapshot taken after ``steps`` steps with ``anchor`` is on the current
        history: same episode (not reset since), and not undone past and replayed since."""
        return 0 <= steps < len(self._history) and self._history[steps] == anchor
