"""How much grading slows other sessions down: the p50 and p95 latency of one canary
session's steps (WebSocket, office ``advance_time``), alone and while N other clients
grade triage episodes on fresh seeds (each grade solves the exact oracle afresh).

A ``govworkflow serve`` process is started on 127.0.0.1 (a free port) from the source
tree ``--source`` (default: this repository) and stopped at the end.

    python benchmarks/bench_server_grading.py [--graders 4] [--steps 400] [--task two_workers_12]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def canary(url: str, steps: int) -> list[float]:
    """Seconds per step of one WebSocket session (resetting when its episode ends)."""
    out = []
    with connect(url, proxy=None) as ws:
        ws.send(json.dumps({"type": "reset", "data": {"seed": 1}}))
        ws.recv()
        for _ in range(steps):
            start = time.perf_counter()
            ws.send(json.dumps({"type": "step", "data": {"action_type": "advance_time"}}))
            reply = json.loads(ws.recv())
            out.append(time.perf_counter() - start)
            if reply["type"] != "observation" or reply["data"]["done"]:
                ws.send(json.dumps({"type": "reset", "data": {"seed": 1}}))
                ws.recv()
    return out


def grader(url: str, task: str, first_seed: int, stop: threading.Event, counts: list[int]) -> None:
    """Grade triage episodes of fresh seeds until told to stop."""
    seed = first_seed
    with connect(url, proxy=None) as ws:
        while not stop.is_set():
            ws.send(json.dumps({"type": "reset", "data": {"ruleset": "triage", "task_id": task, "seed": seed}}))
            ws.recv()
            ws.send(json.dumps({"type": "grade"}))
            ws.recv()
            counts.append(1)
            seed += 1


def summary(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    return f"{name:<28} p50 {statistics.median(ms):7.2f} ms   p95 {p95:7.2f} ms   ({len(ms)} steps)"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--graders", type=int, default=4, help="clients grading at once (default 4)")
    p.add_argument("--steps", type=int, default=400, help="canary steps per phase (default 400)")
    p.add_argument("--task", default="two_workers_12", help="triage task the graders play")
    p.add_argument("--source", type=Path, default=ROOT, help="source tree of the server to run")
    args = p.parse_args()
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(args.source)}
    cmd = [sys.executable, "-m", "govworkflow", "serve", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(cmd, env=env, cwd=args.source)
    url = f"ws://127.0.0.1:{port}/ws"
    try:
        for _ in range(200):
            try:
                with connect(url, proxy=None, open_timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        canary(url, 50)  # warm up
        alone = canary(url, args.steps)
        stop, counts = threading.Event(), []
        threads = [
            threading.Thread(target=grader, args=(url, args.task, 10_000 + 100_000 * i, stop, counts), daemon=True)
            for i in range(args.graders)
        ]
        for t in threads:
            t.start()
        time.sleep(0.5)
        loaded = canary(url, args.steps)
        stop.set()
        for t in threads:
            t.join(timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"server from {args.source}; {args.graders} clients grading triage {args.task} on fresh seeds")
    print(summary("canary alone", alone))
    print(summary(f"canary, {args.graders} clients grading", loaded))
    print(f"grades computed meanwhile: {len(counts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
