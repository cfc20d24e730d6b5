"""The FastAPI application: OpenEnv endpoints plus stateful HTTP sessions.

Endpoints (details and examples in ``docs/server.md``):

=========================  ===========================================================
``WS /ws``                 OpenEnv session: one env per connection (reset/step/state/
                           grade/close messages)
``POST /reset``            start (or restart) an HTTP session's episode; returns its
                           ``session_id``
``POST /step``             one action in a session
``GET /state``, ``/grade`` the session's state / grade (``X-Session-Id`` header)
``POST /close``            end an HTTP session
``GET /tasks``             tasks by ruleset, with seeds
``GET /health``,           OpenEnv's health, metadata and schema endpoints;
``/metadata``, ``/schema`` ``/docs`` is the interactive API page
``POST /mcp``              JSON-RPC stub: this environment has no MCP tools
=========================  ===========================================================

Environment steps take microseconds, so they run on the event loop itself: requests of
one process never interleave inside a step, and sessions need no locks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Header, Query, Request, WebSocket
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect

from govworkflow.core.errors import GovWorkflowError
from govworkflow.office.models import Action
from govworkflow.office.rulesets import RULESETS, task_rows
from govworkflow.server.adapters import adapter_for
from govworkflow.server.protocol import (
    MalformedJSONError,
    PayloadTooLargeError,
    RequestError,
    ResetParams,
    SessionError,
    UnknownMessageTypeError,
    WSMessage,
    describe_error,
    observation_schema,
    one_line,
    state_schema,
)
from govworkflow.server.sessions import ServerConfig, Session, SessionManager

__all__ = ["create_app"]

#: The OpenEnv HTTP API version this server speaks (``openenv validate`` reads it).
OPENENV_API_VERSION = "1.0.0"

SESSION_HEADER = "X-Session-Id"


# -- request bodies ------------------------------------------------------------------
class ResetRequest(ResetParams):
    """``POST /reset``: reset parameters, plus ``session_id`` to reuse a session."""

    session_id: str | None = Field(None, description="Reset this session (default: open a new one).")


class StepRequest(BaseModel):
    """``POST /step``: the session and the action (``/schema`` has the action schema)."""

    model_config = ConfigDict(extra="forbid")

    session_id: str | None = Field(None, description=f"From POST /reset (or the {SESSION_HEADER} header).")
    action: dict[str, Any] = Field(description="An action object, e.g. {'action_type': 'advance_time'}.")
    timeout_s: float | None = Field(None, gt=0, description="Accepted for OpenEnv compatibility; unused.")
    request_id: str | None = Field(None, max_length=255, description="Accepted for OpenEnv compatibility.")


class CloseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str | None = None


# -- body size limit -----------------------------------------------------------------
class BodyLimitMiddleware:
    """Answer 413 to HTTP bodies over ``limit`` bytes (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._reject(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            if len(body) > self.limit:
                await self._reject(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        err = PayloadTooLargeError(f"request body larger than the limit of {self.limit} bytes")
        await _error_response(err)(scope, receive, send)


def _error_response(exc: Exception) -> JSONResponse:
    _, status, data = describe_error(exc)
    body = {"detail": data.pop("message"), **data}
    return JSONResponse(body, status_code=status)


# -- the application -----------------------------------------------------------------
def create_app(config: ServerConfig | None = None) -> FastAPI:
    """A new server application with its own sessions (``config``: limits)."""
    config = config or ServerConfig()
    sessions = SessionManager(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        reaper = asyncio.create_task(_reap_forever(sessions))
        try:
            yield
        finally:
            reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reaper

    from govworkflow import __version__

    app = FastAPI(
        title="govworkflow: government service office environment",
        version=OPENENV_API_VERSION,
        description=(
            f"govworkflow {__version__} served in the OpenEnv protocol. WebSocket sessions at /ws; "
            "stateful HTTP sessions through /reset (returns session_id), /step, /state, /grade, /close."
        ),
        lifespan=lifespan,
    )
    app.state.sessions = sessions
    app.state.config = config
    app.add_middleware(BodyLimitMiddleware, limit=config.max_body_bytes)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return _error_response(MalformedJSONError("request body is not valid JSON"))
        parts = [
            f"{'.'.join(str(x) for x in e['loc'] if x != 'body') or 'body'}: "
            f"{'unknown field' if e['type'] == 'extra_forbidden' else e['msg']}"
            f" (got {repr(e.get('input'))[:80]})"
            for e in errors
        ]
        return _error_response(RequestError("invalid request: " + "; ".join(parts)))

    @app.exception_handler(GovWorkflowError)
    async def _known_error(request: Request, exc: Exception) -> JSONResponse:
        return _error_response(exc)

    _add_info_routes(app, config)
    _add_http_session_routes(app, sessions)
    _add_websocket_route(app, sessions, config)
    return app


async def _reap_forever(sessions: SessionManager) -> None:
    while True:
        await asyncio.sleep(sessions.config.reap_every_s)
        sessions.reap()


def _add_info_routes(app: FastAPI, config: ServerConfig) -> None:
    from govworkflow import __version__
    from govworkflow.office.rulesets import DEFAULT_RULESET

    @app.get("/health", tags=["Health"])
    async def health() -> dict[str, str]:
        """OpenEnv health check."""
        return {"status": "healthy"}

    @app.get("/metadata", tags=["Environment Info"])
    async def metadata() -> dict[str, Any]:
        """OpenEnv environment metadata."""
        return {
            "name": "govworkflow",
            "description": (
                "A government service office: queues of citizen cases, missing documents, scarce "
                f"officers, SLAs and fairness. Rulesets: {', '.join(RULESETS)} (default {DEFAULT_RULESET})."
            ),
            "readme_content": None,
            "version": __version__,
            "author": "govworkflow developers",
            "documentation_url": None,
        }

    @app.get("/schema", tags=["Schema"])
    async def schema() -> dict[str, Any]:
        """JSON schemas of actions, observations (of the default ruleset; other rulesets'
        observations have the same common fields) and state (OpenEnv)."""
        return {
            "action": Action.model_json_schema(),
            "observation": observation_schema(DEFAULT_RULESET),
            "state": state_schema(),
        }

    @app.get("/tasks", tags=["Environment Info"])
    async def tasks(ruleset: str | None = None) -> list[dict[str, Any]]:
        """Tasks with their rulesets, default seeds and seed sets (``?ruleset=triage``: the
        ticket-triage tasks, played by resetting with ``"ruleset": "triage"``)."""
        if ruleset is None:
            return task_rows(None)
        adapter, name = adapter_for(ruleset)
        return adapter.tasks(name)

    @app.post("/mcp", tags=["Environment Info"])
    async def mcp(request: Request) -> dict[str, Any]:
        """JSON-RPC 2.0 endpoint of OpenEnv's production mode. This environment offers no
        MCP tools: ``tools/list`` is empty and every other method is not found."""
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _rpc_error(None, -32700, "Parse error")
        if not isinstance(body, dict) or body.get("jsonrpc") != "2.0" or not isinstance(body.get("method"), str):
            return _rpc_error(None, -32600, "Invalid Request: expected a JSON-RPC 2.0 request object")
        rid = body.get("id")
        if body["method"] == "tools/list":
            return {"jsonrpc": "2.0", "id": rid, "result": {"tools": []}}
        return _rpc_error(rid, -32601, f"Method not found: {body['method']} (this environment has no MCP tools)")


def _rpc_error(rid: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "error": {"code": code, "message": message, "data": None}}


def _add_http_session_routes(app: FastAPI, sessions: SessionManager) -> None:
    @app.post("/reset", tags=["Environment Control"])
    async def reset(request: ResetRequest | None = None) -> dict[str, Any]:
        """Start an episode. Without ``session_id`` a new session is opened; keep the
        returned ``session_id`` for the other calls."""
        request = request or ResetRequest()
        params = ResetParams.model_validate(request.model_dump(exclude={"session_id"}))
        if request.session_id is not None:
            session = sessions.get(request.session_id)
            return {"session_id": session.session_id, **session.reset(params)}
        session = sessions.open("http")
        try:
            payload = session.reset(params)
        except Exception:
            sessions.close(session.session_id)
            raise
        return {"session_id": session.session_id, **payload}

    @app.post("/step", tags=["Environment Control"])
    async def step(
        request: StepRequest, x_session_id: str | None = Header(None, alias=SESSION_HEADER)
    ) -> dict[str, Any]:
        """Apply one action. A malformed action or a finished episode changes nothing."""
        return sessions.get(request.session_id or x_session_id).step(request.action)

    @app.get("/state", tags=["State Management"])
    async def state(
        session_id: str | None = Query(None, description=f"Prefer the {SESSION_HEADER} header."),
        x_session_id: str | None = Header(None, alias=SESSION_HEADER),
    ) -> dict[str, Any]:
        """The session's full episode state."""
        return sessions.get(x_session_id or session_id).state()

    @app.get("/grade", tags=["State Management"])
    async def grade(
        session_id: str | None = Query(None, description=f"Prefer the {SESSION_HEADER} header."),
        x_session_id: str | None = Header(None, alias=SESSION_HEADER),
    ) -> dict[str, Any]:
        """The session's grade (provisional until the episode ends)."""
        return sessions.get(x_session_id or session_id).grade()

    @app.post("/close", tags=["Environment Control"])
    async def close(
        request: CloseRequest | None = None, x_session_id: str | None = Header(None, alias=SESSION_HEADER)
    ) -> dict[str, Any]:
        """End a session and free its slot."""
        sid = (request.session_id if request else None) or x_session_id
        sessions.get(sid)  # unknown or expired: 404
        assert sid is not None
        sessions.close(sid)
        return {"closed": True}


def _add_websocket_route(app: FastAPI, sessions: SessionManager, config: ServerConfig) -> None:
    @app.websocket("/ws")
    async def websocket_endpoint(websocket: WebSocket) -> None:
        """One session per connection; messages answered in order (OpenEnv protocol)."""
        await websocket.accept()
        try:
            session = sessions.open("ws")
        except Exception as exc:
            await _send_error(websocket, exc)
            await websocket.close(code=1013)
            return
        try:
            await _serve_session(websocket, sessions, session, config)
        except WebSocketDisconnect:
            pass
        finally:
            sessions.close(session.session_id)
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await websocket.close()


async def _serve_session(
    websocket: WebSocket, sessions: SessionManager, session: Session, config: ServerConfig
) -> None:
    while True:
        try:
            message = await asyncio.wait_for(websocket.receive(), timeout=config.idle_timeout_s)
        except TimeoutError:
            await _send_error(
                websocket, SessionError(f"session closed after {config.idle_timeout_s:g} s without messages")
            )
            return
        if message["type"] == "websocket.disconnect":
            return
        raw = message.get("text")
        if raw is None:
            raw = (message.get("bytes") or b"").decode("utf-8", errors="replace")
        if not sessions.touch(session):
            await _send_error(websocket, SessionError("session expired; open a new connection"))
            return
        try:
            reply = _answer(session, raw, config.max_body_bytes)
        except Exception as exc:
            await _send_error(websocket, exc)
            continue
        if reply is None:
            return
        await websocket.send_text(json.dumps(reply))


def _answer(session: Session, raw: str, limit: int) -> dict[str, Any] | None:
    """The reply to one WebSocket message (``None`` for close); raises on bad input."""
    if len(raw) > limit:
        raise PayloadTooLargeError(f"message larger than the limit of {limit} bytes")
    try:
        body = json.loads(raw)
    except ValueError as err:
        raise MalformedJSONError(f"Invalid JSON: {err}") from None
    if not isinstance(body, dict):
        raise RequestError(f"invalid message: expected a JSON object, got {type(body).__name__}")
    kind = body.get("type")
    if kind not in ("reset", "step", "state", "grade", "close"):
        raise UnknownMessageTypeError(f"Unknown message type: {kind!r}; valid types: reset, step, state, grade, close")
    try:
        msg = WSMessage.model_validate(body)
    except ValidationError as err:
        raise RequestError(one_line(err, f"{kind} message")) from None
    if msg.type == "reset":
        return {"type": "observation", "data": session.reset(ResetParams.parse(msg.data or {}))}
    if msg.type == "step":
        if msg.data is None:
            raise RequestError("invalid step message: data: the action object is required")
        return {"type": "observation", "data": session.step(msg.data)}
    if msg.type == "state":
        return {"type": "state", "data": session.state()}
    if msg.type == "grade":
        return {"type": "grade", "data": session.grade()}
    return None


async def _send_error(websocket: WebSocket, exc: Exception) -> None:
    _, _, data = describe_error(exc)
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await websocket.send_text(json.dumps({"type": "error", "data": data}))
