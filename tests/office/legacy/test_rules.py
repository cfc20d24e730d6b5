"""Legacy rules, one at a time: invalid actions, priority keys, randomness, day dynamics."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govworkflow import Action, GovWorkflowEnv
from govworkflow.office.rulesets.legacy import cases as legacy_sim

Act = dict[str, Any]


def fresh(task_id: str = "cross_department_hard", seed: int | None = None) -> GovWorkflowEnv:
    env = GovWorkflowEnv(task_id, ruleset="legacy")
    env.reset(seed=seed)
    return env


def comparable(env: GovWorkflowEnv) -> dict[str, Any]:
    state = env.state().model_dump()
    state.pop("steps")
    return state


INVALID: list[tuple[Act, str]] = [
    ({"action_type": "set_priority_mode"}, "priority_mode"),
    ({"action_type": "assign_capacity", "officer_delta": 1}, "service"),
    ({"action_type": "assign_capacity", "service": "passport", "officer_delta": 0}, "positive"),
    ({"action_type": "assign_capacity", "service": "passport", "officer_delta": -1}, "positive"),
    ({"action_type": "assign_capacity", "service": "passport"}, "assign_capacity needs service and officer_delta"),
    ({"action_type": "assign_capacity", "service": "passport", "officer_delta": 3}, "reserve"),
    ({"action_type": "request_missing_documents"}, "service"),
    ({"action_type": "request_missing_documents", "service": "income_certificate"}, "missing documents"),
    ({"action_type": "reallocate_officers", "service": "passport", "officer_delta": 1}, "target_service"),
    (
        {
            "action_type": "reallocate_officers",
            "service": "passport",
            "target_service": "passport",
            "officer_delta": 1,
        },
        "differ",
    ),
    (
        {
            "action_type": "reallocate_officers",
            "service": "passport",
            "target_service": "gst_registration",
            "officer_delta": 0,
        },
        "positive",
    ),
    (
        {
            "action_type": "reallocate_officers",
            "service": "caste_certificate",
            "target_service": "passport",
            "officer_delta": 2,
        },
        "fewer than 2",
    ),
    ({"action_type": "escalate_service", "case_id": "case-99999"}, "eligible"),
    ({"action_type": "escalate_service", "service": "driving_license"}, "eligible"),
]


@pytest.mark.parametrize(("action", "why"), INVALID)
def test_invalid_action_changes_nothing_but_its_counters(action: Act, why: str) -> None:
    env = fresh()
    before = comparable(env)
    result = env.step(action)
    after = comparable(env)
    assert not result.info["valid"]
    assert why in result.info["message"]
    assert result.info["reward_components"]["invalid_action"] == -1.5
    assert after["counters"].pop("invalid_actions") == before["counters"].pop("invalid_actions") + 1
    wasted = action["action_type"] == "escalate_service"
    assert after["counters"].pop("wasted_escalations") == before["counters"].pop("wasted_escalations") + wasted
    assert after == before


def test_escalation_with_no_budget_is_invalid_and_wasted() -> None:
    env = fresh("district_backlog_easy")
    for _ in range(3):
        assert env.step({"action_type": "escalate_service"}).info["valid"]
    result = env.step({"action_type": "escalate_service"})
    assert not result.info["valid"]
    assert "budget" in result.info["message"]
    counters = env.state().counters
    assert (counters["escalations_used"], counters["wasted_escalations"]) == (3, 1)
    assert env.grade().metrics["escalation_discipline"] == pytest.approx(1 - 1 / 3, abs=1e-4)


def test_escalation_takes_the_most_pressing_case() -> None:
    env = fresh()
    cases = env.state().active_cases
    expected = min(cases, key=lambda c: (c.due_day, -c.urgency, -c.total_days, c.case_id))
    env.step({"action_type": "escalate_service"})
    escalated = [c.case_id for c in env.state().active_cases if c.escalated]
    assert escalated == [expected.case_id]
    # ... and a named case is taken even if others are more pressing
    target = max(cases, key=lambda c: c.due_day).case_id
    env.step({"action_type": "escalate_service", "case_id": target})
    assert target in {c.case_id for c in env.state().active_cases if c.escalated}


def test_request_documents_clears_the_first_case_at_once() -> None:
    env = fresh()
    missing = [c for c in env.state().active_cases if c.missing_documents]
    service = missing[0].service
    mine = [c for c in missing if c.service == service]
    expected = min(mine, key=lambda c: (c.due_day, -c.urgency, c.case_id))
    result = env.step({"action_type": "request_missing_documents", "service": service})
    assert result.info["valid"]
    still = {c.case_id for c in env.state().active_cases if c.missing_documents}
    assert expected.case_id not in still
    assert len(still) == len(missing) - 1
    counters = env.state().counters
    assert counters["documents_requested"] == counters["documents_cleared"] == 1


def test_officers_move_between_reserve_and_services() -> None:
    env = fresh()
    env.step({"action_type": "assign_capacity", "service": "caste_certificate", "officer_delta": 2})
    env.step(
        {
            "action_type": "reallocate_officers",
            "service": "passport",
            "target_service": "aadhaar_card",
            "officer_delta": 1,
        }
    )
    obs = env.observe()
    assert obs.reserve_officers == 0
    assert obs.queue("caste_certificate").officers == 3
    assert obs.officers["passport"] == 1
    assert obs.officers["aadhaar_card"] == 1  # officers sent outside the task idle there
    assert sum(obs.officers.values()) + obs.reserve_officers == 8 + 2


def test_initial_backlog_and_arrivals_draw_in_the_published_order() -> None:
    """Re-derive the first cases with a bare random.Random, exactly as the rules say."""
    env = fresh("district_backlog_easy", seed=5)
    task = env.ruleset.task("district_backlog_easy")
    rng = random.Random(5)
    expected = []
    for service, count, sla in zip(task.services, task.initial_cases, task.sla_days, strict=True):
        for _ in range(count):
            urgency = rng.randint(1, 3)
            missing = rng.random() < task.p_missing_documents
            fv = rng.random() < task.p_field_verification
            expected.append((service.value, 0, sla, urgency, missing, fv))
    got = [
        (c.service, c.arrival_day, c.due_day, c.urgency, c.missing_documents, c.needs_field_verification)
        for c in env.state().active_cases
    ]
    assert got == expected
    assert [c.case_id for c in env.state().active_cases][:2] == ["case-00001", "case-00002"]
    # Day 1: always draw u; rate 2.0 gives exactly 2 arrivals, each choosing its service first.
    rng.random()
    arrivals = []
    for _ in range(2):
        service = rng.choice(task.services)
        urgency = rng.randint(1, 3)
        missing = rng.random() < task.p_missing_documents
        fv = rng.random() < task.p_field_verification
        arrivals.append((service.value, urgency, missing, fv))
    env.step({"action_type": "advance_time"})
    new = [c for c in env.state().active_cases if c.arrival_day == 1]
    assert [(c.service, c.urgency, c.missing_documents, c.needs_field_verification) for c in new] == arrivals


def _below(rng: random.Random, n: int) -> int:
    """The simulator's inlined draw: getrandbits(n.bit_length()) until below n."""
    r = rng.getrandbits(n.bit_length())
    while r >= n:
        r = rng.getrandbits(n.bit_length())
    return r


