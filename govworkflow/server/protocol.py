"""The wire protocol shared by the server and the client (no web framework imported here).

It follows the OpenEnv 0.3 protocol (``openenv-core``):

* WebSocket ``/ws``: the client sends ``{"type": "reset", "data": {...}}``,
  ``{"type": "step", "data": <action>}``, ``{"type": "state"}`` or ``{"type": "close"}``;
  the server answers ``{"type": "observation", "data": {"observation": ..., "reward": ...,
  "done": ...}}``, ``{"type": "state", "data": ...}`` or ``{"type": "error", "data":
  {"message": ..., "code": ...}}`` with OpenEnv's error codes.
* Two additions that OpenEnv clients simply never see: observation replies also carry
  ``terminated``, ``truncated`` and ``info``; and ``{"type": "grade"}`` answers
  ``{"type": "grade", "data": <Grade>}``. Error replies add ``error_type`` (the Python
  exception class) so our client can raise the same exception the local env raises.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, TypeAdapter, ValidationError

from govworkflow.core.errors import (
    EpisodeFinishedError,
    GovWorkflowError,
    InvalidActionError,
    NoEpisodeError,
    UnknownNameError,
)
from govworkflow.office.models import EpisodeState, Observation, ServiceQueue
from govworkflow.office.rulesets import RULESETS

__all__ = [
    "CapacityError",
    "MalformedJSONError",
    "PayloadTooLargeError",
    "RequestError",
    "ResetParams",
    "ServerError",
    "SessionError",
    "UnknownMessageTypeError",
    "WSCode",
    "describe_error",
    "dump_observation",
    "error_from_payload",
    "load_observation",
    "one_line",
    "state_payload",
    "step_payload",
]


class WSCode:
    """OpenEnv's WebSocket error codes (``openenv.core.env_server.types.WSErrorCode``)."""

    INVALID_JSON = "INVALID_JSON"
    UNKNOWN_TYPE = "UNKNOWN_TYPE"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    EXECUTION_ERROR = "EXECUTION_ERROR"
    CAPACITY_REACHED = "CAPACITY_REACHED"
    FACTORY_ERROR = "FACTORY_ERROR"
    SESSION_ERROR = "SESSION_ERROR"


# -- errors --------------------------------------------------------------------------
class ServerError(GovWorkflowError):
    """An error reported by the server; ``code`` and ``status`` say how it is sent."""

    code: ClassVar[str] = WSCode.EXECUTION_ERROR
    status: ClassVar[int] = 500


class RequestError(ServerError, ValueError):
    """A message or request that does not have the required shape or values."""

    code = WSCode.VALIDATION_ERROR
    status = 422


class MalformedJSONError(RequestError):
    """The body or message is not valid JSON."""

    code = WSCode.INVALID_JSON
    status = 400


class UnknownMessageTypeError(RequestError):
    """A WebSocket message whose ``type`` is not one of the protocol's."""

    code = WSCode.UNKNOWN_TYPE
    status = 400


class PayloadTooLargeError(RequestError):
    """A body or message larger than the server's limit."""

    status = 413


class CapacityError(ServerError):
    """All session slots are taken; close a session or try later."""

    code = WSCode.CAPACITY_REACHED
    status = 503

    def __init__(self, active_sessions: int, max_sessions: int) -> None:
        self.active_sessions = active_sessions
        self.max_sessions = max_sessions
        super().__init__(
            f"server at capacity: {active_sessions} of {max_sessions} sessions in use; "
            "close a session (or wait for idle ones to expire) and try again"
        )


class SessionError(ServerError):
    """An unknown, closed or expired session."""

    code = WSCode.SESSION_ERROR
    status = 404


#: Errors of the core package: (WebSocket code, HTTP status).
_CORE_ERRORS: dict[type[Exception], tuple[str, int]] = {
    InvalidActionError: (WSCode.VALIDATION_ERROR, 422),
    UnknownNameError: (WSCode.VALIDATION_ERROR, 422),
    EpisodeFinishedError: (WSCode.EXECUTION_ERROR, 409),
    NoEpisodeError: (WSCode.EXECUTION_ERROR, 409),
}

