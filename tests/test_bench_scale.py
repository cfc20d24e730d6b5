"""benchmarks/bench_scale.py runs end to end with tiny numbers and prints every table.

Figures are printed, never asserted; a bad count is refused with exit 2."""

from __future__ import annotations

import re

import pytest

from tests.test_benchmarks import _run

ARGS = ["--episodes", "1", "--latency", "0", "--workers", "1", "--submissions", "2", "--cluster-cpus", "4"]


@pytest.mark.slow  # the look-ahead plays one episode per task
def test_bench_scale_prints_costs_and_the_extrapolation() -> None:
    out = _run("bench_scale.py", *ARGS)
    assert out.returncode == 0, out.stdout + out.stderr
    text = out.stdout
    rows = re.findall(r"^(\w+) +(\d+) +([\d.]+) +([\d.]+) +([\d.]+)$", text, re.M)
    assert [r[0] for r in rows] == ["district_backlog_easy", "mixed_urgency_medium", "cross_department_hard",
                                    "district_backlog_easy_extreme"], text  # fmt: skip
    assert "backend local with 1 workers" in text
    board = re.search(r"on 1 workers: (\d+) s; if the simulated day cost nothing: (\d+) s$", text, re.M)
    assert board and 0 < int(board[2]) <= int(board[1]), text
    assert "2 submissions x 4 tasks x 100 seeds = 800 episodes" in text
    for name in ("cheap ladder", "look-ahead", "LLM agent, 2.0 s/step"):
        assert re.search(rf"^{re.escape(name)} +[\d.]+ +[\d.]+ +[\d.]+$", text, re.M), text


def test_bench_scale_refuses_bad_counts() -> None:
    out = _run("bench_scale.py", "--workers", "0")
    assert out.returncode == 2
    assert "must be at least 1" in out.stderr
