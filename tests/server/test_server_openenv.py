"""OpenEnv 0.10's own clients, types and validator against our server (extra ``openenv``)."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from typing import Any

import httpx
import pytest

from govworkflow import GovWorkflowEnv
from govworkflow.server.adapters import OFFICE
from govworkflow.server.protocol import REWARD_RANGE, dump_observation, served_reward
from govworkflow.server.running import BackgroundServer

pytest.importorskip("openenv")

from openenv.cli._validation import validate_running_environment
from openenv.core.env_server.mcp_types import JsonRpcResponse
from openenv.core.env_server.types import (
    EnvironmentMetadata,
    HealthResponse,
    ResetResponse,
    SchemaResponse,
    StepResponse,
    WSObservationResponse,
)
from openenv.core.generic_client import GenericEnvClient
from openenv.core.mcp_client import MCPToolClient

ADVANCE = {"action_type": "advance_time"}


def check_step(result: Any, local: tuple[Any, ...]) -> None:
    """An OpenEnv ``StepResult`` equals the local env's step, reward bounded, extras in metadata."""
    obs, reward, terminated, truncated, info = local
    assert result.observation == dump_observation(obs)
    assert result.reward == pytest.approx(served_reward(reward, OFFICE.reward_scale))
    assert REWARD_RANGE[0] <= result.reward <= REWARD_RANGE[1]
    assert result.done == (terminated or truncated)
    assert result.metadata == {"terminated": terminated, "truncated": truncated, "raw_reward": reward, "info": info}


def test_generic_client_plays_a_whole_episode(live_server: BackgroundServer) -> None:
    local = GovWorkflowEnv(max_steps=30)
    with GenericEnvClient(base_url=live_server.url).sync() as env:
        result = env.reset(seed=6, max_steps=30)
        assert result.observation == dump_observation(local.reset(seed=6))
        assert (result.reward, result.done, result.metadata["raw_reward"]) == (None, False, None)
        steps = 0
        while not result.done:
            result = env.step(dict(ADVANCE))
            check_step(result, local.step(ADVANCE))
            steps += 1
        assert result.metadata["truncated"] is True  # the cap, told apart from the episode's own end
        state: dict[str, Any] = env.state()
        assert state["step_count"] == steps == local.state().steps == 30
        with pytest.raises(RuntimeError, match=r"ended.*code: EXECUTION_ERROR"):
            env.step(dict(ADVANCE))
        with pytest.raises(RuntimeError, match=r"nap.*code: VALIDATION_ERROR"):
            env.step({"action_type": "nap"})


def test_async_generic_client_plays_a_whole_episode(live_server: BackgroundServer) -> None:
    local = GovWorkflowEnv(max_steps=12)
    local.reset(seed=1)

    async def play() -> int:
        steps = 0
        async with GenericEnvClient(base_url=live_server.url) as env:
            result = await env.reset(seed=1, task_id=local.task_id, max_steps=12)
            while not result.done:
                result = await env.step(ADVANCE)
                check_step(result, local.step(ADVANCE))
                steps += 1
        return steps

    assert asyncio.run(play()) == 12


def test_mcp_tool_client_plays_a_whole_episode(live_server: BackgroundServer) -> None:
    """Production mode: a session over HTTP /mcp, reset over the attached WebSocket, every
    action a tools/call, the grade a tool; closing frees the session."""
    local = GovWorkflowEnv(max_steps=20)
    sessions = live_server.app.state.sessions

    async def play() -> tuple[int, dict[str, Any]]:
        async with MCPToolClient(base_url=live_server.url) as env:
            reset = await env.reset(seed=9, max_steps=20)
            assert reset.observation.model_dump()["day"] == local.reset(seed=9).day
            names = [t.name for t in await env.list_tools()]
            assert {"advance_time", "assign_capacity", "set_priority_mode", "grade"} <= set(names)
            assert "reset" not in names and "step" not in names  # OpenEnv's reserved names
            steps, reply = 0, {"done": False}
            while not reply["done"]:
                if steps == 0:
                    reply = await env.call_tool("set_priority_mode", priority_mode="urgent_first")
                    local_step = local.step({"action_type": "set_priority_mode", "priority_mode": "urgent_first"})
                else:
                    reply = await env.call_tool("advance_time")
                    local_step = local.step(ADVANCE)
                assert reply["observation"] == dump_observation(local_step[0])
                assert reply["metadata"]["raw_reward"] == local_step[1]
                steps += 1
            with pytest.raises(RuntimeError, match="ended"):
                await env.call_tool("advance_time")
            with pytest.raises(RuntimeError, match="unknown tool 'fly'"):
                await env.call_tool("fly")
            grade = await env.call_tool("grade")
            assert len(sessions) == 1
        return steps, grade

    steps, grade = asyncio.run(play())
    assert steps == 20
    assert grade == local.grade().model_dump(mode="json")
    assert len(sessions) == 0  # openenv/session/close ran


def test_replies_validate_against_openenv_types(live_server: BackgroundServer) -> None:
    with httpx.Client(base_url=live_server.url) as http:
        reset = http.post("/reset", json={"seed": 2}).json()
        ResetResponse.model_validate(reset)
        sid = reset["metadata"]["session_id"]
        StepResponse.model_validate(http.post("/step", json={"session_id": sid, "action": ADVANCE}).json())
        EnvironmentMetadata.model_validate(http.get("/metadata").json())
        HealthResponse.model_validate(http.get("/health").json())
        SchemaResponse.model_validate(http.get("/schema").json())
        JsonRpcResponse.model_validate(http.post("/mcp", json={"jsonrpc": "2.0", "method": "ping", "id": 3}).json())
        http.post("/close", json={"session_id": sid})
    from websockets.sync.client import connect

    with connect(live_server.url.replace("http", "ws") + "/ws") as ws:
        ws.send(json.dumps({"type": "reset", "data": {"seed": 2}}))
        WSObservationResponse.model_validate_json(ws.recv())
        ws.send(json.dumps({"type": "step", "data": ADVANCE}))
        WSObservationResponse.model_validate_json(ws.recv())


def test_openenv_validate_url_passes(live_server: BackgroundServer) -> None:
    report = validate_running_environment(live_server.url)
    failed = [c for c in report["criteria"] if not c["passed"]]
    assert report["passed"], failed
    assert report["mode"] == "simulation"
    assert report["standard_profile"] == "openenv-http/1.x"
    assert len(report["criteria"]) == 6


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("openenv") is None, reason="the openenv command is not on PATH")
def test_openenv_validate_command_passes(live_server: BackgroundServer) -> None:
    out = subprocess.run(
        ["openenv", "validate", "--url", live_server.url, "--json"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["passed"] is True
