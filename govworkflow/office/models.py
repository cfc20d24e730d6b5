"""Typed models at the edges: actions in, observations, state and grades out.

* ``Action`` is a pydantic model: it is what users, servers and LLMs send, so it is
  validated (unknown types, wrong field types and extra fields are rejected).
* ``Observation`` and ``ServiceQueue`` are slotted dataclasses: the simulator builds one
  every step, so they must be cheap. pydantic still gives them a JSON schema and JSON
  round-trips through ``OBSERVATION_ADAPTER``. The rulesets' ``observe`` builds them by
  name, field by field on a blank instance (``obs = object.__new__(Observation)``, then
  ``obs.day = ...``): half the cost of a positional call, where a call with keywords
  would cost 2-3 times as much (``type.__call__`` first packs them into a dict). mypy
  checks each field's type; ``tests/office/standard/test_names.py`` checks that every field is set.
* ``Grade`` and ``EpisodeState`` are pydantic models (built rarely).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, StrictInt, StrictStr, TypeAdapter, ValidationError

from govworkflow.core.errors import InvalidActionError, validation_message
from govworkflow.core.grading import Grade, GradeComponent
from govworkflow.core.native import StepResult
from govworkflow.office.vocab import ActionType, PriorityMode, Service

__all__ = [
    "ACTION_FIELDS",
    "OBSERVATION_ADAPTER",
    "OPTIONAL_ACTION_FIELDS",
    "REWARD_MODES",
    "Action",
    "CaseView",
    "EpisodeState",
    "Grade",
    "GradeComponent",
    "Observation",
    "ServiceQueue",
    "StepResult",
    "action_fields",
    "missing_fields",
    "parse_action",
]

#: How the office's gym adapter pays its agent: ``grade``, the change of the grade each
#: step; ``simulator``, the ruleset's dense reward (``gym.office``, ``train --reward``).
REWARD_MODES: tuple[str, ...] = ("grade", "simulator")


class Action(BaseModel):
    """One management action. Only the fields its ``action_type`` reads are used.

    ============================  ==========================================
    action_type                   fields it reads
    ============================  ==========================================
    ``set_priority_mode``         ``priority_mode``
    ``assign_capacity``           ``service``, ``officer_delta``
    ``request_missing_documents`` ``service``
    ``escalate_service``          ``service`` and/or ``case_id`` (optional)
    ``reallocate_officers``       ``service``, ``target_service``, ``officer_delta``
    ``advance_time``              nothing
    ============================  ==========================================

    In code the table is ``ACTION_FIELDS`` (the fields a type needs) and
    ``OPTIONAL_ACTION_FIELDS`` (those it reads when given); both rulesets and the player
    read it from there.

    A well-formed action that is not allowed in the current state (say, assigning more
    officers than the reserve holds, or lacking a field its type needs) is not an error:
    the simulator counts it as an invalid action and reports why in ``info["message"]``
    (for a missing field, the message of ``missing_fields``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    action_type: ActionType = Field(description="Which action to take.")
    priority_mode: PriorityMode | None = Field(None, description="For set_priority_mode.")
    service: Service | None = Field(None, description="The service acted on.")
    target_service: Service | None = Field(None, description="For reallocate_officers: where the officers go.")
    officer_delta: StrictInt | None = Field(None, description="How many officers to move.")
    case_id: StrictStr | None = Field(None, description="For escalate_service: one case.")

    def __str__(self) -> str:
        fields = self.model_dump(exclude_none=True, exclude={"action_type"}, mode="json")
        inner = ", ".join(f"{k}={v}" for k, v in fields.items())
        return f"{self.action_type.value}({inner})"


#: The fields each action type needs, in the order a picker shows them. An action without
#: one of them is invalid under every ruleset, with the message of ``missing_fields``
#: (``tests/office/standard/test_names.py`` checks both rulesets against this table).
ACTION_FIELDS: dict[ActionType, tuple[str, ...]] = {
    ActionType.ADVANCE_TIME: (),
    ActionType.SET_PRIORITY_MODE: ("priority_mode",),
    ActionType.ASSIGN_CAPACITY: ("service", "officer_delta"),
    ActionType.REQUEST_MISSING_DOCUMENTS: ("service",),
    ActionType.ESCALATE_SERVICE: (),
    ActionType.REALLOCATE_OFFICERS: ("service", "target_service", "officer_delta"),
}
#: The fields each action type reads when they are given but does not need.
OPTIONAL_ACTION_FIELDS: dict[ActionType, tuple[str, ...]] = {
    ActionType.ADVANCE_TIME: (),
    ActionType.SET_PRIORITY_MODE: (),
    ActionType.ASSIGN_CAPACITY: (),
    ActionType.REQUEST_MISSING_DOCUMENTS: (),
    ActionType.ESCALATE_SERVICE: ("service", "case_id"),
    ActionType.REALLOCATE_OFFICERS: (),
}


def _and(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


_NEEDS: dict[ActionType, str] = {t: f"{t.value} needs {_and(f)}" for t, f in ACTION_FIELDS.items() if f}


def action_fields(action_type: ActionType) -> tuple[str, ...]:
    """Every field ``action_type`` reads: the ones it needs, then the optional ones."""
    return ACTION_FIELDS[action_type] + OPTIONAL_ACTION_FIELDS[action_type]


def missing_fields(action: Action) -> str | None:
    """Why ``action`` is invalid for lack of a field its type needs (``"assign_capacity
    needs service and officer_delta"``: all of ``ACTION_FIELDS[type]``), or None. The
    rulesets' ``why_invalid`` give this message."""
    kind = action.action_type
    for name in ACTION_FIELDS[kind]:
        if getattr(action, name) is None:
            return _NEEDS[kind]
    return None


def parse_action(action: Action | dict[str, Any] | str) -> Action:
    """Turn an ``Action``, a dict or a JSON string into a validated ``Action``.

    Raises ``InvalidActionError`` with a one-line message naming the bad field and value.
    An ``Action`` is validated again from its plain form, so one built around the
    validators (``Action.model_construct``) is read like any other input.
    """
    try:
        if isinstance(action, Action):
            return Action.model_validate(action.model_dump(exclude_none=True))
        if isinstance(action, str):
            return Action.model_validate_json(action)
        if isinstance(action, dict):
            return Action.model_validate(action)
    except ValidationError as err:
        raise InvalidActionError(validation_message(err, Action)) from None
    raise InvalidActionError(
        f"invalid action: expected an Action, a dict or a JSON string, got {type(action).__name__}"
    )


@dataclass(slots=True)
class ServiceQueue:
    """One service's queue, as the agent sees it (counts over its active cases)."""

    service: str
    active_cases: int
    missing_docs_cases: int
    escalated_cases: int
    urgent_cases: int
    breached_cases: int
    avg_age_days: float
    stage_counts: dict[str, int]
    officers: int


@dataclass(slots=True)
class Observation:
    """What the agent sees after ``reset()`` and each ``step()``. A fresh object each time.

    ``queues`` lists the task's services in task order. Rulesets may add fields in a
    subclass; policies written against these fields work on every ruleset.
    """

    ruleset: str
    task_id: str
    day: int
    max_days: int
    priority_mode: str
    queues: list[SerializeAsAny[ServiceQueue]]
    officers: dict[str, int]
    reserve_officers: int
    total_backlog: int
    total_completed: int
    total_sla_breaches: int
    fairness_gap: float
    escalation_budget_remaining: int
    last_action_valid: bool
    last_action_message: str
    extra: dict[str, Any] = field(default_factory=dict)

    def queue(self, service: str) -> ServiceQueue:
        """The queue of ``service`` (a ``KeyError`` names the task's services)."""
        for q in self.queues:
            if q.service == service:
                return q
        raise KeyError(f"{service!r} is not a service of this task: {[q.service for q in self.queues]}")


OBSERVATION_ADAPTER: TypeAdapter[Observation] = TypeAdapter(Observation)


@dataclass(slots=True)
class CaseView:
    """One active case, as ``state()`` reports it."""

    case_id: str
    service: str
    stage: str
    arrival_day: int
    due_day: int
    urgency: int
    missing_documents: bool
    needs_field_verification: bool
    escalated: bool
    total_days: int
    days_in_stage: int
    breached: bool


class EpisodeState(BaseModel):
    """The full episode state (privileged: more than the agent's observation)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    ruleset: str
    task_id: str
    seed: int
    day: int
    steps: int
    terminated: bool
    truncated: bool
    priority_mode: str
    officers: dict[str, int]
    reserve_officers: int
    escalation_budget_remaining: int
    counters: dict[str, int]
    active_cases: list[CaseView]
