"""The criteria report and the leaderboard helpers the notebooks use."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from govworkflow import RULESETS
from govworkflow.core.errors import GovWorkflowError
from govworkflow.viz.report import Criteria, SkipCheck
from govworkflow.viz.results import (
    bootstrap_ci,
    eval_seeds,
    load_leaderboard,
    quick_leaderboard,
    usable_policies,
)
from tests.notebooks.support import RULESET, TASK


def test_checks_pass_fail_skip_and_error(capsys: pytest.CaptureFixture[str]) -> None:
    crit = Criteria("t")

    @crit.check("a.pass", "g", "passes")
    def _() -> str:
        return "fine"

    @crit.check("a.fail", "g", "fails")
    def _() -> None:
        raise AssertionError("wrong")

    @crit.check("a.skip", "g", "skips")
    def _() -> None:
        raise SkipCheck("not here")

    @crit.check("a.error", "g", "errors")
    def _() -> None:
        raise KeyError("k")

    out = capsys.readouterr().out.splitlines()
    assert out == [
        "PASS  a.pass: fine",
        "FAIL  a.fail: wrong",
        "SKIP  a.skip: not here",
        "FAIL  a.error: KeyError: 'k'",
    ]
    assert crit.summary() == {"pass": 1, "fail": 2, "skip": 1}
    assert not crit.passed

    @crit.check("a.fail", "g", "fixed")  # re-running a check replaces its row
    def _() -> None:
        return None

    @crit.check("a.error", "g", "fixed")
    def _() -> None:
        return None

    assert crit.passed and list(crit.results) == ["a.pass", "a.fail", "a.skip", "a.error"]


def test_save_writes_json_and_a_self_contained_html(tmp_path: Path) -> None:
    plotly = pytest.importorskip("plotly")
    crit = Criteria("t <report>")

    @crit.check("x", "g", "ok")
    def _() -> None:
        return None

    crit.figures["A figure"] = plotly.graph_objects.Figure()
    json_path, html_path = crit.save(tmp_path / "out", package_version="0", parameters={"n": 1})
    data = json.loads(json_path.read_text())
    assert data["passed"] is True and data["summary"] == {"pass": 1, "fail": 0, "skip": 0}
    assert data["parameters"] == {"n": 1} and data["checks"][0]["id"] == "x"
    page = html_path.read_text()
    assert "t &lt;report&gt;" in page and "PASS" in page and 'id="fig0"' in page
    assert "cdn" not in page.split("<script", 1)[0]  # plotly.js is inline, no network needed


def test_load_leaderboard_keeps_only_leaderboard_rows_with_their_ruleset(tmp_path: Path) -> None:
    from govworkflow.evaluation import table

    row = table.summarise("t", "p", [(1, 0.5, {"m": 0.5}, {}), (2, 0.7, {"m": 0.7}, {}), (3, 0.6, {"m": 0.6}, {})])
    for name, ruleset in (("a.json", "legacy"), ("b.json", "standard")):
        doc = table.Document(environment="office", ruleset=ruleset, provenance={}, rows=[row])
        table.save(doc, tmp_path / name)
    (tmp_path / "training.json").write_text(json.dumps({"rows": [{"task_id": "t", "score": 0.1}]}))
    (tmp_path / "broken.json").write_text("{")
    rows, sources = load_leaderboard(tmp_path)
    assert sources == ["a.json", "b.json"]
    assert [r["ruleset"] for r in rows] == ["legacy", "standard"]  # rows of two rulesets stay apart
    assert all(r["mean"] == 0.6 and r["n"] == 3 and r["seeds"] == [1, 2, 3] for r in rows)
    assert load_leaderboard(tmp_path / "missing") == ([], [])
    bad = json.loads((tmp_path / "a.json").read_text())
    bad["rows"][0]["mean"] = 1.7
    (tmp_path / "a.json").write_text(json.dumps(bad))
    with pytest.raises(ValueError, match=r"a.json: not a valid govworkflow leaderboard file: rows.0.mean"):
        load_leaderboard(tmp_path)


def test_quick_leaderboard_and_bootstrap() -> None:
    pytest.importorskip("scipy")
    rows = quick_leaderboard(RULESET, tasks=[TASK], policies=["backlog_clearance", "oldest_first"], n_seeds=4)
    assert [r["policy"] for r in rows] == ["backlog_clearance", "oldest_first"]
    for r in rows:
        assert r["n"] == 4 and r["ci_low"] <= r["mean"] <= r["ci_high"]
    assert quick_leaderboard(RULESET, [TASK], ["backlog_clearance"], 4)[0] == rows[0]
    assert bootstrap_ci([0.5]) == (0.5, 0.5) and bootstrap_ci([0.2, 0.2]) == (0.2, 0.2)
    assert bootstrap_ci([0.1, 0.5, 0.9]) == bootstrap_ci([0.1, 0.5, 0.9])


def test_eval_seeds_are_the_tasks_held_out_seeds() -> None:
    for rs in RULESETS.values():
        for task in rs.tasks.values():
            assert eval_seeds(task, 3) == list(task.seeds.evaluation.seeds())[:3]
            assert task.seed not in eval_seeds(task, 3)


class _NeedsAModel:
    name = "needs_model"
    description = "a trained policy whose model is not installed"

    def reset(self, seed: int | None = None) -> None:
        pass

    def act(self, observation: object, simulator: object = None) -> None:
        raise GovWorkflowError("no trained model")


@pytest.fixture
def ruleset_with_a_missing_model(monkeypatch: pytest.MonkeyPatch) -> str:
    rs = RULESETS[RULESET]
    monkeypatch.setitem(
        RULESETS, RULESET, dataclasses.replace(rs, policies={**rs.policies, "needs_model": _NeedsAModel})
    )
    return RULESET


def test_policies_that_cannot_act_are_left_out(ruleset_with_a_missing_model: str) -> None:
    usable = usable_policies(ruleset_with_a_missing_model)
    assert "needs_model" not in usable
    assert {"backlog_clearance", "urgent_first", "oldest_first"} <= set(usable)
    assert usable == [p for p in RULESETS[RULESET].policies if p in usable]  # registry order
    rows = quick_leaderboard(ruleset_with_a_missing_model, tasks=[TASK], n_seeds=1)
    assert [r["policy"] for r in rows] == usable


def test_player_says_why_a_policy_cannot_play(ruleset_with_a_missing_model: str) -> None:
    pytest.importorskip("ipywidgets")
    from govworkflow.viz.player import EpisodePlayer

    player = EpisodePlayer(TASK, ruleset=ruleset_with_a_missing_model)
    assert "needs_model" not in player.policy_picker.options
    asked = EpisodePlayer(TASK, ruleset=ruleset_with_a_missing_model, policy="needs_model")
    assert asked.autoplay_tick() is None and asked.counters["step"] == 0
    assert "needs_model cannot play: no trained model" in asked.message_html.value
