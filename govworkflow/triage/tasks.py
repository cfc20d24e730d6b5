"""Ticket-triage task configuration: frozen, validated models loaded from ``tasks.toml``.

A task is a *generator* of instances, not one instance: ``generate(task, seed)`` (in
``instance.py``) draws the tickets from ``random.Random(seed)``. The same file drives
the environment, the command line (``govworkflow triage tasks``) and ``docs/triage.md``.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from govworkflow.core.errors import UnknownNameError
from govworkflow.core.seeds import SEED_SETS, SeedSets

__all__ = [
    "EFFORT_RANGE",
    "MAX_TICKETS",
    "PRIORITY_RANGE",
    "SEED_SETS",
    "TASKS",
    "SeedSets",
    "TriageTask",
    "get_task",
    "load_tasks",
]

#: Effort of a ticket, in time units, drawn uniformly from this inclusive range.
EFFORT_RANGE: tuple[int, int] = (1, 3)
#: Priority of a ticket, drawn uniformly from this inclusive range.
PRIORITY_RANGE: tuple[int, int] = (1, 5)
#: The exact oracle enumerates subsets: tasks hold at most this many tickets.
MAX_TICKETS = 12


class TriageTask(BaseModel):
    """One triage task: how its instances are generated and how long an episode may run.

    Generation (per ticket, in order, all from the episode's ``random.Random(seed)``):
    type (uniform over bug, feature, enhancement), effort (uniform in ``EFFORT_RANGE``),
    priority (uniform in ``PRIORITY_RANGE``), slack (uniform in ``slack``), then, for
    tickets after the first ``initial_tickets``, the gap to the previous arrival (uniform
    in ``arrival_gap``). See ``docs/triage.md`` for the deadline rules.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    task_id: str = Field(description="The task's id.")
    description: str = Field("", description="One line for people.")
    seed: int = Field(ge=0, description="Default seed of an episode.")
    n_tickets: int = Field(ge=1, le=MAX_TICKETS, description="Tickets per instance.")
    workers: int = Field(1, ge=1, le=2, description="Workers sharing the queue (1 or 2).")
    max_steps: int = Field(20, ge=1, description="Steps before the episode is truncated.")
    slack: tuple[int, int] = Field(description="Inclusive range of a ticket's slack, time units.")
    deadline_from: Literal["running_time", "arrival"] = Field(
        description=(
            "running_time: deadline = t + effort + slack with t the running sum of earlier "
            "efforts (the published rule); arrival: deadline = arrival + effort + slack."
        )
    )
    initial_tickets: int | None = Field(None, ge=1, description="Tickets present at time 0 (default: all of them).")
    arrival_gap: tuple[int, int] = Field(
        (0, 0), description="Inclusive range of the time between consecutive later arrivals."
    )
    seeds: SeedSets = Field(description="Development and held-out evaluation seed ranges.")

    @model_validator(mode="after")
    def _check(self) -> TriageTask:
        for name in ("slack", "arrival_gap"):
            lo, hi = getattr(self, name)
            if not 0 <= lo <= hi:
                raise ValueError(f"{name}: need 0 <= low <= high, got [{lo}, {hi}]")
        self.seeds.check_default(self.seed)
        if self.n_tickets > self.max_steps:
            raise ValueError(f"n_tickets: {self.n_tickets} exceeds max_steps {self.max_steps}")
        if self.initial_tickets is not None and self.initial_tickets > self.n_tickets:
            raise ValueError(f"initial_tickets: {self.initial_tickets} exceeds n_tickets {self.n_tickets}")
        if self.deadline_from == "running_time" and self.arrivals:
            raise ValueError(
                f"deadline_from: 'running_time' needs every ticket present at time 0, "
                f"but initial_tickets is {self.initial_tickets} of {self.n_tickets}"
            )
        return self

    @property
    def arrivals(self) -> bool:
        """True if some tickets arrive after time 0."""
        return self.initial_tickets is not None and self.initial_tickets < self.n_tickets

    @property
    def faithful(self) -> bool:
        """True for the published generator (all tickets at 0, running-time deadlines, one worker)."""
        return self.deadline_from == "running_time" and self.workers == 1


def _parse(data: dict[str, Any]) -> dict[str, TriageTask]:
    tasks = {}
    for tid, fields in data.items():
        try:
            tasks[tid] = TriageTask(task_id=tid, **fields)
        except ValidationError as err:
            raise ValueError(f"triage task {tid!r}: {err}") from None
    return tasks


def load_tasks(path: str | Path | None = None) -> dict[str, TriageTask]:
    """Load triage tasks from a TOML file (default: the shipped ``tasks.toml``)."""
    if path is None:
        text = resources.files(__package__).joinpath("tasks.toml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return _parse(tomllib.loads(text))


#: The shipped tasks, by id.
TASKS: dict[str, TriageTask] = load_tasks()


def get_task(task_id: str | TriageTask) -> TriageTask:
    """The task called ``task_id`` (a ``TriageTask`` is returned as is)."""
    if isinstance(task_id, TriageTask):
        return task_id
    try:
        return TASKS[task_id]
    except (KeyError, TypeError):  # TypeError: an unhashable value, such as a list
        raise UnknownNameError("triage task", task_id, TASKS) from None
