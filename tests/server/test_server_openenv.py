"""openenv-core's own generic client and validator against our server (extra ``openenv``)."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from govworkflow import GovWorkflowEnv
from govworkflow.server.protocol import dump_observation
from govworkflow.server.running import BackgroundServer

pytest.importorskip("openenv")

from openenv.cli._validation import validate_running_environment
from openenv.core.generic_client import GenericEnvClient

ADVANCE = {"action_type": "advance_time"}


def test_openenv_generic_client_plays_an_episode(live_server: BackgroundServer) -> None:
    local = GovWorkflowEnv(max_steps=30)
    with GenericEnvClient(base_url=live_server.url).sync() as env:
        result = env.reset(seed=6)
        assert result.observation == dump_observation(local.reset(seed=6))
        assert (result.reward, result.done) == (None, False)
        steps = 0
        while not result.done:
            result = env.step(dict(ADVANCE))
            obs, reward, terminated, truncated, _ = local.step(ADVANCE)
            assert result.observation == dump_observation(obs)
            assert result.reward == pytest.approx(reward)
            assert result.done == (terminated or truncated)
            steps += 1
        state: dict[str, Any] = env.state()
        assert state["step_count"] == steps == local.state().steps
        with pytest.raises(RuntimeError, match=r"ended.*code: EXECUTION_ERROR"):
            env.step(dict(ADVANCE))
        with pytest.raises(RuntimeError, match=r"nap.*code: VALIDATION_ERROR"):
            env.step({"action_type": "nap"})


def test_openenv_async_client(live_server: BackgroundServer) -> None:
    import asyncio

    async def play() -> tuple[int, bool]:
        async with GenericEnvClient(base_url=live_server.url) as env:
            await env.reset(seed=1, task_id=GovWorkflowEnv().task_id)
            result = await env.step(ADVANCE)
            return int(result.observation["day"]), bool(result.done)

    assert asyncio.run(play()) == (1, False)


def test_openenv_validate_passes(live_server: BackgroundServer) -> None:
    report = validate_running_environment(live_server.url)
    failed = [c for c in report["criteria"] if not c["passed"]]
    assert report["passed"], failed
    assert report["mode"] == "simulation"
    assert report["standard_profile"] == "openenv-http/1.x"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("openenv") is None, reason="the openenv command is not on PATH")
def test_openenv_validate_command_passes(live_server: BackgroundServer) -> None:
    out = subprocess.run(["openenv", "validate", "--url", live_server.url], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["passed"] is True
