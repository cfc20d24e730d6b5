"""MCP over JSON-RPC 2.0: OpenEnv's production mode, on HTTP ``POST /mcp``, WebSocket
``/mcp`` and ``{"type": "mcp"}`` messages on ``/ws`` (one handler for all three).

Methods:

* ``openenv/session/create`` (HTTP): a new session, ``{"session_id": ...}``; a WebSocket
  may then attach to it with ``/ws?session_id=`` (what OpenEnv's ``MCPToolClient`` does to
  ``reset`` over the WebSocket and call tools over HTTP in the same episode).
* ``openenv/session/close`` (``session_id``): end it.
* ``tools/list``: the tools of the session's environment (the office's before any
  reset): one per kind of action, whose arguments are that action's fields, plus
  ``grade``.
* ``tools/call`` (``name``, ``arguments``, and ``session_id`` on HTTP): an action tool is
  one ``step`` and returns the step reply (``observation``, ``reward``, ``done``,
  ``metadata``) as the result's ``data`` and ``structuredContent``; ``grade`` returns the grade.
* ``initialize`` and ``ping``, for MCP clients that start with them.

Errors are JSON-RPC errors whose ``data`` is the typed error body (``code``,
``error_type``, ``message``): -32700 not JSON, -32600 not a request, -32601 unknown
method, -32602 bad parameters or a refused action, -32000 a session or execution error.
"""

from __future__ import annotations

from typing import Any

from govworkflow.server.adapters import OFFICE, ActionTool, EnvAdapter
from govworkflow.server.protocol import (
    MalformedJSONError,
    RequestError,
    ServerError,
    describe_error,
    parse_json,
)
from govworkflow.server.sessions import Session, SessionManager

__all__ = ["METHODS", "handle_rpc", "handle_rpc_text", "rpc_error", "tool_specs"]

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS, SERVER_ERROR = -32700, -32600, -32601, -32602, -32000
#: The methods this server answers.
METHODS: tuple[str, ...] = (
    "openenv/session/create",
    "openenv/session/close",
    "tools/list",
    "tools/call",
    "initialize",
    "ping",
)
#: The MCP protocol version ``initialize`` answers with.
PROTOCOL_VERSION = "2025-06-18"

_GRADE_TOOL = {
    "name": "grade",
    "description": "The episode's grade in [0, 1] with its breakdown (provisional until the episode ends).",
    "inputSchema": {"type": "object", "properties": {}, "additionalProperties": False},
}


def rpc_error(rid: Any, code: int, message: str, data: Any = None) -> dict[str, Any]:
    """A JSON-RPC error reply."""
    return {"jsonrpc": "2.0", "id": rid, "error": {"code": code, "message": message, "data": data}}


def _from_exception(rid: Any, exc: Exception) -> dict[str, Any]:
    code, _, data = describe_error(exc)
    rpc = INVALID_PARAMS if code in ("VALIDATION_ERROR", "INVALID_JSON", "UNKNOWN_TYPE") else SERVER_ERROR
    return rpc_error(rid, rpc, data["message"], data)


def tool_specs(adapter: EnvAdapter) -> list[dict[str, Any]]:
    """``tools/list`` entries of an environment (MCP's ``name``, ``description``, ``inputSchema``)."""
    tools = [{"name": t.name, "description": t.description, "inputSchema": t.input_schema} for t in adapter.tools]
    return [*tools, _GRADE_TOOL]


def _result(payload: dict[str, Any]) -> dict[str, Any]:
    import json

    text = json.dumps(payload)
    return {
        "content": [{"type": "text", "text": text}],
        "structuredContent": payload,
        "data": payload,
        "isError": False,
    }


async def handle_rpc_text(
    raw: str | bytes, sessions: SessionManager, *, bound: Session | None = None, client: str | None = None
) -> dict[str, Any]:
    """The reply to one JSON-RPC request as text (parse errors become -32700 replies)."""
    try:
        body = parse_json(raw, "request")
    except MalformedJSONError as err:
        return rpc_error(None, PARSE_ERROR, f"Parse error: {err}", describe_error(err)[2])
    return await handle_rpc(body, sessions, bound=bound, client=client)


