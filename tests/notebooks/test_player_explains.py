"""The episode player explains itself: what an action does before it is taken, errors in
the status line, honest counters and charts on day 0, and a challenge only hand play wins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from govworkflow import RULESETS, get_ruleset
from govworkflow.office.vocab import ActionType, PriorityMode
from govworkflow.viz.describe import describe_action, describe_mode
from tests.notebooks.support import RULESET, TASK

pytest.importorskip("ipywidgets")
pytest.importorskip("plotly")

from govworkflow.viz import player as player_module
from govworkflow.viz.player import AUTOPLAY_DEFAULT, EpisodePlayer

pio = pytest.importorskip("plotly.io")


@pytest.fixture
def player() -> EpisodePlayer:
    return EpisodePlayer(TASK, ruleset=RULESET)


def test_an_export_that_fails_is_said_in_the_error_style(player: EpisodePlayer, tmp_path: Path) -> None:
    player.advance_day()
    (tmp_path / "a-file").write_text("")  # a folder that cannot be made
    player.path.value = str(tmp_path / "a-file" / "episode.json")
    player.buttons["export"].click()  # raised into the widget's log before: invisible
    shown = player.message_html.value
    assert 'class="govworkflow-error"' in shown and "✘ Export failed for" in shown and "a-file" in shown
    assert "✔" not in shown
    player.advance_day()  # the episode goes on
    assert player.counters["day"] == 2


@pytest.mark.parametrize("content", [None, "not json", '{"format": "something else"}'])
def test_a_load_that_fails_is_said_and_keeps_the_episode(
    player: EpisodePlayer, tmp_path: Path, content: str | None
) -> None:
    player.advance_day()
    path = tmp_path / "episode.json"
    if content is not None:
        path.write_text(content)
    player.path.value = str(path)
    player.buttons["load"].click()
    shown = player.message_html.value
    assert 'class="govworkflow-error"' in shown and "✘ Load failed for" in shown and "episode.json" in shown
    assert player.counters["step"] == 1 and player.loaded is None


def test_a_successful_export_is_said_in_the_plain_style(player: EpisodePlayer, tmp_path: Path) -> None:
    player.advance_day()
    player.path.value = str(tmp_path / "episode.json")
    player.buttons["export"].click()
    assert 'class="govworkflow-ok"' in player.message_html.value and "Saved 1 steps" in player.message_html.value


@pytest.mark.parametrize("ruleset", sorted(RULESETS))
def test_every_action_type_and_mode_is_described(ruleset: str) -> None:
    for kind in ActionType:
        assert len(describe_action(ruleset, kind)) > 40
    for mode in PriorityMode:
        assert len(describe_mode(ruleset, mode)) > 10
    texts = [describe_action(ruleset, k) for k in ActionType]
    assert len(set(texts)) == len(texts)


def test_an_unknown_ruleset_has_no_descriptions() -> None:
    with pytest.raises(ValueError, match=r"ruleset: no descriptions for 'chess'; described: \['legacy', 'standard'\]"):
        describe_action("chess", "advance_time")


def test_the_picked_action_is_described_before_step() -> None:
    p = EpisodePlayer("district_backlog_easy", ruleset="standard")
    p.action_type.value = ActionType.REALLOCATE_OFFICERS.value
    text = p.describe()
    assert text.startswith("reallocate_officers: ") and "not productive on the day of the move" in text
    assert text.endswith("✔ valid now")
    assert "not productive on the day of the move" in p.describe_html.value
    p.action_type.value = ActionType.SET_PRIORITY_MODE.value
    p.fields["priority_mode"].value = "urgent_first"
    assert "mode urgent_first: higher urgency first" in p.describe_html.value
    p.step()
    assert p.counters["priority_mode"] == "urgent_first"


def test_the_description_says_why_an_action_is_invalid(player: EpisodePlayer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(player.env, "why_invalid", lambda action: "no officer is free")
    assert player.describe().endswith("✘ not valid now: no officer is free")


@pytest.mark.parametrize("ruleset", sorted(RULESETS))
def test_auto_play_defaults_to_sla_aware(ruleset: str) -> None:
    p = EpisodePlayer(ruleset=ruleset)
    assert p.policy_picker.value == AUTOPLAY_DEFAULT == "sla_aware"
    assert p.policy is not None and p.policy.name == "sla_aware"
    other = next(r for r in RULESETS if r != ruleset)
    p.ruleset_picker.value = other
    assert p.policy_picker.value == "sla_aware" and p.env.ruleset.name == other


def test_the_challenge_counts_only_an_episode_played_by_hand(player: EpisodePlayer) -> None:
    target = 0.0  # any finished hand-played episode beats it
    assert player.verdict("backlog_clearance", target).startswith("Keep playing: day 0 of 20")
    player.policy_picker.value = "sla_aware"
    player.play_steps()  # what pressing ▶ does
    assert player.env.done and player.auto_steps == player.counters["step"] > 0
    auto = player.verdict("backlog_clearance", target)
    assert auto.startswith(f"Not counted: auto-play took {player.auto_steps} of this episode's")
    assert "counts only episodes you play yourself" in auto and "You beat" not in auto

    player.reset()
    player.play_steps(3)
    while player.undo():  # undoing the auto-played steps makes the episode yours again
        pass
    policy = get_ruleset(RULESET).policy("sla_aware")
    policy.reset(player.env.simulator.seed)
    while not player.env.done:  # the same choices, made step by step by a person
        player.step(policy.act(player.env.observe(), player.env.simulator))
    assert player.auto_steps == 0
    assert player.verdict("backlog_clearance", target).startswith("You beat backlog_clearance, playing every step")
    assert player.verdict("backlog_clearance", 1.0).startswith("Not yet: you did not beat")


def test_a_replayed_episode_does_not_count(player: EpisodePlayer, tmp_path: Path) -> None:
    player.policy_picker.value = "sla_aware"
    player.play_steps()
    other = EpisodePlayer(TASK, ruleset=RULESET)
    other.load(player.export(tmp_path / "e.json"))
    other.replay()
    assert other.env.done and other.verdict("x", 0.0).startswith("Not counted")


def test_undo_says_where_it_went_back_to(player: EpisodePlayer) -> None:
    player.advance_day()
    player.advance_day()
    player.buttons["undo"].click()
    assert "↶ Undone: back to step 1, day 1." in player.message_html.value
    assert 'class="govworkflow-ok"' in player.message_html.value


def test_advance_and_step_are_disabled_once_the_episode_is_over(player: EpisodePlayer) -> None:
    assert not player.buttons["advance"].disabled and not player.buttons["step"].disabled
    player.play_steps()
    assert player.env.done
    assert player.buttons["advance"].disabled and player.buttons["step"].disabled
    assert player.describe().startswith("The episode is over")
    player.undo()
    assert not player.buttons["advance"].disabled


def _counter(p: EpisodePlayer, name: str) -> str:
    html = p.counters_html.value
    start = html.index(f'data-counter="{name}"><b>{name}</b> ') + len(f'data-counter="{name}"><b>{name}</b> ')
    return html[start : html.index("</span>", start)]


def test_no_score_is_shown_before_the_first_action(player: EpisodePlayer) -> None:
    assert _counter(player, "score") == "–"
    player.advance_day()
    assert _counter(player, "score") == f"{player.counters['score']:.4f} so far"
    player.undo()
    assert _counter(player, "score") == "–"


def test_the_counters_stay_on_one_line(player: EpisodePlayer) -> None:
    html = player.counters_html.value
    assert "flex-wrap:nowrap" in html and "white-space:nowrap" in html and "flex-wrap:wrap" not in html


def _ranges(fig: Any) -> list[tuple[str, Any, Any]]:
    return [(name, ax.range, ax.rangemode) for name, ax in (("x", fig.layout.xaxis), ("y", fig.layout.yaxis))]


def test_day_zero_charts_have_no_negative_axes(player: EpisodePlayer) -> None:
    for name, fig in player.figures.items():
        if name == "grade":
            continue
        (_, xr, xmode), (_, yr, ymode) = _ranges(fig)
        assert (xr is not None and xr[0] >= 0) or xmode in ("tozero", "nonnegative"), (name, xr, xmode)
        assert (yr is not None and yr[0] >= 0) or ymode in ("tozero", "nonnegative"), (name, yr, ymode)
    assert list(player.figures["backlog"].layout.xaxis.range) == [0, 1]
    assert list(player.figures["reward"].layout.yaxis.range) == [0, 1]  # no step yet: an empty chart from 0


@pytest.mark.parametrize("ruleset", sorted(RULESETS))
def test_every_reward_component_has_its_own_colour(ruleset: str) -> None:
    p = EpisodePlayer(ruleset=ruleset, charts=("reward",))
    p.play_steps(3)
    fig = p.figures["reward"]
    names = list(p.env.simulator.REWARD_COMPONENTS)
    bars = [t for t in fig.data if t.type == "bar"]
    assert [t.name for t in bars] == names
    colours = [t.marker.color for t in bars]
    assert len(set(colours)) == len(colours) == len(names)


def test_plotly_js_is_loaded_once_however_many_players(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plotly 5's notebook renderer embeds plotly.js each time it is activated."""
    monkeypatch.setattr(pio.renderers, "default", "plotly_mimetype+notebook")  # pending activation
    calls: list[str] = []
    notebook = pio.renderers["notebook"]
    monkeypatch.setattr(notebook, "activate", lambda: calls.append("activate"))
    monkeypatch.setattr(player_module, "display", lambda *a, **k: None)
    for _ in range(3):
        p = EpisodePlayer(TASK, ruleset=RULESET, charts=("backlog", "grade"))
        p.show()
        p.advance_day()
    assert calls == ["activate"]
