"""The load benchmark runs end to end with tiny numbers and reports no cross-talk."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_server_smoke() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_server.py"), "--sessions", "3", "--steps", "40"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no cross-talk" in out.stdout
    for row in ("in-process", "websocket", "http"):
        assert row in out.stdout
