"""Behaviour of the standard office: the clock, documents, field visits, staffing,
escalation, events, determinism and common random numbers."""

from __future__ import annotations

import pytest

from govworkflow.core.kernel import Simulator
from govworkflow.office.models import Action
from govworkflow.office.policies.basic import StallAttempt
from govworkflow.office.policies.heuristics import ADVANCE
from govworkflow.office.rulesets.standard import StandardSimulator
from govworkflow.office.rulesets.standard.cases import BLOCKED, FV, WAITING
from govworkflow.office.vocab import ActionType, PriorityMode
from tests.office.standard.helpers import RULESET, TASK_IDS, calm_task, play, task


def make(task_id: str = "district_backlog_easy", seed: int = 5) -> StandardSimulator:
    sim = RULESET.make(task_id, seed)
    assert isinstance(sim, StandardSimulator)
    return sim


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_the_clock_cannot_be_stopped(task_id: str) -> None:
    sim = play(make(task_id), StallAttempt())
    t = sim.task
    assert sim.day == t.max_days
    assert sim.steps == t.max_days * t.actions_per_day
    assert sim.counters["auto_advances"] == t.max_days
    assert sim.truncated and not sim.terminated


def test_the_day_advances_by_itself_after_the_allowance() -> None:
    sim = make()
    mode = Action(action_type=ActionType.SET_PRIORITY_MODE, priority_mode=PriorityMode.URGENT_FIRST)
    for left in range(sim.task.actions_per_day, 1, -1):
        assert sim.observe().actions_left_today == left
        sim.step(mode)
        assert sim.day == 0
    sim.step(mode)
    assert sim.day == 1
    assert "no actions left today" in sim.last_message
    assert sim.observe().actions_left_today == sim.task.actions_per_day


def test_invalid_actions_change_nothing_but_are_counted() -> None:
    sim = make()
    before = sim.state()
    bad = Action(action_type=ActionType.ASSIGN_CAPACITY, service="birth_certificate", officer_delta=5)
    _reward, components, _, _ = sim.step(bad)
    assert not sim.last_valid
    assert "exceeds the reserve" in sim.last_message
    assert sim.counters["invalid_actions"] == 1
    assert components[sim.REWARD_COMPONENTS.index("invalid_action")] < 0
    after = sim.state()
    assert after.officers == before.officers
    assert after.reserve_officers == before.reserve_officers
    other = Action(action_type=ActionType.REQUEST_MISSING_DOCUMENTS, service="passport")
    assert "not a service of this task" in (sim.why_invalid(other) or "")


def test_blocked_cases_stay_blocked_until_someone_asks() -> None:
    sim = play(make(seed=2), RULESET.policy("advance_only"))
    c = sim.counters
    assert c["documents_blocked"] > 10
    assert c["documents_requested"] == c["documents_received"] == 0
    blocked = [case for q in sim.queues for case in q if case.doc == BLOCKED]
    assert len(blocked) == c["documents_blocked"]  # none of them ever moved on


def test_a_request_is_answered_after_a_delay_or_needs_a_reminder() -> None:
    sim = make(seed=4)
    while not any(sim.n_requestable):
        sim.step(ADVANCE)
    i = next(k for k, n in enumerate(sim.n_requestable) if n)
    service = sim.services[i]
    sim.step(Action(action_type=ActionType.REQUEST_MISSING_DOCUMENTS, service=service))  # type: ignore[arg-type]
    asked = [case for case in sim.queues[i] if case.doc == WAITING]
    assert asked
    assert len(asked) <= sim.task.document_batch
    lo, hi = sim.task.answer_delay_days
    request_day = sim.day
    for case in asked:
        expected = case.answer_delay if case.requests > case.ignores else sim.task.reminder_after_days
        assert case.ready == request_day + expected
        if case.requests > case.ignores:
            assert lo <= case.ready - request_day <= hi
    while sim.day < request_day + sim.task.reminder_after_days:
        sim.step(ADVANCE)
    for case in asked:
        if case.requests > case.ignores:
            assert case.doc != WAITING or case.stage != 1 or case.ready > sim.day
        else:  # ignored: blocked again, a reminder can reach it
            assert case.doc == BLOCKED


