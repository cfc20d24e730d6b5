"""The wire protocol shared by the server and the client (no web framework imported here).

It follows the OpenEnv 0.10 protocol (PyPI ``openenv``):

* WebSocket ``/ws``: the client sends ``{"type": "reset", "data": {...}}``,
  ``{"type": "step", "data": <action>}``, ``{"type": "state"}``, ``{"type": "mcp", "data":
  <JSON-RPC request>}`` or ``{"type": "close"}``; the server answers ``{"type":
  "observation", "data": {"observation": ..., "reward": ..., "done": ..., "metadata":
  ...}}``, ``{"type": "state", "data": ...}``, ``{"type": "mcp", "data": <JSON-RPC
  reply>}`` or ``{"type": "error", "data": {"message": ..., "code": ...}}`` with
  OpenEnv's error codes.
* ``metadata`` carries what OpenEnv's reply has no field for: ``terminated``,
  ``truncated``, ``info`` and ``raw_reward`` (the simulator's own reward; ``reward`` is
  that reward bounded into ``REWARD_RANGE`` by ``served_reward``).
* Our additions: ``{"type": "grade"}`` answers ``{"type": "grade", "data": <Grade>}``;
  error replies add ``error_type`` (the Python exception class) so our client can raise
  the same exception the local env raises.
"""

from __future__ import annotations

import json
import math
import reprlib
from functools import cache
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, TypeAdapter, ValidationError

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
    "MAX_JSON_DEPTH",
    "REWARD_RANGE",
    "CapacityError",
    "ClientLimitError",
    "ForbiddenError",
    "JSONInt",
    "MalformedJSONError",
    "MethodNotAllowedError",
    "NotFoundError",
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
    "parse_json",
    "served_reward",
    "short_repr",
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


class NotFoundError(RequestError):
    """A path, environment, split or task index that does not exist."""

    status = 404


class MethodNotAllowedError(RequestError):
    """An HTTP method the path does not take."""

    status = 405


class ForbiddenError(RequestError):
    """A request whose ``Host`` or ``Origin`` is not on the server's allow-list."""

    status = 403


class CapacityError(ServerError):
    """All session slots are taken; close a session or try later (``retry_after_s``)."""

    code = WSCode.CAPACITY_REACHED
    status = 503

    def __init__(self, active_sessions: int, max_sessions: int, retry_after_s: int = 1) -> None:
        self.active_sessions = active_sessions
        self.max_sessions = max_sessions
        self.retry_after_s = retry_after_s
        super().__init__(self._message())

    def _message(self) -> str:
        return (
            f"server at capacity: {self.active_sessions} of {self.max_sessions} sessions in use; "
            f"close a session (or wait for idle ones to expire) and try again in {self.retry_after_s} s"
        )


