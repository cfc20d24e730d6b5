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
    assert capped.provisional and capped.to_dict()["provisional"] is True  # what --json prints
    assert not full.provisional and full.to_dict()["provisional"] is False


class _Liar(int):
    """An int that says no to every comparison (the attack on the range checks)."""

    def __le__(self, other: object) -> bool:
        return False

    def __lt__(self, other: object) -> bool:
        return False

    def __gt__(self, other: object) -> bool:
        return False

    def __ge__(self, other: object) -> bool:
        return False


@dataclasses.dataclass
class PhantomStaff(SlaAware):
    """Assigns reserve officers it does not have, with an action built around the validators."""

    def act(self, observation: Any, simulator: Any = None) -> Any:
        if observation.day == 0 and observation.reserve_officers <= 1:
            from govworkflow.office.models import Action
            from govworkflow.office.vocab import ActionType

            return Action.model_construct(
                action_type=ActionType.ASSIGN_CAPACITY, service=observation.queues[0].service, officer_delta=_Liar(5)
            )
        return super().act(observation, simulator)


def test_actions_built_around_the_validators_are_read_like_any_input() -> None:
    """An ``Action.model_construct`` with an int that lies to comparisons, or a fraction, is
    validated again by the harness and checked by the rules: no officers from nothing."""
    from govworkflow.core.errors import InvalidActionError
    from govworkflow.office.models import Action
    from govworkflow.office.vocab import ActionType

    honest = run_episode(RS, "district_backlog_easy", SlaAware(), 4)
    phantom = run_episode(RS, "district_backlog_easy", PhantomStaff(), 4)
    assert phantom.score <= honest.score + 1e-9 and phantom.faithful
    from govworkflow import GovWorkflowEnv
    from govworkflow.office.vocab import Service

    sim = RS.make("district_backlog_easy", 4)
    service = sim.observe().queues[0].service
    for delta in (_Liar(5), 0.5):  # the rules themselves refuse what is not exactly an int
        bad = Action.model_construct(
            action_type=ActionType.ASSIGN_CAPACITY, service=Service(service), officer_delta=delta
        )
        reserve = sim.reserve  # type: ignore[attr-defined]
        sim.step(bad)
        assert not sim.last_valid and sim.reserve == reserve  # type: ignore[attr-defined]
    env = GovWorkflowEnv("district_backlog_easy", ruleset="standard")
    env.reset(seed=4)
    bad = Action.model_construct(action_type=ActionType.ASSIGN_CAPACITY, service=service, officer_delta=0.5)
    with pytest.raises(InvalidActionError, match="officer_delta"):
        env.step(bad)  # the native env validates it again too

    @dataclasses.dataclass
    class Fraction(SlaAware):
        def act(self, observation: Any, simulator: Any = None) -> Any:
            return Action.model_construct(action_type=ActionType.ASSIGN_CAPACITY, service=service, officer_delta=0.5)

    with pytest.raises(InvalidActionError, match="officer_delta"):
        run_episode(RS, "district_backlog_easy", Fraction(), 4)


def test_the_leaderboard_refuses_an_unfaithful_episode() -> None:
    from govworkflow.core.errors import GovWorkflowError
    from govworkflow.evaluation.leaderboard import run_leaderboard

    RS.policies["tamperer_probe"] = Tamperer  # type: ignore[index]
    try:
        with pytest.raises(GovWorkflowError, match="changed the simulator it was given"):
            run_leaderboard("standard", ["district_backlog_easy"], ["tamperer_probe"], n_seeds=1, progress=False)
    finally:
        del RS.policies["tamperer_probe"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("suite", ["legacy", "standard", TRIAGE.name])
def test_an_episode_result_as_a_dict_is_asdicts_and_a_copy(suite: str) -> None:
    from govworkflow.evaluation.run import get_suite

    s = get_suite(suite)
    result = run_episode(s, next(iter(s.tasks)), s.policy(next(iter(s.policies))), 3)
    out = result.to_dict()
    assert out == dataclasses.asdict(result) and list(out) == list(dataclasses.asdict(result))
    out["metrics"].clear()
    out["outcome"].clear()
    assert result.metrics and result.outcome  # the result's own mappings are untouched


class _TicketForger:
    """Plays fifo, after rewriting every ticket it is shown to be due a million units later
    (through the frozen dataclass: in-process code can)."""

    name = "ticket_forger"
    privileged = False

    def __init__(self) -> None:
        from govworkflow.triage.policies import POLICIES

        self.inner = POLICIES["fifo"]()

    def reset(self, seed: int | None = None) -> None:
        self.inner.reset(seed)

    def act(self, observation: Any, view: Any = None) -> Any:
        for ticket in observation.tickets:
            object.__setattr__(ticket, "deadline", 10**6)
        return self.inner.act(observation, view)


def test_rewriting_the_tickets_one_is_shown_changes_neither_its_grade_nor_anyone_elses() -> None:
    """Every episode builds its own tickets: the replay that grades the forger, and the cached
    oracle and floor, see the instance as it was drawn."""
    task = TRIAGE.task("overload_12")
    seeds = [3, 4, 5]
    honest = [run_episode(TRIAGE, task, TRIAGE.policy("fifo"), s).score for s in seeds]
    edf_before = [run_episode(TRIAGE, task, TRIAGE.policy("edf"), s).score for s in seeds]
    forged = [run_episode(TRIAGE, task, _TicketForger(), s) for s in seeds]
    assert [r.score for r in forged] == honest  # graded on the replay of what it really did
    assert [run_episode(TRIAGE, task, TRIAGE.policy("edf"), s).score for s in seeds] == edf_before
