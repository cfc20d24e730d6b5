"""The native API: ``reset / step / state / grade``, plus snapshots and the episode record.

``GovWorkflowEnv`` is the one face every other face (gym adapter, server, widgets, CLI)
drives. It validates input, keeps the episode record and delegates the rules to the
ruleset's ``Simulator``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govworkflow.core.errors import EpisodeFinishedError, check_count, check_seed
from govworkflow.core.kernel import Simulator
from govworkflow.core.native import EpisodeHolder
from govworkflow.office.models import Action, EpisodeState, Grade, Observation, StepResult, parse_action
from govworkflow.office.record import EpisodeRecord, StepRecord
from govworkflow.office.ruleset import Ruleset
from govworkflow.office.rulesets import get_ruleset

__all__ = ["GovWorkflowEnv", "Snapshot"]


@dataclass(frozen=True)
class Snapshot:
    """A saved point of an episode: restore it to undo, or to look ahead."""

    ruleset: str
    task_id: str
    steps: int
    blob: bytes = field(repr=False)
    anchor: int = field(default=-1, repr=False, compare=False)


class GovWorkflowEnv(EpisodeHolder[Simulator, EpisodeRecord]):
    """A government service office, one episode at a time.

    Args:
        task_id: The task to run (``govworkflow tasks`` lists them).
        ruleset: ``"legacy"`` or ``"standard"`` (default: the package default).
        seed: Default seed for ``reset()``; ``None`` means the task's own seed.
        max_steps: Cut episodes after this many steps (default: the ruleset's).

    Example:
        >>> env = GovWorkflowEnv("district_backlog_easy", ruleset="legacy")
        >>> obs = env.reset()
        >>> result = env.step({"action_type": "advance_time"})
        >>> result.observation.day
        1
    """

    def __init__(
        self,
        task_id: str | None = None,
        *,
        ruleset: str | None = None,
        seed: int | None = None,
        max_steps: int | None = None,
    ) -> None:
        self.ruleset: Ruleset = get_ruleset(ruleset)
        self.task_id = task_id if task_id is not None else next(iter(self.ruleset.tasks))
        self.ruleset.task(self.task_id)  # fail early on an unknown task
        self.default_seed = None if seed is None else check_seed(seed)
        self.max_steps = None if max_steps is None else check_count(max_steps, "max_steps")
        self._sim: Simulator | None = None
        self._record: EpisodeRecord | None = None

    # -- the episode -----------------------------------------------------------------
    def reset(self, task_id: str | None = None, seed: int | None = None) -> Observation:
        """Start a new episode (of ``task_id``, else the current task) and observe it."""
        task = task_id if task_id is not None else self.task_id
        sim = self.ruleset.make(task, seed if seed is not None else self.default_seed, self.max_steps)
        self._sim, self.task_id = sim, task  # a refused reset changes nothing
        self._record = EpisodeRecord(self.ruleset.name, self.task_id, sim.seed, sim.REWARD_COMPONENTS)
        self._start_history()
        return sim.observe()

    def step(self, action: Action | dict[str, Any] | str) -> StepResult:
        """Apply one action. Returns ``(observation, reward, terminated, truncated, info)``.

        Raises ``InvalidActionError`` for an action that cannot be read (nothing changes),
        ``EpisodeFinishedError`` once the episode has ended.
        """
        sim = self.simulator
        act = parse_action(action)
        if sim.terminated or sim.truncated:
            raise EpisodeFinishedError("the episode has ended; call reset() to start a new one")
        reward, components, terminated, truncated = sim.step(act)
        assert self._record is not None
        self._record.append(StepRecord(sim.steps, sim.day, act, reward, components, sim.last_valid, sim.last_message))
        self._extend_history()
        return StepResult(sim.observe(), reward, terminated, truncated, self._info(components))

    def _clock_info(self) -> dict[str, Any]:
        return {"day": self.simulator.day, "step": self.simulator.steps}

    def state(self) -> EpisodeState:
        """The full (privileged) episode state."""
        return self.simulator.state()

    def grade(self) -> Grade:
        """The grade in [0, 1] with its breakdown; provisional until the episode ends."""
        return self.simulator.grade()

    def observe(self) -> Observation:
        """The current observation (the same one the last step returned)."""
        return self.simulator.observe()

    def why_invalid(self, action: Action | dict[str, Any] | str) -> str | None:
        """Why ``action`` would be invalid now (``None`` if valid). Changes nothing."""
        return self.simulator.why_invalid(parse_action(action))

    # -- snapshots -------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """Save the whole episode (state, random generator and record length)."""
        sim = self.simulator
        return Snapshot(self.ruleset.name, self.task_id, sim.steps, sim.snapshot(), self._anchor())

    def restore(self, snap: Snapshot) -> Observation:
        """Go back to ``snap``: the same actions from here give the same trajectory."""
        if snap.ruleset != self.ruleset.name:
            raise ValueError(f"snapshot is of ruleset {snap.ruleset!r}, this env runs {self.ruleset.name!r}")
        record = self.record
        if record.task_id != snap.task_id or not self._belongs(snap.steps, snap.anchor):
            raise ValueError(
                f"snapshot of {snap.task_id!r} step {snap.steps} is not on the current episode's history "
                f"({record.task_id!r}, {len(record.steps)} steps): it is from an earlier episode, "
                "or from steps undone and played differently since"
            )
        self._sim = sim = Simulator.restore(snap.blob)
        self.task_id = snap.task_id
        record.truncate(snap.steps)
        self._cut_history(snap.steps)
        return sim.observe()
