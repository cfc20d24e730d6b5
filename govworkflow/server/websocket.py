"""The WebSocket routes: ``/ws`` (OpenEnv's session protocol) and ``/mcp`` (JSON-RPC).

``/ws`` opens a session per connection, or with ``?session_id=`` attaches to an existing
HTTP session (one WebSocket at a time; the session outlives the connection). Messages are
answered in order, each under the session's lock; ``grade`` runs in a worker thread.
Message sizes are checked before a message reaches these routes (``guards``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, WebSocket
from pydantic import ValidationError
from starlette.websockets import WebSocketDisconnect

from govworkflow.server.mcp import handle_rpc, handle_rpc_text
from govworkflow.server.protocol import (
    WS_TYPES,
    RequestError,
    ResetParams,
    SessionError,
    UnknownMessageTypeError,
    WSMessage,
    describe_error,
    one_line,
    parse_json,
)
from govworkflow.server.sessions import ServerConfig, Session, SessionManager

__all__ = ["add_websocket_routes", "answer"]


def _client(websocket: WebSocket) -> str | None:
    return websocket.client.host if websocket.client is not None else None


def add_websocket_routes(app: FastAPI, sessions: SessionManager, config: ServerConfig) -> None:
    """Add ``WS /ws`` and ``WS /mcp`` to ``app``."""

    @app.websocket("/ws")
    async def websocket_endpoint(websocket: WebSocket) -> None:
        """One session per connection (or an attached HTTP session); OpenEnv's messages."""
        attach_id = websocket.query_params.get("session_id")
        await websocket.accept()
        try:
            attached = attach_id is not None
            session = sessions.attach(attach_id) if attached else sessions.open("ws", _client(websocket))
        except Exception as exc:
            await _send_error(websocket, exc)
            await websocket.close(code=1013)
            return

        def release() -> None:  # an attached HTTP session outlives the connection
            if attached:
                session.attached = False
            else:
                sessions.close(session.session_id)

        await _serve_then_close(websocket, sessions, session, config, _answer_message, release)

    @app.websocket("/mcp")
    async def mcp_websocket_endpoint(websocket: WebSocket) -> None:
        """One session per connection; every message is a JSON-RPC request."""
        await websocket.accept()
        try:
            session = sessions.open("ws", _client(websocket))
        except Exception as exc:
            _, _, data = describe_error(exc)
            await websocket.send_text(json.dumps(_rpc_failure(data)))
            await websocket.close(code=1013)
            return
        await _serve_then_close(
            websocket, sessions, session, config, _answer_rpc, lambda: sessions.close(session.session_id)
        )


def _rpc_failure(data: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": None, "error": {"code": -32000, "message": data["message"], "data": data}}


async def _serve_then_close(
    websocket: WebSocket,
    sessions: SessionManager,
    session: Session,
    config: ServerConfig,
    answer_fn: Any,
    release: Callable[[], object],
) -> None:
    """Serve until the client goes, then ``release`` the session and close the socket."""
    try:
        await _serve(websocket, sessions, session, config, answer_fn)
    except WebSocketDisconnect:
        pass
    finally:
        release()
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await websocket.close()


async def _serve(
    websocket: WebSocket, sessions: SessionManager, session: Session, config: ServerConfig, answer_fn: Any
) -> None:
    while True:
        try:
            message = await asyncio.wait_for(websocket.receive(), timeout=config.idle_timeout_s)
        except TimeoutError:
            err = SessionError(f"session closed after {config.idle_timeout_s:g} s without messages")
            await _send_error(websocket, err)
            return
        if message["type"] == "websocket.disconnect":
            return
        raw: str | bytes = message["text"] if message.get("text") is not None else (message.get("bytes") or b"")
        if not sessions.touch(session):
            await _send_error(websocket, SessionError("session expired or closed; open a new connection"))
            return
        try:
            reply = await answer_fn(session, sessions, raw)
        except Exception as exc:
            await _send_error(websocket, exc)
            continue
        if reply is None:
            return
        await websocket.send_text(json.dumps(reply))


async def _answer_rpc(session: Session, sessions: SessionManager, raw: str | bytes) -> dict[str, Any]:
    return await handle_rpc_text(raw, sessions, bound=session, client=session.client)


async def _answer_message(session: Session, sessions: SessionManager, raw: str | bytes) -> dict[str, Any] | None:
    return await answer(session, sessions, parse_json(raw, "message"))


async def answer(session: Session, sessions: SessionManager, body: Any) -> dict[str, Any] | None:
    """The reply to one parsed ``/ws`` message (``None`` for close); raises on bad input."""
    if not isinstance(body, dict):
        raise RequestError(f"invalid message: expected a JSON object, got {type(body).__name__}")
    kind = body.get("type")
    if kind not in WS_TYPES:
        shown = kind if not isinstance(kind, str) else kind[:40]
        raise UnknownMessageTypeError(f"Unknown message type: {shown!r}; valid types: {', '.join(WS_TYPES)}")
    try:
        msg = WSMessage.model_validate(body)
    except ValidationError as err:
        raise RequestError(one_line(err, f"{kind} message")) from None
    if msg.type == "reset":
        return {"type": "observation", "data": await session.call("reset", ResetParams.parse(msg.data or {}))}
    if msg.type == "step":
        if msg.data is None:
            raise RequestError("invalid step message: data: the action object is required")
        return {"type": "observation", "data": await session.call("step", msg.data)}
    if msg.type == "state":
        return {"type": "state", "data": await session.call("state")}
    if msg.type == "grade":
        return {"type": "grade", "data": await session.call("grade", in_thread=True)}
    if msg.type == "mcp":
        return {"type": "mcp", "data": await handle_rpc(msg.data or {}, sessions, bound=session)}
    return None


async def _send_error(websocket: WebSocket, exc: Exception) -> None:
    _, _, data = describe_error(exc)
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await websocket.send_text(json.dumps({"type": "error", "data": data}))
