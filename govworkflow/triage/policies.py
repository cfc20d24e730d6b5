"""Triage policies: the heuristic ladder, a seeded random baseline and the oracle.

Heuristics read only the observation (so they also drive a remote server); each ranks
the visible tickets by a key and works the smallest. ``oracle`` is privileged: it needs
the simulator and plays the exact optimum (``oracle.py``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from govworkflow.core.assets import PPO, has_model
from govworkflow.core.kernel import Policy, PolicyFactory, function_policies
from govworkflow.triage.instance import Ticket, TicketType, ticket_reward
from govworkflow.triage.models import TriageAction, TriageObservation
from govworkflow.triage.oracle import SKIP, solve
from govworkflow.triage.sim import TriageSimulator

__all__ = [
    "FLOOR_POLICY",
    "POLICIES",
    "OraclePolicy",
    "RandomPolicy",
    "Rank",
    "TriagePolicy",
    "available_policies",
]


#: A triage policy is a kernel ``Policy`` (``core.kernel``).
TriagePolicy = Policy


_TYPE_RANK = {TicketType.BUG: 0, TicketType.FEATURE: 1, TicketType.ENHANCEMENT: 2}


def edf_key(t: Ticket, obs: TriageObservation) -> Any:
    """Earliest deadline first; ties: larger priority x type weight, then id."""
    return (t.deadline, -t.weight, t.ticket_id)


def weighted_key(t: Ticket, obs: TriageObservation) -> Any:
    """Largest priority x type weight first; ties: earlier deadline, then id."""
    return (-t.weight, t.deadline, t.ticket_id)


def type_then_priority_key(t: Ticket, obs: TriageObservation) -> Any:
    """The published order: bugs, then features, then enhancements; higher priority first; then id."""
    return (_TYPE_RANK[t.type], -t.priority, t.ticket_id)


def greedy_rate_key(t: Ticket, obs: TriageObservation) -> Any:
    """Largest reward per unit of effort if started now; ties: earlier deadline, then id."""
    return (-ticket_reward(t, obs.time + t.effort) / t.effort, t.deadline, t.ticket_id)


def fifo_key(t: Ticket, obs: TriageObservation) -> Any:
    """First come, first served: earliest arrival, then id (the grader's naive floor)."""
    return (t.arrival, t.ticket_id)


@dataclass(frozen=True)
class Rank:
    """The policy function that works the visible ticket with the smallest ``key`` (a
    module-level class, so the policies built on it pickle)."""

    key: Callable[[Ticket, TriageObservation], Any]

    def __call__(self, observation: TriageObservation) -> TriageAction:
        if not observation.tickets:
            return SKIP
        key = self.key
        best = min(observation.tickets, key=lambda t: key(t, observation))
        return TriageAction(ticket_id=best.ticket_id)

    @property
    def description(self) -> str:
        """What the policy does: the key's docstring."""
        return self.key.__doc__ or ""


@dataclass
class RandomPolicy:
    """Works a uniformly random visible ticket; its generator is seeded by ``reset(seed)``."""

    name: str = "random"
    description: str = "A uniformly random visible ticket (seeded by reset)."
    _rng: random.Random = field(default_factory=lambda: random.Random(0), repr=False)

    def reset(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)

    def act(self, observation: TriageObservation, simulator: TriageSimulator | None = None) -> TriageAction:
        if not observation.tickets:
            return SKIP
        return TriageAction(ticket_id=self._rng.choice(observation.tickets).ticket_id)


@dataclass
class OraclePolicy:
    """Plays the exact optimum; privileged (needs the simulator; knows future arrivals)."""

    name: str = "oracle"
    description: str = "The exact optimum (privileged: sees tickets before they arrive)."
    privileged: ClassVar[bool] = True

    def reset(self, seed: int | None = None) -> None:
        """Stateless: the solution is cached per instance."""

    def act(self, observation: TriageObservation, simulator: TriageSimulator | None = None) -> TriageAction:
        if simulator is None:
            raise ValueError("the oracle policy is privileged: pass simulator= to act()")
        return solve(simulator.instance).best_action(simulator)


#: The heuristic ladder: each ranks the visible tickets by its key (``FunctionPolicy``).
_RANKS: dict[str, Callable[[Ticket, TriageObservation], Any]] = {
    "edf": edf_key,
    "weighted": weighted_key,
    "type_then_priority": type_then_priority_key,
    "greedy_rate": greedy_rate_key,
    "fifo": fifo_key,
}


#: Policy name -> factory. ``oracle`` is privileged; the others read only the observation.
#: ``ppo`` plays a shipped model (package data ``govworkflow/assets/models/triage-<task>-ppo.zip``; extra ``train``).
POLICIES: dict[str, PolicyFactory] = {
    **function_policies({name: Rank(key) for name, key in _RANKS.items()}),
    "random": RandomPolicy,
    "oracle": OraclePolicy,
    "ppo": PPO,
}
#: The policy whose reward is the grader's naive floor.
FLOOR_POLICY = "fifo"


def available_policies(task_id: str) -> list[str]:
    """The policies that can play ``task_id`` here: all but ``ppo`` when no model ships."""
    return [name for name in POLICIES if name != "ppo" or has_model("triage", task_id)]


def make_policy(name: str) -> Policy:
    """Deprecated here (kept for one release): ``govworkflow.triage.suite.make_policy``."""
    import warnings

    from govworkflow.triage.suite import make_policy as suite_make_policy

    warnings.warn(
        "govworkflow.triage.policies.make_policy is deprecated and will be removed in the next release; "
        "use govworkflow.triage.make_policy",
        DeprecationWarning,
        stacklevel=2,
    )
    return suite_make_policy(name)
