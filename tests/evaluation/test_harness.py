"""The harness trusts no policy: it gets a public view, its grade is its replay's, and the
replay's books are checked before anything is reported."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from govworkflow.core.kernel import ConservationError, PublicView
from govworkflow.evaluation import run_episode
from govworkflow.office.policies.sla_aware import SlaAware
from govworkflow.office.rulesets import get_ruleset
from govworkflow.office.rulesets.standard import StandardSimulator
from govworkflow.triage import TRIAGE, TriageSimulator

RS = get_ruleset("standard")


@dataclasses.dataclass
class Spy(SlaAware):
    """sla_aware, recording what it is given."""

    seen: list[Any] = dataclasses.field(default_factory=list)

    def act(self, observation: Any, simulator: Any = None) -> Any:
        self.seen.append(simulator)
        return super().act(observation, simulator)


@dataclasses.dataclass
class Tamperer(SlaAware):
    """The tamper canary: plays sla_aware and, being handed the simulator (it claims to be
    privileged), rewrites the books on the last day so that every case looks served."""

    privileged = True

    def act(self, observation: Any, simulator: Any = None) -> Any:
        sim = simulator
        if observation.day >= sim.task.max_days - 1:
            c = sim.counters
            c["completed"] = c["completed_on_time"] = c["arrived"]
            c["sla_breaches"] = 0
            c["urgent_on_time"] = c["urgent_arrived"]
            sim.breaches = [0] * sim.n
            for q in sim.queues:
                for case in q:
                    case.breached = False
                    case.due += 1000
        return super().act(observation, simulator)


def test_an_unprivileged_policy_gets_a_public_view_only() -> None:
    spy = Spy()
    run_episode(RS, "district_backlog_easy", spy, 3)
    views = {type(s) for s in spy.seen}
    assert views == {PublicView}
    view = spy.seen[0]
    assert not hasattr(view, "counters") and not hasattr(view, "snapshot") and not hasattr(view, "queues")
    assert view.ruleset == "standard" and view.max_steps == RS.default_max_steps


def test_the_tamper_canary_cannot_change_its_grade() -> None:
    for task in ("district_backlog_easy", "cross_department_hard"):
        honest = run_episode(RS, task, SlaAware(), 5)
        canary = run_episode(RS, task, Tamperer(), 5)
        assert canary.score == honest.score and canary.metrics == honest.metrics, task
        assert not canary.faithful and honest.faithful
        assert canary.completed == honest.completed  # the outcome reported is the replay's


def test_privileged_references_are_the_only_ones_given_the_simulator() -> None:
    assert RS.policy("oracle_lookahead").privileged  # type: ignore[attr-defined]
    assert TRIAGE.policy("oracle").privileged  # type: ignore[attr-defined]
    for name in RS.policies:
        if name not in ("oracle_lookahead", "ppo"):
            assert not getattr(RS.policy(name), "privileged", False), name


def test_books_that_do_not_balance_are_refused() -> None:
    sim = RS.make("cross_department_hard", 2)
    assert isinstance(sim, StandardSimulator)
    sim.check_conservation()
    sim.completed[0] += 1
    with pytest.raises(ConservationError, match=r"arrived != .* completed"):
        sim.check_conservation()
    sim = RS.make("cross_department_hard", 2)
    assert isinstance(sim, StandardSimulator)
    sim.reserve += 1
    with pytest.raises(ConservationError, match="officers"):
        sim.check_conservation()
    tri = TRIAGE.make("overload_12", 1)
    assert isinstance(tri, TriageSimulator)
    tri.check_conservation()
    tri.reward_sum += 1
    with pytest.raises(ConservationError, match="reward"):
        tri.check_conservation()


def test_a_capped_episode_is_provisional_and_not_above_the_full_one() -> None:
    """The command of the issue that found it: advance_only cut after 4 steps."""
    capped = run_episode(RS, "cross_department_hard", RS.policy("advance_only"), 900_001, max_steps=4)
    full = run_episode(RS, "cross_department_hard", RS.policy("advance_only"), 900_001)
    assert capped.truncated and capped.steps == 4
    sim = RS.make("cross_department_hard", 900_001, 4)
    for _ in range(4):
        sim.step(RS.policy("advance_only").act(sim.observe()))
    assert sim.grade().provisional
    assert capped.score <= full.score
