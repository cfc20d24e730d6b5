"""The triage environment's native API: ``reset / step / state / grade`` and snapshots.

``TriageEnv`` is the face the others (gym adapter, server, widgets, command line) drive.
It validates input, keeps the episode record and delegates the rules to
``TriageSimulator``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govworkflow.core.errors import EpisodeFinishedError, check_seed
from govworkflow.core.native import EpisodeHolder
from govworkflow.triage.grading import grade_record
from govworkflow.triage.instance import Instance, generate
from govworkflow.triage.models import (
    TriageAction,
    TriageGrade,
    TriageObservation,
    TriageState,
    TriageStepResult,
    parse_triage_action,
)
from govworkflow.triage.oracle import OracleSolution, solve
from govworkflow.triage.record import TriageRecord, TriageStepRecord
from govworkflow.triage.sim import TriageSimulator
from govworkflow.triage.tasks import TASKS, TriageTask, get_task

__all__ = ["VERSION", "TriageEnv", "TriageSnapshot"]

#: Version of the triage rules and grading; bumped whenever either changes.
VERSION = 0


@dataclass(frozen=True)
class TriageSnapshot:
    """A saved point of an episode: restore it to undo, or to look ahead."""

    task_id: str
    seed: int
    steps: int
    blob: bytes = field(repr=False)
    anchor: int = field(default=-1, repr=False, compare=False)


class TriageEnv(EpisodeHolder[TriageSimulator, TriageRecord]):
    """Ticket triage: pick which ticket to work on next.

    **Description.** A queue of tickets (type bug/feature/enhancement, effort 1-3,
    priority 1-5, deadline, arrival time) and one or two workers. Each step the agent
    names the ticket the next free worker works; it finishes ``effort`` time units later.

    **Action.** ``TriageAction(ticket_id=...)`` (also a dict, a JSON string or a bare id).
    An id that is not among the observation's tickets earns -1, leaves the clock where
    it is and still counts as a step. ``valid_actions()`` and ``action_mask()`` (one
    flag per ticket slot, id order) say which ids are valid now.

    **Observation.** ``TriageObservation``: the remaining tickets that have arrived (id
    order), the current time, the steps left, when each worker is free, the acting
    worker, how many tickets are still to come and whether the last action was valid.

    **Reward.** For a ticket finished at ``finish``: ``3 x priority`` if ``finish <=
    deadline`` else ``max(-2, priority - 0.5 x (finish - deadline))``, times 2.0 for a
    bug, 1.5 for a feature, 1.0 for an enhancement. Invalid action: -1. Components
    (``info["reward_components"]``): ``on_time``, ``late``, ``invalid``.

    **Starting state.** ``reset(seed=s)`` generates the instance from
    ``random.Random(s)`` (``generate``); the clock starts at 0 (or the first arrival).

    **Episode end.** Terminated when no tickets remain; truncated after ``max_steps``
    (20) steps.

    **Grading.** ``grade()``: ``clip((reward - floor) / (oracle - floor), 0, 1)`` with the
    exact oracle and the first-come-first-served floor, with a breakdown.

    **Arguments.** ``task_id`` (``govworkflow triage tasks`` lists them; a ``TriageTask``
    is accepted too) and ``seed`` (default seed for ``reset``; ``None``: the task's).

    **Version history.** v0: the published rules, seeded, with hard tasks and the oracle.
    """

    def __init__(self, task_id: str | TriageTask | None = None, *, seed: int | None = None) -> None:
        self.task: TriageTask = get_task(task_id if task_id is not None else next(iter(TASKS)))
        self.default_seed = None if seed is None else check_seed(seed)
        self._sim: TriageSimulator | None = None
        self._record: TriageRecord | None = None

    @property
    def task_id(self) -> str:
        return self.task.task_id

    # -- the episode -------------------------------------------------------------------
    def reset(self, task_id: str | TriageTask | None = None, seed: int | None = None) -> TriageObservation:
        """Start a new episode (of ``task_id``, else the current task) and observe it."""
        task = get_task(task_id) if task_id is not None else self.task
        if seed is None:
            seed = self.default_seed if self.default_seed is not None else task.seed
        sim = TriageSimulator(generate(task, seed))  # checks the seed: a refused reset changes nothing
        self.task, self._sim = task, sim
        self._record = TriageRecord(self.task_id, sim.seed, sim.REWARD_COMPONENTS)
        self._start_history()
        return sim.observe()

    def step(self, action: TriageAction | dict[str, Any] | str) -> TriageStepResult:
        """Apply one action. Returns ``(observation, reward, terminated, truncated, info)``.

        Raises ``InvalidActionError`` for an action that cannot be read (nothing changes)
        and ``EpisodeFinishedError`` once the episode has ended.
        """
        sim = self.simulator
        act = parse_triage_action(action)
        if sim.done:
            raise EpisodeFinishedError("the episode has ended; call reset() to start a new one")
        time = sim.time
        n_scheduled = len(sim.scheduled)
        reward, components, terminated, truncated = sim.step(act)
        worked = sim.scheduled[-1] if len(sim.scheduled) > n_scheduled else None
        self.record.append(
            TriageStepRecord(
                sim.steps,
                time,
                act.ticket_id,
                reward,
                components,
                sim.last_valid,
                sim.last_message,
                None if worked is None else worked.finish,
                None if worked is None else worked.on_time,
            ),
            terminated,
            truncated,
        )
        self._extend_history()
        return TriageStepResult(sim.observe(), reward, terminated, truncated, self._info(components))

    def _clock_info(self) -> dict[str, Any]:
        sim = self.simulator
        return {"time": sim.time, "step": sim.steps, "steps_left": sim.max_steps - sim.steps,
                "action_mask": sim.action_mask()}  # fmt: skip

    def observe(self) -> TriageObservation:
        """The current observation (the same one the last step returned)."""
        return self.simulator.observe()

    def state(self) -> TriageState:
        """The full (privileged) episode state."""
        return self.simulator.state()

    def grade(self) -> TriageGrade:
        """The grade in [0, 1] with its breakdown; provisional until the episode ends."""
        return grade_record(self.record, self.task)

    def valid_actions(self) -> list[str]:
        """The ticket ids that are valid now (empty once the episode is over)."""
        return self.simulator.valid_actions()

    def action_mask(self) -> list[bool]:
        """One flag per ticket slot (``instance.ticket_ids`` order): valid now?"""
        return self.simulator.action_mask()

    def why_invalid(self, action: TriageAction | dict[str, Any] | str) -> str | None:
        """Why ``action`` would earn -1 now (``None`` if valid). Changes nothing."""
        return self.simulator.why_invalid(parse_triage_action(action).ticket_id)

    def oracle(self) -> OracleSolution:
        """The exact optimum of this episode's instance (value, plan, value table)."""
        return solve(self.instance)

    @property
    def instance(self) -> Instance:
        """The episode's tickets, workers and step limit (privileged)."""
        return self.simulator.instance

    # -- snapshots ---------------------------------------------------------------------
    def snapshot(self) -> TriageSnapshot:
        """Save the whole episode (state and record length)."""
        sim = self.simulator
        return TriageSnapshot(self.task_id, sim.seed, sim.steps, sim.snapshot(), self._anchor())

    def restore(self, snap: TriageSnapshot) -> TriageObservation:
        """Go back to ``snap``: the same actions from here give the same trajectory."""
        record = self.record
        if (record.task_id, record.seed) != (snap.task_id, snap.seed) or not self._belongs(snap.steps, snap.anchor):
            raise ValueError(
                f"snapshot of {snap.task_id!r} seed {snap.seed} step {snap.steps} is not on the current "
                f"episode's history ({record.task_id!r} seed {record.seed}, {len(record.steps)} steps): it is "
                "from an earlier episode, or from steps undone and played differently since"
            )
        self._sim = sim = TriageSimulator.restore(snap.blob)
        record.truncate(snap.steps, sim.terminated, sim.truncated)
        self._cut_history(snap.steps)
        return sim.observe()
