"""The HTTP routes: OpenEnv's info endpoints, the stateful HTTP sessions (our extension),
JSON-RPC ``POST /mcp`` and the Task API. Bodies are read by ``read_body`` (typed one-line
errors); every route's ``responses`` and body schema come from ``schemas``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import FastAPI, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from govworkflow.office.rulesets import DEFAULT_RULESET, task_rows
from govworkflow.server import schemas, taskapi
from govworkflow.server.adapters import ADAPTERS, adapter_for, ruleset_names
from govworkflow.server.mcp import handle_rpc_text
from govworkflow.server.protocol import (
    RequestError,
    ResetParams,
    observation_schema,
    one_line,
    parse_json,
    state_schema,
)
from govworkflow.server.sessions import ServerConfig, SessionManager

__all__ = ["SESSION_HEADER", "add_routes", "read_body"]

SESSION_HEADER = "X-Session-Id"
M = TypeVar("M", bound=BaseModel)


class ResetRequest(ResetParams):
    """``POST /reset``: reset parameters, plus ``session_id`` to reuse a session."""

    session_id: StrictStr | None = Field(None, min_length=1, description="Reset this session (default: a new one).")


class StepRequest(BaseModel):
    """``POST /step``: the session and the action."""

    model_config = ConfigDict(extra="forbid")

    session_id: StrictStr = Field(min_length=1)
    action: dict[str, Any]
    timeout_s: float | None = Field(None, gt=0, description="Accepted for OpenEnv compatibility; unused.")
    request_id: StrictStr | None = Field(None, max_length=255, description="Accepted for OpenEnv compatibility.")


class CloseRequest(BaseModel):
    """``POST /close``."""

    model_config = ConfigDict(extra="forbid")

    session_id: StrictStr = Field(min_length=1)


async def read_body(request: Request, model: type[M], *, optional: bool = False) -> M:
    """The request body as ``model``: ``MalformedJSONError`` (400) if it is not JSON or is
    nested too deeply, ``RequestError`` (422) naming each bad field otherwise."""
    raw = await request.body()
    if not raw.strip():
        if optional:
            return model()
        raise RequestError(f"invalid request: body: a JSON object is required ({model.__name__})")
    data = parse_json(raw, "request body")
    if not isinstance(data, dict):
        raise RequestError(f"invalid request: body: expected a JSON object, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise RequestError(one_line(err, "request")) from None


def _client(request: Request) -> str | None:
    return request.client.host if request.client is not None else None


def add_routes(app: FastAPI, sessions: SessionManager, config: ServerConfig) -> None:
    """Every HTTP route of the server."""
    _info_routes(app)
    _session_routes(app, sessions, config)
    _task_routes(app)

    @app.post(
        "/mcp",
        tags=["MCP"],
        responses={200: {"model": schemas.RpcReply}, **schemas.errors(413)},
        openapi_extra={
            "requestBody": {
                "description": "A JSON-RPC 2.0 request (errors are JSON-RPC error replies, status 200).",
                "content": {"application/json": {"schema": {}}},
            }
        },
    )
    async def mcp(request: Request) -> JSONResponse:
        """JSON-RPC 2.0 (OpenEnv production mode): ``openenv/session/create|close``,
        ``tools/list``, ``tools/call`` (``session_id`` in ``params``), ``initialize``, ``ping``."""
        reply = await handle_rpc_text(await request.body(), sessions, client=_client(request))
        return JSONResponse(reply)


def _info_routes(app: FastAPI) -> None:
    from govworkflow import __version__

    @app.get("/health", tags=["Health"], responses={200: {"model": schemas.HealthReply}, **schemas.errors()})
    async def health() -> dict[str, str]:
        """OpenEnv health check."""
        return {"status": "healthy"}

    @app.get(
        "/metadata", tags=["Environment Info"], responses={200: {"model": schemas.MetadataReply}, **schemas.errors()}
    )
    async def metadata() -> dict[str, Any]:
        """OpenEnv environment metadata."""
        return {
            "name": "govworkflow",
            "description": (
                "A government service office: queues of citizen cases, missing documents, scarce officers, "
                f"SLAs and fairness; and ticket triage. Rulesets: {', '.join(ruleset_names())} "
                f"(default {DEFAULT_RULESET})."
            ),
            "readme_content": None,
            "version": __version__,
            "author": "govworkflow developers",
            "documentation_url": None,
        }

    @app.get("/schema", tags=["Schema"], responses={200: {"model": schemas.SchemaReply}, **schemas.errors()})
    async def schema() -> dict[str, Any]:
        """JSON schemas of actions (any environment's), observations (of the default
        ruleset; others have the same common fields) and state (OpenEnv)."""
        return {
            "action": {"anyOf": [schemas.body_schema(a.action_model) for a in ADAPTERS]},
            "observation": observation_schema(DEFAULT_RULESET),
            "state": state_schema(),
        }

    ruleset_param = Query(None, description="Only this ruleset's tasks.", json_schema_extra={"enum": ruleset_names()})

    @app.get(
        "/tasks", tags=["Environment Info"], responses={200: {"model": list[dict[str, Any]]}, **schemas.errors(422)}
    )
    async def tasks(ruleset: str | None = ruleset_param) -> list[dict[str, Any]]:
        """Tasks with their rulesets, default seeds and seed sets (``?ruleset=triage``: the
        ticket-triage tasks, played by resetting with ``"ruleset": "triage"``)."""
        if ruleset is None:
            return task_rows(None)
        adapter, name = adapter_for(ruleset)
        return adapter.tasks(name)


def _session_routes(app: FastAPI, sessions: SessionManager, config: ServerConfig) -> None:
    observation: dict[int | str, dict[str, Any]] = {200: {"model": schemas.ObservationReply}}
    opened: dict[int | str, dict[str, Any]] = {
        200: {
            "model": schemas.ObservationReply,
            "headers": {
                SESSION_HEADER: {"description": "The session's id.", "required": True, "schema": {"type": "string"}}
            },
            "links": schemas.session_links(SESSION_HEADER),
        }
    }

    @app.post(
        "/reset",
        tags=["Environment Control"],
        operation_id="reset",
        responses={**opened, **schemas.errors(400, 404, 413, 422, 429, 503)},
        openapi_extra=schemas.json_body(schemas.reset_body_schema(config), required=False),
    )
    async def reset(request: Request) -> JSONResponse:
        """Start an episode. Without ``session_id`` a new session is opened: its id is in
        ``metadata.session_id`` and the ``X-Session-Id`` header; keep it for the other calls."""
        body = await read_body(request, ResetRequest, optional=True)
        params = ResetParams.model_validate(body.model_dump(exclude={"session_id"}))
        if body.session_id is not None:
            session = sessions.get(body.session_id)
            payload = await session.call("reset", params)
        else:
            session = sessions.open("http", _client(request))
            try:
                payload = await session.call("reset", params)
            except Exception:
                sessions.close(session.session_id)
                raise
        payload["metadata"]["session_id"] = session.session_id
        return JSONResponse(payload, headers={SESSION_HEADER: session.session_id})

    @app.post(
        "/step",
        tags=["Environment Control"],
        responses={**observation, **schemas.errors(400, 404, 409, 413, 422)},
        openapi_extra=schemas.json_body(schemas.step_body_schema()),
    )
    async def step(request: Request) -> dict[str, Any]:
        """Apply one action. A malformed action or a finished episode changes nothing."""
        body = await read_body(request, StepRequest)
        return await sessions.get(body.session_id).call("step", body.action)

    session_header = Header(alias=SESSION_HEADER, min_length=1, description="The session id from POST /reset.")

    @app.get(
        "/state",
        tags=["State Management"],
        operation_id="state",
        responses={200: {"model": schemas.StateReply}, **schemas.errors(404, 409, 422)},
    )
    async def state(x_session_id: str = session_header) -> dict[str, Any]:
        """The session's full episode state."""
        return await sessions.get(x_session_id).call("state")

    @app.get(
        "/grade",
        tags=["State Management"],
        operation_id="grade",
        responses={200: {"model": schemas.GradeReply}, **schemas.errors(404, 409, 422)},
    )
    async def grade(x_session_id: str = session_header) -> dict[str, Any]:
        """The session's grade (provisional until the episode ends); computed in a worker
        thread, so other sessions are served meanwhile."""
        return await sessions.get(x_session_id).call("grade", in_thread=True)

    @app.post(
        "/close",
        tags=["Environment Control"],
        operation_id="close",
        responses={200: {"model": schemas.ClosedReply}, **schemas.errors(400, 404, 413, 422)},
        openapi_extra=schemas.json_body(schemas.body_schema(CloseRequest)),
    )
    async def close(request: Request) -> dict[str, Any]:
        """End a session and free its slot."""
        body = await read_body(request, CloseRequest)
        sessions.get(body.session_id)  # unknown or expired: 404
        sessions.close(body.session_id)
        return {"closed": True}


