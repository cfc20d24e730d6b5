"""Invariants over random action sequences (hypothesis), determinism and snapshots."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govworkflow import GovWorkflowEnv
from govworkflow.office.rulesets.legacy.sim import COUNTERS
from govworkflow.office.rulesets.legacy.tasks import LEGACY_SERVICES
from govworkflow.office.vocab import ActionType, PriorityMode

SERVICES = [s.value for s in LEGACY_SERVICES]
TASKS = ["district_backlog_easy", "mixed_urgency_medium", "cross_department_hard"]

ACTIONS = st.one_of(
    st.just({"action_type": "advance_time"}),
    st.builds(
        dict,
        action_type=st.just("set_priority_mode"),
        priority_mode=st.sampled_from([m.value for m in PriorityMode]),
    ),
    st.builds(
        dict,
        action_type=st.just("assign_capacity"),
        service=st.sampled_from(SERVICES),
        officer_delta=st.integers(-1, 3),
    ),
    st.builds(dict, action_type=st.just("request_missing_documents"), service=st.sampled_from(SERVICES)),
    st.builds(dict, action_type=st.just("escalate_service"), service=st.sampled_from([*SERVICES, None])),
    st.builds(
        dict,
        action_type=st.just("reallocate_officers"),
        service=st.sampled_from(SERVICES),
        target_service=st.sampled_from(SERVICES),
        officer_delta=st.integers(0, 3),
    ),
)


def play(task_id: str, seed: int, actions: list[dict[str, Any]]) -> GovWorkflowEnv:
    env = GovWorkflowEnv(task_id, ruleset="legacy")
    env.reset(seed=seed)
    for a in actions:
        if env.done:
            break
        env.step(a)
    return env


@given(st.sampled_from(TASKS), st.integers(0, 10_000), st.lists(ACTIONS, max_size=120))
@settings(max_examples=60, deadline=None)
def test_invariants_hold_at_every_step(task_id: str, seed: int, actions: list[dict[str, Any]]) -> None:
    env = GovWorkflowEnv(task_id, ruleset="legacy")
    obs = env.reset(seed=seed)
    total_officers = sum(obs.officers.values()) + obs.reserve_officers
    previous = dict.fromkeys(COUNTERS, 0)
    for a in actions:
        if env.done:
            break
        result = env.step(a)
        obs = result.observation
        state = env.state()
        c = state.counters
        # cases are conserved: every arrival is completed or still active
        assert c["arrived"] == c["completed"] + len(state.active_cases) == c["completed"] + obs.total_backlog
        assert sum(q.active_cases for q in obs.queues) == obs.total_backlog
        for q in obs.queues:
            assert sum(q.stage_counts.values()) == q.active_cases
        # officers are conserved
        assert sum(obs.officers.values()) + obs.reserve_officers == total_officers
        assert min(obs.officers.values()) >= 0 and obs.reserve_officers >= 0
        # counters never decrease
        assert all(c[k] >= previous[k] for k in COUNTERS)
        previous = c
        # the reward is the rounded sum of its components
        assert result.reward == round(sum(result.info["reward_components"].values()), 4)
        grade = env.grade()
        assert 0.0 <= grade.score <= 1.0
        assert all(0.0 <= v <= 1.0 for v in grade.metrics.values())
        assert 0.0 <= obs.fairness_gap <= 1.0
    assert env.simulator.steps <= 500


@given(st.sampled_from(TASKS), st.integers(0, 10_000), st.lists(ACTIONS, max_size=60))
@settings(max_examples=25, deadline=None)
def test_same_seed_and_actions_give_the_same_trajectory(task_id: str, seed: int, actions: list[dict[str, Any]]) -> None:
    a, b = play(task_id, seed, actions), play(task_id, seed, actions)
    assert a.record.to_dict() == b.record.to_dict()
    assert a.state() == b.state()
    assert a.observe() == b.observe()


def test_different_seeds_give_different_episodes() -> None:
    a = play("cross_department_hard", 1, [{"action_type": "advance_time"}] * 5)
    b = play("cross_department_hard", 2, [{"action_type": "advance_time"}] * 5)
    assert a.state().active_cases != b.state().active_cases


@given(st.sampled_from(TASKS), st.integers(0, 1000), st.lists(ACTIONS, min_size=2, max_size=60), st.data())
@settings(max_examples=25, deadline=None)
def test_restore_then_same_actions_gives_the_same_trajectory(
    task_id: str, seed: int, actions: list[dict[str, Any]], data: st.DataObject
) -> None:
    cut = data.draw(st.integers(0, len(actions)))
    straight = play(task_id, seed, actions)
    env = play(task_id, seed, actions[:cut])
    snap = env.snapshot()
    for a in actions[cut:]:  # wander off, then come back
        if env.done:
            break
        env.step({"action_type": "advance_time"} if a["action_type"] != "advance_time" else a)
    env.restore(snap)
    assert len(env.record.steps) == snap.steps
    for a in actions[cut:]:
        if env.done:
            break
        env.step(a)
    assert env.record.to_dict() == straight.record.to_dict()
    assert env.state() == straight.state()


def test_episode_is_cut_at_max_steps() -> None:
    env = GovWorkflowEnv("district_backlog_easy", ruleset="legacy", max_steps=7)
    env.reset()
    results = [env.step({"action_type": "set_priority_mode", "priority_mode": "balanced"}) for _ in range(7)]
    assert [r.truncated for r in results] == [False] * 6 + [True]
    assert env.done


def test_termination_when_no_work_is_left() -> None:
    """With the backlog cleared and nothing arriving, the episode terminates (not truncates)."""
    from govworkflow.office.rulesets.legacy import LegacySimulator, load_tasks

    task = load_tasks()["district_backlog_easy"].model_copy(
        update={"arrival_rate_per_day": 0.0, "p_missing_documents": 0.0}
    )
    sim = LegacySimulator(task, seed=1)
    from govworkflow.office.policies import ADVANCE

    while not sim.done:
        *_, terminated, truncated = sim.step(ADVANCE)
    assert terminated and not truncated
    assert sim.active == 0 and sim.day < task.max_days


@pytest.mark.parametrize("action_type", [t.value for t in ActionType])
def test_every_action_type_is_accepted(action_type: str) -> None:
    env = GovWorkflowEnv("district_backlog_easy", ruleset="legacy")
    env.reset()
    result = env.step({"action_type": action_type})
    assert isinstance(result.info["valid"], bool)
