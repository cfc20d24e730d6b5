"""``oracle_lookahead``: the best play we know (a privileged rollout policy).

At the first action of each day it copies the running episode (``Simulator.snapshot``,
random generator included) and, for each of a few *variants* of the ``sla_aware``
heuristic (other priority modes, not escalating, rebalancing now and then or daily), plays
that variant for the day and then ``sla_aware`` itself for ``horizon_days`` more days.
It then plays the day with the variant whose copy ended with the best grade.

Because the standard office draws all its randomness from exogenous events in a fixed
order, the copies meet exactly the future the real episode will meet: the policy sees
future arrivals, events and applicants' answers. It is therefore not a policy an agent
could run, but a reference: a rollout of ``sla_aware`` with the base among its
candidates never does worse than ``sla_aware`` over the look-ahead window. It is listed
apart from the policies; the ceiling reference is the analytic bound
(``office.rulesets.standard.bound``), which no policy can beat.
It needs the simulator and costs about ``len(variants) x horizon_days`` simulated days
per real day, less the variants that played the day exactly like an earlier one (the
same actions, the same memory at the day's end: their rollouts would repeat it), which
are not played on.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

from govworkflow.core.kernel import Simulator
from govworkflow.office.models import Action, Observation
from govworkflow.office.policies.sla_aware import SlaAware
from govworkflow.office.vocab import PriorityMode

__all__ = ["DEFAULT_VARIANTS", "OracleLookahead"]

#: Knob settings of ``SlaAware`` tried each day (the first is the base itself).
DEFAULT_VARIANTS: tuple[dict[str, Any], ...] = (
    {},
    {"mode": PriorityMode.BALANCED},
    {"mode": PriorityMode.BACKLOG_CLEARANCE},
    {"mode": PriorityMode.OLDEST_FIRST},
    {"escalate": False},
    {"rebalance": True},
    {"rebalance": True, "rebalance_every_days": 1, "rebalance_gap": 0.1},
)


@dataclass
class OracleLookahead:
    """Privileged daily rollout over ``sla_aware`` variants (see the module docstring)."""

    name: str = "oracle_lookahead"
    privileged: ClassVar[bool] = True  # sees the future: a reference, listed apart
    description: str = (
        "privileged reference: each day, tries sla_aware variants on copies of the episode "
        "that see the true future, and plays the best (privileged; needs the simulator)"
    )
    horizon_days: int = 10
    variants: tuple[dict[str, Any], ...] = DEFAULT_VARIANTS
    case_candidates: int = 3
    """Also try escalating each of this many at-risk cases (by id) today."""
    _base: SlaAware = field(default_factory=SlaAware, repr=False)
    _today: SlaAware = field(default_factory=SlaAware, repr=False)
    _day: int = field(default=-1, repr=False)

    def reset(self, seed: int | None = None) -> None:
        self._base = SlaAware()
        self._base.reset(seed)
        self._today = self._base
        self._day = -1

    def act(self, observation: Observation, simulator: Simulator | None = None) -> Action:
        if simulator is None:
            raise ValueError("oracle_lookahead needs the simulator (pass simulator=...)")
        if observation.day != self._day:
            self._day = observation.day
            # the knobs of yesterday's variant are dropped; its memory carries over
            self._base = dataclasses.replace(self._today, **_BASE_KNOBS)
            self._today = self._plan(simulator)
        return self._today.act(observation, simulator)

    def _plan(self, simulator: Simulator) -> SlaAware:
        blob = simulator.snapshot()
        best: float | None = None
        chosen = self._base
        variants = list(self.variants)
        if self.case_candidates and _budget_left(simulator) > 0:
            variants += [{"escalate_case": cid} for cid in _at_risk_cases(simulator, self.case_candidates)]
        tried: set[tuple[Any, ...]] = set()
        for knobs in variants:
            candidate = dataclasses.replace(self._base, **knobs)
            sim = Simulator.restore(blob)
            today = dataclasses.replace(candidate)
            day = self._play_today(sim, today)
            # from tomorrow every copy plays sla_aware's own knobs with today's memory: a
            # variant that played the same day to the same memory as an earlier one would
            # repeat that one's rollout and tie with it, so it is not played on
            key = (day, _memory(today))
            if key in tried:
                continue
            tried.add(key)
            score = self._play_on(sim, today)
            if best is None or score > best:
                best = score
                chosen = candidate
        return chosen

    @staticmethod
    def _play_today(sim: Simulator, today: SlaAware) -> tuple[Action, ...]:
        """Play the rest of today with ``today``; the actions played."""
        start = sim.clock
        played = []
        while not sim.done and sim.clock == start:
            action = today.act(sim.observe(), sim)
            played.append(action)
            sim.step(action)
        return tuple(played)

    def _play_on(self, sim: Simulator, today: SlaAware) -> float:
        """From tomorrow, ``sla_aware``'s own knobs (with today's memory) for the rest of the
        horizon; the grade of the copy."""
        if not sim.done:
            policy = dataclasses.replace(today, **_BASE_KNOBS)
            end = sim.clock + self.horizon_days
            while not sim.done and sim.clock < end:
                sim.step(policy.act(sim.observe(), sim))
        return sim.consume_grade().score  # the copy is not needed afterwards


def _memory(policy: SlaAware) -> tuple[Any, ...]:
    """What a ``SlaAware`` carries from one day to the next (its private fields)."""
    return tuple(getattr(policy, f.name) for f in dataclasses.fields(policy) if f.name.startswith("_"))


_BASE_KNOBS: dict[str, Any] = {
    f.name: f.default for f in dataclasses.fields(SlaAware) if f.init and not f.name.startswith("_")
}
_BASE_KNOBS.pop("name")
_BASE_KNOBS.pop("description")


def _budget_left(sim: Simulator) -> int:
    return int(getattr(sim, "budget", 0))


def _at_risk_cases(sim: Simulator, k: int) -> list[str]:
    """Ids of the ``k`` open, not yet escalated cases with the least non-negative slack."""
    open_cases = getattr(sim, "open_cases", None)
    if open_cases is None:  # a ruleset without case-level access: no case candidates
        return []
    day = sim.clock
    earliest = sim.earliest_finish  # type: ignore[attr-defined]
    scored = []
    for c in open_cases():
        if c.esc or c.breached:
            continue
        slack = c.due - earliest(c, day)
        if slack >= 0:
            scored.append((slack, -c.urgency, c.id, c.name))
    scored.sort()
    return [name for *_, name in scored[:k]]
