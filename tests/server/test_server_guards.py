"""The guards in front of every route: Host/Origin allow-list, per-client session cap,
``Retry-After``, size limits counted in bytes (also on the ASGI app uvicorn serves by name),
and parse failures (deep nesting included) as typed errors on every route."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import WebSocketDisconnect
from fastapi.testclient import TestClient

from govworkflow.server.guards import host_allowed
from govworkflow.server.protocol import MAX_JSON_DEPTH
from govworkflow.server.running import BackgroundServer
from govworkflow.server.sessions import ServerConfig

DEEP = "[" * 30_000 + "]" * 30_000  # RecursionError for json.loads; under the size limit
NESTED = json.dumps(
    {
        "type": "step",
        "data": {
            "action_type": "advance_time",
            "x": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
        },
    }
)
SID = "x" * 43


class _AnyText(str):
    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and bool(other)

    __hash__ = str.__hash__


ANY_TEXT = _AnyText()


# -- Host and Origin -----------------------------------------------------------------
def test_a_cross_origin_simple_post_creates_no_session(client: TestClient) -> None:
    r = client.post("/reset", content=b"{}", headers={"content-type": "text/plain", "origin": "https://evil.example"})
    assert r.status_code == 403
    assert r.json()["error_type"] == "ForbiddenError" and "https://evil.example" in r.json()["detail"]
    assert "localhost" in r.json()["detail"]  # names what is allowed
    empty = client.post("/reset", headers={"content-type": "text/plain", "origin": "https://evil.example"})
    assert empty.status_code == 403  # an empty body would otherwise open a session with defaults
    assert len(client.app.state.sessions) == 0  # type: ignore[attr-defined]
    for origin in ("null", "http://localhost.evil.example", "file://"):
        assert client.post("/reset", json={}, headers={"origin": origin}).status_code == 403, origin


def test_local_origins_and_hosts_are_allowed(client: TestClient) -> None:
    for origin in ("http://localhost:8888", "http://127.0.0.1:3000", "http://[::1]:8000"):
        assert client.post("/reset", json={}, headers={"origin": origin}).status_code == 200, origin
    assert client.get("/health", headers={"host": "127.0.0.1:8000"}).status_code == 200


def test_a_rebound_host_is_refused(client: TestClient) -> None:
    r = client.get("/health", headers={"host": "attacker.example:8000"})
    assert r.status_code == 403
    assert "'attacker.example:8000' is not allowed" in r.json()["detail"]


def test_websockets_check_the_origin(client: TestClient) -> None:
    for path in ("/ws", "/mcp"):
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            client.websocket_connect(path, headers={"origin": "https://evil.example"}),
        ):
            pass
        assert refused.value.code == 1008
    assert len(client.app.state.sessions) == 0  # type: ignore[attr-defined]
    with client.websocket_connect("/ws", headers={"origin": "http://localhost:5173"}) as ws:
        ws.send_json({"type": "reset", "data": {"seed": 1}})
        assert ws.receive_json()["type"] == "observation"


def test_the_allow_list_is_configurable(make_client: Any) -> None:
    client = make_client(allowed_hosts=("testserver", "*.example.org"))
    assert client.get("/health", headers={"host": "env.example.org"}).status_code == 200
    assert client.get("/health", headers={"host": "localhost"}).status_code == 403
    assert (
        client.get("/health", headers={"host": "example.org", "origin": "https://a.b.example.org"}).status_code == 403
    )
    assert (
        client.get("/health", headers={"host": "x.example.org", "origin": "https://a.b.example.org"}).status_code == 200
    )
    assert client.get("/health", headers={"host": "evil.org", "origin": "https://x"}).status_code == 403
    anything = make_client(allowed_hosts=("*",))
    assert anything.get("/health", headers={"host": "whatever", "origin": "null"}).status_code == 200


def test_host_matching_rules() -> None:
    allowed = ("localhost", "*.hf.space")
    assert host_allowed("LOCALHOST", allowed) and host_allowed("me-env.hf.space", allowed)
    assert not host_allowed("hf.space.evil.com", allowed) and not host_allowed(None, allowed)
    with pytest.raises(ValueError, match="allowed_hosts must be a non-empty list"):
        ServerConfig(allowed_hosts=())


# -- session caps --------------------------------------------------------------------
def test_one_client_cannot_fill_every_slot(make_client: Any) -> None:
    client = make_client(max_sessions=10, max_sessions_per_client=2)
    for _ in range(2):
        assert client.post("/reset", json={}).status_code == 200
    r = client.post("/reset", json={})
    assert r.status_code == 429
    assert r.json()["code"] == "CAPACITY_REACHED" and r.json()["error_type"] == "ClientLimitError"
    assert "2 of 2 allowed per client" in r.json()["detail"]
    assert int(r.headers["Retry-After"]) == r.json()["retry_after_s"] >= 1
    with client.websocket_connect("/ws") as ws:
        reply = ws.receive_json()
        assert (reply["type"], reply["data"]["code"]) == ("error", "CAPACITY_REACHED")
    rpc = client.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "openenv/session/create"}).json()
    assert rpc["error"]["data"]["error_type"] == "ClientLimitError"
    assert len(client.app.state.sessions) == 2  # type: ignore[attr-defined]


def test_retry_after_is_when_the_first_session_can_expire(make_client: Any, clock: Any) -> None:
    client = make_client(max_sessions=1, idle_timeout_s=100)
    sessions = client.app.state.sessions  # type: ignore[attr-defined]
    sessions.clock = clock
    assert client.post("/reset", json={}).status_code == 200
    clock.advance(30.5)
    r = client.post("/reset", json={})
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "70"


# -- sizes in bytes, on every entry point --------------------------------------------
def test_websocket_limit_counts_bytes_not_characters(make_client: Any) -> None:
    client = make_client(max_body_bytes=1000)
    text = json.dumps(
        {"type": "step", "data": {"action_type": "escalate_service", "case_id": "é" * 600}}, ensure_ascii=False
    )
    assert len(text) < 1000 < len(text.encode())
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "reset", "data": {"seed": 1}})
        ws.receive_json()
        ws.send_text(text)
        reply = ws.receive_json()
        assert reply["data"]["error_type"] == "PayloadTooLargeError"
        assert f"{len(text.encode())} bytes is larger than the limit of 1000 bytes" in reply["data"]["message"]
        ws.send_json({"type": "state"})
        assert ws.receive_json()["data"]["step_count"] == 0  # refused before the route: nothing changed
    with client.websocket_connect("/mcp") as ws:
        ws.send_text(
            json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"pad": "é" * 600}}, ensure_ascii=False)
        )
        reply = ws.receive_json()
        assert reply["error"]["code"] == -32600 and reply["error"]["data"]["error_type"] == "PayloadTooLargeError"


def test_the_asgi_app_enforces_the_byte_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """``uvicorn govworkflow.server.asgi:app``: uvicorn's own frame limit (16 MiB) is not the
    server's; the app refuses messages over its limit in bytes itself (3,000 characters of
    6,000 bytes, and 200 kB) and the session goes on."""
    import importlib

    import uvicorn
    from websockets.sync.client import connect

    monkeypatch.setenv("GOVWORKFLOW_MAX_BODY_BYTES", "4096")
    asgi = importlib.reload(importlib.import_module("govworkflow.server.asgi"))
    config = uvicorn.Config(asgi.app, host="127.0.0.1", port=0, log_level="warning")
    assert config.ws_max_size == 16 * 1024 * 1024
    server = BackgroundServer(app=asgi.app)
    server._server = uvicorn.Server(config)  # uvicorn's defaults, as the command line gives them
    with server, connect(f"ws://127.0.0.1:{server.port}/ws", max_size=None, proxy=None) as ws:
        ws.send(json.dumps({"type": "reset", "data": {"seed": 1}}))
        assert json.loads(ws.recv())["type"] == "observation"
        for case_id in ("é" * 3000, "z" * 200_000):
            message = {"type": "step", "data": {"action_type": "escalate_service", "case_id": case_id}}
            ws.send(json.dumps(message, ensure_ascii=False))
            reply = json.loads(ws.recv(timeout=10))
            assert reply["data"]["error_type"] == "PayloadTooLargeError"
        ws.send(json.dumps({"type": "state"}))
        assert json.loads(ws.recv(timeout=10))["data"]["step_count"] == 0
        r = httpx.post(f"http://127.0.0.1:{server.port}/reset", content=b"{" + b" " * 5000 + b"}")
        assert r.status_code == 413


# -- parse failures: typed everywhere ------------------------------------------------
@pytest.mark.parametrize("body", [DEEP, NESTED, '{"seed": ', "\xff\xfe"], ids=["deep", "nested", "cut", "binary"])
def test_parse_failures_are_typed_on_every_http_route(client: TestClient, body: str) -> None:
    raw = body.encode("latin-1") if body.startswith("\xff") else body.encode()
    for path in (
        "/reset",
        "/step",
        "/close",
        "/legacy/tasks",
        "/legacy/num_tasks",
        "/legacy/task",
        "/legacy/task_range",
    ):
        r = client.post(path, content=raw, headers={"content-type": "application/json"})
        if body is NESTED and path != "/reset":
            assert r.status_code in (400, 422), (path, r.text)  # deep enough, but a bad request anyway
        else:
            assert r.status_code == 400, (path, r.text)
            assert r.json()["code"] == "INVALID_JSON" and r.json()["error_type"] == "MalformedJSONError", path
    rpc = client.post("/mcp", content=raw, headers={"content-type": "application/json"})
    assert rpc.status_code == 200
    assert rpc.json()["error"]["code"] in (-32700, -32600)


def test_nesting_deeper_than_the_limit_is_invalid_json(client: TestClient) -> None:
    deep = {"a": 1}
    for _ in range(MAX_JSON_DEPTH):
        deep = {"a": deep}
    r = client.post("/reset", json={"episode_id": "e", "x": deep})
    assert r.status_code == 400 and f"nested deeper than {MAX_JSON_DEPTH} levels" in r.json()["detail"]
    rpc = client.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"x": deep}}).json()
    assert rpc["error"]["code"] == -32700


def test_deep_messages_are_invalid_json_over_websockets(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        for raw in (DEEP[:20_000] + DEEP[-20_000:], NESTED):
            ws.send_text(raw)
            reply = ws.receive_json()
            expected = "INVALID_JSON" if raw is not NESTED else "VALIDATION_ERROR"
            assert reply["data"]["code"] in (expected, "INVALID_JSON"), reply
        ws.send_text(json.dumps({"type": "mcp", "data": {"method": 5}}))
        assert ws.receive_json() == {
            "type": "mcp",
            "data": {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": ANY_TEXT, "data": None}},
        }
    with client.websocket_connect("/mcp") as ws:
        ws.send_text(DEEP[:20_000] + DEEP[-20_000:])
        assert ws.receive_json()["error"]["code"] == -32700


def test_unknown_paths_and_methods_are_typed(client: TestClient) -> None:
    r = client.get("/nowhere")
    assert r.status_code == 404 and r.json()["error_type"] == "NotFoundError" and "GET /nowhere" in r.json()["detail"]
    r = client.delete("/reset")
    assert r.status_code == 405 and r.headers["allow"] == "POST" and r.json()["code"] == "VALIDATION_ERROR"
    r = client.get("/state", headers={"X-Session-Id": SID})
    assert r.status_code == 404 and r.json()["code"] == "SESSION_ERROR"
