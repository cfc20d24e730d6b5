"""The episode player, driven headlessly through the methods its buttons call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from govworkflow import Action
from govworkflow.office.models import action_fields
from govworkflow.office.vocab import ActionType
from tests.notebooks.support import RULESET, TASK

pytest.importorskip("ipywidgets")
pytest.importorskip("plotly")

from govworkflow.viz import player as player_module
from govworkflow.viz.actions import ACTION_FIELDS, valid_actions
from govworkflow.viz.player import REPLAY, EpisodePlayer, figure_bundle

pio = pytest.importorskip("plotly.io")


@pytest.fixture
def player() -> EpisodePlayer:
    return EpisodePlayer(TASK, ruleset=RULESET)


def _visible(p: EpisodePlayer) -> list[str]:
    return [name for name, w in p.fields.items() if w.layout.display != "none"]


def test_starts_on_day_zero(player: EpisodePlayer) -> None:
    c = player.counters
    assert (c["day"], c["step"], c["completed"], c["done"]) == (0, 0, 0, False)
    assert c["backlog"] == player.env.observe().total_backlog > 0
    assert player.message == "reset"
    assert "day</b> 0 / 20" in player.counters_html.value
    assert set(player.figures) == {"backlog", "deadlines", "officers", "reward", "grade"}


def test_advance_day_button_moves_time_and_the_charts(player: EpisodePlayer) -> None:
    before = player.figures["backlog"]
    player.buttons["advance"].click()
    assert player.counters["day"] == 1 and player.counters["step"] == 1
    assert player.message == "day 1 simulated"
    after = player.figures["backlog"]
    assert list(before.data[0].x) == [0] and list(after.data[0].x) == [0, 1]
    assert "day 1" in after.layout.title.text
    assert "day</b> 1 / 20" in player.counters_html.value


def test_picker_shows_only_needed_fields_and_valid_choices(player: EpisodePlayer) -> None:
    valid = valid_actions(player.env.simulator)
    assert list(player.action_type.options) == list(dict.fromkeys(a.action_type.value for a in valid))
    for kind, needed in ACTION_FIELDS.items():
        if kind.value not in player.action_type.options:
            continue
        player.action_type.value = kind.value
        # every field the type reads that has a picker (an escalation's case_id has none)
        assert _visible(player) == [f for f in player.fields if f in action_fields(kind)]
        assert set(needed) <= set(_visible(player))
    player.action_type.value = ActionType.REALLOCATE_OFFICERS.value
    source = player.fields["service"].value
    assert source not in player.fields["target_service"].options
    have = player.env.observe().officers[source]
    assert list(player.fields["officer_delta"].options) == list(range(1, have + 1))
    player.action_type.value = ActionType.ASSIGN_CAPACITY.value
    assert list(player.fields["officer_delta"].options) == list(range(1, player.env.observe().reserve_officers + 1))


def test_every_valid_action_can_be_picked_and_only_valid_ones(player: EpisodePlayer) -> None:
    player.advance_day()
    picked = set()
    for action in valid_actions(player.env.simulator):
        player.action_type.value = action.action_type.value
        for name in action_fields(action.action_type):
            value = getattr(action, name)
            if name not in player.fields:
                assert value is None  # the player offers no case_id
                continue
            player.fields[name].value = value.value if hasattr(value, "value") else value
        assert player.selected_action() == action
        picked.add(player.selected_action())
    assert all(player.env.why_invalid(a) is None for a in picked)


def test_step_button_applies_the_picked_action(player: EpisodePlayer) -> None:
    player.action_type.value = "set_priority_mode"
    player.fields["priority_mode"].value = "oldest_first"
    player.buttons["step"].click()
    assert player.counters["priority_mode"] == "oldest_first"
    assert player.message == "priority mode set to oldest_first"
    assert player.counters["day"] == 0 and player.counters["step"] == 1
    assert len(player.figures["reward"].data[0].x) == 1


def test_invalid_action_is_reported(player: EpisodePlayer) -> None:
    result = player.step({"action_type": "assign_capacity", "service": "birth_certificate", "officer_delta": 9})
    assert result is not None and result.info["valid"] is False
    assert "invalid action" in player.message and "✘" in player.message_html.value


def test_undo_restores_the_previous_state(player: EpisodePlayer) -> None:
    start = player.env.observe()
    player.advance_day()
    one = player.env.observe()
    player.advance_day()
    assert player.buttons["undo"].click() is None and player.counters["day"] == 1
    assert player.env.observe() == one and len(player.trace) == 2
    assert list(player.figures["backlog"].data[0].x) == [0, 1]
    assert player.undo() and player.env.observe() == start and len(player.env.record.steps) == 0
    assert not player.undo() and "Nothing to undo" in player.message_html.value
    player.advance_day()  # the same day again, as if never undone
    assert player.env.observe() == one


def test_a_refused_seed_keeps_the_episode(player: EpisodePlayer) -> None:
    player.advance_day()
    env, steps = player.env, len(player.env.record.steps)
    player.seed_picker.value = -1  # what a learner can type into the seed box
    assert player.env is env and len(player.env.record.steps) == steps == 1
    assert "seed: must be a non-negative integer, got -1; the episode goes on" in player.message_html.value
    player.advance_day()  # still playable
    assert player.counters["day"] == 2


def test_autoplay_ticks_play_the_policy_to_the_end(player: EpisodePlayer) -> None:
    player.policy_picker.value = "backlog_clearance"
    player.play.value = 1  # what one tick of the Play widget does
    player.play.value = 2
    assert player.counters["step"] == 2 and player.counters["priority_mode"] == "backlog_clearance"
    player.play.value = 0  # the Play widget's stop button rewinds: no step
    assert player.counters["step"] == 2
    taken = player.play_steps()
    assert player.env.done and player.counters["done"]
    assert player.counters["step"] == 2 + taken
    assert "Episode over" in player.explain_html.value
    assert "provisional" not in player.figures["grade"].layout.title.text
    assert player.autoplay_tick() is None and player.step() is None
    assert "episode is over" in player.message_html.value


def test_autoplay_matches_the_fast_path(player: EpisodePlayer) -> None:
    from govworkflow import evaluate

    player.policy_picker.value = "urgent_first"
    player.play_steps()
    fast = evaluate(TASK, "urgent_first", ruleset=RULESET)[0]
    assert (player.counters["score"], player.counters["step"]) == (fast.score, fast.steps)


def test_stop_button_stops_the_play_widget(player: EpisodePlayer) -> None:
    name = "playing" if player.play.has_trait("playing") else "_playing"
    setattr(player.play, name, True)
    player.buttons["stop"].click()
    assert getattr(player.play, name) is False


def test_export_and_load_replays_exactly(player: EpisodePlayer, tmp_path: Path) -> None:
    player.policy_picker.value = "backlog_clearance"
    player.play_steps(10)
    player.step(Action(action_type=ActionType.SET_PRIORITY_MODE, priority_mode="urgent_first"))
    player.path.value = str(tmp_path / "episode.json")
    player.buttons["export"].click()
    original = player.env.record.to_dict()

    other = EpisodePlayer(TASK, ruleset=RULESET, seed=99)
    other.path.value = player.path.value
    other.buttons["load"].click()
    assert other.policy_picker.value == REPLAY and other.seed_picker.value == original["seed"]
    assert other.counters["step"] == 0
    other.play.value = 1  # one auto-play tick replays one recorded step
    assert other.env.record.steps[0].action == player.env.record.steps[0].action
    assert other.replay() == len(original["steps"]) - 1
    assert other.env.record.to_dict() == original
    assert other.env.observe() == player.env.observe()
    assert other.figures["backlog"].to_json() == player.figures["backlog"].to_json()


def test_pickers_reset_the_episode(player: EpisodePlayer) -> None:
    player.advance_day()
    other_task = next(t for t in player.task_picker.options if t != TASK)
    player.task_picker.value = other_task
    assert player.env.task_id == other_task and player.counters["step"] == 0
    assert player.seed_picker.value == player.env.ruleset.task(other_task).seed
    player.seed_picker.value = 123
    assert player.env.simulator.seed == 123
    player.buttons["reset"].click()
    assert player.env.simulator.seed == 123 and player.counters["day"] == 0


class _Handle:
    def __init__(self, log: list[Any]) -> None:
        self.log = log

    def update(self, obj: Any, raw: bool = False) -> None:
        assert raw
        self.log.append(("update", obj))


def test_charts_update_in_place_through_display_handles(player: EpisodePlayer, monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[Any] = []

    def fake_display(obj: Any, raw: bool = False, display_id: bool = False) -> _Handle | None:
        log.append(("display", obj))
        return _Handle(log) if display_id else None

    monkeypatch.setattr(pio.renderers, "default", "plotly_mimetype")
    monkeypatch.setattr(player_module, "display", fake_display)
    player.show()
    assert log[0] == ("display", player.widget)
    assert [kind for kind, _ in log[1:]] == ["display"] * 5
    log.clear()
    player.advance_day()
    assert [kind for kind, _ in log] == ["update"] * 10
    assert "text/html" in log[0][1] and "application/vnd.plotly.v1+json" not in log[0][1]  # placeholder
    bundle = log[1][1]
    assert bundle == figure_bundle(player.figures["backlog"])
    assert "day 1" in bundle["application/vnd.plotly.v1+json"]["layout"]["title"]["text"]
    assert bundle["text/plain"].startswith("<Figure: Backlog")


def test_figure_bundle_follows_the_renderers(monkeypatch: pytest.MonkeyPatch, player: EpisodePlayer) -> None:
    fig = player.figures["backlog"]
    monkeypatch.setattr(pio.renderers, "default", "plotly_mimetype+notebook")
    both = figure_bundle(fig)
    assert {"application/vnd.plotly.v1+json", "text/html", "text/plain"} <= set(both)
    plotly_json = "application/vnd.plotly.v1+json"
    assert both[plotly_json] == figure_bundle(fig)[plotly_json]  # (plotly's HTML has a random div id)
    assert set(figure_bundle(fig, activate=True)) == set(both)


def test_figure_bundle_without_a_mime_renderer(monkeypatch: pytest.MonkeyPatch, player: EpisodePlayer) -> None:
    monkeypatch.setattr(pio.renderers, "default", "browser")  # renders outside the notebook
    bundle = figure_bundle(player.figures["grade"])
    assert set(bundle) == {"application/vnd.plotly.v1+json", "text/plain"}
    assert bundle["application/vnd.plotly.v1+json"]["data"][0]["name"] == "earned"


def test_unknown_chart_is_refused() -> None:
    with pytest.raises(ValueError, match="charts"):
        EpisodePlayer(TASK, ruleset=RULESET, charts=("pie",))


def test_offered_single_officer_actions_are_the_gym_mask(player: EpisodePlayer) -> None:
    gym = pytest.importorskip("govworkflow.gym")
    from govworkflow.viz.actions import candidate_actions, masked_actions

    for _ in range(3):
        sim = player.env.simulator
        offered = valid_actions(sim)
        mask = gym.action_masks(sim)
        macro = {a for a, ok in zip(gym.action_table(), mask, strict=True) if ok}
        assert masked_actions(sim) is not None and set(masked_actions(sim) or []) == macro
        assert {a for a in offered if (a.officer_delta or 0) <= 1} == macro
        assert all(sim.why_invalid(a) is None for a in offered)
        # every valid candidate is offered; the mask may add more (under legacy rules,
        # moving an officer to a service the task does not use is allowed)
        plain = {a for a in candidate_actions(sim.observe()) if sim.why_invalid(a) is None}
        assert plain <= set(offered) and set(offered) - plain <= macro
        player.advance_day()
