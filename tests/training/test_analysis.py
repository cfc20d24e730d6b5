"""The behaviour analysis reads what the grade reads, and counts what was played."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from govworkflow.evaluation import run_episode
from govworkflow.office.rulesets import get_ruleset
from govworkflow.training.analysis import PHASES, behaviour, compare, main

RS = get_ruleset("standard")


def test_behaviour_matches_the_harness() -> None:
    seeds = RS.task("district_backlog_easy").evaluation_seeds[:2]
    b = behaviour("standard", "district_backlog_easy", "sla_aware", seeds)
    played = [run_episode(RS, "district_backlog_easy", RS.policy("sla_aware"), s) for s in seeds]
    assert b["score"] == pytest.approx(sum(r.score for r in played) / 2, abs=1e-4)
    # the eventual on-time rate is the grade's sla_compliance, pooled over the episodes
    assert b["on_time"] == pytest.approx(sum(r.metrics["sla_compliance"] for r in played) / 2, abs=0.01)
    assert set(b["actions"]) == set(PHASES)
    steps = sum(r.steps for r in played) / 2
    assert sum(sum(c.values()) for c in b["actions"].values()) + b["invalid"] == pytest.approx(steps)
    assert b["actions"]["early"]["set_priority_mode"] >= 1  # sla_aware switches to urgent-first at once
    assert set(b["on_time_by_service"]) == set(RS.task("district_backlog_easy").services)


def test_compare_and_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = compare("standard", "mixed_urgency_medium", ["advance_only", "c_mu"], [2000000])
    assert [r["policy"] for r in rows] == ["advance_only", "c_mu"]
    assert rows[0]["actions"]["late"] == {"advance_time": rows[0]["actions"]["late"]["advance_time"]}
    out = tmp_path / "b.json"
    assert main(["--task", "district_backlog_easy", "--policies", "advance_only", "--seeds", "1",
                 "--output", str(out)]) == 0  # fmt: skip
    doc = json.loads(out.read_text())
    assert doc["format"] == "govworkflow-behaviour" and len(doc["rows"]) == 1
    assert doc["provenance"]["command"] == (
        f"python -m govworkflow.training.analysis --task district_backlog_easy --policies advance_only --seeds 1 "
        f"--output {out}"
    )
    assert "advance_only" in capsys.readouterr().out
    with pytest.raises(ValueError, match="seeds: give at least one seed"):
        behaviour("standard", "district_backlog_easy", "c_mu", [])


def test_the_command_records_its_arguments_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run as ``python -m``, ``main()`` reads ``sys.argv``: its record names them all."""
    out = tmp_path / "b.json"
    argv = ["--task", "district_backlog_easy", "--policies", "advance_only", "--seeds", "1", "--output", str(out)]
    monkeypatch.setattr(sys, "argv", ["analysis.py", *argv])
    assert main() == 0
    command = json.loads(out.read_text())["provenance"]["command"]
    assert command == " ".join(["python -m govworkflow.training.analysis", *argv])
