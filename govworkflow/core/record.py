"""The one episode record, generic over the action, and typed reading of JSON fields.

``EpisodeRecord`` keeps every step of an episode (``StepRecord``); each environment's
record is this class with its action type. An episode file is read field by field, and a
wrong field is a one-line ``ValueError`` that names it (``field 'reward': expected a
number, got 'x'``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, Self, TypeVar, cast

from pydantic import BaseModel

from govworkflow.core.errors import check_count, check_seed
from govworkflow.core.kernel import Simulator, Suite
from govworkflow.core.provenance import from_fields, read_json_object, write_text

__all__ = [
    "FORMAT",
    "VERSION",
    "EpisodeRecord",
    "StepRecord",
    "bool_field",
    "int_field",
    "names_field",
    "number_field",
    "numbers_field",
    "replay",
    "text_field",
]


def _typed(value: Any, key: str, types: tuple[type, ...], what: str) -> Any:
    """``value`` (of record field ``key``) if it is one of ``types`` (a bool is not a number)."""
    if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
        raise ValueError(f"field {key!r}: expected {what}, got {value!r}")
    return value


def text_field(d: dict[str, Any], key: str) -> str:
    """``d[key]`` if it is a string (a record field)."""
    return str(_typed(d[key], key, (str,), "a string"))


def int_field(d: dict[str, Any], key: str) -> int:
    """``d[key]`` if it is an integer (a record field)."""
    return int(_typed(d[key], key, (int,), "an integer"))


def number_field(d: dict[str, Any], key: str) -> float:
    """``d[key]`` if it is a number (a record field)."""
    return float(_typed(d[key], key, (int, float), "a number"))


def bool_field(d: dict[str, Any], key: str) -> bool:
    """``d[key]`` if it is true or false (a record field)."""
    return bool(_typed(d[key], key, (bool,), "true or false"))


def numbers_field(d: dict[str, Any], key: str) -> tuple[float, ...]:
    """``d[key]`` if it is a list of numbers (a record field), as a tuple."""
    values = _typed(d[key], key, (list,), "a list of numbers")
    return tuple(float(_typed(v, key, (int, float), "a number")) for v in values)


def names_field(d: dict[str, Any]) -> tuple[str, ...]:
    """``d["component_names"]``: a list of strings."""
    names = _typed(d["component_names"], "component_names", (list,), "a list of names")
    return tuple(str(_typed(n, "component_names", (str,), "a string")) for n in names)


# -- the one episode record ------------------------------------------------------------
FORMAT, VERSION = "govworkflow-episode", 2

A = TypeVar("A", bound=BaseModel)


@dataclass(slots=True)
class StepRecord(Generic[A]):
    """One step: the action taken, its reward (and components), the outcome, and where the
    episode's clock stood after it (the office's day, triage's time)."""

    step: int
    clock: int
    action: A
    reward: float
    components: tuple[float, ...]
    valid: bool
    message: str