class ClientLimitError(CapacityError):
    """This client (its address) already holds as many sessions as one client may."""

    status = 429

    def _message(self) -> str:
        return (
            f"too many sessions from this client: {self.active_sessions} of {self.max_sessions} allowed "
            f"per client; close one of yours and try again in {self.retry_after_s} s"
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
        NotFoundError,
        MethodNotAllowedError,
        ForbiddenError,
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
            data |= {
                "active_sessions": exc.active_sessions,
                "max_sessions": exc.max_sessions,
                "retry_after_s": exc.retry_after_s,
            }
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
    if name in ("CapacityError", "ClientLimitError") or data.get("code") == WSCode.CAPACITY_REACHED:
        cap = ClientLimitError if name == "ClientLimitError" else CapacityError
        return cap(
            int(data.get("active_sessions", 0)), int(data.get("max_sessions", 0)), int(data.get("retry_after_s", 1))
        )
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
        parts.append(f"{loc}: {msg} (got {short_repr(e.get('input'))})")
    return f"invalid {what}: " + "; ".join(parts)


#: The deepest nesting of objects and arrays a body or message may have.
MAX_JSON_DEPTH = 32

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxdict, _REPR.maxlist = 3, 60, 60, 6, 6


def short_repr(value: Any) -> str:
    """``repr(value)`` cut to a few levels and characters (safe on any input, however deep)."""
    text = _REPR.repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _too_deep(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_json(raw: str | bytes, what: str = "body") -> Any:
    """``raw`` parsed as JSON, or ``MalformedJSONError`` (also for nesting deeper than
    ``MAX_JSON_DEPTH``); never any other exception."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise MalformedJSONError(f"{what} is not valid JSON: nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as err:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise MalformedJSONError(f"{what} is not valid JSON: {err}") from None
    if _too_deep(value, MAX_JSON_DEPTH):
        raise MalformedJSONError(f"{what} is not valid JSON: nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema with every local ``$ref`` into its ``$defs`` replaced by the definition
    (for models without recursion), so it can be embedded anywhere (OpenAPI, MCP tools)."""
    defs = schema.get("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return walk({**defs[ref.rsplit("/", 1)[1]], **{k: v for k, v in node.items() if k != "$ref"}})
            return {k: walk(v) for k, v in node.items() if k != "$defs"}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result


# -- requests ------------------------------------------------------------------------
def _whole(value: Any) -> Any:
    """A JSON number with no fractional part (``7.0``) as the integer it is; anything else
    unchanged, for the strict integer check (``true``, ``"7"`` and ``7.5`` are refused)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: An integer, written as JSON writes integers (``7`` or ``7.0``, as JSON Schema reads them).
JSONInt = Annotated[StrictInt, BeforeValidator(_whole)]


class ResetParams(BaseModel):
    """What ``reset`` takes: everything is optional (defaults: the session's ruleset and
    task, the task's own seed)."""

    model_config = ConfigDict(extra="forbid")

    ruleset: str | None = Field(None, description="Ruleset name (default: the session's, else the default).")
    task_id: str | None = Field(None, description="Task id (default: the session's current task).")
    seed: JSONInt | None = Field(None, ge=0, description="Episode seed (default: the task's seed).")
    max_steps: JSONInt | None = Field(None, ge=1, description="Cut the episode after this many steps.")
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

    type: Literal["reset", "step", "state", "grade", "mcp", "close"]
    data: dict[str, Any] | None = None


#: Every WebSocket message type, in the order the docs list them.
WS_TYPES: tuple[str, ...] = ("reset", "step", "state", "grade", "mcp", "close")


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


#: The range every served ``reward`` lies in (``openenv.yaml`` declares it).
REWARD_RANGE: tuple[float, float] = (-1.0, 1.0)


def served_reward(raw: float, scale: float) -> float:
    """The simulator's reward ``raw`` bounded into ``REWARD_RANGE``: ``x / (1 + |x|)`` with
    ``x = raw / scale``. Monotone, odd, close to ``x`` for small rewards, never clipped and
    invertible (``raw = scale * r / (1 - |r|)``); ``±inf`` maps to ``±1`` and NaN to 0."""
    if math.isnan(raw):
        return 0.0
    if math.isinf(raw):
        return math.copysign(1.0, raw)
    x = raw / scale
    return x / (1.0 + abs(x))


def step_payload(
    observation: dict[str, Any],
    reward: float | None,
    terminated: bool,
    truncated: bool,
    info: dict[str, Any],
    reward_scale: float = 1.0,
) -> dict[str, Any]:
    """The reply data after ``reset`` (reward ``None``) or ``step``, for any environment, in
    OpenEnv's shape (``observation``, ``reward``, ``done``, ``metadata``): ``reward`` is the
    bounded reward, ``metadata`` has ``terminated``, ``truncated``, ``info`` and
    ``raw_reward`` (the simulator's own, ``None`` after reset)."""
    raw = None if reward is None else float(reward)
    return {
        "observation": observation,
        "reward": None if raw is None else served_reward(raw, reward_scale),
        "done": bool(terminated or truncated),
        "metadata": {
            "terminated": bool(terminated),
            "truncated": bool(truncated),
            "raw_reward": raw if raw is None or math.isfinite(raw) else None,
            "info": info,
        },
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
