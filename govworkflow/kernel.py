"""The seam between the native API and the rulesets.

A *ruleset* (``legacy``, ``standard``) is a set of tasks, a ``Simulator`` class that runs
one episode of them, and the policies that make sense for it. Everything above the
kernel (the native ``GovWorkflowEnv``, evaluation, the CLI, the gym adapter, the server)
talks to rulesets only through this module, so a new ruleset slots in without touching
the others.

Nothing here imports gymnasium, plotly, widgets, torch or HTTP libraries.
"""

from __future__ import annotations

import pickle
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from govworkflow.core.seeds import SeedSets
from govworkflow.errors import UnknownNameError, check_count, check_seed
from govworkflow.models import Action, EpisodeState, Grade, Observation

__all__ = ["Policy", "PolicyFactory", "Ruleset", "Simulator", "TaskLike"]


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

    ``step`` takes an already validated ``Action`` and returns the reward, its named
    components (in ``REWARD_COMPONENTS`` order), ``terminated`` and ``truncated``. The
    caller (``GovWorkflowEnv``) checks that the episode is still running.
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
        """Apply one action; return (reward, reward components, terminated, truncated)."""

    @abstractmethod
    def observe(self) -> Observation:
        """A fresh observation of the current state."""

    @abstractmethod
    def grade(self) -> Grade:
        """The grade of the episode so far (provisional until it ends)."""

    @abstractmethod
    def state(self) -> EpisodeState:
        """The full (privileged) state."""

    @abstractmethod
    def why_invalid(self, action: Action) -> str | None:
        """Why ``action`` would be invalid now, or ``None`` if it is valid. Pure."""

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


@dataclass(frozen=True)
class Ruleset:
    """A named set of rules: its tasks, its simulator and its policies."""

    name: str
    description: str
    tasks: Mapping[str, TaskLike]
    simulator: Callable[..., Simulator]
    policies: Mapping[str, PolicyFactory]
    default_max_steps: int

    def __reduce__(self) -> tuple[Callable[[str], Ruleset], tuple[str]]:
        """Rulesets pickle by name (their policy factories are closures)."""
        from govworkflow.rulesets import get_ruleset

        return get_ruleset, (self.name,)

    def task(self, task_id: str) -> TaskLike:
        try:
            return self.tasks[task_id]
        except KeyError:
            raise UnknownNameError(f"{self.name} task", task_id, self.tasks) from None

    def policy(self, name: str) -> Policy:
        try:
            factory = self.policies[name]
        except KeyError:
            raise UnknownNameError(f"{self.name} policy", name, self.policies) from None
        return factory()

    def make(self, task_id: str, seed: int | None = None, max_steps: int | None = None) -> Simulator:
        task = self.task(task_id)
        return self.simulator(
            task,
            task.seed if seed is None else check_seed(seed),
            self.default_max_steps if max_steps is None else check_count(max_steps, "max_steps"),
        )
