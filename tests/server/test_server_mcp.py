"""MCP over JSON-RPC on HTTP ``/mcp``, WebSocket ``/mcp`` and ``{"type": "mcp"}`` on ``/ws``,
and ``/ws?session_id=`` attaching to an HTTP session."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import WebSocketDisconnect
from fastapi.testclient import TestClient

from govworkflow import GovWorkflowEnv
from govworkflow.server.protocol import dump_observation

ADVANCE = {"action_type": "advance_time"}


def rpc(client: TestClient, method: str, rid: Any = 1, **params: Any) -> Any:
    return client.post("/mcp", json={"jsonrpc": "2.0", "id": rid, "method": method, "params": params}).json()


def test_http_sessions_tools_and_close(client: TestClient) -> None:
    sid = rpc(client, "openenv/session/create")["result"]["session_id"]
    assert (
        rpc(client, "tools/call", name="advance_time", session_id=sid)["error"]["data"]["error_type"]
        == "NoEpisodeError"
    )
    client.post("/reset", json={"session_id": sid, "seed": 4})  # the same session over HTTP
    env = GovWorkflowEnv()
    env.reset(seed=4)
    reply = rpc(
        client,
        "tools/call",
        7,
        name="assign_capacity",
        session_id=sid,
        arguments={"service": "passport", "officer_delta": 1},
    )
    expected = env.step({"action_type": "assign_capacity", "service": "passport", "officer_delta": 1})
    assert reply["id"] == 7 and reply["result"]["isError"] is False
    data = reply["result"]["data"]
    assert data == reply["result"]["structuredContent"]
    assert data["observation"] == dump_observation(expected[0]) and data["metadata"]["raw_reward"] == expected[1]
    bad = rpc(
        client, "tools/call", name="assign_capacity", session_id=sid, arguments={"service": "moon", "officer_delta": 1}
    )
    assert bad["error"]["code"] == -32602 and "moon" in bad["error"]["message"]
    grade = rpc(client, "tools/call", name="grade", session_id=sid)["result"]["data"]
    assert grade == env.grade().model_dump(mode="json")
    assert rpc(client, "openenv/session/close", session_id=sid)["result"] == {"session_id": sid, "closed": True}
    again = rpc(client, "openenv/session/close", session_id=sid)
    assert again["error"]["data"]["code"] == "SESSION_ERROR"
    assert len(client.app.state.sessions) == 0  # type: ignore[attr-defined]


def test_tools_follow_the_sessions_environment(client: TestClient) -> None:
    office = [t["name"] for t in rpc(client, "tools/list")["result"]["tools"]]
    assert office[0] == "advance_time" and office[-1] == "grade"
    sid = rpc(client, "openenv/session/create")["result"]["session_id"]
    client.post("/reset", json={"session_id": sid, "ruleset": "triage", "task_id": "faithful_5", "seed": 0})
    tools = rpc(client, "tools/list", session_id=sid)["result"]["tools"]
    assert [t["name"] for t in tools] == ["work_on_ticket", "grade"]
    assert tools[0]["inputSchema"]["required"] == ["ticket_id"]
    reply = rpc(client, "tools/call", name="work_on_ticket", session_id=sid, arguments={"ticket_id": "T99"})
    assert reply["result"]["data"]["metadata"]["raw_reward"] == -1.0
    unknown = rpc(client, "tools/call", name="advance_time", session_id=sid)
    assert "unknown tool 'advance_time'; tools: work_on_ticket, grade" in unknown["error"]["message"]


BAD_REQUESTS: list[tuple[Any, int, str]] = [
    ({}, -32600, "JSON-RPC 2.0"),
    ({"jsonrpc": "2.0", "method": "fly", "id": 2}, -32601, "'fly'; methods: openenv/session/create"),
    ({"jsonrpc": "2.0", "method": "tools/list", "params": [1], "id": 3}, -32602, "expected an object"),
    (
        {"jsonrpc": "2.0", "method": "tools/call", "params": {"name": "grade"}, "id": 4},
        -32602,
        "session_id is required",
    ),
    ({"jsonrpc": "2.0", "method": "tools/list", "id": {"a": 1}}, -32600, "id must be"),
    ([1, 2], -32600, "JSON-RPC 2.0"),
]


@pytest.mark.parametrize(("body", "code", "words"), BAD_REQUESTS)
def test_bad_requests_get_json_rpc_errors(client: TestClient, body: Any, code: int, words: str) -> None:
    reply = client.post("/mcp", json=body)
    assert reply.status_code == 200
    assert reply.json()["error"]["code"] == code
    assert words in reply.json()["error"]["message"]


def test_websocket_mcp_route_and_message(client: TestClient) -> None:
    with client.websocket_connect("/mcp") as ws:
        ws.send_json({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "advance_time"}})
        assert ws.receive_json()["error"]["data"]["error_type"] == "NoEpisodeError"  # its own session
        ws.send_json({"jsonrpc": "2.0", "id": 2, "method": "openenv/session/create"})
        assert "session already" in ws.receive_json()["error"]["message"]
        ws.send_text("{")
        assert ws.receive_json()["error"]["code"] == -32700
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "reset", "data": {"seed": 2}})
        ws.receive_json()
        ws.send_json(
            {
                "type": "mcp",
                "data": {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "advance_time"}},
            }
        )
        reply = ws.receive_json()
        assert reply["type"] == "mcp" and reply["data"]["id"] == 5
        assert reply["data"]["result"]["data"]["observation"]["day"] == 1  # the connection's own episode
        ws.send_json({"type": "state"})
        assert ws.receive_json()["data"]["step_count"] == 1


def test_a_websocket_attaches_to_an_http_session(client: TestClient) -> None:
    sid = client.post("/reset", json={"seed": 3}).json()["metadata"]["session_id"]
    client.post("/step", json={"session_id": sid, "action": ADVANCE})
    with client.websocket_connect(f"/ws?session_id={sid}") as ws:
        ws.send_json({"type": "state"})
        assert ws.receive_json()["data"]["step_count"] == 1  # the HTTP session's episode
        ws.send_json({"type": "step", "data": ADVANCE})
        assert ws.receive_json()["data"]["observation"]["day"] == 2
        with client.websocket_connect(f"/ws?session_id={sid}") as second:
            refused = second.receive_json()
            assert (
                refused["data"]["code"] == "SESSION_ERROR" and "already has a WebSocket" in refused["data"]["message"]
            )
    # the session outlives the connection
    assert client.get("/state", headers={"X-Session-Id": sid}).json()["step_count"] == 2


def test_an_unknown_session_id_is_refused_not_replaced(client: TestClient) -> None:
    with client.websocket_connect("/ws?session_id=nope") as ws:
        reply = ws.receive_json()
        assert reply["data"]["code"] == "SESSION_ERROR"
        with pytest.raises(WebSocketDisconnect):
            ws.receive_json()
    assert len(client.app.state.sessions) == 0  # type: ignore[attr-defined]