@dataclass
class EpisodeRecord(Generic[A]):
    """Every step of one episode, in order, for any environment. Replaying its actions from
    a reset with the same ruleset, task and seed reproduces the episode exactly.

    An environment's record is this class with its action type (``ACTION``) and the
    rulesets it reads (``RULESETS``): ``office.record.EpisodeRecord``,
    ``triage.record.TriageRecord``. Files are format ``govworkflow-episode`` version 2;
    ``_upgrade`` reads an environment's older files.
    """

    #: The action model of the environment (pydantic: dumped to JSON, validated on load).
    ACTION: ClassVar[type[BaseModel]]
    #: The rulesets whose episodes this record class reads; what a file is called in errors.
    RULESETS: ClassVar[tuple[str, ...]]
    WHAT: ClassVar[str] = "a govworkflow episode file"

    ruleset: str
    task_id: str
    seed: int
    component_names: tuple[str, ...]
    steps: list[StepRecord[A]] = field(default_factory=list)
    terminated: bool = False
    truncated: bool = False
    #: The episode's step cap (``None`` in files that predate it: the suite's is assumed).
    max_steps: int | None = None

    def append(self, step: StepRecord[A], terminated: bool = False, truncated: bool = False) -> None:
        self.steps.append(step)
        self.terminated, self.truncated = terminated, truncated

    def truncate(self, n: int, terminated: bool = False, truncated: bool = False) -> None:
        """Keep the first ``n`` steps (used when a snapshot is restored)."""
        del self.steps[n:]
        self.terminated, self.truncated = terminated, truncated

    @property
    def done(self) -> bool:
        return self.terminated or self.truncated

    @property
    def actions(self) -> list[A]:
        """The actions taken, in order."""
        return [s.action for s in self.steps]

    @property
    def reward_sum(self) -> float:
        return sum(s.reward for s in self.steps)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (format ``govworkflow-episode``, version 2)."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "ruleset": self.ruleset,
            "task_id": self.task_id,
            "seed": self.seed,
            "component_names": list(self.component_names),
            "terminated": self.terminated,
            "truncated": self.truncated,
            "max_steps": self.max_steps,
            "steps": [
                {
                    "step": s.step,
                    "clock": s.clock,
                    "action": s.action.model_dump(mode="json", exclude_none=True),
                    "reward": s.reward,
                    "components": list(s.components),
                    "valid": s.valid,
                    "message": s.message,
                }
                for s in self.steps
            ],
        }

    def save(self, path: str | Path) -> None:
        """Write the record as JSON, atomically (nothing half-written on error)."""
        write_text(path, json.dumps(self.to_dict(), indent=1))

    @classmethod
    def _upgrade(cls, data: dict[str, Any]) -> dict[str, Any]:
        """``data`` in the current format (an environment reads its older files here)."""
        return data

    @classmethod
    def rulesets(cls) -> tuple[str, ...]:
        """The rulesets whose episodes this class reads (``RULESETS``; an environment whose
        registry grows at run time reads it here)."""
        return cls.RULESETS

    @classmethod
    def _suite_of(cls, ruleset: str) -> Suite | None:
        """The suite that replays this record class's old files (``None``: none does)."""
        return None

    #: Whether an old file's ``terminated``/``truncated`` come from its replay (they are
    #: not in the file) or are kept as written.
    _FLAGS_FROM_REPLAY: ClassVar[bool] = False

    def _complete_from_replay(self) -> None:
        """Fill what an old file did not record (each step's clock after it, the end flags)
        by replaying it; a file that does not replay (an unknown task, edited rewards) keeps
        what it has, and the grader refuses it later."""
        suite = self._suite_of(self.ruleset)
        if suite is None:
            return
        clocks: list[int] = []
        try:
            sim = replay(self, suite, on_step=lambda _sim, step: clocks.append(step.clock))
        except (ValueError, LookupError):  # UnknownNameError is a LookupError
            return
        for step, clock in zip(self.steps, clocks, strict=True):
            step.clock = clock
        if self._FLAGS_FROM_REPLAY:
            self.terminated, self.truncated = sim.terminated, sim.truncated

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """The record in ``data``; a ``ValueError`` names the first field that is wrong."""
        old = isinstance(data, dict) and (data.get("format"), data.get("version")) != (FORMAT, VERSION)
        if isinstance(data, dict):
            data = cls._upgrade(data)
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
            raise ValueError(f"not {cls.WHAT} (format {FORMAT!r}, version {VERSION})")

        def build(d: dict[str, Any]) -> Any:
            ruleset = text_field(d, "ruleset")
            if ruleset not in cls.rulesets():
                raise ValueError(f"field 'ruleset': {ruleset!r} is not one of {', '.join(cls.rulesets())}")
            return cls(
                ruleset,
                text_field(d, "task_id"),
                check_seed(d["seed"]),
                names_field(d),
                [
                    StepRecord(
                        int_field(s, "step"),
                        int_field(s, "clock"),
                        cast(A, cls.ACTION.model_validate(s["action"])),
                        number_field(s, "reward"),
                        numbers_field(s, "components"),
                        bool_field(s, "valid"),
                        text_field(s, "message"),
                    )
                    for s in d["steps"]
                ],
                bool_field(d, "terminated"),
                bool_field(d, "truncated"),
                None if d.get("max_steps") is None else check_count(d["max_steps"], "max_steps"),
            )

        record: Self = from_fields(build, data, cls.WHAT)
        if old:
            record._complete_from_replay()
        return record

    @classmethod
    def load(cls, path: str | Path) -> Self:
        """Read a file ``save`` wrote; anything else is a one-line ``ValueError``."""
        return cls.from_dict(read_json_object(path, cls.WHAT))


def replay(
    record: EpisodeRecord[Any],
    suite: Suite,
    task: Any = None,
    on_step: Callable[[Simulator, StepRecord[Any]], object] | None = None,
    on_start: Callable[[Simulator], object] | None = None,
) -> Simulator:
    """The simulator after replaying ``record``'s actions from a fresh reset of ``suite``.

    ``task`` is the task object for tasks not in the suite's registry (default: the
    record's task id). The cap is the record's own (``max_steps``); for files that predate
    it, the suite's, or the record's length if that is longer.
    ``on_start(sim)`` sees the reset, ``on_step(sim, step)`` each replayed step (as the
    rules give it). Raises a
    ``ValueError`` naming the first step whose reward differs from the recorded one (the
    record was edited, or comes from other rules) or that comes after the episode's end.
    """
    if record.ruleset != suite.name:
        raise ValueError(f"the record is of ruleset {record.ruleset!r}, not {suite.name!r}")
    found = suite.task(task if task is not None else record.task_id)
    cap = record.max_steps if record.max_steps is not None else max(suite.max_steps(found), len(record.steps))
    sim = suite.make(found, record.seed, cap)
    if on_start is not None:
        on_start(sim)
    for k, step in enumerate(record.steps, start=1):
        if sim.done:
            raise ValueError(f"record has {len(record.steps)} steps, but its episode ends after {sim.steps}")
        reward, components, _, _ = sim.step(step.action)
        if reward != step.reward:
            raise ValueError(
                f"record step {k} ({step.action}) says reward {step.reward}, the rules give {reward}: "
                f"the record was changed, or does not replay under ruleset {record.ruleset!r}"
            )
        if on_step is not None:
            on_step(sim, StepRecord(sim.steps, sim.clock, step.action, reward, components, sim.last_valid,
                                    sim.last_message))  # fmt: skip
    return sim
