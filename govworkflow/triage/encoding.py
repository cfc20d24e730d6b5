"""Ticket triage's encodings (numpy, no gymnasium): an observation as a flat float32 vector
in [0, 1], slot ``i`` as ticket ``T{i+1:02d}`` and the mask of valid slots. The gym
adapter, PPO and imitation all read these; reward bounds come from ``instance``.
"""

from __future__ import annotations

import heapq

import numpy as np

from govworkflow.triage.instance import MAX_TICKET_REWARD, MIN_TICKET_REWARD, Ticket, TicketType, ticket_reward
from govworkflow.triage.models import TriageObservation
from govworkflow.triage.policies import greedy_rate_key
from govworkflow.triage.tasks import MAX_TICKETS

__all__ = ["NETWORKS", "N_SLOTS", "TriageEncoder", "observation_mask", "slot_of", "ticket_id"]

#: Ticket slots of every triage task's action and observation (tasks hold at most this many).
N_SLOTS = MAX_TICKETS
_TYPES = tuple(TicketType)
#: Largest and smallest reward of one ticket (for scaling ``reward_now`` into [0, 1]).
_MAX_TICKET_REWARD = MAX_TICKET_REWARD
_MIN_TICKET_REWARD = MIN_TICKET_REWARD
_MAX_WORKERS = 2

#: The policy networks that read this encoding (``training.networks``; ``train --network``):
#: ``slots``, one ticket scorer shared across slots; ``mlp``, a flat MLP.
NETWORKS: tuple[str, ...] = ("slots", "mlp")


def ticket_id(slot: int) -> str:
    """The ticket of slot ``slot``: ``T{slot+1:02d}`` (the inverse of ``slot_of``)."""
    return f"T{slot + 1:02d}"


def slot_of(ticket_id: str) -> int:
    """The slot of ticket ``T{i+1:02d}``: ``i``. Raises ``ValueError`` for other ids."""
    digits = ticket_id[1:]
    if not ticket_id.startswith("T") or not digits.isdigit() or not 1 <= int(digits) <= N_SLOTS:
        raise ValueError(f"ticket_id: expected T01..T{N_SLOTS:02d}, got {ticket_id!r}")
    return int(digits) - 1


def observation_mask(obs: TriageObservation) -> np.ndarray:
    """Valid slots read from an observation alone: exactly the tickets it lists."""
    mask = np.zeros(N_SLOTS, dtype=bool)
    mask[[slot_of(t.ticket_id) for t in obs.tickets]] = True
    return mask


def _squash(x: float, k: float) -> float:
    """``x / (x + k)`` for ``x >= 0``: monotone, in [0, 1)."""
    return x / (x + k) if x > 0 else 0.0


