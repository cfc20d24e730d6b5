"""The oracle is exact (dynamic programme == brute force) and the grader is bounded."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govworkflow.evaluation import run_episode
from govworkflow.triage import (
    SKIP,
    TASKS,
    TRIAGE,
    Instance,
    TriageAction,
    TriageSimulator,
    TriageTask,
    brute_force,
    generate,
    make_policy,
    normalise,
    oracle_reward,
    solve,
)
from govworkflow.triage.policies import available_policies
from tests.triage.helpers import instances, make_instance, play_episode


def exhaustive(sim: TriageSimulator) -> float:
    """Best reward-to-go over *every* action sequence, invalid actions anywhere included."""
    if sim.done:
        return 0.0
    best = float("-inf")
    for ticket_id in [*sim.valid_actions(), "not-a-ticket"]:
        child = TriageSimulator.restore(sim.snapshot())
        reward, *_ = child.step(TriageAction(ticket_id=ticket_id))
        best = max(best, reward + exhaustive(child))
    return best


def small(task_id: str, n: int) -> TriageTask:
    task = TASKS[task_id]
    initial = min(2, n) if task.arrivals else None
    return task.model_copy(update={"task_id": f"{task_id}_small", "n_tickets": n, "initial_tickets": initial})


@pytest.mark.parametrize("task_id", list(TASKS))
def test_oracle_equals_brute_force_on_small_generated_instances(task_id: str) -> None:
    task = small(task_id, 6)
    for seed in range(12):
        inst = generate(task, seed)
        assert solve(inst).value == pytest.approx(brute_force(inst), abs=1e-9)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_tickets=5))
def test_oracle_equals_brute_force_on_random_instances(inst: Instance) -> None:
    assert solve(inst).value == pytest.approx(brute_force(inst), abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(instances(max_tickets=3, max_extra_steps=2))
def test_oracle_equals_exhaustive_search_with_invalid_actions(inst: Instance) -> None:
    assert solve(inst).value == pytest.approx(exhaustive(TriageSimulator(inst)), abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(instances(max_tickets=4, max_extra_steps=2), st.lists(st.integers(0, 5), min_size=1, max_size=3))
def test_the_oracle_plays_on_exactly_after_any_prefix_invalid_actions_included(
    inst: Instance, prefix: list[int]
) -> None:
    """From any state (invalid actions played or not), the oracle's play earns the best
    reward-to-go that any sequence can (checked by full search)."""
    sim = TriageSimulator(inst)
    for pick in prefix:  # an index into the valid ids, or past them: an invalid action
        if sim.done:
            break
        valid = sim.valid_actions()
        sim.step(TriageAction(ticket_id=valid[pick] if pick < len(valid) else "not-a-ticket"))
    best = exhaustive(TriageSimulator.restore(sim.snapshot()))
    before, oracle = sim.reward_sum, solve(inst)
    while not sim.done:
        sim.step(oracle.best_action(sim))
    assert sim.reward_sum - before == pytest.approx(best, abs=1e-9)


def test_an_invalid_action_does_not_mislead_the_oracle() -> None:
    """Three tickets, two steps, one spent on an invalid action: the best ticket is T03."""
    inst = make_instance([("enhancement", 1, 1, 5, 0), ("enhancement", 1, 2, 5, 0), ("bug", 1, 3, 5, 0)], max_steps=2)
    sim = TriageSimulator(inst)
    sim.step(TriageAction(ticket_id="not-a-ticket"))
    assert solve(inst).best_action(sim).ticket_id == "T03"
    assert solve(inst).action_values(sim)["T03"] == 18.0  # 3 x 3 x 2, and the cap ends the episode


def test_oracle_skips_when_the_last_ticket_would_cost_more_than_the_steps_left() -> None:
    # T01 first is on time (15); T02 after it would be 6 late (-4); skipping the last step costs -1
    inst = make_instance([("enhancement", 3, 5, 3, 0), ("bug", 3, 1, 0, 0)], max_steps=2)
    sol = solve(inst)
    assert sol.value == 14.0
    assert sol.plan == ("T01", SKIP.ticket_id)
    assert brute_force(inst) == 14.0


@pytest.mark.parametrize("task_id", list(TASKS))
def test_oracle_plan_replays_to_its_value_and_beats_every_policy(task_id: str) -> None:
    for seed in range(5):
        inst = generate(task_id, seed)
        sol = solve(inst)
        sim = TriageSimulator(inst)
        for ticket_id in sol.plan:
            sim.step(TriageAction(ticket_id=ticket_id))
        assert sim.done
        assert sim.reward_sum == pytest.approx(sol.value)
        for name in available_policies(task_id):
            result = play_episode(task_id, make_policy(name), seed)
            assert result.reward_sum <= sol.value + 1e-9
            assert 0.0 <= result.score <= 1.0
        assert play_episode(task_id, make_policy("oracle"), seed).score == 1.0


def test_floor_policy_scores_zero_unless_every_order_ties() -> None:
    for seed in range(10):
        result = play_episode("overload_12", make_policy("fifo"), seed)
        oracle, floor = result.outcome["oracle"], result.outcome["floor"]
        assert result.reward_sum == floor
        assert result.score == (1.0 if oracle == floor else 0.0)


@pytest.mark.parametrize(
    ("reward", "floor", "oracle", "score"),
    [
        (5.0, 0.0, 10.0, 0.5),
        (-3.0, 0.0, 10.0, 0.0),
        (12.0, 0.0, 10.0, 1.0),
        (4.0, 4.0, 4.0, 1.0),
        (3.0, 4.0, 4.0, 0.0),
    ],
)
def test_normalise(reward: float, floor: float, oracle: float, score: float) -> None:
    assert normalise(reward, floor, oracle) == score


def test_oracle_policy_needs_the_simulator() -> None:
    policy = make_policy("oracle")
    sim = TriageSimulator(generate("faithful_5", 0))
    with pytest.raises(ValueError, match="privileged"):
        policy.act(sim.observe())


def test_the_cached_value_table_cannot_be_changed() -> None:
    inst = generate("overload_12", 4)
    table = solve(inst).values
    with pytest.raises(ValueError, match="read-only"):
        table[0, 0] = 1e9
    assert solve(inst).value == oracle_reward(inst) < 1e9


def test_solve_rejects_instances_it_cannot_solve_exactly() -> None:
    with pytest.raises(ValueError, match="1 to 12 tickets, got 17"):
        solve(make_instance([("bug", 1, 1, 5, 0)] * 17))


def test_a_cap_below_the_ticket_count_ends_the_episode_in_the_oracle_too() -> None:
    inst = make_instance([("bug", 1, 1, 5, 0)] * 3, max_steps=2)
    assert solve(inst).value == brute_force(inst) == 12.0  # two of the three, on time
    assert solve(inst).plan == ("T01", "T02")


@pytest.mark.parametrize("cap", [5, 12, 30])
def test_an_episode_is_graded_under_its_own_step_cap(cap: int) -> None:
    task = TASKS["overload_12"]
    sim = TriageSimulator.start(task, 3, max_steps=cap)
    assert sim.instance == replace(generate(task, 3), max_steps=cap)  # the oracle and the floor read the episode's cap
    plan = solve(sim.instance).plan
    for ticket_id in plan:
        sim.step(TriageAction(ticket_id=ticket_id))
    assert sim.done
    grade = sim.grade()
    assert grade.score == 1.0 and grade.oracle_reward == pytest.approx(sim.reward_sum)
    assert (grade.max_steps, grade.task_max_steps) == (cap, 20)
    assert grade.provisional and f"played under a cap of {cap} steps; the task's is 20" in grade.explain()
    if cap < task.n_tickets:  # the full-length oracle would have graded it below 1
        assert oracle_reward(generate(task, 3)) > sim.reward_sum


def test_a_short_cap_that_makes_the_oracle_easy_is_never_a_final_grade() -> None:
    """The attack: cap the episode so short that oracle and floor coincide, and score 1.0."""
    short = run_episode(TRIAGE, "two_workers_12", make_policy("fifo"), 4, max_steps=1)
    full = run_episode(TRIAGE, "two_workers_12", make_policy("fifo"), 4)
    assert short.score == 1.0 and full.score == 0.0  # fifo is the floor itself
    assert short.provisional and short.to_dict()["provisional"] is True
    assert not full.provisional
