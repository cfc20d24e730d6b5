"""The OpenEnv WebSocket protocol in process: message formats, typed errors that change
nothing, one session per connection, limits."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from govworkflow import GovWorkflowEnv
from govworkflow.server.adapters import OFFICE
from govworkflow.server.protocol import dump_observation, served_reward

ADVANCE = {"action_type": "advance_time"}


def ask(ws: Any, message: Any) -> Any:
    if isinstance(message, str):
        ws.send_text(message)
    else:
        ws.send_json(message)
    return ws.receive_json()


def snapshot(ws: Any) -> tuple[Any, Any]:
    return ask(ws, {"type": "state"}), ask(ws, {"type": "grade"})


def test_reset_step_state_grade_close(client: TestClient) -> None:
    env = GovWorkflowEnv()
    with client.websocket_connect("/ws") as ws:
        reply = ask(ws, {"type": "reset", "data": {"seed": 4, "episode_id": "ep-1"}})
        assert reply["type"] == "observation"
        assert set(reply["data"]) == {"observation", "reward", "done", "metadata"}
        assert reply["data"]["observation"] == dump_observation(env.reset(seed=4))
        assert (reply["data"]["reward"], reply["data"]["done"]) == (None, False)
        reply = ask(ws, {"type": "step", "data": ADVANCE})
        obs, reward, terminated, truncated, info = env.step(ADVANCE)
        assert reply == {
            "type": "observation",
            "data": {
                "observation": dump_observation(obs),
                "reward": served_reward(reward, OFFICE.reward_scale),
                "done": terminated or truncated,
                "metadata": {"terminated": terminated, "truncated": truncated, "raw_reward": reward, "info": info},
            },
        }
        state = ask(ws, {"type": "state"})
        assert state["type"] == "state"
        assert (state["data"]["episode_id"], state["data"]["step_count"]) == ("ep-1", 1)
        assert state["data"]["active_cases"] == env.state().model_dump(mode="json")["active_cases"]
        grade = ask(ws, {"type": "grade"})
        assert grade == {"type": "grade", "data": env.grade().model_dump(mode="json")}
        # OpenEnv clients send the Action base's ``metadata`` field: accepted and ignored
        assert ask(ws, {"type": "step", "data": {**ADVANCE, "metadata": {}}})["type"] == "observation"
        ws.send_json({"type": "close"})
        with pytest.raises(Exception):  # noqa: B017, PT011 - the server closed the socket
            ws.receive_json()
    assert len(client.app.state.sessions) == 0  # type: ignore[attr-defined]


BAD: list[tuple[str, Any, str, str]] = [
    ("malformed JSON", '{"type": "step", ', "INVALID_JSON", "not valid JSON"),
    ("not an object", "[1, 2]", "VALIDATION_ERROR", "expected a JSON object"),
    ("unknown message type", {"type": "jump"}, "UNKNOWN_TYPE", "jump"),
    ("missing type", {"data": {}}, "UNKNOWN_TYPE", "None"),
    ("extra envelope field", {"type": "state", "x": 1}, "VALIDATION_ERROR", "x: unknown field"),
    ("step without data", {"type": "step"}, "VALIDATION_ERROR", "action object is required"),
    ("unknown action type", {"type": "step", "data": {"action_type": "nap"}}, "VALIDATION_ERROR", "nap"),
    (
        "wrong field type",
        {"type": "step", "data": {"action_type": "assign_capacity", "officer_delta": 1.5}},
        "VALIDATION_ERROR",
        "officer_delta",
    ),
    ("extra action field", {"type": "step", "data": {**ADVANCE, "speed": 2}}, "VALIDATION_ERROR", "speed"),
    ("unknown task", {"type": "reset", "data": {"task_id": "atlantis"}}, "VALIDATION_ERROR", "atlantis"),
    ("unknown ruleset", {"type": "reset", "data": {"ruleset": "mars"}}, "VALIDATION_ERROR", "mars"),
    ("bad seed type", {"type": "reset", "data": {"seed": "1"}}, "VALIDATION_ERROR", "seed"),
    ("unknown reset field", {"type": "reset", "data": {"colour": 1}}, "VALIDATION_ERROR", "colour"),
]


@pytest.mark.parametrize(("label", "message", "code", "names"), BAD, ids=[b[0] for b in BAD])
def test_bad_messages_get_typed_errors_and_change_nothing(
    client: TestClient, label: str, message: Any, code: str, names: str
) -> None:
    with client.websocket_connect("/ws") as ws:
        ask(ws, {"type": "reset", "data": {"seed": 9}})
        ask(ws, {"type": "step", "data": ADVANCE})
        before = snapshot(ws)
        reply = ask(ws, message)
        assert reply["type"] == "error"
        assert reply["data"]["code"] == code
        assert names in reply["data"]["message"]
        assert snapshot(ws) == before  # and the connection still works


def test_step_before_reset_and_after_the_end(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        reply = ask(ws, {"type": "step", "data": ADVANCE})
        assert reply["data"]["error_type"] == "NoEpisodeError"
        assert "reset" in reply["data"]["message"]
        ask(ws, {"type": "reset", "data": {"max_steps": 1}})
        assert ask(ws, {"type": "step", "data": ADVANCE})["data"]["done"] is True
        before = snapshot(ws)
        reply = ask(ws, {"type": "step", "data": ADVANCE})
        assert reply["data"]["code"] == "EXECUTION_ERROR"
        assert reply["data"]["error_type"] == "EpisodeFinishedError"
        assert snapshot(ws) == before


def test_connections_are_isolated(client: TestClient) -> None:
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        ask(a, {"type": "reset", "data": {"seed": 1}})
        ask(b, {"type": "reset", "data": {"seed": 1}})
        for _ in range(4):
            ask(a, {"type": "step", "data": ADVANCE})
        assert ask(b, {"type": "state"})["data"]["steps"] == 0
        assert ask(a, {"type": "state"})["data"]["steps"] == 4


def test_message_size_limit(make_client: Any) -> None:
    client = make_client(max_body_bytes=500)
    with client.websocket_connect("/ws") as ws:
        ask(ws, {"type": "reset"})
        reply = ask(ws, {"type": "step", "data": {**ADVANCE, "case_id": "z" * 600}})
        assert reply["data"]["code"] == "VALIDATION_ERROR"
        assert "500 bytes" in reply["data"]["message"]
        assert ask(ws, {"type": "state"})["data"]["steps"] == 0


def test_idle_connection_is_closed_with_a_session_error(make_client: Any) -> None:
    client = make_client(idle_timeout_s=0.3)
    with client.websocket_connect("/ws") as ws:
        ask(ws, {"type": "reset"})
        time.sleep(0.5)
        reply = ws.receive_json()
        assert reply["type"] == "error"
        assert reply["data"]["code"] == "SESSION_ERROR"
    deadline = time.monotonic() + 5
    while len(client.app.state.sessions) and time.monotonic() < deadline:  # type: ignore[attr-defined]
        time.sleep(0.02)
    assert len(client.app.state.sessions) == 0  # type: ignore[attr-defined]


def test_websocket_sessions_count_against_the_limit(make_client: Any) -> None:
    client = make_client(max_sessions=1)
    with client.websocket_connect("/ws") as ws:
        ask(ws, {"type": "reset"})
        r = client.post("/reset", json={})
        assert r.status_code == 503
    deadline = time.monotonic() + 5
    while client.post("/reset", json={}).status_code == 503 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(client.app.state.sessions) == 1  # type: ignore[attr-defined]