def test_field_verification_is_external_time() -> None:
    """Cases out in the field hold no officer and come back on schedule, even from a
    service whose officers have all been moved away."""
    sim = StandardSimulator(calm_task(officers=1, days=40), 1)
    while not any(case.stage == FV for q in sim.queues for case in q):
        sim.step(ADVANCE)
    i = next(k for k, q in enumerate(sim.queues) if any(c.stage == FV for c in q))
    out = [c for c in sim.queues[i] if c.stage == FV]
    target = sim.services[(i + 1) % sim.n]
    sim.step(
        Action(
            action_type=ActionType.REALLOCATE_OFFICERS,
            service=sim.services[i],  # type: ignore[arg-type]
            target_service=target,  # type: ignore[arg-type]
            officer_delta=1,
        )
    )
    assert sim.officers[i] == 0
    last = max(c.fv_ready for c in out)
    while sim.day < last:
        for c in out:
            assert c.work == 0
            assert (c.stage == FV) == (sim.day < c.fv_ready)
        sim.step(ADVANCE)
    assert all(c.stage != FV for c in out)


def test_a_moved_officer_loses_the_day() -> None:
    sim = make()
    q0 = sim.observe().queue("income_certificate")
    sim.step(Action(action_type=ActionType.ASSIGN_CAPACITY, service="income_certificate", officer_delta=1))
    q1 = sim.observe().queue("income_certificate")
    assert q1.officers == q0.officers + 1
    assert q1.available_officers == q0.available_officers  # not productive today
    sim.step(ADVANCE)
    assert sim.observe().queue("income_certificate").available_officers == q1.officers


def test_escalation_fast_tracks_and_wasted_ones_are_seen() -> None:
    sim = make()
    case = min(sim.queues[0], key=lambda c: c.due)
    work = case.work
    sim.step(Action(action_type=ActionType.ESCALATE_SERVICE, case_id=case.name))
    assert case.esc
    assert case.work == max(1, round(work * sim.task.escalation_work_factor))
    assert sim.budget == sim.task.escalation_budget - 1
    # a case with plenty of slack is not at risk: escalating it is waste, seen at once
    relaxed = max((c for q in sim.queues for c in q if not c.esc), key=lambda c: c.due)
    wasted = sim.counters["escalations_wasted"]
    sim.step(Action(action_type=ActionType.ESCALATE_SERVICE, case_id=relaxed.name))
    assert sim.counters["escalations_wasted"] == wasted + 1
    assert "not at risk" in sim.last_message


def test_events_follow_the_scenario() -> None:
    calm = play(make("district_backlog_easy"), RULESET.policy("advance_only"))
    assert calm.counters["events_started"] == 0
    sim = make("district_backlog_easy_extreme", 3)
    labels: set[str] = set()
    while not sim.done:
        labels.update(e.split(" ")[0].split(":")[0] for e in sim.observe().active_events)
        sim.step(ADVANCE)
    assert sim.counters["events_started"] > 3
    assert len(labels) >= 3


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_same_seed_same_trajectory_bit_for_bit(task_id: str) -> None:
    def run(seed: int) -> tuple[list[tuple[float, tuple[float, ...]]], str, str]:
        sim = make(task_id, seed)
        pol = RULESET.policy("random_valid")
        pol.reset(seed)
        trace = []
        while not sim.done:
            reward, comps, _, _ = sim.step(pol.act(sim.observe(), sim))
            trace.append((reward, comps))
        return trace, sim.state().model_dump_json(), sim.grade().model_dump_json()

    assert run(11) == run(11)
    assert run(11) != run(12)


def test_every_policy_meets_the_same_arrivals_and_events() -> None:
    outcomes = set()
    for name in ("advance_only", "random_valid", "sla_aware"):
        sim = play(make("cross_department_hard", 9), RULESET.policy(name))
        outcomes.add((sim.counters["arrived"], sim.counters["events_started"], sim.next_id))
    assert len(outcomes) == 1


def test_snapshot_restore_continues_identically() -> None:
    sim = make("mixed_urgency_medium", 3)
    pol = RULESET.policy("sla_aware")
    pol.reset(3)
    for _ in range(30):
        sim.step(pol.act(sim.observe(), sim))
    copy = Simulator.restore(sim.snapshot())
    actions = [ADVANCE, Action(action_type=ActionType.REQUEST_MISSING_DOCUMENTS, service="gst_registration")]
    for k in range(40):
        a = actions[k % 2]
        assert sim.step(a) == copy.step(a)
    assert sim.state() == copy.state()


def test_sla_tightening_cuts_due_days_of_new_cases() -> None:
    t = task("district_backlog_easy_extreme")
    sim = StandardSimulator(t, 0)
    cut_seen = False
    while not sim.done:
        before = sim.next_id
        sim.step(ADVANCE)
        cuts = sim.events.sla_cut
        for q in sim.queues:
            for case in q:
                if case.id > before:
                    assert case.due - case.arrival == max(1, sim.sla[case.svc] - cuts[case.svc])
                    cut_seen |= cuts[case.svc] > 0
    assert cut_seen


def _move(sim: StandardSimulator, src: str, dst: str, d: int = 1) -> str | None:
    return sim.why_invalid(
        Action(action_type=ActionType.REALLOCATE_OFFICERS, service=src, target_service=dst, officer_delta=d)
    )


