"""The triage simulator: one episode of one instance, in plain Python.

The rules (each stated in ``docs/triage.md`` and tested in ``tests/triage``):

1. The acting worker is the lowest-numbered worker free at the current ``time``.
2. An action names a ticket. If it is one of the remaining tickets that have arrived,
   the acting worker starts it at ``time`` and finishes it at ``time + effort``; the
   reward is ``ticket_reward(ticket, finish)`` and the ticket leaves the queue.
   Otherwise the reward is -1 and nothing else changes (the clock stays put).
3. Every action counts one step.
4. The clock then moves to the earliest time a worker is free; if no remaining ticket
   has arrived by then, it moves on to the next arrival.
5. The episode terminates when no tickets remain and is truncated after ``max_steps``.

With one worker and every ticket present at time 0 (faithful mode) rule 4 is simply
"the clock advances by the ticket's effort".
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from govworkflow.core.errors import check_count
from govworkflow.core.kernel import ConservationError, Simulator
from govworkflow.triage.instance import Instance, Ticket, generate, ticket_reward
from govworkflow.triage.models import (
    ScheduledTicket,
    TriageAction,
    TriageGrade,
    TriageObservation,
    TriageState,
)

if TYPE_CHECKING:
    from govworkflow.triage.tasks import TriageTask

__all__ = ["AT_RISK_SLACK", "INVALID_REWARD", "TriageSimulator"]

#: Reward of an action that names no available ticket (the published rule).
INVALID_REWARD = -1.0


#: "At risk" in triage: an arrived ticket whose slack (deadline - time - effort) is at most this.
AT_RISK_SLACK = 0


class TriageSimulator(Simulator):
    """Runs one episode of ``instance``. Construction draws nothing (the instance is given).

    ``max_steps`` overrides the instance's step cap (``instance`` then holds the episode's
    cap, so its oracle and floor are graded under the same cap, and the grade is
    provisional: a grade of the task itself is taken under its own cap); ``task`` is the
    task the instance was generated from (``start`` passes it)."""

    ruleset: ClassVar[str] = "triage"
    #: Names of the reward components, in the order ``step`` returns them.
    REWARD_COMPONENTS: ClassVar[tuple[str, ...]] = ("on_time", "late", "invalid")

    def __init__(self, instance: Instance, max_steps: int | None = None, task: TriageTask | None = None) -> None:
        #: The step cap the instance was made with (the task's): a grade is final only under it.
        self.task_max_steps = instance.max_steps
        if max_steps is not None and check_count(max_steps, "max_steps") != instance.max_steps:
            instance = replace(instance, max_steps=max_steps)  # the oracle and floor grade with this cap
        self.instance = instance
        self.task = task
        self.task_id = instance.task_id
        self.seed = instance.seed
        self.max_steps = instance.max_steps
        self.steps = 0
        self.time = 0
        self.free_at = [0] * instance.workers
        self.started_mask = 0  # bit i set: instance.tickets[i] has been worked
        self.remaining: dict[str, int] = {t.ticket_id: i for i, t in enumerate(instance.tickets)}
        self.scheduled: list[ScheduledTicket] = []
        self.reward_sum = 0.0
        self.invalid_actions = 0
        self.terminated = False
        self.truncated = False
        self.last_valid = True
        self.last_message = "episode started"
        self._advance_clock()

    @classmethod
    def start(cls, task: TriageTask, seed: int, max_steps: int | None = None) -> TriageSimulator:
        """The start of an episode of ``task`` with ``seed`` (the triage suite's simulator)."""
        return cls(generate(task, seed), max_steps, task)

    # -- the rules ---------------------------------------------------------------------
    def step(self, action: TriageAction) -> tuple[float, tuple[float, float, float], bool, bool]:
        """Apply one action; return (reward, (on_time, late, invalid), terminated, truncated).

        The caller checks that the episode is still running.
        """
        index = self._available_index(action.ticket_id)
        self.steps += 1
        if index is None:
            components = self._reject(action.ticket_id)
        else:
            components = self._work(index)
            self._advance_clock()
        reward = components[0] + components[1] + components[2]
        self.reward_sum += reward
        self._check_end()
        return reward, components, self.terminated, self.truncated

    def _available_index(self, ticket_id: str) -> int | None:
        index = self.remaining.get(ticket_id)
        if index is None or self.instance.tickets[index].arrival > self.time:
            return None
        return index

    def _reject(self, ticket_id: str) -> tuple[float, float, float]:
        self.invalid_actions += 1
        self.last_valid = False
        self.last_message = self._why_not(ticket_id) or ""
        return 0.0, 0.0, INVALID_REWARD

    def _work(self, index: int) -> tuple[float, float, float]:
        ticket = self.instance.tickets[index]
        worker = self.acting_worker
        start, finish = self.time, self.time + ticket.effort
        reward = ticket_reward(ticket, finish)
        on_time = finish <= ticket.deadline
        self.free_at[worker] = finish
        del self.remaining[ticket.ticket_id]
        self.started_mask |= 1 << index
        self.scheduled.append(ScheduledTicket(ticket.ticket_id, worker, start, finish, reward, on_time))
        self.last_valid = True
        status = "on time" if on_time else f"{finish - ticket.deadline} late"
        self.last_message = f"worker {worker} works {ticket.ticket_id} from {start} to {finish} ({status}): {reward:+g}"
        return (reward, 0.0, 0.0) if on_time else (0.0, reward, 0.0)

    def _advance_clock(self) -> None:
        """Rule 4: earliest free worker, then the next arrival if nothing has arrived."""
        t = min(self.free_at)
        if self.remaining:
            tickets = self.instance.tickets
            first = min(tickets[i].arrival for i in self.remaining.values())
            t = max(t, first)
        self.time = t

    def _check_end(self) -> None:
        self.terminated = not self.remaining
        self.truncated = not self.terminated and self.steps >= self.max_steps

    # -- reading the state (pure) ------------------------------------------------------
    @property
    def clock(self) -> int:
        """The time at which the next chosen ticket starts."""
        return self.time

    @property
    def acting_worker(self) -> int:
        """The lowest-numbered worker free at ``time``."""
        return next(w for w, f in enumerate(self.free_at) if f <= self.time)

    def available(self) -> list[Ticket]:
        """Remaining tickets that have arrived, in id order."""
        tickets = self.instance.tickets
        return [tickets[i] for i in sorted(self.remaining.values()) if tickets[i].arrival <= self.time]

    def valid_actions(self) -> list[str]:
        """Ids of the tickets an action may name now (empty once the episode is over)."""
        return [] if self.done else [t.ticket_id for t in self.available()]

    def action_mask(self) -> list[bool]:
        """One flag per ticket slot (``instance.tickets`` order): may it be named now?"""
        if self.done:
            return [False] * len(self.instance.tickets)
        tickets, time = self.instance.tickets, self.time
        started = self.started_mask
        return [not (started >> i) & 1 and t.arrival <= time for i, t in enumerate(tickets)]

    def why_invalid(self, action: TriageAction) -> str | None:
        """Why ``action`` would earn -1 now, or ``None`` if it is valid."""
        return self._why_not(action.ticket_id)

    def _why_not(self, ticket_id: str) -> str | None:
        if self._available_index(ticket_id) is not None:
            return None
        valid = ", ".join(self.valid_actions()) or "none"
        index = self.remaining.get(ticket_id)
        if index is not None:  # when it arrives is not told: a policy sees only what has arrived
            reason = f"ticket {ticket_id!r} has not arrived yet"
        elif ticket_id in self.instance.ticket_ids:
            reason = f"ticket {ticket_id!r} has already been worked"
        else:
            reason = f"unknown ticket {ticket_id!r}"
        return f"{reason}; valid choices: {valid}"

    def at_risk_cases(self) -> int:
        """Arrived tickets that are late unless started now (slack at most ``AT_RISK_SLACK``)."""
        time = self.time
        return sum(1 for t in self.available() if t.deadline - time - t.effort <= AT_RISK_SLACK)

    def at_risk_rule(self) -> str:
        return f"arrived, slack of at most {AT_RISK_SLACK}"

    def check_conservation(self) -> None:
        """Every ticket is worked once or remains; the reward is what the worked tickets and
        the invalid actions earned (``ConservationError`` otherwise)."""
        worked = [s.ticket_id for s in self.scheduled]
        problems = []
        if len(set(worked)) != len(worked) or set(worked) & set(self.remaining):
            problems.append("a ticket is both worked and remaining, or worked twice")
        if len(worked) + len(self.remaining) != len(self.instance.tickets):
            problems.append(f"{len(worked)} worked + {len(self.remaining)} remaining != {len(self.instance.tickets)}")
        earned = sum(s.reward for s in self.scheduled) + INVALID_REWARD * self.invalid_actions
        if abs(earned - self.reward_sum) > 1e-9:
            problems.append(f"reward {self.reward_sum} != {earned} earned")
        if problems:
            raise ConservationError(f"{self.task_id} seed {self.seed}: " + "; ".join(problems))

    def outcome(self) -> dict[str, float]:
        """Tickets worked and finished on time; the oracle's and the floor's total reward."""
        grade = self.grade()
        on_time = sum(1 for s in self.scheduled if s.on_time)
        return {"worked": len(self.scheduled), "on_time": on_time,
                "oracle": grade.oracle_reward, "floor": grade.floor_reward}  # fmt: skip

    def grade(self) -> TriageGrade:
        """The grade of the episode so far (provisional until it ends)."""
        from govworkflow.triage.grading import grade_simulator  # grading replays episodes on this class

        return grade_simulator(self)

    def observe(self) -> TriageObservation:
        """A fresh observation of the current state."""
        tickets = self.instance.tickets
        return TriageObservation(
            task_id=self.task_id,
            time=self.time,
            steps_left=self.max_steps - self.steps,
            tickets=self.available(),
            workers_free_at=list(self.free_at),
            acting_worker=self.acting_worker,
            tickets_to_come=sum(1 for i in self.remaining.values() if tickets[i].arrival > self.time),
            last_action_valid=self.last_valid,
            last_action_message=self.last_message,
        )

    def state(self) -> TriageState:
        """The full (privileged) state."""
        tickets = self.instance.tickets
        return TriageState(
            task_id=self.task_id,
            seed=self.seed,
            time=self.time,
            steps=self.steps,
            max_steps=self.max_steps,
            terminated=self.terminated,
            truncated=self.truncated,
            reward_sum=self.reward_sum,
            workers_free_at=list(self.free_at),
            remaining=[tickets[i] for i in sorted(self.remaining.values())],
            scheduled=[ScheduledTicket(**{k: getattr(s, k) for k in s.__slots__}) for s in self.scheduled],
            invalid_actions=self.invalid_actions,
        )
