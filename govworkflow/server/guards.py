"""The server's outer guards, one ASGI middleware in front of every route (also routes that
others add to the app, and the app that ``uvicorn govworkflow.server.asgi:app`` serves):

* ``Host`` and ``Origin``: a request (HTTP or WebSocket handshake) whose ``Host`` header
  or ``Origin`` names a host outside ``ServerConfig.allowed_hosts`` is refused with 403
  (this machine only by default). That stops web pages from driving the server: a page
  elsewhere sends its own ``Origin``, and a DNS-rebound name arrives in ``Host``.
* Size: HTTP bodies over ``max_body_bytes`` (declared or streamed) get 413; WebSocket
  messages over the limit, counted in bytes (UTF-8 for text), never reach the route: the
  client gets an error reply in the route's protocol (OpenEnv's error message, or a
  JSON-RPC error on ``/mcp``) and the connection stays open.

``error_response`` writes every HTTP error body: ``{"detail": message, "code": ...,
"error_type": ...}`` (plus ``Retry-After`` on 429 and 503).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govworkflow.server.protocol import (
    CapacityError,
    ForbiddenError,
    PayloadTooLargeError,
    describe_error,
)

__all__ = ["Guards", "error_response", "host_allowed", "message_bytes"]


def error_response(exc: Exception) -> JSONResponse:
    """The HTTP reply for an error: its status, the typed body, ``Retry-After`` if it has one."""
    _, status, data = describe_error(exc)
    headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, CapacityError) else None
    return JSONResponse({"detail": data.pop("message"), **data}, status_code=status, headers=headers)


def _hostname(host: str) -> str:
    """``host`` of a ``Host`` header without its port (``[::1]:8000`` -> ``::1``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_allowed(hostname: str | None, allowed: tuple[str, ...]) -> bool:
    """Whether ``hostname`` is on the allow-list (``*.x`` matches subdomains of ``x``; ``*`` all)."""
    if "*" in allowed:
        return True
    if not hostname:
        return False
    hostname = hostname.lower().rstrip(".")
    return any(hostname == a or (a.startswith("*.") and hostname.endswith(a[1:])) for a in allowed)


def message_bytes(message: Message) -> int:
    """The size in bytes of a ``websocket.receive`` message (text counted as UTF-8)."""
    text = message.get("text")
    if text is not None:
        return len(text.encode("utf-8", errors="surrogatepass"))
    return len(message.get("bytes") or b"")


class Guards:
    """Host/Origin allow-list and size limits for HTTP and WebSocket (see the module doc)."""

    def __init__(self, app: ASGIApp, limit: int, allowed_hosts: tuple[str, ...]) -> None:
        self.app = app
        self.limit = limit
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refused = self._refusal(scope)
        if refused is not None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008, "reason": str(refused)[:120]})
            else:
                await error_response(refused)(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await self.app(scope, self._ws_receive(scope, receive, send), send)
        else:
            await self._http(scope, receive, send)

    def _refusal(self, scope: Scope) -> ForbiddenError | None:
        headers = dict(scope.get("headers", []))
        host = headers.get(b"host")
        if host is not None and not host_allowed(_hostname(host.decode("latin-1")), self.allowed_hosts):
            return ForbiddenError(
                f"Host {host.decode('latin-1')!r} is not allowed; allowed hosts: {', '.join(self.allowed_hosts)}"
            )
        origin = headers.get(b"origin")
        if origin is not None:
            text = origin.decode("latin-1")
            try:
                name = urlsplit(text).hostname
            except ValueError:
                name = None
            if not host_allowed(name, self.allowed_hosts):
                return ForbiddenError(f"Origin {text!r} is not allowed; allowed hosts: {', '.join(self.allowed_hosts)}")
        return None

    def _ws_receive(self, scope: Scope, receive: Receive, send: Send) -> Receive:
        limit, is_mcp = self.limit, scope.get("path", "").rstrip("/").endswith("/mcp")

        async def guarded() -> Message:
            while True:
                message = await receive()
                if message["type"] != "websocket.receive":
                    return message
                size = message_bytes(message)
                if size <= limit:
                    return message
                err = PayloadTooLargeError(f"message of {size} bytes is larger than the limit of {limit} bytes")
                await send({"type": "websocket.send", "text": json.dumps(_ws_error(err, is_mcp))})

        return guarded

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._too_large(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            if len(body) > self.limit:
                await self._too_large(scope, receive, send)
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

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        err = PayloadTooLargeError(f"request body larger than the limit of {self.limit} bytes")
        await error_response(err)(scope, receive, send)


def _ws_error(exc: Exception, is_mcp: bool) -> dict[str, Any]:
    """An error reply in the protocol of the WebSocket route: JSON-RPC on ``/mcp``, else OpenEnv's."""
    _, _, data = describe_error(exc)
    if is_mcp:
        return {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": data["message"], "data": data}}
    return {"type": "error", "data": data}