def test_an_absent_officer_cannot_be_moved() -> None:
    sim = StandardSimulator(task("cross_department_hard"), 3)
    a, b = sim.services[0], sim.services[1]
    i = sim.index[a]
    sim.officers[i] = 2
    sim.events.absent[i] = 1  # one of the two is away today
    assert _move(sim, a, b, 1) is None
    why = _move(sim, a, b, 2)
    assert why == f"{a} has 1 officer(s) present (1 absent), fewer than 2"
    sim.step(Action(action_type=ActionType.REALLOCATE_OFFICERS, service=a, target_service=b, officer_delta=2))
    assert not sim.last_valid and sim.officers[i] == 2  # refused: nothing moved
    sim.events.absent[i] = 2
    assert _move(sim, a, b, 1) == f"{a} has 0 officer(s) present (2 absent), fewer than 1"


def test_a_same_day_round_trip_costs_one_officer_day() -> None:
    sim = StandardSimulator(task("cross_department_hard"), 5)
    a, b = sim.services[0], sim.services[1]
    before = sum(q.available_officers for q in sim.observe().queues)
    for src, dst in ((a, b), (b, a)):
        sim.step(Action(action_type=ActionType.REALLOCATE_OFFICERS, service=src, target_service=dst, officer_delta=1))
        assert sim.last_valid, sim.last_message
    assert sum(sim.fresh) == 1  # the officer who went and came back; nobody else
    assert sum(q.available_officers for q in sim.observe().queues) == before - 1


def test_kept_priority_keys_are_the_mode_orders() -> None:
    """The keys a case keeps (``Case.set_keys``) sort as the orders they stand for, also
    after escalations played through ``step``."""
    from govworkflow.office.rulesets.standard.cases import KEYS

    orders = {
        "balanced": lambda c: (not c.esc, c.due, -c.urgency, c.arrival, c.id),
        "urgent_first": lambda c: (not c.esc, -c.urgency, c.due, c.arrival, c.id),
        "oldest_first": lambda c: (not c.esc, c.arrival, c.due, c.id),
    }
    sim = make("cross_department_hard", 11)
    escalate = Action(action_type=ActionType.ESCALATE_SERVICE)
    while sim.budget > 0 and sim.day < 10:
        sim.step(escalate)
    cases = [c for q in sim.queues for c in q]
    assert any(c.esc for c in cases) and not all(c.esc for c in cases)
    for c in cases:
        assert (c.key_balanced, c.key_urgent, c.key_oldest) == tuple(orders[m](c) for m in orders), c.name
    for mode, order in orders.items():
        assert sorted(cases, key=KEYS[mode]) == sorted(cases, key=order), mode


def test_answer_delays_span_the_task_range() -> None:
    """Every answer delay a case draws is in the task's range, both ends reached."""
    sim = make("cross_department_hard", 4)
    while sim.day < 20:
        sim.step(ADVANCE)
    lo, hi = sim.task.answer_delay_days
    seen = [c for q in sim.queues for c in q] + [c for cs in sim.due_on.values() for c in cs]
    delays = {c.answer_delay for c in seen}
    assert delays == set(range(lo, hi + 1)), (delays, lo, hi)


def test_a_case_pickles_as_its_slots_in_order() -> None:
    """``Case.__reduce__`` saves the slots in ``__slots__`` order and ``_case`` restores
    each to its own slot (distinct values per slot catch a swapped pair)."""
    import pickle

    from govworkflow.office.rulesets.standard.cases import Case

    case = next(c for q in make("cross_department_hard", 2).queues for c in q)
    for k, slot in enumerate(Case.__slots__):
        setattr(case, slot, (slot, k))
    copy = pickle.loads(pickle.dumps(case))
    assert type(copy) is Case and copy is not case
    assert {s: getattr(copy, s) for s in Case.__slots__} == {s: (s, k) for k, s in enumerate(Case.__slots__)}


def test_escalating_a_case_that_is_not_open_names_it() -> None:
    sim = RULESET.make("district_backlog_easy", 1)
    first = sim.open_cases()[0]
    assert sim.why_invalid(Action(action_type=ActionType.ESCALATE_SERVICE, case_id="nope")) == (
        f"no open case 'nope' (open cases are named like {first.name})"
    )
    on = sim.services[first.svc]
    missing = Action(action_type=ActionType.ESCALATE_SERVICE, service=on, case_id="case-99999")
    assert sim.why_invalid(missing) == f"no open case 'case-99999' at {on} (open cases are named like {first.name})"
    assert sim.why_invalid(Action(action_type=ActionType.ESCALATE_SERVICE, case_id=first.name)) is None
