"""The triage environment's native API: ``reset / step / state / grade`` and snapshots.

``TriageEnv`` is the face the others (gym adapter, server, widgets, command line) drive.
It validates input, keeps the episode record and delegates the rules to
``TriageSimulator``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from govworkflow.core.native import EpisodeHolder, Snapshot
from govworkflow.triage.instance import Instance
from govworkflow.triage.models import parse_triage_action
from govworkflow.triage.oracle import OracleSolution, solve
from govworkflow.triage.record import TriageRecord
from govworkflow.triage.sim import TriageSimulator
from govworkflow.triage.suite import TRIAGE
from govworkflow.triage.tasks import TriageTask

__all__ = ["VERSION", "TriageEnv", "TriageSnapshot"]

#: Version of the triage rules and grading; bumped whenever either changes.
VERSION = 0

#: A saved point of a triage episode (the kernel's ``Snapshot``).
TriageSnapshot = Snapshot


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
    is accepted too), ``seed`` (default seed for ``reset``; ``None``: the task's) and
    ``max_steps`` (step cap; ``None``: the task's).

    **Version history.** v0: the published rules, seeded, with hard tasks and the oracle.
    """

    RECORD: ClassVar[type[TriageRecord]] = TriageRecord
    parse_action = staticmethod(parse_triage_action)

    def __init__(
        self, task_id: str | TriageTask | None = None, *, seed: int | None = None, max_steps: int | None = None
    ) -> None:
        self._setup(TRIAGE, task_id, seed, max_steps)
        self.task: TriageTask

    def _clock_info(self) -> dict[str, Any]:
        sim = self.simulator
        return {"time": sim.time, "step": sim.steps, "steps_left": sim.max_steps - sim.steps,
                "action_mask": sim.action_mask()}  # fmt: skip

    def valid_actions(self) -> list[str]:
        """The ticket ids that are valid now (empty once the episode is over)."""
        return self.simulator.valid_actions()

    def action_mask(self) -> list[bool]:
        """One flag per ticket slot (``instance.ticket_ids`` order): valid now?"""
        return self.simulator.action_mask()

    def oracle(self) -> OracleSolution:
        """The exact optimum of this episode's instance (value, plan, value table)."""
        return solve(self.instance)

    @property
    def instance(self) -> Instance:
        """The episode's tickets, workers and step limit (privileged)."""
        return self.simulator.instance
