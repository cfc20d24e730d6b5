"""Figure functions and traces: deterministic figures whose data match the episode."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from govworkflow import EpisodeRecord, GovWorkflowEnv
from govworkflow.viz import figures as F  # noqa: N812 - F for figures, as in the docs
from govworkflow.viz.trace import Trace, trace
from tests.notebooks.support import ROOT, RULESET, TASK

plotly = pytest.importorskip("plotly")


@pytest.fixture
def tr(finished_env: GovWorkflowEnv) -> Trace:
    return trace(finished_env.record)


def _episode_figures(tr: Trace, env: GovWorkflowEnv) -> list:
    return [
        F.backlog_figure(tr),
        F.backlog_figure(tr, by="stage"),
        F.sla_figure(tr),
        F.officers_figure(tr),
        F.reward_components_figure(tr),
        F.reward_components_figure(env.record),
        F.grade_figure(env.grade()),
    ]


def test_figures_are_deterministic_and_small(finished_env: GovWorkflowEnv, tr: Trace) -> None:
    first = [f.to_json() for f in _episode_figures(tr, finished_env)]
    again = [f.to_json() for f in _episode_figures(trace(finished_env.record), finished_env)]
    assert first == again
    for text in first:
        assert len(text) < 40_000
        assert '"bdata"' not in text  # plain lists, no binary numpy payloads
        assert '"uid"' not in text
        layout = json.loads(text)["layout"]
        assert layout["template"]["layout"]["paper_bgcolor"] == "rgba(0,0,0,0)"  # light and dark themes


def test_trace_replays_the_episode_exactly(finished_env: GovWorkflowEnv, tr: Trace) -> None:
    assert len(tr) == len(finished_env.record.steps) + 1
    assert tr.last.observation == finished_env.observe()
    assert [p.reward for p in tr.steps()] == [s.reward for s in finished_env.record.steps]
    assert tr.points[0].step == 0 and tr.points[0].message == "reset"


def test_trace_rejects_a_record_that_does_not_replay(finished_env: GovWorkflowEnv) -> None:
    data = finished_env.record.to_dict()
    data["steps"][3]["reward"] += 1.0
    with pytest.raises(ValueError, match="step 4"):
        trace(EpisodeRecord.from_dict(data))


def test_backlog_by_service_and_by_stage_add_up_to_the_backlog(tr: Trace) -> None:
    daily = tr.daily()
    assert [p.day for p in daily] == list(range(daily[-1].day + 1))
    for by in ("service", "stage"):
        fig = F.backlog_figure(tr, by=by)
        assert list(fig.data[0].x) == [p.day for p in daily]
        totals = [sum(t.y[i] for t in fig.data) for i in range(len(daily))]
        assert totals == [p.observation.total_backlog for p in daily]
    by_service = F.backlog_figure(tr)
    assert [t.name for t in by_service.data] == list(tr.services)
    assert by_service.data[0].line.color == F.SERVICE_COLORS[tr.services[0]]
    assert f"day {daily[-1].day}" in by_service.layout.title.text
    with pytest.raises(ValueError, match="by"):
        F.backlog_figure(tr, by="colour")


def test_sla_and_officer_figures(tr: Trace) -> None:
    daily = tr.daily()
    sla = F.sla_figure(tr)
    at_risk, breaches, completed = sla.data
    assert list(at_risk.y) == [p.at_risk for p in daily]
    assert list(breaches.y) == [p.observation.total_sla_breaches for p in daily]
    assert list(completed.y) == [p.observation.total_completed for p in daily]
    assert list(breaches.y) == sorted(breaches.y)  # breaches only accumulate
    officers = F.officers_figure(tr)
    assert [t.name for t in officers.data] == [*tr.services, "reserve"]
    staff = {sum(t.y[i] for t in officers.data) for i in range(len(daily))}
    assert len(staff) == 1  # legacy conserves officers: assigned + reserve is constant


def test_reward_components_add_up_to_the_reward(finished_env: GovWorkflowEnv, tr: Trace) -> None:
    fig = F.reward_components_figure(tr)
    names = finished_env.record.component_names
    assert [t.name for t in fig.data] == [*names, "total"]
    for i, step in enumerate(finished_env.record.steps):
        parts = sum(t.y[i] for t in fig.data[:-1])
        assert parts == pytest.approx(step.reward, abs=1e-3)
        assert fig.data[-1].y[i] == step.reward
    assert F.reward_components_figure(finished_env.record).data[-1].y == fig.data[-1].y


def test_grade_figure_earned_parts_add_up_to_the_score(finished_env: GovWorkflowEnv) -> None:
    grade = finished_env.grade()
    fig = F.grade_figure(grade)
    earned, lost = fig.data
    assert sum(earned.x) == pytest.approx(grade.score, abs=1e-3)
    assert sum(earned.x) + sum(lost.x) == pytest.approx(1.0, abs=1e-3)
    assert list(earned.y) == [c.name for c in reversed(grade.components)]
    assert f"{grade.score:.4f}" in fig.layout.title.text and "provisional" not in fig.layout.title.text


ROWS = [
    {"task_id": "a", "policy": "p1", "mean": 0.5, "ci_low": 0.4, "ci_high": 0.7, "n": 10},
    {"task_id": "a", "policy": "p2", "mean": 0.6, "ci_low": 0.55, "ci_high": 0.65, "n": 10},
    {"task_id": "b", "policy": "p1", "mean": 0.3, "ci_low": 0.2, "ci_high": 0.35, "n": 10},
    {"task_id": "b", "policy": "p2", "mean": 0.9, "ci_low": 0.85, "ci_high": 0.95, "n": 10},
]


def test_leaderboard_has_asymmetric_ci_error_bars() -> None:
    fig = F.leaderboard_figure(ROWS)
    assert [t.name for t in fig.data] == ["b", "a"]  # the first task drawn on top
    a = fig.data[1]
    assert list(a.y) == ["p1", "p2"]  # ordered by mean over tasks (p2 best, drawn on top)
    assert list(a.x) == [0.5, 0.6]
    assert list(a.error_x.array) == [0.2, 0.05] and list(a.error_x.arrayminus) == [0.1, 0.05]
    assert list(fig.layout.yaxis.categoryarray) == ["p1", "p2"]
    no_ci = F.leaderboard_figure([{"policy": "x", "mean": 0.5}])
    assert no_ci.data[0].error_x.array is None
    assert F.leaderboard_figure(ROWS).to_json() == fig.to_json()


def test_ruleset_comparison_and_training_curves() -> None:
    rows = [
        {"ruleset": "legacy", "task_id": "t", "policy": "stall", "mean": 0.72},
        {"ruleset": "standard", "task_id": "t", "policy": "stall", "mean": 0.1},
    ]
    fig = F.ruleset_comparison_figure(rows)
    assert [(t.name, list(t.y)) for t in fig.data] == [("legacy", [0.72]), ("standard", [0.1])]
    curve = F.training_curve_figure({"steps": [0, 10, 20], "values": [0.1, 0.2, 0.4]}, baselines={"best": 0.3})
    assert [t.name for t in curve.data] == ["training", "best"]
    assert list(curve.data[1].x) == [0, 20] and list(curve.data[1].y) == [0.3, 0.3]
    many = F.training_curve_figure({"a": {"steps": [1], "values": [0.5]}, "b": {"steps": [2], "values": [0.6]}})
    assert [t.name for t in many.data] == ["a", "b"]
    with pytest.raises(ValueError, match="curve 'training'"):
        F.training_curve_figure({"steps": [1, 2], "values": [0.5]})


def test_import_stays_light_and_a_missing_extra_names_it() -> None:
    light = (
        "import sys, govworkflow, govworkflow.viz\n"
        "heavy = [m for m in ('plotly', 'ipywidgets', 'scipy', 'IPython') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", light], check=True, cwd=ROOT)
    missing = (
        "import sys\n"
        "sys.modules['plotly'] = None\n"
        "from govworkflow.core.errors import MissingExtraError\n"
        "try:\n"
        "    from govworkflow.viz import backlog_figure\n"
        "except MissingExtraError as err:\n"
        "    assert 'govworkflow[notebooks]' in str(err), err\n"
        "else:\n"
        "    raise SystemExit('no error')\n"
    )
    subprocess.run([sys.executable, "-c", missing], check=True, cwd=ROOT)


def test_trace_of_a_live_episode_matches_the_replay() -> None:
    env = GovWorkflowEnv(TASK, ruleset=RULESET)
    env.reset(seed=5)
    live = Trace.start(env.simulator)
    for action in ({"action_type": "set_priority_mode", "priority_mode": "urgent_first"},) + (
        {"action_type": "advance_time"},
    ) * 4:
        env.step(action)
        live.add(env.simulator, env.record.steps[-1])
    replayed = trace(env.record)
    assert live.points == replayed.points
    live.truncate(2)
    assert len(live) == 3 and live.last == replayed.points[2]


def _bars(fig: Any) -> list[tuple[str, str, str, float]]:
    """Every bar as (its panel's title, task, policy, length)."""
    panels = {"y" if i == 1 else f"y{i}": a.text for i, a in enumerate(fig.layout.annotations, start=1)}
    return [
        (panels.get(t.yaxis or "y", ""), t.name, policy, x)
        for t in fig.data
        for policy, x in zip(t.y, t.x, strict=True)
    ]


def test_leaderboard_keeps_rulesets_apart() -> None:
    """The published files hold several rulesets with the same task names: each (ruleset,
    task, policy) row is one bar of its own ruleset's panel, never added to another's."""
    from govworkflow.viz.results import load_leaderboard

    rows, sources = load_leaderboard(ROOT / "data" / "results")
    assert len({r["ruleset"] for r in rows}) > 1 and len(sources) > 1
    fig = F.leaderboard_figure(rows)
    bars = _bars(fig)
    assert len(bars) == len(rows)
    expected = {(f"ruleset {r['ruleset']}", r["task_id"], r["policy"], round(r["mean"], 4)) for r in rows}
    assert set(bars) == expected
    assert len({b[:3] for b in bars}) == len(bars)  # one bar per (ruleset, task, policy)
    for t in fig.data:  # within a trace no policy twice: nothing stacks or overlays
        assert len(set(t.y)) == len(t.y)
    assert fig.layout.barmode == "group"


def test_leaderboard_of_one_ruleset_is_one_panel() -> None:
    rows = [
        {"ruleset": "standard", "task_id": t, "policy": p, "mean": m, "ci_low": m - 0.1, "ci_high": m + 0.1, "n": 5}
        for t in ("a", "b")
        for p, m in (("x", 0.4), ("y", 0.6))
    ]
    fig = F.leaderboard_figure(rows)
    assert not fig.layout.annotations and [t.name for t in fig.data] == ["b", "a"]
    assert list(fig.layout.yaxis.categoryarray) == ["x", "y"]  # best on top
    assert list(fig.data[0].error_x.array) == [0.1, 0.1]


def test_leaderboard_refuses_a_row_given_twice() -> None:
    row = {"ruleset": "standard", "task_id": "a", "policy": "x", "mean": 0.5}
    with pytest.raises(ValueError, match=r"\('standard', 'a', 'x'\) appears twice"):
        F.leaderboard_figure([row, dict(row, mean=0.4)])