_BY_NAME: dict[str, type[Exception]] = {
    cls.__name__: cls
    for cls in (
        *_CORE_ERRORS,
        RequestError,
        MalformedJSONError,
        UnknownMessageTypeError,
        PayloadTooLargeError,
        SessionError,
        ServerError,
    )
}


def describe_error(exc: Exception) -> tuple[str, int, dict[str, Any]]:
    """``(code, http_status, data)`` for an error; ``data`` is the error reply's body."""
    data: dict[str, Any] = {"message": str(exc), "error_type": type(exc).__name__}
    if isinstance(exc, ServerError):
        code, status = exc.code, exc.status
        if isinstance(exc, CapacityError):
            data |= {"active_sessions": exc.active_sessions, "max_sessions": exc.max_sessions}
    else:
        code, status = next(
            (v for cls, v in _CORE_ERRORS.items() if isinstance(exc, cls)), (WSCode.EXECUTION_ERROR, 500)
        )
        if isinstance(exc, UnknownNameError):
            data |= {"kind": exc.kind, "value": exc.value, "choices": list(exc.choices)}
    data["code"] = code
    return code, status, data


def error_from_payload(data: dict[str, Any]) -> Exception:
    """The exception an error reply stands for (the one the local env would raise)."""
    message = str(data.get("message", "unknown server error"))
    name = data.get("error_type")
    if name == "UnknownNameError" and "kind" in data:
        return UnknownNameError(data["kind"], data.get("value"), data.get("choices", ()))
    if name == "CapacityError" or data.get("code") == WSCode.CAPACITY_REACHED:
        return CapacityError(int(data.get("active_sessions", 0)), int(data.get("max_sessions", 0)))
    cls = _BY_NAME.get(str(name))
    if cls is None:
        by_code = {
            WSCode.INVALID_JSON: MalformedJSONError,
            WSCode.UNKNOWN_TYPE: UnknownMessageTypeError,
            WSCode.VALIDATION_ERROR: RequestError,
            WSCode.SESSION_ERROR: SessionError,
        }
        cls = by_code.get(str(data.get("code")), ServerError)
    return cls(message)


def one_line(err: ValidationError, what: str, drop: tuple[str, ...] = ("body",)) -> str:
    """A pydantic error as one line naming each bad field, its problem and the value."""
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"] if x not in drop) or what
        msg = "unknown field" if e["type"] == "extra_forbidden" else e["msg"]
        shown = repr(e.get("input"))
        parts.append(f"{loc}: {msg} (got {shown[:80]})")
    return f"invalid {what}: " + "; ".join(parts)


# -- requests ------------------------------------------------------------------------
class ResetParams(BaseModel):
    """What ``reset`` takes: everything is optional (defaults: the session's ruleset and
    task, the task's own seed)."""

    model_config = ConfigDict(extra="forbid")

    ruleset: str | None = Field(None, description="Ruleset name (default: the session's, else the default).")
    task_id: str | None = Field(None, description="Task id (default: the session's current task).")
    seed: StrictInt | None = Field(None, ge=0, description="Episode seed (default: the task's seed).")
    max_steps: StrictInt | None = Field(None, ge=1, description="Cut the episode after this many steps.")
    episode_id: str | None = Field(None, max_length=255, description="Your label for the episode.")

    @classmethod
    def parse(cls, data: Any) -> ResetParams:
        if not isinstance(data, dict):
            raise RequestError(f"invalid reset parameters: expected a JSON object, got {type(data).__name__}")
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            raise RequestError(one_line(err, "reset parameters")) from None


