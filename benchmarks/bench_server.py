"""Load test of the server, loopback only: N concurrent sessions x M steps each, over
WebSocket and over HTTP, against in-process stepping in the same run.

A ``govworkflow serve`` process is started on 127.0.0.1 (a free port) and stopped at
the end. Each session plays the ``backlog_clearance`` heuristic from its own seeds,
resetting when an episode ends. Checks: no errors, and no cross-talk (every session's
rewards equal a local replay of its seeds and actions, exactly). Prints steps/s and
the ratios to in-process stepping.

    python benchmarks/bench_server.py [--sessions 8] [--steps 500] [--task TASK] [--ruleset R]
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from govworkflow import GovWorkflowEnv
from govworkflow.office.models import Observation
from govworkflow.office.policies import backlog_clearance
from govworkflow.server.client import GovWorkflowClient
from govworkflow.server.protocol import load_observation

ROOT = Path(__file__).resolve().parents[1]
MAX_SESSIONS, MAX_STEPS = 64, 20_000
Episode = tuple[int, list[float]]  # (seed, rewards)


def play(env: Any, seed0: int, steps: int) -> list[Episode]:
    """``steps`` steps of the heuristic on ``env`` (anything with reset/step), resetting
    with the next seed whenever an episode ends."""
    episodes: list[Episode] = []
    seed, obs, rewards = seed0, env.reset(seed=seed0), []
    for _ in range(steps):
        obs, reward, terminated, truncated, _ = env.step(backlog_clearance(obs))
        rewards.append(reward)
        if terminated or truncated:
            episodes.append((seed, rewards))
            seed += 1
            obs, rewards = env.reset(seed=seed), []
    episodes.append((seed, rewards))
    return episodes


class HttpEnv:
    """The stateful HTTP endpoints with the ``reset``/``step`` shape ``play`` needs."""

    def __init__(self, url: str, task_id: str, ruleset: str | None) -> None:
        self.http = httpx.Client(base_url=url, timeout=30)
        self.params = {"task_id": task_id, "ruleset": ruleset}
        self.sid: str | None = None

    def reset(self, seed: int) -> Observation:
        body = {**self.params, "seed": seed, "session_id": self.sid}
        data = self._post("/reset", body)
        self.sid = data["metadata"]["session_id"]
        return load_observation(data["observation"])

    def step(self, action: Any) -> tuple[Observation, float, bool, bool, dict[str, Any]]:
        action_json = action.model_dump(mode="json", exclude_none=True)
        data = self._post("/step", {"session_id": self.sid, "action": action_json})
        return (
            load_observation(data["observation"]),
            data["metadata"]["raw_reward"],
            data["metadata"]["terminated"],
            data["metadata"]["truncated"],
            {},
        )

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = self.http.post(path, json={k: v for k, v in body.items() if v is not None})
        r.raise_for_status()
        result: dict[str, Any] = r.json()
        return result

    def close(self) -> None:
        if self.sid:
            self.http.post("/close", json={"session_id": self.sid})
        self.http.close()


def concurrent(make_env: Callable[[], Any], sessions: int, steps: int) -> tuple[float, list[list[Episode]]]:
    """Run ``sessions`` threads at once; return (steps/s overall, each session's episodes)."""
    results: list[list[Episode]] = [[] for _ in range(sessions)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(sessions + 1)

    def worker(i: int) -> None:
        env = make_env()
        try:
            barrier.wait(timeout=60)
            results[i] = play(env, 1000 * i, steps)
        except BaseException as exc:
            errors.append(exc)
        finally:
            env.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(sessions)]
    for t in threads:
        t.start()
    barrier.wait(timeout=60)
    start = time.perf_counter()
    for t in threads:
        t.join(timeout=600)
    elapsed = time.perf_counter() - start
    if errors or any(t.is_alive() for t in threads):
        raise SystemExit(f"FAILED: {len(errors)} session(s) raised, first: {errors[:1]!r}")
    return sessions * steps / elapsed, results


def check_no_cross_talk(results: list[list[Episode]], task_id: str, ruleset: str | None) -> int:
    """Replay every session's seeds locally; the rewards must match exactly."""
    env = GovWorkflowEnv(task_id, ruleset=ruleset)
    checked = 0
    for i, episodes in enumerate(results):
        for seed, rewards in episodes:
            obs = env.reset(seed=seed)
            for k, reward in enumerate(rewards):
                obs, local, *_ = env.step(backlog_clearance(obs))
                if local != reward:
                    raise SystemExit(f"FAILED: session {i}, seed {seed}, step {k + 1}: {reward} != {local}")
                checked += 1
    return checked


def start_server(max_sessions: int) -> tuple[subprocess.Popen[str], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.getenv("PYTHONPATH")]))}
    cmd = [sys.executable, "-m", "govworkflow", "serve", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--max-sessions", str(max_sessions), "--max-sessions-per-client", str(max_sessions)]
    cmd += ["--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
        if proc.poll() is not None:
            break
    proc.terminate()
    raise SystemExit("FAILED: the server did not start")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sessions", type=int, default=8, help=f"concurrent sessions (1-{MAX_SESSIONS})")
    p.add_argument("--steps", type=int, default=500, help=f"steps per session (1-{MAX_STEPS})")
    p.add_argument("--task", default=None, help="task id (default: the ruleset's first)")
    p.add_argument("--ruleset", default=None, help="ruleset (default: the package default)")
    args = p.parse_args()
    if not (1 <= args.sessions <= MAX_SESSIONS and 1 <= args.steps <= MAX_STEPS):
        p.error(f"--sessions must be 1-{MAX_SESSIONS} and --steps 1-{MAX_STEPS}")
    local = GovWorkflowEnv(args.task, ruleset=args.ruleset)
    task_id, ruleset = local.task_id, local.ruleset.name
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs; {ruleset}/{task_id}; "
        f"{args.sessions} sessions x {args.steps} steps; server in its own process on 127.0.0.1"
    )

    start = time.perf_counter()
    play(local, 0, args.sessions * args.steps)
    in_process = args.sessions * args.steps / (time.perf_counter() - start)

    proc, url = start_server(args.sessions + 2)
    try:
        ws_rate, ws_results = concurrent(
            lambda: GovWorkflowClient(url, task_id, ruleset=ruleset).connect(), args.sessions, args.steps
        )
        http_rate, http_results = concurrent(lambda: HttpEnv(url, task_id, ruleset), args.sessions, args.steps)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    checked = check_no_cross_talk(ws_results, task_id, ruleset) + check_no_cross_talk(http_results, task_id, ruleset)

    print(f"{'transport':<12}{'steps/s':>12}{'vs in-process':>16}")
    print(f"{'in-process':<12}{in_process:>12,.0f}{1.0:>16.3f}")
    print(f"{'websocket':<12}{ws_rate:>12,.0f}{ws_rate / in_process:>16.3f}")
    print(f"{'http':<12}{http_rate:>12,.0f}{http_rate / in_process:>16.3f}")
    print(f"websocket / http: {ws_rate / http_rate:.2f}x")
    print(f"OK: no errors; {checked:,} remote steps matched their local replays exactly (no cross-talk)")


if __name__ == "__main__":
    main()
