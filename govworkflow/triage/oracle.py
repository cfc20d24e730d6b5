"""The exact oracle: the best total reward any sequence of actions can earn on an instance.

The oracle knows every ticket in advance, including those yet to arrive, so it is an
upper bound for any agent, and the exact optimum where everything is visible at time 0.

Model (``docs/triage.md`` states it in full). A state is ``(S, t, d)``: ``S`` the set of
tickets already worked, ``t`` the time the acting worker is free (after the clock rule:
if no remaining ticket has arrived by ``t`` the clock jumps to the next arrival), and,
with two workers, ``d`` = how long after ``t`` the other worker is free (``0 <= d <=
max effort``). Working ticket ``j`` (arrived: ``arrival_j <= t``) earns
``ticket_reward(j, t + e_j)``; the next state has ``S + {j}``, ``t' = min(t + e_j, t + d)``
and ``d' = |t + e_j - (t + d)|`` (one worker: ``t' = t + e_j``). An invalid action earns
-1 and changes only the step count, so invalid actions commute with everything: the only
use of one is to *skip* all remaining steps once ``k`` tickets are worked, worth
``-(max_steps - k)``. Hence::

    V(S, t, d) = 0                               if S holds every ticket or |S| = max_steps
    V(S, t, d) = max(-(max_steps - |S|),
                     max_{j available} reward_j(t + e_j) + V(S + {j}, t', d'))

computed layer by layer (``|S|`` from ``min(n, max_steps) - 1`` down to 0) with numpy, vectorised over
all sets of a layer and all ``(t, d)``. ``brute_force`` checks it on small instances by
enumerating action sequences through the simulator itself.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from govworkflow.triage.instance import Instance, ticket_reward
from govworkflow.triage.models import TriageAction
from govworkflow.triage.sim import TriageSimulator
from govworkflow.triage.tasks import MAX_TICKETS

__all__ = ["SKIP", "OracleSolution", "brute_force", "clear_cache", "oracle_reward", "solve"]

#: The action the oracle plays to skip remaining steps: an id that is never a ticket.
SKIP = TriageAction(ticket_id="skip")
_NEG = -np.inf


@dataclass(frozen=True)
class OracleSolution:
    """The optimal value of an instance, an optimal plan, and the value table behind them."""

    instance: Instance
    value: float
    plan: tuple[str, ...]
    values: np.ndarray = field(repr=False)  # V[S, t * D + d]
    horizon: int = field(repr=False)  # T: times 0 .. T - 1
    offsets: int = field(repr=False)  # D: d in 0 .. D - 1

    def action_values(self, sim: TriageSimulator) -> dict[str, float]:
        """Value of each available ticket (and of ``SKIP``) in ``sim``'s current state, exact.

        The table counts one step per worked ticket. Invalid actions commute with the rest,
        so after ``e`` of them the state is the same one of the instance with ``e`` fewer
        steps: its table (solved and cached) is read then."""
        extra = sim.steps - sim.started_mask.bit_count()
        if extra:
            return solve(replace(self.instance, max_steps=self.instance.max_steps - extra))._values(sim)
        return self._values(sim)

    def _values(self, sim: TriageSimulator) -> dict[str, float]:
        inst, offsets = self.instance, self.offsets
        t = sim.time
        d = 0
        if inst.workers == 2:
            other = 1 - sim.acting_worker
            d = max(0, sim.free_at[other] - t)
        out: dict[str, float] = {}
        for j, ticket in enumerate(inst.tickets):
            if (sim.started_mask >> j) & 1 or ticket.arrival > t:
                continue
            c = t + ticket.effort
            if inst.workers == 2:
                nt, nd = min(c, t + d), abs(c - t - d)
            else:
                nt, nd = c, 0
            nxt = sim.started_mask | (1 << j)
            out[ticket.ticket_id] = ticket_reward(ticket, c) + float(self.values[nxt, nt * offsets + nd])
        out[SKIP.ticket_id] = -float(sim.max_steps - sim.steps)
        return out

    def best_action(self, sim: TriageSimulator) -> TriageAction:
        """An optimal action now: the best ticket (lowest id on ties); skip only if strictly better."""
        values = self.action_values(sim)
        skip = values.pop(SKIP.ticket_id)
        if not values:
            return SKIP
        best = next(iter(values))
        for ticket_id, value in values.items():  # id order: the first of equals wins
            if value > values[best] + 1e-9:
                best = ticket_id
        return SKIP if skip > values[best] + 1e-9 else TriageAction(ticket_id=best)


def _popcounts(n: int) -> np.ndarray:
    masks = np.arange(1 << n, dtype=np.int64)
    counts = np.zeros(1 << n, dtype=np.int64)
    for j in range(n):
        counts += (masks >> j) & 1
    return counts


def _table(inst: Instance) -> tuple[np.ndarray, int, int]:
    tickets = inst.tickets
    n, n_workers, max_steps = len(tickets), inst.workers, inst.max_steps
    eff = [t.effort for t in tickets]
    rel = [t.arrival for t in tickets]
    maxe = max(eff)
    horizon = max(rel) + sum(eff) + 1
    offsets = maxe + 1 if n_workers == 2 else 1
    grid_t, grid_d = np.meshgrid(np.arange(horizon), np.arange(offsets), indexing="ij")
    tg, dg = grid_t.ravel(), grid_d.ravel()
    # where each (t, d) goes after working a ticket of effort e
    nexts: dict[int, np.ndarray] = {}
    for e in set(eff):
        c = tg + e
        if n_workers == 2:
            o = tg + dg
            nt, nd = np.minimum(c, o), np.abs(c - o)
        else:
            nt, nd = c, np.zeros_like(c)
        # clipping only touches cells no episode reaches (times beyond all the work)
        nexts[e] = np.minimum(nt, horizon - 1) * offsets + np.minimum(nd, offsets - 1)
    gains = []
    for t in tickets:
        reward = np.array([ticket_reward(t, c) for c in range(horizon + maxe)])
        gains.append(np.where(tg >= t.arrival, reward[tg + t.effort], _NEG))
    # clock jumps: for t < rho (no ticket arrived), read the state at (rho, max(0, t + d - rho))
    jumps: dict[int, np.ndarray] = {}
    for rho in set(rel) - {0}:
        jt = np.where(tg < rho, rho, tg)
        jd = np.where(tg < rho, np.maximum(0, tg + dg - rho), dg)
        jumps[rho] = jt * offsets + jd

    full = (1 << n) - 1
    masks = np.arange(1 << n, dtype=np.int64)
    counts = _popcounts(n)
    first_arrival = np.full(1 << n, np.iinfo(np.int64).max, dtype=np.int64)
    for j in range(n):
        first_arrival = np.where((masks >> j) & 1, first_arrival, np.minimum(first_arrival, rel[j]))
    values = np.empty((1 << n, horizon * offsets))
    values[full] = 0.0
    values[counts >= max_steps] = 0.0  # the step cap ends the episode: nothing more is earned
    for k in range(min(n, max_steps) - 1, -1, -1):
        layer = masks[counts == k]
        cand = np.full((len(layer), horizon * offsets), _NEG)
        for j in range(n):
            sel = ((layer >> j) & 1) == 0
            nxt = layer[sel] | (1 << j)
            val = gains[j][None, :] + values[nxt][:, nexts[eff[j]]]
            cand[sel] = np.maximum(cand[sel], val)
        if jumps:
            rho_of = first_arrival[layer]
            for rho, index in jumps.items():
                group = rho_of == rho
                if group.any():
                    cand[group] = cand[group][:, index]
        values[layer] = np.maximum(cand, -float(max_steps - k))
    return values, horizon, offsets


def solve(inst: Instance) -> OracleSolution:
    """The exact optimum of ``inst`` and an optimal plan (replayed through the simulator)."""
    n = len(inst.tickets)
    if not 1 <= n <= MAX_TICKETS:
        raise ValueError(f"solve: needs 1 to {MAX_TICKETS} tickets, got {n}")
    return _solve(inst)


@lru_cache(maxsize=8)
def _solve(inst: Instance) -> OracleSolution:
    values, horizon, offsets = _table(inst)
    values.setflags(write=False)  # cached and shared: no caller may change it
    sol = OracleSolution(inst, float(values[0, 0]), (), values, horizon, offsets)
    sim = TriageSimulator(inst)
    plan = []
    while not sim.done:
        action = sol.best_action(sim)
        plan.append(action.ticket_id)
        sim.step(action)
    if abs(sim.reward_sum - sol.value) > 1e-6:  # pragma: no cover - a broken model
        raise RuntimeError(f"oracle plan earns {sim.reward_sum}, table says {sol.value}")
    return OracleSolution(inst, sol.value, tuple(plan), values, horizon, offsets)


@lru_cache(maxsize=16_384)
def oracle_reward(inst: Instance) -> float:
    """The best total reward achievable on ``inst`` (cached)."""
    return solve(inst).value


def clear_cache() -> None:
    """Forget every solved instance (so a benchmark times fresh solves)."""
    _solve.cache_clear()
    oracle_reward.cache_clear()


def brute_force(inst: Instance, max_tickets: int = 7) -> float:
    """The best total reward by enumerating every ordering prefix through the simulator.

    Independent of the dynamic programme: it uses only ``TriageSimulator.step`` and the
    fact that skipping (invalid actions) is only useful for all remaining steps at once.
    """
    n = len(inst.tickets)
    if n > max_tickets:
        raise ValueError(f"brute_force: {n} tickets is too many (max_tickets={max_tickets})")
    best = -np.inf
    for order in itertools.permutations(inst.ticket_ids):
        sim = TriageSimulator(inst)
        for prefix_len in itertools.count():
            if sim.done:
                best = max(best, sim.reward_sum)
                break
            best = max(best, sim.reward_sum - (sim.max_steps - sim.steps))  # skip the rest
            if prefix_len == len(order):  # pragma: no cover - an order always finishes
                break
            available = set(sim.valid_actions())
            if order[prefix_len] not in available:
                break  # this order is not playable (a ticket has not arrived yet)
            sim.step(TriageAction(ticket_id=order[prefix_len]))
    return float(best)
