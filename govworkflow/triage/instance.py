"""Tickets, instances and the seeded generator; the reward of finishing one ticket.

An *instance* is everything an episode needs: its tickets (in id order), the number of
workers and the step limit. ``generate(task, seed)`` is the only place randomness is
drawn; the simulator, the oracle and the grader all read the same instance.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from govworkflow.core.errors import UnknownNameError, check_seed
from govworkflow.triage.tasks import EFFORT_RANGE, PRIORITY_RANGE, TriageTask, get_task

__all__ = [
    "LATE_FLOOR",
    "MAX_TICKET_REWARD",
    "MIN_TICKET_REWARD",
    "ON_TIME_FACTOR",
    "TYPE_MULTIPLIER",
    "Instance",
    "Ticket",
    "TicketType",
    "generate",
    "ticket_reward",
]


class TicketType(StrEnum):
    """A ticket's type; it scales the ticket's reward by ``TYPE_MULTIPLIER``."""

    BUG = "bug"
    FEATURE = "feature"
    ENHANCEMENT = "enhancement"


#: Reward multiplier per ticket type (the published values).
TYPE_MULTIPLIER: dict[TicketType, float] = {
    TicketType.BUG: 2.0,
    TicketType.FEATURE: 1.5,
    TicketType.ENHANCEMENT: 1.0,
}
#: An on-time ticket earns ``ON_TIME_FACTOR * priority`` (before the type multiplier).
ON_TIME_FACTOR = 3.0
#: A late ticket earns ``max(LATE_FLOOR, priority - 0.5 * delay)`` (before the multiplier).
LATE_FLOOR = -2.0
_TYPES: tuple[TicketType, ...] = tuple(TicketType)


@dataclass(frozen=True, slots=True)
class Ticket:
    """One ticket. Times are integer time units from the start of the episode."""

    ticket_id: str
    type: TicketType
    effort: int
    priority: int
    deadline: int
    arrival: int = 0

    @property
    def weight(self) -> float:
        """``priority x type multiplier``: what finishing on time is worth, over 3."""
        return self.priority * TYPE_MULTIPLIER[self.type]


#: The most one ticket can earn (on time at the highest priority, of the best-paid type).
MAX_TICKET_REWARD: float = ON_TIME_FACTOR * PRIORITY_RANGE[1] * max(TYPE_MULTIPLIER.values())
#: The least one ticket can earn (late past the floor, of the best-paid type).
MIN_TICKET_REWARD: float = LATE_FLOOR * max(TYPE_MULTIPLIER.values())


def ticket_reward(ticket: Ticket, finish: int) -> float:
    """The reward for finishing ``ticket`` at time ``finish`` (the published formula).

    ``priority x 3`` if ``finish <= deadline``, else ``max(-2, priority - 0.5 x delay)``
    with ``delay = finish - deadline``; then times 2.0 (bug), 1.5 (feature), 1.0
    (enhancement).
    """
    delay = finish - ticket.deadline
    base = ON_TIME_FACTOR * ticket.priority if delay <= 0 else max(LATE_FLOOR, ticket.priority - 0.5 * delay)
    return base * TYPE_MULTIPLIER[ticket.type]


@dataclass(frozen=True)
class Instance:
    """One generated episode: tickets in id order, workers and step limit."""

    task_id: str
    seed: int
    tickets: tuple[Ticket, ...]
    workers: int
    max_steps: int

    @property
    def ticket_ids(self) -> tuple[str, ...]:
        return tuple(t.ticket_id for t in self.tickets)

    def index(self, ticket_id: str) -> int:
        """Position of ``ticket_id`` in ``tickets`` (an ``UnknownNameError`` lists the ids)."""
        for i, t in enumerate(self.tickets):
            if t.ticket_id == ticket_id:
                return i
        raise UnknownNameError("ticket", ticket_id, self.ticket_ids)


def _draw(task: TriageTask, rng: random.Random) -> list[Ticket]:
    """Draw the tickets in generation order (ids are given after the shuffle)."""
    initial = task.n_tickets if task.initial_tickets is None else task.initial_tickets
    tickets: list[Ticket] = []
    running = 0  # the published running time t
    arrival = 0
    for i in range(task.n_tickets):
        kind = rng.choice(_TYPES)
        effort = rng.randint(*EFFORT_RANGE)
        priority = rng.randint(*PRIORITY_RANGE)
        slack = rng.randint(*task.slack)
        if i >= initial:
            arrival += rng.randint(*task.arrival_gap)
        if task.deadline_from == "running_time":
            deadline = running + effort + slack
            running += effort
        else:
            deadline = arrival + effort + slack
        tickets.append(Ticket("", kind, effort, priority, deadline, arrival))
    return tickets


def generate(task: TriageTask | str, seed: int) -> Instance:
    """The instance of ``task`` for ``seed``: all draws from ``random.Random(seed)``.

    Tickets are drawn in sequence, the list is shuffled, and ids ``T01, T02, ...`` are
    given in shuffled order, so an id says nothing about when a ticket was drawn.

    Each call builds its own ``Ticket`` objects (from cached draws): an episode that gets
    at its tickets (a policy in this process can, frozen or not) cannot change another
    episode's, such as the replay that grades it, or the cached oracle and floor.
    """
    task, seed = get_task(task), check_seed(seed)
    rows = _draws(task, seed)
    return Instance(task.task_id, seed, tuple(Ticket(*row) for row in rows), task.workers, task.max_steps)


@lru_cache(maxsize=4096)
def _draws(task: TriageTask, seed: int) -> tuple[tuple[str, TicketType, int, int, int, int], ...]:
    """The tickets of ``task``'s instance for ``seed``, as plain field tuples (immutable)."""
    rng = random.Random(seed)
    drawn = _draw(task, rng)
    rng.shuffle(drawn)
    width = max(2, len(str(len(drawn))))
    return tuple(
        (f"T{i + 1:0{width}d}", t.type, t.effort, t.priority, t.deadline, t.arrival) for i, t in enumerate(drawn)
    )
