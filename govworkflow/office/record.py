"""The episode record: the trajectory that grading, charts and export all read."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govworkflow.core.errors import check_seed
from govworkflow.core.provenance import from_fields, read_json_object, write_text
from govworkflow.core.record import bool_field, int_field, names_field, number_field, numbers_field, text_field
from govworkflow.office.models import Action

__all__ = ["EpisodeRecord", "StepRecord"]


@dataclass(slots=True)
class StepRecord:
    """One step: the action taken, its reward (and components) and the outcome."""

    step: int
    day: int
    action: Action
    reward: float
    components: tuple[float, ...]
    valid: bool
    message: str


@dataclass
class EpisodeRecord:
    """Every step of one episode, in order. Replaying its actions from a reset with the
    same ruleset, task and seed reproduces the episode exactly."""

    ruleset: str
    task_id: str
    seed: int
    component_names: tuple[str, ...]
    steps: list[StepRecord] = field(default_factory=list)

    def append(self, step: StepRecord) -> None:
        self.steps.append(step)

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` steps (used when a snapshot is restored)."""
        del self.steps[n:]

    @property
    def actions(self) -> list[Action]:
        return [s.action for s in self.steps]

    @property
    def reward_sum(self) -> float:
        return sum(s.reward for s in self.steps)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the export format, version 1)."""
        return {
            "format": "govworkflow-episode",
            "version": 1,
            "ruleset": self.ruleset,
            "task_id": self.task_id,
            "seed": self.seed,
            "component_names": list(self.component_names),
            "steps": [
                {
                    "step": s.step,
                    "day": s.day,
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
    def from_dict(cls, data: dict[str, Any]) -> EpisodeRecord:
        """The record in ``data``; a ``ValueError`` names the first field that is wrong."""
        if not isinstance(data, dict) or data.get("format") != "govworkflow-episode" or data.get("version") != 1:
            raise ValueError("not a govworkflow episode file (format 'govworkflow-episode', version 1)")

        def build(d: dict[str, Any]) -> EpisodeRecord:
            return cls(
                text_field(d, "ruleset"),
                text_field(d, "task_id"),
                check_seed(d["seed"]),
                names_field(d),
                [
                    StepRecord(
                        int_field(s, "step"),
                        int_field(s, "day"),
                        Action.model_validate(s["action"]),
                        number_field(s, "reward"),
                        numbers_field(s, "components"),
                        bool_field(s, "valid"),
                        text_field(s, "message"),
                    )
                    for s in d["steps"]
                ],
            )

        return from_fields(build, data, "a govworkflow episode file")

    @classmethod
    def load(cls, path: str | Path) -> EpisodeRecord:
        """Read a file ``save`` wrote; anything else is a one-line ``ValueError``."""
        return cls.from_dict(read_json_object(path, "a govworkflow episode file"))
