"""The kernel contract every environment implements.

A ``Simulator`` runs one episode of one task (the hot loop lives in its subclasses: the
office's ``legacy`` and ``standard`` rulesets, ticket triage); a ``Policy`` maps an
observation to an action; a ``Suite`` (the office's ``Ruleset``) is a named set of tasks
with its simulator and policies; every task is ``TaskLike`` and declares its seeds.
Everything above (native envs, evaluation, gym, training, server, viz, CLI) talks to an
environment through these, so a new one slots in without touching the others.

Nothing here imports gymnasium, plotly, widgets, torch or HTTP libraries, nor any
environment: actions, observations and states are each environment's own types.
"""

from __future__ import annotations

import pickle
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Protocol

from govworkflow.core.grading import Grade
from govworkflow.core.seeds import SeedSets

__all__ = ["Policy", "PolicyFactory", "Simulator", "Suite", "TaskLike"]

#: An environment's action, observation and state types (each environment has its own).
Action = Any
Observation = Any
State = Any


class TaskLike(Protocol):
    """What every ruleset's task configuration offers (read-only, so frozen models fit)."""

    @property
    def task_id(self) -> str: ...
    @property
    def seed(self) -> int: ...
    @property
    def seeds(self) -> SeedSets:
        """Development and held-out evaluation seeds (``govworkflow.core.seeds``)."""
        ...

    @property
    def max_days(self) -> int: ...
    @property
    def description(self) -> str: ...


class Simulator(ABC):
    """One episode of one ruleset: the hot loop lives in subclasses.

    ``step`` takes an already validated ``Action`` and returns the reward, its components
    (a tuple in ``REWARD_COMPONENTS`` order: the office rulesets return a named tuple
    whose fields are ``REWARD_COMPONENTS``), ``terminated`` and ``truncated``. The caller
    (``GovWorkflowEnv``) checks that the episode is still running.
    """

    ruleset: ClassVar[str]
    REWARD_COMPONENTS: ClassVar[tuple[str, ...]]

    task: Any
    seed: int
    max_steps: int
    steps: int
    day: int
    terminated: bool
    truncated: bool
    last_valid: bool
    last_message: str

    @abstractmethod
    def step(self, action: Action) -> tuple[float, tuple[float, ...], bool, bool]:
        """Apply one action; return (reward, reward components, terminated, truncated).
        The components are a ``tuple[float, ...]`` (or a named tuple) matching
        ``REWARD_COMPONENTS``."""

    @abstractmethod
    def observe(self) -> Observation:
        """A fresh observation of the current state."""

    @abstractmethod
    def grade(self) -> Grade:
        """The grade of the episode so far (provisional until it ends)."""

    @abstractmethod
    def state(self) -> State:
        """The full (privileged) state."""

    @abstractmethod
    def why_invalid(self, action: Action) -> str | None:
        """Why ``action`` would be invalid now, or ``None`` if it is valid. Pure."""

    @abstractmethod
    def at_risk_cases(self) -> int:
        """How much open work is at risk of missing its deadline now, as these rules define
        it (the one definition: charts and players read it from here)."""

    @abstractmethod
    def at_risk_rule(self) -> str:
        """That definition in a few words, for labels (``slack of at most 2 days``)."""

    @property
    def done(self) -> bool:
        return self.terminated or self.truncated

    def snapshot(self) -> bytes:
        """An opaque copy of the whole episode (random generator included)."""
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def restore(blob: bytes) -> Simulator:
        """The simulator saved by ``snapshot``."""
        sim = pickle.loads(blob)
        if not isinstance(sim, Simulator):
            raise TypeError("not a govworkflow snapshot")
        return sim


class Policy(Protocol):
    """A policy maps an observation to an action.

    ``simulator`` is given to privileged policies (look-ahead, random-valid); policies
    that only read the observation ignore it, so they also run against a remote server.
    """

    name: str
    description: str

    def reset(self, seed: int | None = None) -> None: ...

    def act(self, observation: Observation, simulator: Simulator | None = None) -> Action: ...


PolicyFactory = Callable[[], Policy]


class Suite(Protocol):
    """A named set of tasks with the simulator that runs them and the policies that play
    them (the office's rulesets are suites)."""

    @property
    def name(self) -> str: ...
    @property
    def tasks(self) -> Mapping[str, TaskLike]: ...
    @property
    def policies(self) -> Mapping[str, PolicyFactory]: ...

    def task(self, task_id: str) -> TaskLike: ...

    def policy(self, name: str) -> Policy: ...

    def make(self, task_id: str, seed: int | None = None, max_steps: int | None = None) -> Simulator: ...
