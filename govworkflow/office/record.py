"""The office's episode record: the generic record (``core.record``) of office actions.

Files of format ``govworkflow-episode`` version 1 (before the record was shared) still
load: their ``day`` is the step's clock, and whether the episode ended comes from
replaying them."""

from __future__ import annotations

from typing import Any, ClassVar

from govworkflow.core.kernel import Suite
from govworkflow.core.record import FORMAT, VERSION
from govworkflow.core.record import EpisodeRecord as GenericRecord
from govworkflow.core.record import StepRecord as GenericStep
from govworkflow.office.models import Action
from govworkflow.office.rulesets import RULESETS

__all__ = ["EpisodeRecord", "StepRecord"]

#: One step of an office episode.
StepRecord = GenericStep[Action]


class EpisodeRecord(GenericRecord[Action]):
    """Every step of one office episode (either ruleset), in order."""

    ACTION: ClassVar[type[Action]] = Action
    RULESETS: ClassVar[tuple[str, ...]] = ("legacy", "standard")
    _FLAGS_FROM_REPLAY: ClassVar[bool] = True

    @classmethod
    def rulesets(cls) -> tuple[str, ...]:
        """Every office ruleset registered now (``office.rulesets.RULESETS``)."""
        return tuple(RULESETS)

    @classmethod
    def _suite_of(cls, ruleset: str) -> Suite | None:
        return RULESETS.get(ruleset)

    @classmethod
    def _upgrade(cls, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("format") != FORMAT or data.get("version") != 1:
            return data
        steps = data.get("steps")
        return {
            **data,
            "version": VERSION,
            "terminated": False,
            "truncated": False,
            "steps": [
                {**{k: v for k, v in s.items() if k != "day"}, "clock": s.get("day")} if isinstance(s, dict) else s
                for s in (steps if isinstance(steps, list) else [])
            ],
        }
