"""The speed benchmarks run end to end with tiny numbers and print every row.

Figures are printed, never asserted: these tests only check that the scripts work."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from govworkflow.core.assets import has_model
from govworkflow.triage import TASKS

ROOT = Path(__file__).resolve().parents[1]


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def _bench(script: str, *args: str) -> str:
    out = _run(script, *args)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_bench_triage_prints_every_row() -> None:
    text = _bench("bench_triage.py", "--episodes", "2", "--repeats", "1")
    row = re.compile(r"^(\w+) +(sim \+ edf|gym \+ random|oracle|ppo) +(\d+) +[\d,.]+ (st/s|ms/i) ", re.M)
    found = row.findall(text)
    assert len(found) == len(text.splitlines()) - 2, text  # every line under the header is a row
    for task_id in TASKS:
        kinds = [kind for task, kind, _, _ in found if task == task_id]
        expected = ["sim + edf", "gym + random", "oracle"] + (["ppo"] if has_model("triage", task_id) else [])
        assert kinds == expected, text


def test_bench_triage_refuses_bad_counts() -> None:
    out = _run("bench_triage.py", "--episodes", "0")
    assert out.returncode == 2
    assert "--episodes and --repeats must be at least 1, got 0 and 3" in out.stderr


@pytest.mark.parametrize("script", ["bench_legacy.py", "bench_standard.py"])
def test_office_benchmarks_run(script: str) -> None:
    text = _bench(script, "--episodes", "1", "--repeats", "1")
    assert "best of 1" in text
    assert len(text.splitlines()) > 3
    if script == "bench_standard.py":  # the cost of settling: a row per task, ratios to the play alone
        table = text.split("grading v1")[1].splitlines()[2:]
        assert len(table) == 4 and all(line.count("x)") == 2 for line in table), text