class TriageEncoder:
    """Encodes a ``TriageObservation`` as a fresh float32 vector with every entry in [0, 1].

    Per slot (``SLOT_FEATURES``): present (arrived, not yet worked), type one-hot, effort,
    priority, weight (priority x type multiplier), slack if started now (squashed around
    0.5), on time if started now, reward if started now, that reward per unit of effort,
    whether ``greedy_rate`` (the best heuristic) would pick it (a learner can use the
    heuristic's choice), and three facts relating the ticket to the rest of the queue and
    the workers: what waiting costs it (reward now minus reward if started at the next
    decision: after the shortest other visible ticket, or when another worker frees up),
    whether it is on time if every visible ticket is worked earliest-deadline-first from
    now, and its slack if the visible tickets due no later than it go first (squashed
    around 0.5); both schedules give each next ticket to the first free worker. Then
    ``GLOBAL_FEATURES``.
    """

    SLOT_FEATURES = ("present", "bug", "feature", "enhancement", "effort", "priority", "weight",
                     "slack_now", "on_time_now", "reward_now", "rate_now", "greedy_pick",
                     "wait_cost", "edf_on_time", "slack_after_due")  # fmt: skip
    GLOBAL_FEATURES = ("time", "steps_left", "worker0_busy", "worker1_busy", "two_workers", "tickets_to_come",
                       "last_action_valid")  # fmt: skip
    size = N_SLOTS * len(SLOT_FEATURES) + len(GLOBAL_FEATURES)

    def __init__(self, max_steps: int) -> None:
        self.max_steps = max_steps

    def names(self) -> list[str]:
        """One readable name per vector entry."""
        slots = [f"slot{i:02d}.{f}" for i in range(N_SLOTS) for f in self.SLOT_FEATURES]
        return slots + list(self.GLOBAL_FEATURES)

    def encode(self, obs: TriageObservation) -> np.ndarray:
        per = len(self.SLOT_FEATURES)
        x = np.zeros(self.size, dtype=np.float32)
        for t in obs.tickets:
            base = slot_of(t.ticket_id) * per
            slack = t.deadline - (obs.time + t.effort)
            reward = ticket_reward(t, obs.time + t.effort)
            x[base] = 1.0
            x[base + 1 + _TYPES.index(t.type)] = 1.0
            x[base + 4] = t.effort / 3.0
            x[base + 5] = t.priority / 5.0
            x[base + 6] = t.weight / 10.0
            x[base + 7] = 0.5 + 0.5 * slack / (abs(slack) + 3.0)
            x[base + 8] = 1.0 if slack >= 0 else 0.0
            x[base + 9] = (reward - _MIN_TICKET_REWARD) / (_MAX_TICKET_REWARD - _MIN_TICKET_REWARD)
            x[base + 10] = (reward / t.effort - _MIN_TICKET_REWARD) / (_MAX_TICKET_REWARD - _MIN_TICKET_REWARD)
        if obs.tickets:
            pick = min(obs.tickets, key=lambda t: greedy_rate_key(t, obs))
            x[slot_of(pick.ticket_id) * per + 11] = 1.0
            self._relations(obs, x)
        g = N_SLOTS * per
        x[g] = _squash(obs.time, 10.0)
        x[g + 1] = min(1.0, max(0.0, obs.steps_left / self.max_steps))
        for w, free in enumerate(obs.workers_free_at[:_MAX_WORKERS]):
            x[g + 2 + w] = _squash(free - obs.time, 3.0)
        x[g + 4] = 1.0 if len(obs.workers_free_at) > 1 else 0.0
        x[g + 5] = min(1.0, obs.tickets_to_come / N_SLOTS)
        x[g + 6] = 1.0 if obs.last_action_valid else 0.0
        return x

    def _relations(self, obs: TriageObservation, x: np.ndarray) -> None:
        """``wait_cost``, ``edf_on_time`` and ``slack_after_due`` of every visible ticket.

        Schedules are list schedules over every worker: the acting one is free now, the
        others when their current ticket ends; each next ticket goes to the first free.
        """
        per = len(self.SLOT_FEATURES)
        now = obs.time
        others = [max(f, now) for w, f in enumerate(obs.workers_free_at) if w != obs.acting_worker]
        efforts = sorted(t.effort for t in obs.tickets)
        by_deadline = sorted(obs.tickets, key=lambda t: (t.deadline, t.ticket_id))
        edf_finish = _list_schedule(now, others, by_deadline)
        for t in by_deadline:
            base = slot_of(t.ticket_id) * per
            # not picked now, the ticket can start at the next decision: when the acting
            # worker finishes the shortest other ticket, or another worker frees up first
            delay = 0
            if len(efforts) > 1:
                shortest_other = efforts[1] if t.effort == efforts[0] else efforts[0]
                delay = min([shortest_other, *(f - now for f in others)])
            wait = ticket_reward(t, now + t.effort) - ticket_reward(t, now + delay + t.effort)
            due = [o for o in by_deadline if o.deadline <= t.deadline and o is not t]
            slack = t.deadline - _list_schedule(now, others, [*due, t])[t.ticket_id]
            x[base + 12] = wait / (_MAX_TICKET_REWARD - _MIN_TICKET_REWARD)
            x[base + 13] = 1.0 if edf_finish[t.ticket_id] <= t.deadline else 0.0
            x[base + 14] = 0.5 + 0.5 * slack / (abs(slack) + 3.0)


def _list_schedule(now: int, others: list[int], tickets: list[Ticket]) -> dict[str, int]:
    """Finish time of each of ``tickets`` worked in that order, each by the first free worker."""
    free = sorted([now, *others])
    finish: dict[str, int] = {}
    for t in tickets:
        end = heapq.heappop(free) + t.effort
        heapq.heappush(free, end)
        finish[t.ticket_id] = end
    return finish
