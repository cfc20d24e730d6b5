"""The triage episode record: the trajectory that grading, charts and export read."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govworkflow.core.errors import check_seed
from govworkflow.core.provenance import from_fields, read_json_object, write_text
from govworkflow.core.record import bool_field, int_field, names_field, number_field, numbers_field, text_field

__all__ = ["TriageRecord", "TriageStepRecord"]

_FORMAT, _VERSION = "govworkflow-triage-episode", 1


@dataclass(slots=True)
class TriageStepRecord:
    """One step: the ticket named, when it started, its reward (and components), the outcome.

    ``finish`` and ``on_time`` are ``None`` for an invalid action.
    """

    step: int
    time: int
    ticket_id: str
    reward: float
    components: tuple[float, ...]
    valid: bool
    message: str
    finish: int | None = None
    on_time: bool | None = None


@dataclass
class TriageRecord:
    """Every step of one episode, in order. Replaying its actions from a reset of the same
    task and seed reproduces the episode exactly."""

    task_id: str
    seed: int
    component_names: tuple[str, ...]
    steps: list[TriageStepRecord] = field(default_factory=list)
    terminated: bool = False
    truncated: bool = False

    def append(self, step: TriageStepRecord, terminated: bool, truncated: bool) -> None:
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
    def actions(self) -> list[str]:
        """The ticket ids named, in order."""
        return [s.ticket_id for s in self.steps]

    @property
    def reward_sum(self) -> float:
        return sum(s.reward for s in self.steps)

    @property
    def worked(self) -> int:
        """Tickets worked (valid actions)."""
        return sum(1 for s in self.steps if s.valid)

    @property
    def on_time(self) -> int:
        """Tickets finished by their deadline."""
        return sum(1 for s in self.steps if s.on_time)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the export format, version 1)."""
        return {
            "format": _FORMAT,
            "version": _VERSION,
            "task_id": self.task_id,
            "seed": self.seed,
            "component_names": list(self.component_names),
            "terminated": self.terminated,
            "truncated": self.truncated,
            "steps": [
                {
                    "step": s.step,
                    "time": s.time,
                    "ticket_id": s.ticket_id,
                    "reward": s.reward,
                    "components": list(s.components),
                    "valid": s.valid,
                    "message": s.message,
                    "finish": s.finish,
                    "on_time": s.on_time,
                }
                for s in self.steps
            ],
        }

    def save(self, path: str | Path) -> None:
        """Write the record as JSON, atomically (nothing half-written on error)."""
        write_text(path, json.dumps(self.to_dict(), indent=1))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TriageRecord:
        """The record in ``data``; a ``ValueError`` names the first field that is wrong."""
        if not isinstance(data, dict) or data.get("format") != _FORMAT or data.get("version") != _VERSION:
            raise ValueError(f"not a triage episode file (format {_FORMAT!r}, version {_VERSION})")

        def step(s: dict[str, Any]) -> TriageStepRecord:
            finish, on_time = s["finish"], s["on_time"]
            return TriageStepRecord(
                int_field(s, "step"),
                int_field(s, "time"),
                text_field(s, "ticket_id"),
                number_field(s, "reward"),
                numbers_field(s, "components"),
                bool_field(s, "valid"),
                text_field(s, "message"),
                None if finish is None else int_field(s, "finish"),
                None if on_time is None else bool_field(s, "on_time"),
            )

        def build(d: dict[str, Any]) -> TriageRecord:
            return cls(
                text_field(d, "task_id"),
                check_seed(d["seed"]),
                names_field(d),
                [step(s) for s in d["steps"]],
                bool_field(d, "terminated"),
                bool_field(d, "truncated"),
            )

        return from_fields(build, data, "a triage episode file")

    @classmethod
    def load(cls, path: str | Path) -> TriageRecord:
        """Read a file ``save`` wrote; anything else is a one-line ``ValueError``."""
        return cls.from_dict(read_json_object(path, "a triage episode file"))
