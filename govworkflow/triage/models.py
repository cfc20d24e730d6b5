"""Typed models at the edges of the triage environment.

* ``TriageAction`` is pydantic (users, servers and LLMs send it): extra fields and wrong
  types are rejected with a one-line ``InvalidActionError``.
* ``TriageObservation`` is a slotted dataclass (built every step, so cheap); pydantic
  still gives it a JSON schema through ``TRIAGE_OBSERVATION_ADAPTER``.
* ``TriageGrade`` and ``TriageState`` are pydantic models (built rarely).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, TypeAdapter, ValidationError

from govworkflow.core.errors import InvalidActionError, validation_message
from govworkflow.core.grading import Grade
from govworkflow.core.native import StepResult
from govworkflow.triage.instance import Ticket

__all__ = [
    "TRIAGE_OBSERVATION_ADAPTER",
    "ScheduledTicket",
    "TriageAction",
    "TriageGrade",
    "TriageObservation",
    "TriageState",
    "TriageStepResult",
    "parse_triage_action",
]


class TriageAction(BaseModel):
    """Work on one ticket next: its id.

    An id that is not among the observation's tickets (unknown, already worked, or not
    yet arrived) is not an error: the published rules give it reward -1, leave the clock
    where it is and still count the step.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    ticket_id: StrictStr = Field(description="The id of a ticket in the observation, e.g. 'T03'.")

    def __str__(self) -> str:
        return f"work({self.ticket_id})"


def parse_triage_action(action: TriageAction | dict[str, Any] | str) -> TriageAction:
    """A validated ``TriageAction`` from an action, a dict, a JSON object string or a bare id.

    A string that starts with ``{`` is read as JSON; any other string is the ticket id.
    Raises ``InvalidActionError`` naming the bad field and value.
    """
    try:
        if isinstance(action, TriageAction):  # validated again: model_construct cannot slip past
            return TriageAction.model_validate(action.model_dump())
        if isinstance(action, str):
            if action.lstrip().startswith("{"):
                return TriageAction.model_validate_json(action)
            return TriageAction(ticket_id=action)
        if isinstance(action, dict):
            return TriageAction.model_validate(action)
    except ValidationError as err:
        raise InvalidActionError(validation_message(err, TriageAction, "triage action")) from None
    raise InvalidActionError(
        "invalid triage action: expected a TriageAction, a dict, a JSON string or a ticket id, "
        f"got {type(action).__name__}"
    )


@dataclass(slots=True)
class TriageObservation:
    """What the agent sees after ``reset()`` and each ``step()``. A fresh object each time.

    ``tickets`` are the remaining tickets that have arrived, in id order. ``time`` is the
    time at which the next chosen ticket starts; ``acting_worker`` is the worker who will
    work it; ``workers_free_at`` says when each worker finishes its current ticket.
    """

    task_id: str
    time: int
    steps_left: int
    tickets: list[Ticket]
    workers_free_at: list[int]
    acting_worker: int
    tickets_to_come: int
    last_action_valid: bool
    last_action_message: str

    @property
    def ticket_ids(self) -> list[str]:
        return [t.ticket_id for t in self.tickets]


TRIAGE_OBSERVATION_ADAPTER: TypeAdapter[TriageObservation] = TypeAdapter(TriageObservation)


#: What ``TriageEnv.step()`` returns (the kernel's ``StepResult``).
TriageStepResult = StepResult


@dataclass(slots=True)
class ScheduledTicket:
    """A ticket that has been worked: by whom, when, and what it earned."""

    ticket_id: str
    worker: int
    start: int
    finish: int
    reward: float
    on_time: bool


class TriageState(BaseModel):
    """The full (privileged) episode state: every ticket, including those yet to arrive."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    task_id: str
    seed: int
    time: int
    steps: int
    max_steps: int
    terminated: bool
    truncated: bool
    reward_sum: float
    workers_free_at: list[int]
    remaining: list[Ticket]
    scheduled: list[ScheduledTicket]
    invalid_actions: int


class TriageGrade(Grade):
    """Agent reward normalised between a naive floor and the exact oracle, in [0, 1].

    A ``Grade`` (ruleset ``triage``) with the totals it is computed from:
    ``score = clip((reward - floor) / (oracle - floor), 0, 1)``; when ``oracle == floor``
    the score is 1 if the agent reached the oracle and 0 otherwise. ``components`` hold
    the score (weight 1) and descriptive rates (weight 0).
    """

    ruleset: Literal["triage"] = "triage"
    seed: int
    reward: float
    oracle_reward: float
    floor_reward: float
    max_steps: int
    """The step cap the episode, its oracle and its floor were played under."""
    task_max_steps: int
    """The task's own step cap: a grade under another is provisional."""

    @property
    def gap(self) -> float:
        """``oracle_reward - reward``: reward left on the table."""
        return self.oracle_reward - self.reward

    def explain(self) -> str:
        """Plain-language reading of the grade."""
        if self.max_steps != self.task_max_steps:
            why = f" (provisional: played under a cap of {self.max_steps} steps; the task's is {self.task_max_steps})"
        else:
            why = " (provisional: episode not finished)" if self.provisional else ""
        head = f"score {self.score:.4f}{why}"
        totals = f"reward {self.reward:.2f}; oracle {self.oracle_reward:.2f}; floor {self.floor_reward:.2f}"
        lines = [head, "  " + totals]
        lines += [f"  {c.name:<20} {c.value:.4f}  {c.description}" for c in self.components]
        return "\n".join(lines)
