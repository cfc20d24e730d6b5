"""Grades round once: the contributions add up to the score exactly, as printed."""

from __future__ import annotations

import pytest

from govworkflow import GovWorkflowEnv
from govworkflow.core.grading import make_grade, shares
from govworkflow.office.rulesets import get_ruleset


def test_shares_add_up_to_the_rounded_total() -> None:
    exact = {"a": 0.33333, "b": 0.33333, "c": 0.33334}
    assert shares(exact, round(sum(exact.values()), 4)) == {"a": 0.3333, "b": 0.3333, "c": 0.3334}
    exact = {"a": 0.123449, "b": 0.123449, "c": 0.0}  # each rounds down, the sum rounds up
    total = round(sum(exact.values()), 4)
    assert total == 0.2469 and sum(shares(exact, total).values()) == pytest.approx(total, abs=1e-12)
    # rounding each separately would print 0.1234 + 0.1234 = 0.2468, not the score 0.2469


@pytest.mark.parametrize(("ruleset", "policy"), [("legacy", "urgent_first"), ("standard", "sla_aware")])
def test_every_grade_of_an_episode_adds_up(ruleset: str, policy: str) -> None:
    for task_id in get_ruleset(ruleset).tasks:
        env = GovWorkflowEnv(task_id, ruleset=ruleset)
        pol = env.ruleset.policy(policy)
        obs = env.reset(seed=3)
        pol.reset(3)
        k = 0
        while not env.done:
            obs = env.step(pol.act(obs, env.simulator)).observation
            k += 1
            if k % 25 == 0 or env.done:
                grade = env.grade()
                total = sum(c.contribution for c in grade.components)
                assert f"{total:.4f}" == f"{grade.score:.4f}", (task_id, k)
                assert round(total, 4) == grade.score


def test_make_grade_clips_values_and_keeps_weights() -> None:
    g = make_grade("x", "t", {"a": 1.2, "b": -0.1}, {"a": 0.5, "b": 0.5}, {}, provisional=False)
    assert g.score == 0.5 and [c.value for c in g.components] == [1.0, 0.0]
    assert [c.contribution for c in g.components] == [0.5, 0.0]
