"""The triage player, driven headlessly through the methods its buttons call."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")

from govworkflow.triage import TriageEnv
from govworkflow.viz import TriagePlayer


@pytest.fixture
def player() -> TriagePlayer:
    return TriagePlayer("faithful_5", seed=3)


def test_starts_with_every_ticket_offered(player: TriagePlayer) -> None:
    c = player.counters
    assert (c["time"], c["step"], c["reward"], c["worked"], c["done"]) == (0, 0, 0.0, [], False)
    ids = [value for _, value in player.picker.options]
    assert ids == player.env.valid_actions() == ["T01", "T02", "T03", "T04", "T05"]
    assert player.picker.value == "T01" and not player.buttons["step"].disabled
    assert player.buttons["undo"].disabled
    assert player.tickets_html.value.count("<tr>") == 6  # header and five tickets
    assert "<b>reward</b> +0.0" in player.status.value


def test_clicks_work_tickets_undo_and_reset(player: TriagePlayer) -> None:
    twin = TriageEnv("faithful_5", seed=3)
    twin.reset()
    player.picker.value = "T03"
    player.buttons["step"].click()
    _, reward, *_ = twin.step("T03")
    c = player.counters
    assert c["worked"] == ["T03"] and c["step"] == 1 and c["reward"] == pytest.approx(reward)
    assert c["time"] == twin.observe().time > 0
    assert "T03" not in [v for _, v in player.picker.options]
    assert f"<b>reward</b> {reward:+.1f}" in player.status.value
    player.buttons["step"].click()  # the first offered ticket
    assert player.counters["worked"] == ["T03", "T01"]
    player.buttons["undo"].click()
    assert player.counters["worked"] == ["T03"] and player.counters["reward"] == pytest.approx(reward)
    assert player.message == "undone: back to step 1"
    player.buttons["reset"].click()
    assert player.counters["worked"] == [] and player.message == "reset"


def test_playing_the_oracle_plan_earns_the_oracle_value(player: TriagePlayer) -> None:
    plan = player.env.oracle().plan
    for ticket_id in plan:
        player.picker.value = ticket_id
        player.buttons["step"].click()
    c = player.counters
    assert c["done"] and c["reward"] == pytest.approx(player.env.oracle().value)
    assert player.picker.options == () or list(player.picker.options) == []
    assert player.buttons["step"].disabled and "episode over" in player.status.value
    assert player.env.grade().score == 1.0
    assert player.step("T01") is None and "episode is over" in player.message


def test_a_refused_seed_keeps_the_episode_and_reset_works(player: TriagePlayer) -> None:
    seed = player.env.simulator.seed
    player.step(player.env.valid_actions()[0])
    with pytest.raises(ValueError, match="seed: must be a non-negative integer, got -1"):
        player.reset(seed=-1)
    assert player.env.simulator.steps == 1  # the episode goes on
    player.reset()  # Reset still works, with the seed it had
    assert (player.env.simulator.seed, player.env.simulator.steps) == (seed, 0)
