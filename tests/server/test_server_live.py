"""Against a real uvicorn server on 127.0.0.1: the client matches the local env exactly,
concurrent clients do not interfere, HTTP sessions work over the network, and the
``govworkflow serve`` command starts and answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from govworkflow import EpisodeFinishedError, GovWorkflowEnv, InvalidActionError, UnknownNameError
from govworkflow.office.policies import HEURISTICS
from govworkflow.office.rulesets import RULESETS
from govworkflow.server import GovWorkflowClient
from govworkflow.server.protocol import CapacityError
from govworkflow.server.running import BackgroundServer
from govworkflow.server.sessions import ServerConfig

ROOT = Path(__file__).resolve().parents[2]
ALL_TASKS = [(name, tid) for name, rs in RULESETS.items() for tid in rs.tasks]


@pytest.mark.parametrize(("ruleset", "task_id"), ALL_TASKS)
def test_client_matches_local_env(live_server: BackgroundServer, ruleset: str, task_id: str) -> None:
    """Same seed and actions: identical observations, rewards, info, state and grade."""
    policy = next(iter(HEURISTICS.values()))
    local = GovWorkflowEnv(task_id, ruleset=ruleset, max_steps=60)
    with GovWorkflowClient(live_server.url, task_id, ruleset=ruleset, max_steps=60) as remote:
        obs_l, obs_r = local.reset(seed=5), remote.reset(seed=5)
        assert type(obs_r) is type(obs_l)
        assert obs_r == obs_l
        while not local.done:
            action = policy(obs_l)
            res_l, res_r = local.step(action), remote.step(action)
            assert res_r.observation == res_l.observation
            assert (res_r.reward, res_r.terminated, res_r.truncated) == res_l[1:4]
            assert res_r.info == res_l.info
            obs_l = res_l.observation
        assert remote.done
        assert remote.observe() == obs_l
        assert remote.grade() == local.grade()
        assert remote.state() == local.state()
        with pytest.raises(EpisodeFinishedError):
            remote.step(action)


def test_client_raises_what_the_local_env_raises(live_server: BackgroundServer) -> None:
    local = GovWorkflowEnv()
    with GovWorkflowClient(live_server.url) as remote:
        for env in (local, remote):
            with pytest.raises(UnknownNameError) as info:
                env.reset(task_id="atlantis")
            assert "atlantis" in str(info.value)
        local.reset(seed=1)
        remote.reset(seed=1)
        for bad in ({"action_type": "fly"}, '{"action_type": 3}', {"action_type": "advance_time", "x": 0}):
            with pytest.raises(InvalidActionError) as err_l:
                local.step(bad)  # type: ignore[arg-type]
            with pytest.raises(InvalidActionError) as err_r:
                remote.step(bad)  # type: ignore[arg-type]
            assert str(err_r.value) == str(err_l.value)
        assert remote.state() == local.state()
        assert (
            remote.step('{"action_type": "advance_time"}').observation
            == local.step('{"action_type": "advance_time"}').observation
        )


def play_out(env: GovWorkflowEnv | GovWorkflowClient, seed: int) -> list[int]:
    env.reset(seed=seed)
    backlog = []
    while not env.done:
        backlog.append(env.step({"action_type": "advance_time"}).observation.total_backlog)
    return backlog


def test_concurrent_clients_do_not_interfere(live_server: BackgroundServer) -> None:
    """Eight threads, each its own seed, interleaved on one server: every trajectory
    equals the local one for that seed."""
    results: dict[int, Any] = {}
    errors: list[BaseException] = []

    def play(seed: int) -> None:
        try:
            with GovWorkflowClient(live_server.url, max_steps=40) as env:
                results[seed] = (play_out(env, seed), env.grade())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=play, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    for seed, (days, grade) in results.items():
        env = GovWorkflowEnv(max_steps=40)
        assert days == play_out(env, seed)
        assert grade == env.grade()
    assert len(results) == 8


def test_http_sessions_over_the_network(live_server: BackgroundServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        sid = http.post("/reset", json={"seed": 3}).json()["metadata"]["session_id"]
        for _ in range(3):
            assert http.post("/step", json={"session_id": sid, "action": {"action_type": "advance_time"}}).is_success
        assert http.get("/state", headers={"X-Session-Id": sid}).json()["steps"] == 3
        assert http.post("/close", json={"session_id": sid}).json() == {"closed": True}


def test_capacity_error_reaches_the_client() -> None:
    with (
        BackgroundServer(config=ServerConfig(max_sessions=1)) as server,
        GovWorkflowClient(server.url) as first,
    ):
        first.reset()
        with pytest.raises(CapacityError, match="1 of 1"), GovWorkflowClient(server.url) as second:
            second.reset()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_command_starts_a_server() -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "govworkflow", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.communicate()[0]
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        assert r.json() == {"status": "healthy"}
        with GovWorkflowClient(f"http://127.0.0.1:{port}") as client:
            assert client.reset(seed=1).day == 0
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_serve_command_bad_arguments(capsys: Any) -> None:
    from govworkflow.cli.main import main

    assert main(["serve", "--port", "70000"]) == 2
    assert main(["serve", "--max-sessions", "0"]) == 2
    assert main(["serve", "--idle-timeout", "-1"]) == 2
    err = capsys.readouterr().err
    assert "--max-sessions must be a positive integer, got 0" in err  # the option, not the config field
    assert "--idle-timeout must be positive, got -1.0" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--log-level", "bogus"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'bogus'" in capsys.readouterr().err


def test_serve_without_the_extra_names_it(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    from govworkflow.cli.main import main

    monkeypatch.setitem(sys.modules, "uvicorn", None)
    assert main(["serve", "--port", "0"]) == 1
    assert 'pip install "govworkflow[server]"' in capsys.readouterr().err


def test_import_govworkflow_stays_light() -> None:
    code = (
        "import sys, govworkflow, govworkflow.server, govworkflow.cli; "
        "heavy = ('fastapi', 'uvicorn', 'starlette', 'websockets', 'httpx', 'openai'); "
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert out.stdout.strip() == "[]", out.stderr
