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

import importlib
import pickle
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from govworkflow.core.errors import GovWorkflowError, UnknownNameError, check_count, check_seed
from govworkflow.core.grading import Grade
from govworkflow.core.seeds import SeedSets
from govworkflow.core.submitted import is_spec, load_policy

__all__ = [
    "TRAINED_PREFIX",
    "ConservationError",
    "FunctionPolicy",
    "Policy",
    "PolicyFactory",
    "PublicView",
    "Simulator",
    "Suite",
    "TaskLike",
    "function_policies",
    "is_privileged",
    "plugin",
]

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

    def consume_grade(self) -> Grade:
        """``grade()`` for a simulator nobody uses afterwards (a replay, a look-ahead's
        copy): a ruleset whose grade plays the episode on (``standard``'s settlement) may
        play it on this simulator instead of a copy. Default: ``grade()``."""
        return self.grade()

    def check_conservation(self) -> None:
        """Raise ``ConservationError`` if the episode's books do not balance (cases that
        arrived = completed + open, officers kept): run on every replayed episode before
        its result is reported. The default checks nothing; each ruleset that keeps such
        books overrides it."""
        return None

    def running_score(self) -> float:
        """A cheap estimate of the score now, for shaping rewards step by step (default:
        the grade's score; a ruleset whose grade is costly, such as ``standard``'s settled
        grade, reads its state instead). Never a reported grade."""
        return self.grade().score

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
    def outcome(self) -> dict[str, float]:
        """The environment's own counts of what happened so far (the office's completed
        and backlog; triage's worked, on time, oracle and floor), for result tables."""

    @abstractmethod
    def at_risk_rule(self) -> str:
        """That definition in a few words, for labels (``slack of at most 2 days``)."""

    @property
    @abstractmethod
    def clock(self) -> int:
        """Where the episode stands in its own time unit (the office's day, triage's time)."""

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

    The evaluation harness (``evaluation.run``) gives a policy its observation and, as
    ``simulator``, a ``PublicView`` (what the gym's action mask also tells: whether an
    action is valid now, the ruleset, the step cap), unless the policy declares
    ``privileged = True`` (a reference such as the look-ahead, which sees the future): it
    then gets the simulator itself, and is listed apart from the others. Whatever a policy
    does to what it is given, its grade comes from replaying its actions on a fresh
    simulator.
    """

    name: str
    description: str

    def reset(self, seed: int | None = None) -> None: ...

    def act(self, observation: Observation, simulator: Any = None) -> Action:
        """The action for ``observation`` (``simulator``: the environment's own, or ``None``)."""
        ...


PolicyFactory = Callable[[], Policy]


class ConservationError(GovWorkflowError, RuntimeError):
    """An episode whose books do not balance (``Simulator.check_conservation``)."""


class PublicView:
    """What an unprivileged policy may ask besides its observation: whether an action is
    valid now (``why_invalid``, what the gym's action mask says), the ruleset and the
    step cap. No state, no snapshots, no future."""

    __slots__ = ("_why", "max_steps", "ruleset")

    def __init__(self, simulator: Simulator) -> None:
        self._why = simulator.why_invalid
        self.ruleset = simulator.ruleset
        self.max_steps = simulator.max_steps

    def why_invalid(self, action: Action) -> str | None:
        """Why ``action`` would be invalid now, or ``None`` (pure)."""
        return self._why(action)


def is_privileged(policy: object) -> bool:
    """Whether ``policy`` declares it needs the simulator itself (``privileged = True``)."""
    return bool(getattr(policy, "privileged", False))


@dataclass
class FunctionPolicy:
    """A stateless policy made from a function of the observation (every environment's
    heuristics are these)."""

    name: str
    fn: Callable[[Observation], Action] = field(repr=False)
    description: str = ""

    def reset(self, seed: int | None = None) -> None:
        """Stateless: nothing to reset."""

    def act(self, observation: Observation, simulator: Any = None) -> Action:
        return self.fn(observation)


def function_policies(fns: Mapping[str, Callable[[Observation], Action]]) -> dict[str, PolicyFactory]:
    """A ``FunctionPolicy`` factory per named function; each describes itself on one line
    by the function's ``description`` if it has one, else its docstring."""

    def factory(name: str, fn: Callable[[Observation], Action]) -> PolicyFactory:
        description = " ".join((getattr(fn, "description", None) or fn.__doc__ or "").split())
        return lambda: FunctionPolicy(name, fn, description)

    return {name: factory(name, fn) for name, fn in fns.items()}


#: ``ppo:DIR`` names the ``ppo`` policy playing the models in folder ``DIR`` (results name
#: it so; ``DIR`` is a folder every worker sees, absolute on a cluster).
TRAINED_PREFIX = "ppo:"


def plugin(module: str, name: str) -> Callable[..., Any]:
    """A factory that imports ``module`` and calls its ``name`` when first used.

    An environment names a policy that a face provides (``ppo`` plays a model through
    ``govworkflow.training.policy``) without importing the face: the import happens only
    when someone asks for that policy, and the environment's code keeps pointing down."""

    def make(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    make.__qualname__ = make.__name__ = f"plugin({module}:{name})"
    return make


def _suite_by_name(home: str, name: str) -> Suite:
    suite: Suite = importlib.import_module(home).get_suite(name)
    return suite


@dataclass(frozen=True)
class Suite:
    """A named set of tasks with the simulator that runs them and the policies that play
    them (the office's rulesets and ticket triage are suites).

    ``simulator(task, seed, max_steps)`` starts an episode; ``max_steps`` is
    ``default_max_steps`` unless given, or the task's own when that is ``None``. A suite
    pickles by name: ``home`` is the module whose ``get_suite(name)`` returns it.
    """

    name: str
    description: str
    tasks: Mapping[str, TaskLike]
    simulator: Callable[..., Simulator]
    policies: Mapping[str, PolicyFactory]
    default_max_steps: int | None
    home: str = ""
    #: The type of a custom task object ``task()`` accepts besides an id (``None``: ids only).
    task_type: type | None = None
    #: The environment's action parser (``InvalidActionError`` for an action it cannot
    #: read): submitted policies' actions go through it.
    parse_action: Callable[[Any], Any] | None = None
    #: The version of the suite's rules and grading (its gym ids end in ``-v<version>``);
    #: bumped whenever either changes.
    version: int = 0
    #: An analytic upper bound on any policy's grade: ``bound(task, seed)`` returns a grade
    #: no episode on that seed can beat (``None``: the suite has none). The leaderboard
    #: lists it as the ceiling reference, apart from the policies.
    bound: Callable[[Any, int], Grade] | None = None

    def __reduce__(self) -> tuple[Callable[[str, str], Suite], tuple[str, str]]:
        """Suites pickle by name (their policy factories are closures)."""
        if not self.home:
            raise TypeError(f"suite {self.name!r} has no home module to be found by name")
        return _suite_by_name, (self.home, self.name)

    def task(self, task_id: str | Any) -> Any:
        """The task called ``task_id`` (a task object of ``task_type``, or one of the suite's
        own tasks, is returned as is)."""
        if not isinstance(task_id, str) and (
            (self.task_type is not None and isinstance(task_id, self.task_type))
            or any(task_id is t for t in self.tasks.values())
        ):
            return task_id
        try:
            return self.tasks[task_id]
        except (KeyError, TypeError):  # TypeError: an unhashable value, such as a list
            raise UnknownNameError(f"{self.name} task", task_id, self.tasks) from None

    def policy(self, name: str) -> Policy:
        """A fresh policy called ``name`` (an ``UnknownNameError`` lists the valid names), the
        ``ppo`` policy playing the models of a folder (``ppo:DIR``: what ``train --out-dir
        DIR`` wrote), or the submitted policy ``name`` names (``path/to/file.py:Name``,
        ``module:Name``; ``core.submitted``)."""
        if isinstance(name, str) and name.startswith(TRAINED_PREFIX) and "ppo" in self.policies:
            trained: Callable[[str], Policy] = self.policies["ppo"]  # type: ignore[assignment]  # takes a folder
            return trained(name[len(TRAINED_PREFIX) :])
        if is_spec(name):
            return load_policy(name, self)
        try:
            factory = self.policies[name]
        except (KeyError, TypeError):
            raise UnknownNameError(f"{self.name} policy", name, self.policies) from None
        return factory()

    def max_steps(self, task: TaskLike, max_steps: int | None = None) -> int:
        """The step cap of an episode of ``task``: ``max_steps``, else the suite's, else the task's."""
        if max_steps is not None:
            return check_count(max_steps, "max_steps")
        if self.default_max_steps is not None:
            return self.default_max_steps
        return int(task.max_steps)  # type: ignore[attr-defined]

    def make(self, task_id: str | Any, seed: int | None = None, max_steps: int | None = None) -> Simulator:
        """A simulator at the start of an episode of ``task_id`` (default seed: the task's)."""
        task = self.task(task_id)
        return self.simulator(task, task.seed if seed is None else check_seed(seed), self.max_steps(task, max_steps))
