"""Triage on the server: reset with ``"ruleset": "triage"``, in process and over a real
uvicorn server on 127.0.0.1, matching the local ``TriageEnv`` exactly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("websockets")

from fastapi.testclient import TestClient

from govworkflow.core.errors import EpisodeFinishedError, InvalidActionError, UnknownNameError
from govworkflow.server import GovWorkflowClient
from govworkflow.server.adapters import TRIAGE
from govworkflow.server.app import create_app
from govworkflow.server.protocol import RequestError, served_reward
from govworkflow.server.running import BackgroundServer
from govworkflow.server.sessions import ServerConfig
from govworkflow.server.triage import TriageClient
from govworkflow.triage import TASKS, TriageEnv, make_policy


@pytest.fixture(scope="module")
def live_server() -> Iterator[BackgroundServer]:
    with BackgroundServer("127.0.0.1", 0, ServerConfig(max_sessions=8)) as server:
        yield server


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(ServerConfig(allowed_hosts=("testserver",)))) as c:
        yield c


@pytest.mark.parametrize("task_id", ["faithful_5", "arrivals_12", "two_workers_12"])
def test_client_matches_local_env(live_server: BackgroundServer, task_id: str) -> None:
    """Same seed and actions (one invalid): identical observations, rewards, info, state, grade."""
    policy = make_policy("greedy_rate")
    local = TriageEnv(task_id)
    with TriageClient(live_server.url, task_id) as remote:
        obs_l, obs_r = local.reset(seed=5), remote.reset(seed=5)
        assert obs_r == obs_l
        actions = ["T99"]
        while not local.done:
            action = actions.pop() if actions else policy.act(obs_l)
            res_l, res_r = local.step(action), remote.step(action)
            assert res_r == res_l
            obs_l = res_l.observation
        assert remote.done
        assert remote.observe() == obs_l
        assert remote.grade() == local.grade()
        assert remote.state() == local.state()
        with pytest.raises(EpisodeFinishedError):
            remote.step("T01")


def test_client_raises_what_the_local_env_raises(live_server: BackgroundServer) -> None:
    with TriageClient(live_server.url) as remote:
        with pytest.raises(UnknownNameError, match="'atlantis'; valid choices: faithful_5"):
            remote.reset(task_id="atlantis")
        remote.reset(task_id="overload_12", seed=1)
        with pytest.raises(InvalidActionError, match="ticket_id"):
            remote.step({"ticket": "T01"})
        assert remote.step("T01").info["step"] == 1  # the bad action changed nothing


def test_office_and_triage_sessions_side_by_side(live_server: BackgroundServer) -> None:
    with TriageClient(live_server.url, "overload_12") as tri, GovWorkflowClient(live_server.url) as office:
        assert tri.reset(seed=2).task_id == "overload_12"
        assert office.reset(seed=2).ruleset
        tri.step("T01")
        office.step({"action_type": "advance_time"})
        assert tri.state().steps == 1


def test_http_session_switches_between_office_and_triage(client: TestClient) -> None:
    r = client.post("/reset", json={"ruleset": "triage", "task_id": "overload_12", "seed": 3})
    assert r.status_code == 200
    body = r.json()
    sid = body["metadata"]["session_id"]
    assert body["reward"] is None and body["done"] is False
    local = TriageEnv("overload_12")
    local.reset(seed=3)
    assert body["metadata"]["info"]["action_mask"] == local.action_mask()
    first = body["observation"]["tickets"][0]["ticket_id"]
    r = client.post("/step", json={"session_id": sid, "action": {"ticket_id": first}})
    assert r.status_code == 200 and r.json()["metadata"]["info"]["valid"]
    assert client.post("/reset", json={"session_id": sid, "seed": 4}).json()["observation"]["task_id"] == "overload_12"
    state = client.get("/state", headers={"X-Session-Id": sid}).json()
    assert (state["step_count"], state["seed"]) == (0, 4)
    assert 0.0 <= client.get("/grade", headers={"X-Session-Id": sid}).json()["score"] <= 1.0
    office = client.post("/reset", json={"session_id": sid, "ruleset": "legacy"}).json()
    assert office["observation"]["ruleset"] == "legacy"
    short = client.post("/reset", json={"ruleset": "triage", "task_id": "overload_12", "max_steps": 2}).json()
    sid2 = short["metadata"]["session_id"]
    for i in range(2):
        r = client.post("/step", json={"session_id": sid2, "action": {"ticket_id": "T99"}}).json()
        assert r["metadata"]["truncated"] == (i == 1)  # the step cap asked for, as the local env plays it
    r = client.post("/reset", json={"ruleset": "triage", "max_steps": 10**6})
    assert r.status_code == 422 and r.json()["error_type"] == RequestError.__name__
    tasks = client.get("/tasks", params={"ruleset": "triage"}).json()
    assert [t["task_id"] for t in tasks] == list(TASKS)


def test_an_unknown_ruleset_is_refused_listing_triage_too(client: TestClient) -> None:
    for r in (client.post("/reset", json={"ruleset": "Triage"}), client.get("/tasks", params={"ruleset": "bogus"})):
        assert r.status_code == 422, r.text
        assert r.json()["choices"] == ["standard", "legacy", "triage"], r.text


def test_websocket_in_process(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "reset", "data": {"ruleset": "triage", "task_id": "faithful_5", "seed": 0}})
        reply = ws.receive_json()
        assert reply["type"] == "observation"
        ws.send_json({"type": "step", "data": {"ticket_id": "T42"}})
        reply = ws.receive_json()
        meta = reply["data"]["metadata"]
        assert meta["raw_reward"] == -1.0 and not meta["info"]["valid"]
        assert reply["data"]["reward"] == served_reward(-1.0, TRIAGE.reward_scale) < 0
        ws.send_json({"type": "grade"})
        assert ws.receive_json()["data"]["provisional"] is True
