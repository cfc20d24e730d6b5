"""An LLM as a policy: the prompt built from an observation, and the reply read back as
a validated ``Action`` (with one repair attempt).

The chat client is anything with OpenAI's ``client.chat.completions.create(...)``; this
module imports no client library itself. ``inference.py`` at the repository root runs it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from govworkflow.core.errors import InvalidActionError
from govworkflow.office.models import Action, Observation, parse_action
from govworkflow.office.vocab import ActionType, PriorityMode

__all__ = [
    "ADVANCE",
    "ChatPolicy",
    "Decision",
    "HeuristicAgent",
    "build_messages",
    "extract_action",
    "render_observation",
    "system_prompt",
]

ADVANCE = Action(action_type=ActionType.ADVANCE_TIME)

_ACTIONS_HELP = """\
Actions (one JSON object per reply; fields not listed for an action must be left out):
  {"action_type": "set_priority_mode", "priority_mode": MODE}
  {"action_type": "assign_capacity", "service": SERVICE, "officer_delta": N}
      (move N reserve officers to SERVICE)
  {"action_type": "request_missing_documents", "service": SERVICE}
  {"action_type": "escalate_service", "service": SERVICE}   (uses escalation budget)
  {"action_type": "reallocate_officers", "service": FROM, "target_service": TO, "officer_delta": N}
  {"action_type": "advance_time"}   (simulate one working day: only this moves the clock)"""


def system_prompt() -> str:
    """The fixed instructions: the job, the actions and the reply format."""
    modes = ", ".join(m.value for m in PriorityMode)
    return (
        "You manage a government service office. Citizens' cases queue per service and move "
        "through stages; some lack documents; officers are scarce; each case has a deadline (SLA). "
        "Your score rewards completed cases, met deadlines, few idle officers and fair treatment "
        "of all services.\n"
        f"{_ACTIONS_HELP}\n"
        f"MODE is one of: {modes}. SERVICE is one of the services listed in the observation.\n"
        "Several management actions may be taken on one day, then advance_time. "
        "Reply with exactly one JSON object and nothing else."
    )


def render_observation(obs: Observation) -> str:
    """A compact text view of an observation: the office summary and one line per queue."""
    lines = [
        f"Task {obs.task_id} ({obs.ruleset}). Day {obs.day} of {obs.max_days}. Priority mode: {obs.priority_mode}.",
        f"Reserve officers: {obs.reserve_officers}. Escalations left: {obs.escalation_budget_remaining}. "
        f"Backlog {obs.total_backlog}, completed {obs.total_completed}, "
        f"SLA breaches {obs.total_sla_breaches}, fairness gap {obs.fairness_gap:.2f}.",
        "Queues (service: active, missing docs, urgent, breached, escalated, avg age days, officers):",
    ]
    for q in obs.queues:
        lines.append(
            f"  {q.service}: {q.active_cases}, {q.missing_docs_cases}, {q.urgent_cases}, "
            f"{q.breached_cases}, {q.escalated_cases}, {q.avg_age_days:.1f}, {q.officers}"
        )
    valid = "valid" if obs.last_action_valid else "INVALID"
    lines.append(f"Last action ({valid}): {obs.last_action_message}")
    return "\n".join(lines)


def build_messages(obs: Observation, history: Sequence[str] = ()) -> list[dict[str, str]]:
    """Chat messages for one decision: instructions, recent steps, the observation."""
    recent = "\n".join(history[-8:]) or "(none yet)"
    user = f"Recent steps:\n{recent}\n\nNow:\n{render_observation(obs)}\n\nYour action (one JSON object):"
    return [{"role": "system", "content": system_prompt()}, {"role": "user", "content": user}]


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def extract_action(text: str | None) -> Action:
    """The action in a model reply: the first JSON object in it (code fences allowed),
    validated. Raises ``InvalidActionError`` with a one-line reason."""
    if not text or not text.strip():
        raise InvalidActionError("invalid action: the reply was empty")
    fenced = _FENCE.search(text)
    body = fenced.group(1) if fenced else text
    start = body.find("{")
    if start < 0:
        raise InvalidActionError(f"invalid action: no JSON object in the reply {text[:80]!r}")
    try:
        data, _ = json.JSONDecoder().raw_decode(body[start:])
    except json.JSONDecodeError as err:
        raise InvalidActionError(f"invalid action: the JSON object does not parse ({err.msg})") from None
    if not isinstance(data, dict):
        raise InvalidActionError("invalid action: expected a JSON object")
    return parse_action(data)


@dataclass(frozen=True)
class Decision:
    """What the agent chose. ``error`` says why the reply could not be used (the action is
    then the fallback ``advance_time``); ``None`` when the reply was a valid action."""

    action: Action
    error: str | None = None
    replies: tuple[str, ...] = ()


@dataclass
class ChatPolicy:
    """An LLM behind an OpenAI-style chat client, one call per decision (two when the
    first reply cannot be read: the model is shown the error and asked once more)."""

    client: Any
    model: str
    temperature: float = 0.0
    max_tokens: int = 200
    history: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.history.clear()

    def _ask(self, messages: list[dict[str, str]]) -> str:
        completion = self.client.chat.completions.create(
            model=self.model, messages=messages, temperature=self.temperature, max_tokens=self.max_tokens
        )
        return str(completion.choices[0].message.content or "")

    def decide(self, obs: Observation) -> Decision:
        messages = build_messages(obs, self.history)
        first = self._ask(messages)
        try:
            return Decision(extract_action(first), None, (first,))
        except InvalidActionError as err:
            problem = str(err)
        repair = [
            *messages,
            {"role": "assistant", "content": first},
            {
                "role": "user",
                "content": f"That reply could not be used: {problem}. Reply with one JSON object only.",
            },
        ]
        second = self._ask(repair)
        try:
            return Decision(extract_action(second), None, (first, second))
        except InvalidActionError as err:
            return Decision(ADVANCE, f"unusable reply after one repair attempt: {err}", (first, second))

    def record(self, step: int, action: Action, reward: float, message: str) -> None:
        """Remember a step for the next prompts."""
        self.history.append(f"step {step}: {action} -> reward {reward:.2f}; {message}")


@dataclass
class HeuristicAgent:
    """A named heuristic in the agent's place (labelled as such in every log)."""

    name: str
    fn: Callable[[Observation], Action]

    def reset(self) -> None:
        """Stateless."""

    def decide(self, obs: Observation) -> Decision:
        return Decision(self.fn(obs))

    def record(self, step: int, action: Action, reward: float, message: str) -> None:
        """Nothing to remember."""