class WSMessage(BaseModel):
    """The envelope of every WebSocket message (``data`` is checked per type)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["reset", "step", "state", "grade", "close"]
    data: dict[str, Any] | None = None


#: What ``step`` data may carry besides the action's own fields (OpenEnv's Action base).
ENVELOPE_FIELDS = ("metadata",)


def action_data(data: Any) -> dict[str, Any]:
    """The action fields of step data, without OpenEnv's envelope field ``metadata``."""
    if not isinstance(data, dict):
        raise InvalidActionError(f"invalid action: expected a JSON object, got {type(data).__name__}")
    if "metadata" in data and isinstance(data["metadata"], dict):
        return {k: v for k, v in data.items() if k not in ENVELOPE_FIELDS}
    return data


# -- replies -------------------------------------------------------------------------
_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(cls: type[Any]) -> TypeAdapter[Any]:
    """One ``TypeAdapter`` per class (rulesets subclass ``Observation`` and ``ServiceQueue``)."""
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    return adapter


def dump_observation(obs: Observation) -> dict[str, Any]:
    """JSON-ready observation with every field of its classes: a ruleset's observation
    subclass, and its queue subclass (declared as ``list[ServiceQueue]``), included."""
    data: dict[str, Any] = _adapter(type(obs)).dump_python(obs, mode="json")
    if any(type(q) is not ServiceQueue for q in obs.queues):
        data["queues"] = [_adapter(type(q)).dump_python(q, mode="json") for q in obs.queues]
    return data


def load_observation(
    data: dict[str, Any], cls: type[Observation] = Observation, queue_cls: type[ServiceQueue] = ServiceQueue
) -> Observation:
    """The observation dataclass back from its JSON form (``cls`` and ``queue_cls``: the
    ruleset's classes)."""
    obs: Observation = _adapter(cls).validate_python(data)
    if queue_cls is not ServiceQueue:
        to_queue = _adapter(queue_cls).validate_python
        obs.queues = [to_queue(q) for q in data["queues"]]
    return obs


@cache
def observation_types(ruleset: str, task_id: str | None = None) -> tuple[type[Observation], type[ServiceQueue]]:
    """The observation and queue classes a ruleset emits (subclasses may add fields), found
    by observing one fresh local episode, once. Unknown rulesets give the base classes."""
    rs = RULESETS.get(ruleset)
    if rs is None or (task_id is not None and task_id not in rs.tasks):
        return Observation, ServiceQueue
    obs = rs.make(task_id if task_id is not None else next(iter(rs.tasks))).observe()
    return type(obs), type(obs.queues[0]) if obs.queues else ServiceQueue


def observation_schema(ruleset: str) -> dict[str, Any]:
    """JSON schema of ``ruleset``'s observations, its queue subclass included."""
    obs_cls, queue_cls = observation_types(ruleset)
    schema: dict[str, Any] = _adapter(obs_cls).json_schema()
    if queue_cls is not ServiceQueue:
        queue = dict(_adapter(queue_cls).json_schema())
        defs = schema.setdefault("$defs", {})
        defs.update(queue.pop("$defs", {}))
        defs["ServiceQueue"] = queue
    return schema


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def step_payload(
    observation: dict[str, Any], reward: float | None, terminated: bool, truncated: bool, info: dict[str, Any]
) -> dict[str, Any]:
    """The reply data after ``reset`` (reward ``None``) or ``step``, for any environment:
    the JSON ``observation``, OpenEnv's three keys, termination and info."""
    return {
        "observation": observation,
        "reward": None if reward is None else _finite(float(reward)),
        "done": bool(terminated or truncated),
        "terminated": bool(terminated),
        "truncated": bool(truncated),
        "info": info,
    }


def state_payload(state: BaseModel, episode_id: str | None) -> dict[str, Any]:
    """The state reply: OpenEnv's ``episode_id`` and ``step_count`` plus the full state."""
    data: dict[str, Any] = state.model_dump(mode="json")
    return {"episode_id": episode_id, "step_count": data["steps"], **data}


def state_schema() -> dict[str, Any]:
    """JSON schema of the state reply."""
    schema = EpisodeState.model_json_schema()
    props = schema.setdefault("properties", {})
    props["episode_id"] = {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Episode Id"}
    props["step_count"] = {"type": "integer", "minimum": 0, "title": "Step Count"}
    return schema
