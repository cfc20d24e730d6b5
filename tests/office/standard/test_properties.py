"""Property tests over random action sequences: bounded metrics, monotone counters."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from govworkflow.office.models import Action
from govworkflow.office.policies.basic import candidate_actions
from govworkflow.office.rulesets.standard import StandardSimulator
from govworkflow.office.vocab import ActionType, Service
from tests.office.standard.helpers import RULESET, TASK_IDS

_EXTRA = [
    Action(action_type=ActionType.ASSIGN_CAPACITY, service=Service.PASSPORT, officer_delta=3),
    Action(action_type=ActionType.REALLOCATE_OFFICERS, service=Service.AADHAAR_CARD,
           target_service=Service.PASSPORT, officer_delta=0),
    Action(action_type=ActionType.ESCALATE_SERVICE, case_id="case-99999"),
    Action(action_type=ActionType.SET_PRIORITY_MODE),
]  # fmt: skip


@settings(max_examples=30, deadline=None)
@given(
    task_id=st.sampled_from(TASK_IDS),
    seed=st.integers(0, 10**6),
    picks=st.lists(st.integers(0, 10**6), min_size=1, max_size=150),
)
def test_random_action_sequences_keep_the_invariants(task_id: str, seed: int, picks: list[int]) -> None:
    sim = RULESET.make(task_id, seed)
    assert isinstance(sim, StandardSimulator)
    pool = candidate_actions(sim.observe()) + _EXTRA
    before = dict(sim.counters)
    staff = sum(sim.officers) + sim.reserve
    for k in picks:
        if sim.done:
            break
        reward, comps, _, _ = sim.step(pool[k % len(pool)])
        assert math.isfinite(reward)
        assert len(comps) == len(sim.REWARD_COMPONENTS)
        now = sim.counters
        assert all(now[name] >= before[name] for name in before), "a counter decreased"
        before = dict(now)
        assert now["arrived"] == now["completed"] + sim.active
        assert sum(sim.officers) + sim.reserve == staff
        obs = sim.observe()
        assert 1 <= obs.actions_left_today <= sim.task.actions_per_day
        for q in obs.queues:
            assert min(q.active_cases, q.missing_docs_cases, q.blocked_cases, q.at_risk_cases) >= 0
            assert q.missing_docs_cases + q.awaiting_documents == q.blocked_cases <= q.active_cases
        grade = sim.grade()
        assert 0.0 <= grade.score <= 1.0
        assert all(0.0 <= c.value <= 1.0 for c in grade.components)
    assert sim.day <= sim.task.max_days
