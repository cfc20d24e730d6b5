"""The adversarial canaries: each does its trick, and none wins by artefact; the open
weakness the docs report (levelling down) still wins, so the docs stay true."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govworkflow.evaluation import run_episode
from govworkflow.evaluation.canaries import check, main, report
from govworkflow.office.policies.canaries import CANARIES, HONEST, OPEN_WEAKNESSES
from tests.office.standard.helpers import RULESET

RESULTS = Path(__file__).resolve().parents[3] / "data" / "results"
TRICK = {  # counter that the trick moves (by the end, or by a third of the horizon), and which way
    "escalation_farmer": ("escalations_used", 1),
    "end_shift": ("officer_moves", 1),
    "fairness_starver": ("officer_moves", 1),
    "document_withholder": ("documents_requested", -1),
    "quitter": ("documents_requested", -1),
}


@pytest.mark.parametrize("name", sorted(CANARIES))
def test_every_canary_really_plays_its_trick(name: str) -> None:
    honest = RULESET.make("cross_department_hard", 7)
    canary = RULESET.make("cross_department_hard", 7)
    stop = RULESET.task("cross_department_hard").max_days // 3 if name == "escalation_farmer" else 10**6
    for sim, policy in ((honest, RULESET.policy(HONEST)), (canary, CANARIES[name]())):
        policy.reset(7)
        while not sim.done and sim.clock < stop:
            sim.step(policy.act(sim.observe(), sim))
    if name in TRICK:
        key, sign = TRICK[name]
        assert sign * (canary.counters[key] - honest.counters[key]) > 0, name  # type: ignore[attr-defined]
    else:  # end_mode_switch: the last days run in another mode
        assert canary.mode == "balanced" != honest.mode  # type: ignore[attr-defined]


@pytest.mark.slow
def test_no_canary_wins_by_artefact_on_development_seeds() -> None:
    seeds = {t: RULESET.task(t).seeds.take("development", 10) for t in RULESET.tasks}
    rows = report(seeds)
    assert len(rows) == len(seeds) * len(CANARIES)
    summary = check(rows)
    assert summary["ok"], summary["detail"]
    farmer = [r for r in rows if r["canary"] == "escalation_farmer"]
    assert all(r["score"]["ci_low"] <= 0 for r in farmer)  # the v0 grader's biggest leak is closed


def test_the_committed_canary_check() -> None:
    """The committed leaderboard ran every canary on its held-out seeds; none wins."""
    doc = json.loads((RESULTS / "leaderboard-standard.json").read_text())
    rows = doc["canaries"]
    assert {(r["task_id"], r["canary"]) for r in rows} == {(t, c) for t in RULESET.tasks for c in CANARIES}
    assert all(r["score"]["n"] >= 100 for r in rows)
    assert check(rows)["ok"]
    per_task = [c for c in doc["calibration"] if c["check"] == "canaries winning by artefact"]
    assert len(per_task) == len(RULESET.tasks) and all(c["ok"] for c in per_task)


def test_a_canary_is_graded_like_any_policy() -> None:
    r = run_episode(RULESET, "district_backlog_easy", CANARIES["quitter"](), 3)
    assert r.faithful and 0.0 <= r.score <= 1.0


def test_an_unknown_canary_is_named() -> None:
    with pytest.raises(ValueError, match="unknown canary 'nope'; valid choices: escalation_farmer"):
        report({"district_backlog_easy": [1]}, ["nope"])


MY_POLICY = Path(__file__).resolve().parents[3] / "examples" / "my_policy.py"


def test_an_attack_of_ones_own_runs_through_the_check() -> None:
    spec = f"{MY_POLICY}:ShortestSlack"  # any submitted policy can be tried as an attack
    rows = report({"district_backlog_easy": [5, 6]}, [spec])
    assert [(r["task_id"], r["canary"], r["score"]["n"]) for r in rows] == [("district_backlog_easy", spec, 2)]
    assert isinstance(rows[0]["wins_by_artefact"], bool)


def test_levelling_down_moves_one_officer_only_where_it_has_a_pair() -> None:
    rows = report({"district_backlog_easy": [5, 6]}, ["levelling_down"])
    assert rows[0]["score"]["mean"] == 0.0  # no pair for this task: it plays sla_aware exactly
    moves = []
    for policy in (RULESET.policy(HONEST), OPEN_WEAKNESSES["levelling_down"]()):
        sim = RULESET.make("cross_department_hard", 7)
        policy.reset(7)
        while not sim.done:
            sim.step(policy.act(sim.observe(), sim))
        moves.append(sim.counters["officer_moves"])  # type: ignore[attr-defined]
    assert moves[1] == moves[0] + 1  # its one move on top of sla_aware's


@pytest.mark.slow  # 2 x 40 episodes
def test_the_open_weakness_is_still_open() -> None:
    """docs/standard-ruleset.md reports levelling down as a weakness of grading v1 that wins by
    artefact. This pins it on development seeds, so that the docs change when the grader does."""
    seeds = {"cross_department_hard": RULESET.task("cross_department_hard").seeds.take("development", 40)}
    (row,) = report(seeds, ["levelling_down"], workers=2)
    assert row["wins_by_artefact"] and row["score"]["ci_low"] > 0 and row["on_time_rate"]["mean"] < 0, row


def test_the_canary_command_takes_tasks_and_attacks(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--seeds", "2", "--task", "district_backlog_easy", "--canary", "quitter"])
    out = capsys.readouterr().out.splitlines()
    assert code in (0, 1) and len(out) == 2 and out[0].startswith("district_backlog_easy") and "quitter" in out[0]
