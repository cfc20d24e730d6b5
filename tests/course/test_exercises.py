"""Every exercise's solution passes its checker, and a wrong answer fails with feedback
that says what is wrong with it."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pytest

from govworkflow import get_ruleset
from govworkflow.course import EXERCISES, Feedback, check, hint, solution
from govworkflow.course import exercises as _registered  # noqa: F401 (fills EXERCISES)
from govworkflow.course.solutions import discounted_return, gae, parse_step_line
from tests.notebooks.support import NOTEBOOKS

#: Exercises whose checker plays many episodes (a few seconds each way): the slow lane.
SLOW = {"03.beat_by_hand", "04.beat_backlog"}
COURSE = [p.name for p in sorted(NOTEBOOKS.glob("0*.ipynb")) if not p.name.startswith("06_")]


def _unpaired(a: list[float], b: list[float]) -> tuple[float, float]:
    n = len(a)

    def var(xs: list[float]) -> float:
        m = sum(xs) / n
        return sum((x - m) ** 2 for x in xs) / (n - 1)

    return sum(a) / n - sum(b) / n, math.sqrt(var(a) / n + var(b) / n)


def _greedy_value(tickets: list[Any]) -> float:
    """Earliest deadline first: optimal only where every deadline can be met."""
    from govworkflow.triage.instance import ticket_reward

    clock, total = 0, 0.0
    for t in sorted(tickets, key=lambda t: t.deadline):
        clock += t.effort
        total += ticket_reward(t, clock)
    return total


def _autoplayed_player() -> Any:
    pytest.importorskip("ipywidgets")
    from govworkflow.viz.player import EpisodePlayer

    p = EpisodePlayer("district_backlog_easy", ruleset="standard")
    p.play_steps()  # sla_aware, by auto-play
    return p


def _wrong(name: str) -> tuple[Any, str]:
    """A wrong answer to ``name`` and what its feedback must say."""
    rs = get_ruleset("standard")
    wrong: dict[str, tuple[Any, str]] = {
        "00.optimal_value": (_greedy_value, "below the best"),
        "00.edf_optimal_seeds": (20, "that holds on the faithful tasks"),
        "01.held_out_mean": (None, "task.seed + i"),  # filled below
        "01.episode_end": (("terminated", 30), "it was truncated"),
        "02.discounted_return": (
            lambda r, g: g * discounted_return(r, g),
            "(the first reward is not discounted)",
        ),
        "02.action_mask": (lambda obs: [True] * 85, "yours says valid, the env invalid"),
        "03.beat_by_hand": (None, "auto-play took"),
        "03.unproductive_moves": ({"reallocate_officers"}, "missing ['assign_capacity']"),
        "04.beat_backlog": (rs.policy("backlog_clearance"), "= +0.0000"),
        "04.paired_difference": (_unpaired, "is the unpaired one"),
        "05.gae": (lambda r, v, last, g, lam: gae(r, v, last, g, 0.0), "lambda 0.95"),
        "05.clipped_objective": (lambda r, a, c: min(r, 1 + c) * a, "a negative advantage"),
        "07.parse_step": (lambda line: {**parse_step_line(line), "error": "null"}, "error of"),
        "07.best_baseline": ("advance_only", "is not the highest"),
        "08.pass_hat_k": (
            lambda s, t: sum(any(x >= b for x in r) for r, b in zip(s, t, strict=True)) / len(s),
            "expected",
        ),
        "08.refused_seed": (11, "is a development seed"),
    }
    if name == "01.held_out_mean":
        task = rs.task("district_backlog_easy")
        from govworkflow.evaluation import run_episode

        seeds = [task.seed + i for i in range(5)]
        mean = sum(run_episode(rs, "district_backlog_easy", rs.policy("backlog_clearance"), s).score for s in seeds) / 5
        return mean, wrong[name][1]
    if name == "03.beat_by_hand":
        return _autoplayed_player(), wrong[name][1]
    return wrong[name]


def _marked(names: list[str]) -> list[Any]:
    return [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in names]


def test_every_course_notebook_has_two_exercises_or_more() -> None:
    counts = Counter(e.notebook for e in EXERCISES.values())
    assert set(counts) == set(COURSE), counts
    assert all(n >= 2 for n in counts.values()), counts


@pytest.mark.parametrize("name", _marked(list(EXERCISES)))
def test_the_solution_passes_and_a_wrong_answer_is_told_why(name: str) -> None:
    answer = solution(name)
    if name == "03.beat_by_hand":
        pytest.importorskip("ipywidgets")
        from govworkflow.viz.player import EpisodePlayer

        player = EpisodePlayer("district_backlog_easy", ruleset="standard")
        answer(player)
        answer = player
    good = check(name, answer)
    assert isinstance(good, Feedback) and good.passed, good
    assert str(good).startswith(f"✔ passed · {name}: ")
    bad_answer, says = _wrong(name)
    bad = check(name, bad_answer)
    assert not bad and str(bad).startswith(f"✘ not yet · {name}: "), bad
    assert says in bad.message, bad.message
    assert hint(name) and EXERCISES[name].task


def test_an_answer_that_raises_is_reported_not_raised() -> None:
    fb = check("02.discounted_return", lambda rewards, gamma: 1 / 0)
    assert not fb and fb.message == "your answer raised ZeroDivisionError: division by zero"


def test_an_answer_of_the_wrong_kind_is_named() -> None:
    fb = check("05.gae", [0.1, 0.2])
    assert not fb and "expected a function gae(rewards, values, last_value, gamma, lam), got list" in fb.message


def test_an_unknown_exercise_is_refused_with_the_list() -> None:
    with pytest.raises(ValueError, match=r"exercise: unknown name '99.fly'; the exercises are \['00\."):
        check("99.fly", None)
