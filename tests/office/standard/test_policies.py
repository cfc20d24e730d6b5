"""The policy ladder on both rulesets."""

from __future__ import annotations

import pytest

from govworkflow.evaluation import evaluate
from govworkflow.office.policies.basic import RandomValid
from govworkflow.office.policies.ladder import LADDER
from govworkflow.office.rulesets import get_ruleset
from govworkflow.office.rulesets.standard import StandardSimulator
from govworkflow.office.vocab import ActionType
from tests.office.standard.helpers import RULESET, play


@pytest.mark.parametrize("ruleset", ["standard", "legacy"])
@pytest.mark.parametrize("policy", list(LADDER))
def test_every_ladder_policy_evaluates_on_both_rulesets(ruleset: str, policy: str) -> None:
    rs = get_ruleset(ruleset)
    task_id = "district_backlog_easy"
    [result] = evaluate(task_id, policy, [rs.task(task_id).seed], ruleset)
    assert result.policy == policy
    assert 0.0 <= result.score <= 1.0
    assert set(result.metrics) == {c.name for c in rs.make(task_id).grade().components}
    again = evaluate(task_id, policy, [rs.task(task_id).seed], ruleset)[0]
    assert again == result  # deterministic, the seeded random policy included


def test_every_policy_has_a_name_and_description() -> None:
    for name, factory in LADDER.items():
        p = factory()
        assert p.name == name
        assert len(p.description) > 10


def test_random_valid_only_takes_valid_actions_and_follows_its_seed() -> None:
    def actions(seed: int) -> list[str]:
        sim = RULESET.make("mixed_urgency_medium", 3)
        pol = RandomValid()
        pol.reset(seed)
        out = []
        while not sim.done:
            a = pol.act(sim.observe(), sim)
            out.append(str(a))
            sim.step(a)
        assert sim.counters["invalid_actions"] == 0  # type: ignore[attr-defined]
        return out

    assert actions(1) == actions(1)
    assert actions(1) != actions(2)
    with pytest.raises(ValueError, match="needs the simulator"):
        RandomValid().act(RULESET.make("mixed_urgency_medium", 3).observe())


def test_sla_aware_beats_the_legacy_heuristics() -> None:
    for task_id in ("district_backlog_easy", "cross_department_hard"):
        scores = {}
        for name in ("urgent_first", "oldest_first", "backlog_clearance", "sla_aware"):
            scores[name] = sum(evaluate(task_id, name, range(40, 45), "standard")[i].score for i in range(5))
        assert scores["sla_aware"] == max(scores.values()), (task_id, scores)


def test_the_look_ahead_sees_the_future_and_beats_sla_aware() -> None:
    seeds = [40, 41]
    ours = evaluate("district_backlog_easy", "sla_aware", seeds, "standard")
    bound = evaluate("district_backlog_easy", "oracle_lookahead", seeds, "standard")
    assert sum(r.score for r in bound) > sum(r.score for r in ours)
    sim = RULESET.make("district_backlog_easy", 40)
    assert isinstance(sim, StandardSimulator)
    with pytest.raises(ValueError, match="needs the simulator"):
        RULESET.policy("oracle_lookahead").act(sim.observe())
    play(sim, RULESET.policy("stall_attempt"))
    assert sim.counters["invalid_actions"] == 0


def test_the_classic_rules_staff_by_their_index() -> None:
    """cμ sends the reserve where cost x rate x queue is largest, MaxWeight where waiting
    work x rate is; both read the observation only and play valid actions."""
    from govworkflow.office.policies.classic import CMu, MaxWeight, c_mu_index, max_weight_index

    for policy, index in ((CMu(), c_mu_index), (MaxWeight(), max_weight_index)):
        sim = RULESET.make("cross_department_hard", 3)
        policy.reset(3)
        obs = sim.observe()
        if obs.priority_mode != policy.mode.value:  # first the mode it keeps
            first = policy.act(obs)
            assert first.action_type is ActionType.SET_PRIORITY_MODE
            sim.step(first)
            obs = sim.observe()
        assign = policy.act(obs)
        assert assign.action_type is ActionType.ASSIGN_CAPACITY
        assert assign.service.value == max(obs.queues, key=index).service  # type: ignore[union-attr]
        result = evaluate("cross_department_hard", policy.name, [3], "standard")[0]
        assert result.faithful and 0.0 < result.score < 1.0
        invalid = 0
        sim = RULESET.make("district_backlog_easy", 4)
        policy.reset(4)
        while not sim.done:
            sim.step(policy.act(sim.observe()))
            invalid += not sim.last_valid
        assert invalid == 0, policy.name


def test_the_lookahead_skips_only_rollouts_that_repeat_an_earlier_one() -> None:
    """A variant that played today like an earlier one, to the same memory, is not played
    on: each day's choice is the one playing every variant through would make."""
    import dataclasses

    from govworkflow.core.kernel import Simulator
    from govworkflow.office.policies import lookahead
    from govworkflow.office.policies.lookahead import OracleLookahead

    def every_variant(la: OracleLookahead, simulator: Simulator) -> tuple[dict[str, object], int]:
        """The knobs playing every variant through would choose, and how many there were."""
        blob = simulator.snapshot()
        variants = list(la.variants)
        if la.case_candidates and lookahead._budget_left(simulator) > 0:
            variants += [{"escalate_case": c} for c in lookahead._at_risk_cases(simulator, la.case_candidates)]
        scores = []
        for knobs in variants:
            sim, today = Simulator.restore(blob), dataclasses.replace(la._base, **knobs)
            la._play_today(sim, today)
            scores.append(OracleLookahead._play_on(la, sim, today))
        return variants[scores.index(max(scores))], len(variants)

    la = OracleLookahead()
    la.reset(3)
    played_on = 0
    real_play_on = la._play_on

    def counting(sim: Simulator, today: object) -> float:
        nonlocal played_on
        played_on += 1
        return real_play_on(sim, today)  # type: ignore[arg-type]

    la._play_on = counting  # type: ignore[method-assign]
    sim = RULESET.make("cross_department_hard", 3)
    tried = 0
    for _ in range(6):  # six days, planned both ways
        knobs, n = every_variant(la, sim)
        tried += n
        plan = la._plan(sim)
        assert plan == dataclasses.replace(la._base, **knobs)
        day = sim.day
        while sim.day == day:
            sim.step(plan.act(sim.observe(), sim))
        la._base = dataclasses.replace(plan, **lookahead._BASE_KNOBS)  # as act() does: the day's memory carries over
    assert 0 < played_on < tried  # some rollouts were repeats, and were skipped
