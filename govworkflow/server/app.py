"""The FastAPI application: OpenEnv 0.10 endpoints plus stateful HTTP sessions.

Endpoints (details and examples in ``docs/server.md``):

=============================  =======================================================
``WS /ws``                     OpenEnv session: one env per connection (reset/step/state/
                               grade/mcp/close messages); ``?session_id=`` attaches to an
                               HTTP session
``WS /mcp``, ``POST /mcp``     MCP over JSON-RPC: sessions, ``tools/list``, ``tools/call``
``POST /reset``                start (or restart) an HTTP session's episode
``POST /step``                 one action in a session
``GET /state``, ``/grade``     the session's state / grade (``X-Session-Id`` header)
``POST /close``                end an HTTP session
``GET /tasks``                 tasks by ruleset, with seeds
``/list_environments``,        OpenEnv's Task API over each ruleset's development and
``/{env}/splits`` ...          evaluation seeds
``GET /health``, ``/metadata``, OpenEnv's health, metadata and schema endpoints;
``/schema``                    ``/docs`` is the interactive API page
=============================  =======================================================

Environment steps take microseconds, so they run on the event loop itself under the
session's lock; ``grade`` runs in a worker thread. ``guards`` checks Host, Origin and
sizes in front of every route.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from govworkflow.core.errors import GovWorkflowError
from govworkflow.server.guards import Guards, error_response
from govworkflow.server.protocol import (
    MalformedJSONError,
    MethodNotAllowedError,
    NotFoundError,
    RequestError,
    short_repr,
)
from govworkflow.server.routes import add_routes
from govworkflow.server.sessions import ServerConfig, SessionManager
from govworkflow.server.websocket import add_websocket_routes

__all__ = ["OPENENV_API_VERSION", "create_app"]

#: The OpenEnv HTTP API version this server speaks (``openenv validate`` reads it).
OPENENV_API_VERSION = "1.0.0"


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
            f"govworkflow {__version__} served in the OpenEnv 0.10 protocol. WebSocket sessions at /ws; "
            "MCP at /mcp; stateful HTTP sessions (an extension) through /reset (returns the session id), "
            "/step, /state, /grade, /close; the Task API under /{env_name}/."
        ),
        lifespan=lifespan,
    )
    app.state.sessions = sessions
    app.state.config = config
    app.add_middleware(Guards, limit=config.max_body_bytes, allowed_hosts=config.allowed_hosts)
    _add_error_handlers(app)
    add_routes(app, sessions, config)
    add_websocket_routes(app, sessions, config)
    __import__("govworkflow.server.web", fromlist=["mount_web"]).mount_web(app)  # /web: the browser playground
    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(MalformedJSONError("request body is not valid JSON"))
        parts = [
            f"{'.'.join(str(x) for x in e['loc'] if x != 'body') or 'body'}: "
            f"{'unknown field' if e['type'] == 'extra_forbidden' else e['msg']} (got {short_repr(e.get('input'))})"
            for e in errors
        ]
        return error_response(RequestError("invalid request: " + "; ".join(parts)))

    @app.exception_handler(GovWorkflowError)
    async def _known_error(request: Request, exc: Exception) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        where = f"{request.method} {request.url.path}"
        err: Exception
        if exc.status_code == 404:
            err = NotFoundError(f"no such endpoint: {where}; /docs lists them")
        elif exc.status_code == 405:
            err = MethodNotAllowedError(f"method not allowed: {where}; allowed: {(exc.headers or {}).get('Allow', '')}")
        elif exc.status_code == 400:
            err = MalformedJSONError(f"request body could not be read: {exc.detail}")
        else:
            err = RequestError(str(exc.detail))
        response = error_response(err)
        if exc.status_code not in (404, 405, 400):
            response.status_code = exc.status_code
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response


async def _reap_forever(sessions: SessionManager) -> None:
    while True:
        await asyncio.sleep(sessions.config.reap_every_s)
        sessions.reap()