@given(st.integers(0, 2**32 - 1), st.integers(1, 40))
@settings(max_examples=200, deadline=None)
def test_fast_draws_equal_randint_and_choice(seed: int, n: int) -> None:
    """The simulator's inlined draws take exactly what randint/choice take."""
    a, b = random.Random(seed), random.Random(seed)
    for _ in range(20):
        assert _below(a, 3) + 1 == b.randint(1, 3)
        assert _below(a, n) == b.choice(range(n))
        assert a.random() == b.random()


CASE = st.builds(
    legacy_sim.Case,
    num=st.integers(1, 99_999),
    svc=st.just(0),
    day=st.integers(0, 500),
    due=st.integers(0, 600),
    urgency=st.integers(1, 3),
    missing=st.booleans(),
    fv=st.booleans(),
    age0=st.integers(-499, 0),
)


@given(st.lists(CASE, min_size=2, max_size=8), st.lists(st.booleans(), min_size=8, max_size=8))
@settings(max_examples=300, deadline=None)
def test_packed_keys_order_like_the_published_tuples(cases: list[legacy_sim.Case], flags: list[bool]) -> None:
    day = 600
    for c, f in zip(cases, flags, strict=False):
        c.escalated = f
        c.stage = c.num % 5
    cid = legacy_sim.case_id
    tuples = {
        "urgent_first": lambda c: (not c.escalated, -c.urgency, c.due_day - day, -(day + c.age0), cid(c.num)),
        "oldest_first": lambda c: (not c.escalated, -(day + c.age0), c.due_day - day, -c.urgency, cid(c.num)),
        "backlog_clearance": lambda c: (
            not c.escalated,
            legacy_sim.STAGES[c.stage],
            c.due_day - day,
            -(day + c.age0),
            cid(c.num),
        ),
        "balanced": lambda c: (not c.escalated, c.due_day - day, -c.urgency, -(day + c.age0), cid(c.num)),
    }
    for mode, ref in tuples.items():
        packed = legacy_sim.PRIORITY_KEY[mode]
        assert sorted(cases, key=packed) == sorted(cases, key=ref), mode


def test_priority_mode_changes_who_is_served() -> None:
    def still_open(mode: str) -> set[str]:
        env = fresh(seed=7)
        env.step({"action_type": "set_priority_mode", "priority_mode": mode})
        for _ in range(6):
            env.step({"action_type": "advance_time"})
        return {c.case_id for c in env.state().active_cases}

    assert still_open("urgent_first") != still_open("oldest_first")


def test_cases_with_missing_documents_hold_an_officer_without_moving() -> None:
    env = fresh("district_backlog_easy", seed=3)
    state = env.state()
    blocked = {c.case_id for c in state.active_cases if c.missing_documents}
    assert blocked
    for _ in range(5):
        env.step({"action_type": "advance_time"})
    for c in env.state().active_cases:
        if c.case_id in blocked:
            assert c.stage == "submission"


def test_breach_is_counted_once_per_case() -> None:
    env = fresh("district_backlog_easy", seed=1)
    while not env.done:
        env.step({"action_type": "advance_time"})
    state = env.state()
    open_breached = sum(c.breached for c in state.active_cases)
    assert open_breached <= state.counters["sla_breaches"]
    assert all(c.breached == (env.simulator.day > c.due_day) for c in state.active_cases)


def test_day_counters_and_idle_capacity() -> None:
    env = fresh("district_backlog_easy")
    result = env.step({"action_type": "advance_time"})
    counters = env.state().counters
    assert counters["capacity_officer_days"] == 5
    assert result.info["reward_components"]["progress"] == pytest.approx(0.7 * counters["stage_advances"])


def test_action_types_round_trip_through_json() -> None:
    for action in (
        Action(action_type="advance_time"),
        Action(
            action_type="reallocate_officers",
            service="passport",
            target_service="gst_registration",
            officer_delta=1,
        ),
    ):
        assert Action.model_validate_json(action.model_dump_json()) == action
