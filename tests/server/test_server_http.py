"""HTTP endpoints in process (FastAPI TestClient): OpenEnv info routes, stateful
sessions, isolation, bad input (4xx naming the problem, episode unchanged), limits."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from govworkflow import GovWorkflowEnv
from govworkflow.office.rulesets import RULESETS
from govworkflow.server.adapters import OFFICE
from govworkflow.server.protocol import dump_observation, served_reward

ADVANCE = {"action_type": "advance_time"}


def start(client: TestClient, **params: Any) -> str:
    r = client.post("/reset", json=params)
    assert r.status_code == 200, r.text
    assert r.headers["X-Session-Id"] == r.json()["metadata"]["session_id"]
    return str(r.json()["metadata"]["session_id"])


def step(client: TestClient, sid: str, action: Any = ADVANCE) -> Any:
    return client.post("/step", json={"session_id": sid, "action": action})


def snapshot(client: TestClient, sid: str) -> tuple[Any, Any]:
    h = {"X-Session-Id": sid}
    return client.get("/state", headers=h).json(), client.get("/grade", headers=h).json()


def test_openenv_info_endpoints(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "healthy"}
    meta = client.get("/metadata").json()
    assert meta["name"] == "govworkflow"
    assert meta["description"]
    schema = client.get("/schema").json()
    assert set(schema) == {"action", "observation", "state"}
    assert "action_type" in schema["action"]["anyOf"][0]["properties"]
    assert "ticket_id" in schema["action"]["anyOf"][1]["properties"]
    assert {"episode_id", "step_count", "active_cases"} <= set(schema["state"]["properties"])
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/reset", "/step", "/state", "/grade", "/tasks", "/health", "/metadata", "/schema"} <= set(paths)
    tasks = client.get("/tasks").json()
    assert {(t["ruleset"], t["task_id"]) for t in tasks} == {
        (name, tid) for name, rs in RULESETS.items() for tid in rs.tasks
    }
    rpc = client.post("/mcp", json={"jsonrpc": "2.0", "method": "tools/list", "id": 1}).json()
    assert (rpc["jsonrpc"], rpc["id"]) == ("2.0", 1)
    assert "advance_time" in [t["name"] for t in rpc["result"]["tools"]]
    assert client.post("/mcp", json={}).json()["error"]["code"] == -32600


def test_schema_describes_the_default_rulesets_observation(client: TestClient) -> None:
    from dataclasses import fields

    obs = GovWorkflowEnv().reset()
    schema = client.get("/schema").json()["observation"]
    assert {f.name for f in fields(obs)} <= set(schema["properties"])
    queue_ref = schema["properties"]["queues"]["items"]["$ref"].split("/")[-1]
    assert {f.name for f in fields(obs.queues[0])} <= set(schema["$defs"][queue_ref]["properties"])


def test_http_session_keeps_its_episode_and_matches_the_local_env(client: TestClient) -> None:
    name, rs = next(iter(RULESETS.items()))
    task = list(rs.tasks)[-1]
    r = client.post("/reset", json={"ruleset": name, "task_id": task, "seed": 7}).json()
    sid = r["metadata"]["session_id"]
    env = GovWorkflowEnv(task, ruleset=name)
    assert r["observation"] == dump_observation(env.reset(seed=7))
    assert (r["reward"], r["done"]) == (None, False)
    for i in range(5):
        got = step(client, sid).json()
        obs, reward, _terminated, _truncated, info = env.step(ADVANCE)
        assert got["observation"] == dump_observation(obs)
        assert got["metadata"]["raw_reward"] == pytest.approx(reward)
        assert got["reward"] == pytest.approx(served_reward(reward, OFFICE.reward_scale))
        assert got["metadata"]["info"] == info
        assert got["observation"]["day"] == i + 1  # the server remembered the episode
    state, grade = snapshot(client, sid)
    assert state["steps"] == state["step_count"] == 5
    assert grade == env.grade().model_dump(mode="json")
    # the same session can start over
    again = client.post("/reset", json={"session_id": sid, "seed": 7}).json()
    assert again["metadata"]["session_id"] == sid
    assert again["observation"]["day"] == 0
    assert client.get("/state", headers={"X-Session-Id": sid}).json()["steps"] == 0
    assert client.post("/close", json={"session_id": sid}).json() == {"closed": True}
    assert step(client, sid).status_code == 404


def test_sessions_are_isolated(client: TestClient) -> None:
    a, b = start(client, seed=1), start(client, seed=1)
    assert a != b
    for _ in range(3):
        step(client, a)
    assert snapshot(client, b)[0]["steps"] == 0
    assert snapshot(client, a)[0]["steps"] == 3
    client.post("/close", json={"session_id": b})
    assert snapshot(client, a)[0]["steps"] == 3
    # a guessed or altered id reaches nothing
    for wrong in [a[:-1], a + "x", a.upper(), "0" * len(a)]:
        r = step(client, wrong)
        assert r.status_code == 404
        assert "unknown or expired session" in r.json()["detail"]
    assert snapshot(client, a)[0]["steps"] == 3


BAD_STEPS: list[tuple[str, Any, int, str]] = [
    ("unknown action type", {"action_type": "teleport"}, 422, "action_type"),
    ("wrong field type", {"action_type": "assign_capacity", "officer_delta": "two"}, 422, "officer_delta"),
    ("extra action field", {"action_type": "advance_time", "colour": "red"}, 422, "colour: unknown field"),
    ("unknown service", {"action_type": "assign_capacity", "service": "moon"}, 422, "service"),
    ("action not an object", ["advance_time"], 422, "action"),
]


@pytest.mark.parametrize(("label", "action", "status", "names"), BAD_STEPS, ids=[b[0] for b in BAD_STEPS])
def test_bad_actions_are_refused_and_change_nothing(
    client: TestClient, label: str, action: Any, status: int, names: str
) -> None:
    sid = start(client, seed=2)
    step(client, sid)
    before = snapshot(client, sid)
    r = step(client, sid, action)
    assert r.status_code == status, r.text
    assert names in r.json()["detail"]
    assert r.json()["code"] == "VALIDATION_ERROR"
    assert snapshot(client, sid) == before


def test_malformed_and_misshapen_requests(client: TestClient) -> None:
    sid = start(client, seed=2)
    before = snapshot(client, sid)
    r = client.post("/step", content=b'{"session_id": ', headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["code"] == "INVALID_JSON"
    r = client.post("/step", json={"session_id": sid, "action": ADVANCE, "turbo": True})
    assert r.status_code == 422
    assert "turbo: unknown field" in r.json()["detail"]
    r = client.post("/step", json={"session_id": sid})
    assert r.status_code == 422
    assert "action" in r.json()["detail"]
    r = client.post("/step", json={"action": ADVANCE})
    assert r.status_code == 422
    assert "session_id: Field required" in r.json()["detail"]
    r = client.post("/reset", json={"session_id": sid, "task_id": "atlantis"})
    assert r.status_code == 422
    assert "atlantis" in r.json()["detail"]
    assert r.json()["choices"]
    r = client.post("/reset", json={"session_id": sid, "seed": "7"})
    assert r.status_code == 422
    assert "seed" in r.json()["detail"]
    r = client.post("/reset", json={"session_id": sid, "ruleset": "martian"})
    assert r.status_code == 422
    assert "martian" in r.json()["detail"]
    assert snapshot(client, sid) == before
    assert client.get("/grade").status_code == 422  # no session named


def test_unknown_task_on_a_new_session_leaves_no_session(make_client: Any) -> None:
    client = make_client(max_sessions=1)
    assert client.post("/reset", json={"task_id": "atlantis"}).status_code == 422
    start(client)  # the slot was not used up


def test_finished_episode_is_409_and_unchanged(client: TestClient) -> None:
    sid = start(client, max_steps=2)
    step(client, sid)
    assert step(client, sid).json()["done"] is True
    before = snapshot(client, sid)
    r = step(client, sid)
    assert r.status_code == 409
    assert "ended" in r.json()["detail"]
    assert r.json()["error_type"] == "EpisodeFinishedError"
    assert snapshot(client, sid) == before


def test_capacity_error_is_503_and_clear(make_client: Any) -> None:
    client = make_client(max_sessions=2)
    a = start(client)
    start(client)
    r = client.post("/reset", json={})
    assert r.status_code == 503
    assert "capacity" in r.json()["detail"]
    assert r.json()["max_sessions"] == 2
    assert int(r.headers["Retry-After"]) == r.json()["retry_after_s"] >= 1
    with client.websocket_connect("/ws") as ws:
        reply = ws.receive_json()
        assert reply["type"] == "error"
        assert reply["data"]["code"] == "CAPACITY_REACHED"
    client.post("/close", json={"session_id": a})
    start(client)


def test_body_size_limit(make_client: Any) -> None:
    client = make_client(max_body_bytes=1000)
    sid = start(client)
    big = {"session_id": sid, "action": {"action_type": "escalate_service", "case_id": "x" * 2000}}
    r = client.post("/step", json=big)
    assert r.status_code == 413
    assert "1000 bytes" in r.json()["detail"]

    def chunks() -> Any:
        yield b'{"session_id": "'
        for _ in range(10):
            yield b"y" * 200

    r = client.post("/step", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert snapshot(client, sid)[0]["steps"] == 0


def test_idle_http_sessions_are_reaped(make_client: Any, clock: Any) -> None:
    client = make_client(idle_timeout_s=30)
    sessions = client.app.state.sessions  # type: ignore[attr-defined]
    sessions.clock = clock
    old, fresh = start(client), None
    clock.advance(20)
    fresh = start(client)
    clock.advance(20)
    assert sessions.reap() == 1
    assert step(client, old).status_code == 404
    assert step(client, fresh).status_code == 200


def test_reaper_runs_in_the_background(make_client: Any) -> None:
    import time

    client = make_client(idle_timeout_s=1.0, reap_interval_s=0.05)  # long enough to count the session first
    start(client)
    sessions = client.app.state.sessions  # type: ignore[attr-defined]
    assert len(sessions) == 1
    deadline = time.monotonic() + 10
    while len(sessions) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(sessions) == 0
