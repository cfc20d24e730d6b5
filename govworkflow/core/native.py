"""The native env every environment's native API is: reset / step / state / grade, snapshots.

``EpisodeHolder`` runs one episode at a time of a ``Suite`` (``core.kernel``): it parses
and checks actions, keeps the episode record (``core.record``), gives a clear error
before the first ``reset()``, builds ``info`` with the same keys after reset and every
step, and pins snapshots to their episode's history. ``GovWorkflowEnv`` (the office) and
``TriageEnv`` (ticket triage) are it with their suite, action parser and record type.
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

from govworkflow.core.errors import EpisodeFinishedError, NoEpisodeError, check_count, check_seed
from govworkflow.core.grading import Grade
from govworkflow.core.kernel import Simulator, Suite
from govworkflow.core.record import EpisodeRecord, StepRecord

__all__ = ["EpisodeHolder", "Snapshot", "StepResult"]

SimT = TypeVar("SimT", bound=Simulator)
RecT = TypeVar("RecT", bound=EpisodeRecord[Any])


class StepResult(NamedTuple):
    """What ``step()`` returns (unpacks like gymnasium's 5-tuple)."""

    observation: Any
    reward: float
    terminated: bool
    truncated: bool
    info: dict[str, Any]


@dataclass(frozen=True)
class Snapshot:
    """A saved point of an episode: restore it to undo, or to look ahead."""

    ruleset: str
    task_id: str
    seed: int
    steps: int
    blob: bytes = field(repr=False)
    anchor: int = field(default=-1, repr=False, compare=False)


_TOKEN_BASE = secrets.randbits(32) << 32  # tokens of another process never match ours
_TOKENS = itertools.count()


def _new_token() -> int:
    return _TOKEN_BASE | (next(_TOKENS) & 0xFFFFFFFF)


class EpisodeHolder(Generic[SimT, RecT]):
    """One episode at a time of ``suite``, with a clear error before the first ``reset()``.

    A subclass names its record type (``RECORD``) and action parser (``parse_action``),
    sets ``suite`` (and ``task``, ``default_seed``, ``max_steps``) in ``__init__``, and
    says where its clock stands in ``_clock_info``.
    """

    RECORD: ClassVar[type[EpisodeRecord[Any]]]

    @staticmethod
    def parse_action(action: Any) -> Any:
        """A validated action of this environment (an ``InvalidActionError`` says why not)."""
        raise NotImplementedError

    suite: Suite
    task: Any
    default_seed: int | None = None
    max_steps: int | None = None
    _sim: SimT | None = None
    _record: RecT | None = None

    def _setup(self, suite: Suite, task_id: Any, seed: int | None, max_steps: int | None) -> None:
        self.suite = suite
        self.task = suite.task(task_id if task_id is not None else next(iter(suite.tasks)))
        self.default_seed = None if seed is None else check_seed(seed)
        self.max_steps = None if max_steps is None else check_count(max_steps, "max_steps")
        self._sim = None
        self._record = None

    @property
    def task_id(self) -> str:
        return str(self.task.task_id)

    @property
    def done(self) -> bool:
        """True once the episode has terminated or been truncated."""
        return self.simulator.done

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

    # -- the episode -------------------------------------------------------------------
    def reset(self, task_id: Any = None, seed: int | None = None) -> Any:
        """Start a new episode (of ``task_id``, else the current task) and observe it.
        A refused reset (unknown task, bad seed) changes nothing."""
        task = self.suite.task(task_id) if task_id is not None else self.task
        sim: Any = self.suite.make(task, seed if seed is not None else self.default_seed, self.max_steps)
        self.task, self._sim = task, sim
        self._record = self.RECORD(  # type: ignore[assignment]
            self.suite.name, self.task_id, sim.seed, sim.REWARD_COMPONENTS, max_steps=sim.max_steps
        )
        self._start_history()
        return sim.observe()

    def step(self, action: Any) -> StepResult:
        """Apply one action. Returns ``(observation, reward, terminated, truncated, info)``.

        Raises ``InvalidActionError`` for an action that cannot be read (nothing changes)
        and ``EpisodeFinishedError`` once the episode has ended.
        """
        reward, terminated, truncated, info = self.advance(action)
        return StepResult(self.simulator.observe(), reward, terminated, truncated, info)

    def advance(self, action: Any) -> tuple[float, bool, bool, dict[str, Any]]:
        """``step`` without building the observation: ``(reward, terminated, truncated,
        info)``, for a caller that reads the simulator another way (the gym adapter's
        encoder). Recorded and checked exactly like ``step``."""
        sim = self.simulator
        act = type(self).parse_action(action)
        if sim.done:
            raise EpisodeFinishedError("the episode has ended; call reset() to start a new one")
        reward, components, terminated, truncated = sim.step(act)
        step = StepRecord(sim.steps, sim.clock, act, reward, components, sim.last_valid, sim.last_message)
        self.record.append(step, terminated, truncated)
        self._extend_history()
        return reward, terminated, truncated, self._info(components)

    def observe(self) -> Any:
        """The current observation (the same one the last step returned)."""
        return self.simulator.observe()

    def state(self) -> Any:
        """The full (privileged) episode state."""
        return self.simulator.state()

    def grade(self) -> Grade:
        """The grade in [0, 1] with its breakdown; provisional until the episode ends."""
        return self.simulator.grade()

    def why_invalid(self, action: Any) -> str | None:
        """Why ``action`` would be invalid now (``None`` if valid). Changes nothing."""
        return self.simulator.why_invalid(type(self).parse_action(action))

    def _info(self, components: tuple[float, ...]) -> dict[str, Any]:
        """``info`` of a step: validity, message, named reward components, then the clock."""
        sim = self.simulator
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
        return self._info((0.0,) * len(self.simulator.REWARD_COMPONENTS))

    # -- snapshots ---------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """Save the whole episode (state, random generator and record length)."""
        sim = self.simulator
        return Snapshot(self.suite.name, self.task_id, sim.seed, sim.steps, sim.snapshot(), self._anchor())

    def restore(self, snap: Snapshot) -> Any:
        """Go back to ``snap``: the same actions from here give the same trajectory."""
        if not isinstance(snap, Snapshot):
            raise TypeError(f"restore: expected a Snapshot from snapshot(), got {type(snap).__name__} {snap!r:.60}")
        record = self.record
        if snap.ruleset != record.ruleset:
            raise ValueError(f"snapshot is of ruleset {snap.ruleset!r}, this env runs {record.ruleset!r}")
        if (record.task_id, record.seed) != (snap.task_id, snap.seed) or not self._belongs(snap.steps, snap.anchor):
            raise ValueError(
                f"snapshot of {snap.task_id!r} seed {snap.seed} step {snap.steps} is not on the current "
                f"episode's history ({record.task_id!r} seed {record.seed}, {len(record.steps)} steps): it is "
                "from an earlier episode, or from steps undone and played differently since"
            )
        sim: Any = Simulator.restore(snap.blob)
        self._sim = sim
        record.truncate(snap.steps, sim.terminated, sim.truncated)
        self._cut_history(snap.steps)
        return sim.observe()

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