def _task_routes(app: FastAPI) -> None:
    env_param = Path(description="A ruleset name.", json_schema_extra={"enum": taskapi.environments()})
    ok: dict[int | str, dict[str, Any]] = {200: {"model": dict[str, Any]}}

    @app.get("/list_environments", tags=["Task API"], responses={200: {"model": list[str]}, **schemas.errors()})
    async def list_environments() -> list[str]:
        """The Task API's environments: the ruleset names."""
        return taskapi.environments()

    @app.get(
        "/{env_name}/splits",
        tags=["Task API"],
        responses={200: {"model": list[dict[str, Any]]}, **schemas.errors(404, 422)},
    )
    async def splits(env_name: str = env_param) -> list[dict[str, Any]]:
        """``development`` (type train) and ``evaluation`` (type test), with their sizes."""
        return taskapi.splits(env_name)

    def body(model: type[BaseModel]) -> dict[str, Any]:
        return schemas.json_body(schemas.body_schema(model))

    errs = schemas.errors(400, 404, 413, 422)

    @app.post(
        "/{env_name}/tasks", tags=["Task API"], responses={**ok, **errs}, openapi_extra=body(taskapi.SplitRequest)
    )
    async def list_tasks(request: Request, env_name: str = env_param) -> dict[str, Any]:
        """The split's first tasks (at most 1000; ``truncated`` says whether there are more)."""
        req = await read_body(request, taskapi.SplitRequest)
        return taskapi.list_tasks(env_name, req.split)

    @app.post(
        "/{env_name}/num_tasks", tags=["Task API"], responses={**ok, **errs}, openapi_extra=body(taskapi.SplitRequest)
    )
    async def num_tasks(request: Request, env_name: str = env_param) -> dict[str, Any]:
        """How many tasks (task x seed) the split has."""
        req = await read_body(request, taskapi.SplitRequest)
        return {"num_tasks": taskapi.num_tasks(env_name, req.split)}

    @app.post("/{env_name}/task", tags=["Task API"], responses={**ok, **errs}, openapi_extra=body(taskapi.TaskRequest))
    async def get_task(request: Request, env_name: str = env_param) -> dict[str, Any]:
        """One task: its ruleset, task id, seed and the ``reset`` parameters that play it."""
        req = await read_body(request, taskapi.TaskRequest)
        return {"task": taskapi.get_task(env_name, req.split, req.index)}

    @app.post(
        "/{env_name}/task_range", tags=["Task API"], responses={**ok, **errs}, openapi_extra=body(taskapi.RangeRequest)
    )
    async def get_task_range(request: Request, env_name: str = env_param) -> dict[str, Any]:
        """Tasks ``[start, stop)`` (slice rules), at most 1000 per call."""
        req = await read_body(request, taskapi.RangeRequest)
        return taskapi.task_range(env_name, req.split, req.start, req.stop)