async def handle_rpc(
    body: Any, sessions: SessionManager, *, bound: Session | None = None, client: str | None = None
) -> dict[str, Any]:
    """The reply to one parsed JSON-RPC request. ``bound``: the session the transport is
    (a WebSocket's); otherwise requests name their session with ``params.session_id``."""
    if not isinstance(body, dict) or body.get("jsonrpc") != "2.0" or not isinstance(body.get("method"), str):
        return rpc_error(
            body.get("id") if isinstance(body, dict) and isinstance(body.get("id"), str | int) else None,
            INVALID_REQUEST,
            "Invalid Request: expected a JSON-RPC 2.0 request object with 'jsonrpc': '2.0' and a 'method'",
        )
    rid = body.get("id")
    if rid is not None and (not isinstance(rid, str | int) or isinstance(rid, bool)):
        return rpc_error(
            None, INVALID_REQUEST, f"Invalid Request: id must be a string, an integer or null, got {rid!r}"
        )
    params = body.get("params", {})
    if not isinstance(params, dict):
        return rpc_error(rid, INVALID_PARAMS, f"Invalid params: expected an object, got {type(params).__name__}")
    method = body["method"]
    try:
        result = await _dispatch(method, params, sessions, bound, client)
    except ServerError as exc:
        return _from_exception(rid, exc)
    except Exception as exc:  # the env's own errors (invalid action, finished episode, ...)
        return _from_exception(rid, exc)
    if result is None:
        shown = ", ".join(METHODS)
        return rpc_error(rid, METHOD_NOT_FOUND, f"Method not found: {method[:80]!r}; methods: {shown}")
    return {"jsonrpc": "2.0", "id": rid, "result": result}


def _session(params: dict[str, Any], sessions: SessionManager, bound: Session | None) -> Session:
    if bound is not None:
        return bound
    sid = params.get("session_id")
    if not isinstance(sid, str) or not sid:
        raise RequestError("session_id is required: create one with openenv/session/create")
    return sessions.get(sid)


async def _dispatch(
    method: str, params: dict[str, Any], sessions: SessionManager, bound: Session | None, client: str | None
) -> dict[str, Any] | None:
    if method == "openenv/session/create":
        if bound is not None:
            raise RequestError("this connection is a session already; openenv/session/create is for HTTP /mcp")
        return {"session_id": sessions.open("http", client).session_id}
    if method == "openenv/session/close":
        sid = params.get("session_id")
        if not isinstance(sid, str) or not sid:
            raise RequestError("session_id is required")
        sessions.get(sid)  # unknown or expired: an error
        sessions.close(sid)
        return {"session_id": sid, "closed": True}
    if method == "tools/list":
        has_session = bound is not None or params.get("session_id") is not None
        session = _session(params, sessions, bound) if has_session else None
        adapter = session.adapter if session is not None and session.adapter is not None else OFFICE
        return {"tools": tool_specs(adapter)}
    if method == "tools/call":
        return await _call_tool(params, _session(params, sessions, bound))
    if method == "initialize":
        from govworkflow import __version__

        return {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {"name": "govworkflow", "version": __version__},
        }
    if method == "ping":
        return {}
    return None


async def _call_tool(params: dict[str, Any], session: Session) -> dict[str, Any]:
    name, arguments = params.get("name"), params.get("arguments", {})
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        raise RequestError(f"invalid params: arguments: expected an object, got {type(arguments).__name__}")
    if name == "grade":
        return _result(await session.call("grade", in_thread=True))
    adapter = session.adapter or OFFICE
    tools: dict[str, ActionTool] = {t.name: t for t in adapter.tools}
    tool = tools.get(name) if isinstance(name, str) else None
    if tool is None:
        raise RequestError(f"unknown tool {name!r}; tools: {', '.join([*tools, 'grade'])}")
    return _result(await session.call("step", tool.to_action(arguments)))
