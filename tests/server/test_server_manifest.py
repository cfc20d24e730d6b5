"""``openenv.yaml``'s ``validation:`` block: OpenEnv's static lane passes, and every line is
true of the server (reward range, tools, Task API, floor margin)."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from govworkflow.office.rulesets import RULESETS
from govworkflow.server.adapters import ADAPTERS, OFFICE
from govworkflow.server.mcp import tool_specs
from govworkflow.server.protocol import REWARD_RANGE, served_reward
from govworkflow.triage import TASKS as TRIAGE_TASKS

pytest.importorskip("openenv")

from openenv.validation import Level, Verdict, run_validation

ROOT = Path(__file__).resolve().parents[2]
VALIDATION: dict[str, Any] = yaml.safe_load((ROOT / "openenv.yaml").read_text(encoding="utf-8"))["validation"]


def test_static_lane_passes() -> None:
    report = run_validation(ROOT, max_level=Level.STATIC, skip_build=True)
    assert report.verdict is Verdict.PASS, [(r.check_id, r.status, r.evidence) for r in report.results]
    assert [r.check_id for r in report.results] == ["static.manifest"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("openenv") is None, reason="the openenv command is not on PATH")
def test_static_lane_command_passes() -> None:
    out = subprocess.run(
        ["openenv", "validate", str(ROOT), "--level", "static", "--skip-build"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Verdict: PASS" in out.stdout


def test_the_block_says_what_the_server_does() -> None:
    assert tuple(VALIDATION["reward"]["range"]) == REWARD_RANGE
    caps = VALIDATION["capabilities"]
    assert caps["declared_tools"] == [t["name"] for t in tool_specs(OFFICE)]  # tools/list before a reset
    assert caps["task_api"] is True and caps["verifier"] == {"kind": "reward_channel"}
    scales = "scale 10 for the office, 30 for triage"
    assert scales in (ROOT / "openenv.yaml").read_text(encoding="utf-8")
    assert [a.reward_scale for a in ADAPTERS] == [10.0, 30.0]


@settings(derandomize=True, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([a.reward_scale for a in ADAPTERS]))
def test_served_rewards_are_finite_and_inside_the_range(raw: float, scale: float) -> None:
    r = served_reward(raw, scale)
    assert math.isfinite(r)
    assert REWARD_RANGE[0] <= r <= REWARD_RANGE[1]
    if math.isfinite(raw) and abs(raw) > 1e-300:  # (smaller ones underflow to 0 when scaled)
        assert (r > 0) == (raw > 0) and (r < 0) == (raw < 0)
        if abs(raw) < 1e12:
            assert scale * r / (1 - abs(r)) == pytest.approx(raw, rel=1e-6, abs=1e-9)  # invertible


@settings(derandomize=True, deadline=None)
@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))
def test_served_rewards_keep_the_order(a: float, b: float) -> None:
    if a < b:
        assert served_reward(a, OFFICE.reward_scale) <= served_reward(b, OFFICE.reward_scale)


def play(ws: Any, reset: dict[str, Any], actions: list[dict[str, Any]]) -> list[float]:
    ws.send_json({"type": "reset", "data": reset})
    reply = ws.receive_json()["data"]
    rewards, i = [], 0
    while not reply["done"]:
        ws.send_json({"type": "step", "data": actions[i % len(actions)]})
        reply = ws.receive_json()["data"]
        rewards.append(reply["reward"])
        i += 1
    return rewards


OFFICE_MIX = [
    {"action_type": "assign_capacity", "service": "passport", "officer_delta": 5},  # often refused: -1.5
    {"action_type": "set_priority_mode", "priority_mode": "urgent_first"},
    {"action_type": "advance_time"},
    {"action_type": "advance_time"},
]


def test_every_served_step_reward_lies_in_the_declared_range(client: TestClient) -> None:
    low, high = VALIDATION["reward"]["range"]
    seen = []
    with client.websocket_connect("/ws") as ws:
        for name, rs in RULESETS.items():
            for task_id in rs.tasks:
                seen += play(ws, {"ruleset": name, "task_id": task_id, "seed": 5, "max_steps": 60}, OFFICE_MIX)
        for task_id in list(TRIAGE_TASKS)[:3]:
            seen += play(ws, {"ruleset": "triage", "task_id": task_id, "seed": 5}, [{"ticket_id": "T01"}])
    assert len(seen) > 400
    assert all(isinstance(r, float) and math.isfinite(r) and low <= r <= high for r in seen)
    assert min(seen) < 0 < max(seen)


def test_the_floor_margin_holds_for_a_do_nothing_policy(client: TestClient) -> None:
    """The declared gap: a policy that only waits stays ``floor_margin`` below the top of the
    range on average, on every ruleset's first task."""
    high, margin = VALIDATION["reward"]["range"][1], VALIDATION["reward"]["floor_margin"]
    with client.websocket_connect("/ws") as ws:
        for name, rs in RULESETS.items():
            rewards = play(
                ws, {"ruleset": name, "task_id": next(iter(rs.tasks)), "seed": 3}, [{"action_type": "advance_time"}]
            )
            assert high - sum(rewards) / len(rewards) >= margin, name
