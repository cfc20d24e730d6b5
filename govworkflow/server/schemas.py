"""What ``/openapi.json`` says: reply models and request-body schemas, built from the same
definitions the server validates with (the ruleset registry, the action models, the
``ServerConfig`` limits), so the description cannot drift from the behaviour.

Request bodies are read by the routes themselves (``routes.read_body``: typed one-line
errors, never FastAPI's own), so their schemas are given here as ``openapi_extra``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from govworkflow.office.rulesets import DEFAULT_RULESET
from govworkflow.server.adapters import ADAPTERS
from govworkflow.server.protocol import REWARD_RANGE, inline_refs
from govworkflow.server.sessions import ServerConfig

__all__ = [
    "ErrorBody",
    "ObservationReply",
    "body_schema",
    "errors",
    "json_body",
    "reset_body_schema",
    "session_links",
    "step_body_schema",
]


class ErrorBody(BaseModel):
    """Every HTTP error: the message, OpenEnv's error ``code`` and the Python ``error_type``
    (plus ``kind``/``value``/``choices`` for an unknown name, and the session counts and
    ``retry_after_s`` when at capacity)."""

    model_config = ConfigDict(extra="allow")

    detail: str = Field(description="What is wrong, naming the bad value and what is allowed.")
    code: str = Field(description="OpenEnv's error code, e.g. VALIDATION_ERROR.")
    error_type: str = Field(description="The error's class, e.g. InvalidActionError.")


class ReplyMetadata(BaseModel):
    """What OpenEnv's reply carries in ``metadata``."""

    model_config = ConfigDict(extra="allow")

    terminated: bool = Field(description="The episode ended by its own rules (no work left).")
    truncated: bool = Field(description="The episode was cut (step limit or max_steps).")
    raw_reward: float | None = Field(description="The simulator's own reward (null after reset).")
    info: dict[str, Any] = Field(description="The step's info: valid, message, reward components, ...")
    session_id: str | None = Field(None, description="The HTTP session (POST /reset only).")


class ObservationReply(BaseModel):
    """``/reset`` and ``/step``: OpenEnv's ``ResetResponse`` / ``StepResponse``."""

    observation: dict[str, Any]
    reward: float | None = Field(
        ge=REWARD_RANGE[0], le=REWARD_RANGE[1], description="The bounded reward (null after reset)."
    )
    done: bool
    metadata: ReplyMetadata


class StateReply(BaseModel):
    """``GET /state``: OpenEnv's state fields plus the environment's full state."""

    model_config = ConfigDict(extra="allow")

    episode_id: str | None
    step_count: int = Field(ge=0)


class GradeReply(BaseModel):
    """``GET /grade``: the grade with its breakdown."""

    model_config = ConfigDict(extra="allow")

    score: float = Field(ge=0, le=1)
    provisional: bool


class ClosedReply(BaseModel):
    closed: bool


class HealthReply(BaseModel):
    status: str


class MetadataReply(BaseModel):
    """OpenEnv's ``EnvironmentMetadata``."""

    name: str
    description: str
    readme_content: str | None
    version: str | None
    author: str | None
    documentation_url: str | None


class SchemaReply(BaseModel):
    """OpenEnv's ``SchemaResponse``."""

    action: dict[str, Any]
    observation: dict[str, Any]
    state: dict[str, Any]


class RpcReply(BaseModel):
    """A JSON-RPC 2.0 reply: ``result`` or ``error``."""

    model_config = ConfigDict(extra="allow")

    jsonrpc: str
    id: str | int | None


_TEXT = {
    400: "The body is not JSON (or is nested too deeply).",
    403: "The Host or Origin is not on the allow-list.",
    404: "Unknown or expired session, environment or task.",
    409: "No episode yet, or the episode has ended.",
    413: "The body is larger than the limit.",
    422: "A bad value or request shape; the message names it.",
    429: "This client holds as many sessions as one client may.",
    503: "Every session slot is taken.",
}
_RETRY = {
    "Retry-After": {
        "description": "Seconds after which a slot may be free.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses`` entries for these error statuses (always 403, the allow-list)."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in sorted({403, *statuses}):
        entry: dict[str, Any] = {"model": ErrorBody, "description": _TEXT[status]}
        if status in (429, 503):
            entry["headers"] = _RETRY
        out[status] = entry
    return out


def session_links(header: str) -> dict[str, Any]:
    """OpenAPI links from ``POST /reset`` to the requests that name its session."""
    by_header = {"parameters": {f"header.{header}": f"$response.header.{header}"}}
    return {
        "state": {"operationId": "state", **by_header, "description": "The new session's state."},
        "grade": {"operationId": "grade", **by_header, "description": "The new session's grade."},
        "close": {
            "operationId": "close",
            "requestBody": {"session_id": "$response.body#/metadata/session_id"},
            "description": "End the new session.",
        },
    }


def json_body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    """``openapi_extra`` for a JSON request body with ``schema``."""
    return {"requestBody": {"required": required, "content": {"application/json": {"schema": schema}}}}


def body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A request model's schema with its references inlined."""
    return inline_refs(model.model_json_schema())


def _nullable(spec: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [spec, {"type": "null"}]}


def reset_body_schema(config: ServerConfig) -> dict[str, Any]:
    """``POST /reset``: one branch per ruleset (its task ids), and one without a ruleset
    (the default ruleset's task ids)."""
    common = {
        "seed": _nullable({"type": "integer", "minimum": 0}),
        "max_steps": _nullable({"type": "integer", "minimum": 1, "maximum": config.max_steps_limit}),
        "episode_id": _nullable({"type": "string", "maxLength": 255}),
        "session_id": _nullable({"type": "string", "minLength": 1}),
    }
    branches = []
    default_tasks: list[str] = []
    for adapter in ADAPTERS:
        for ruleset in adapter.rulesets():
            tasks = adapter.tasks_of(ruleset)
            if ruleset == DEFAULT_RULESET:
                default_tasks = tasks
            props = {"ruleset": {"const": ruleset}, "task_id": _nullable({"enum": tasks}), **common}
            branches.append(
                {"type": "object", "properties": props, "required": ["ruleset"], "additionalProperties": False}
            )
    default = {"ruleset": {"type": "null"}, "task_id": _nullable({"enum": default_tasks}), **common}
    branches.append({"type": "object", "properties": default, "additionalProperties": False})
    return {
        "title": "ResetRequest",
        "description": (
            "Every field is optional: ruleset (default: the session's, else "
            f"{DEFAULT_RULESET}), task_id (a task of that ruleset), seed, max_steps (at most "
            f"{config.max_steps_limit}), episode_id (your label) and session_id (reset that session "
            "instead of opening one)."
        ),
        "anyOf": branches,
    }


def step_body_schema() -> dict[str, Any]:
    """``POST /step``: the session and an action of any environment."""
    actions = [body_schema(adapter.action_model) for adapter in ADAPTERS]
    return {
        "title": "StepRequest",
        "type": "object",
        "properties": {
            "session_id": {"type": "string", "minLength": 1, "description": "From POST /reset."},
            "action": {"anyOf": actions, "description": "An action of the session's environment."},
            "timeout_s": _nullable({"type": "number", "exclusiveMinimum": 0}),
            "request_id": _nullable({"type": "string", "maxLength": 255}),
        },
        "required": ["session_id", "action"],
        "additionalProperties": False,
    }
