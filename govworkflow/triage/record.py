"""The triage episode record: the generic record (``core.record``) of triage actions.

Files of the first triage format (``govworkflow-triage-episode`` version 1) still load:
each step's clock (the time after it; the file kept the time it started) comes from
replaying the file on its task (a task that is not shipped keeps the start times)."""

from __future__ import annotations

from typing import Any, ClassVar

from govworkflow.core.kernel import Suite
from govworkflow.core.record import FORMAT, VERSION, EpisodeRecord, StepRecord
from govworkflow.triage.models import TriageAction

__all__ = ["TriageRecord", "TriageStepRecord"]

#: One step of a triage episode.
TriageStepRecord = StepRecord[TriageAction]

_OLD_FORMAT = "govworkflow-triage-episode"
_OLD_STEP_FIELDS = ("time", "ticket_id", "finish", "on_time")


class TriageRecord(EpisodeRecord[TriageAction]):
    """Every step of one triage episode, in order."""

    ACTION: ClassVar[type[TriageAction]] = TriageAction
    RULESETS: ClassVar[tuple[str, ...]] = ("triage",)
    WHAT: ClassVar[str] = "a triage episode file"

    @classmethod
    def _suite_of(cls, ruleset: str) -> Suite | None:
        from govworkflow.triage.suite import TRIAGE  # the suite's grading reads records

        return TRIAGE

    @classmethod
    def _upgrade(cls, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("format") != _OLD_FORMAT or data.get("version") != 1:
            return data
        steps = data.get("steps")

        def step(s: Any) -> Any:
            if not isinstance(s, dict):
                return s
            kept = {k: v for k, v in s.items() if k not in _OLD_STEP_FIELDS}
            return {**kept, "clock": s.get("time"), "action": {"ticket_id": s.get("ticket_id")}}

        return {
            **data,
            "format": FORMAT,
            "version": VERSION,
            "ruleset": "triage",
            "steps": [step(s) for s in (steps if isinstance(steps, list) else [])],
        }
