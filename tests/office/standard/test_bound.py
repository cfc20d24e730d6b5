"""The analytic upper bound (``office/rulesets/standard/bound.py``): the right cases, each
case's earliest finish as the simulator allows it, and above every policy seed by seed."""

from __future__ import annotations

import pytest

from govworkflow.evaluation import run_episode
from govworkflow.office.models import Action
from govworkflow.office.policies.canaries import CANARIES
from govworkflow.office.policies.heuristics import ADVANCE
from govworkflow.office.rulesets.standard import StandardSimulator
from govworkflow.office.rulesets.standard.bound import cases_of, upper_bound, upper_bound_components
from govworkflow.office.rulesets.standard.cases import BLOCKED, DONE
from govworkflow.office.vocab import ActionType
from tests.office.standard.helpers import RULESET, TASK_IDS, task

CHEAP = ["advance_only", "random_valid", "urgent_first", "backlog_clearance", "c_mu", "max_weight", "sla_aware"]


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_the_bound_sees_every_case_that_arrives(task_id: str) -> None:
    t = RULESET.tasks[task_id]
    seed = t.evaluation_seeds[0]
    classes, capacity = cases_of(t, seed)
    sim = StandardSimulator(t, seed)
    while sim.day < t.max_days:
        sim.step(ADVANCE)
    assert sum(classes.values()) == sim.counters["arrived"]
    for i in range(len(t.services)):
        assert sum(n for k, n in classes.items() if k.svc == i) == sim.arrived[i]
    assert capacity == (sum(t.officers) + t.reserve_officers) * 100


def _completion_days(sim: StandardSimulator) -> dict[int, int]:
    """Play ``sim`` to its end requesting every blocked case's documents the day it is
    blocked; the day each case completed."""
    seen: dict[int, object] = {}
    done: dict[int, int] = {}
    while not sim.done:
        for q in sim.queues:
            for c in q:
                seen[c.id] = c
        blocked = [sim.services[i] for i, q in enumerate(sim.queues) if any(c.doc == BLOCKED for c in q)]
        if blocked and sim.actions_today < sim.task.actions_per_day - 1:
            sim.step(Action(action_type=ActionType.REQUEST_MISSING_DOCUMENTS, service=blocked[0]))  # type: ignore[arg-type]
            continue
        sim.step(ADVANCE)
        for cid, c in seen.items():
            if cid not in done and c.stage == DONE:  # type: ignore[attr-defined]
                done[cid] = sim.day
    return done


def test_earliest_finish_is_what_an_unlimited_office_achieves() -> None:
    """With far more officers than work and documents chased at once, cases finish on the
    day the bound says is their earliest: never earlier (the bound would be wrong), and
    for the great majority exactly then (the bound is not loose there)."""
    t = task("district_backlog_easy", officers=(40, 40, 40), document_batch=50, actions_per_day=6)
    seed = t.evaluation_seeds[1]
    sim = StandardSimulator(t, seed)
    done = _completion_days(sim)
    classes, _ = cases_of(t, seed)
    reminder = t.reminder_after_days
    earliest: dict[int, int] = {}
    probe = StandardSimulator(t, seed)  # the same cases, to read their attributes
    probe.officers = [0] * probe.n
    probe.reserve = 0
    while probe.day < t.max_days:
        probe._advance_day()
    for q in probe.queues:
        for c in q:
            start = max(c.arrival, 1)
            doc_day = start + (c.ignores * reminder + c.answer_delay if c.missing else 1)
            earliest[c.id] = doc_day + 2 + (probe.fv_days[c.svc] if c.fv else 0)
    assert sum(classes.values()) == len(earliest)
    finished = [cid for cid in earliest if cid in done]
    in_time = [cid for cid, day in earliest.items() if day <= t.max_days]  # the episode ends on the last day
    assert len(finished) >= 0.95 * len(in_time)
    assert all(done[cid] >= earliest[cid] for cid in finished)
    exact = sum(done[cid] == earliest[cid] for cid in finished)
    assert exact >= 0.9 * len(finished), (exact, len(finished))


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_no_policy_beats_the_bound_on_a_seed(task_id: str) -> None:
    t = RULESET.tasks[task_id]
    for seed in t.evaluation_seeds[:3]:
        bound = upper_bound(t, seed)
        assert not bound.provisional
        assert 0.5 < bound.score < 1.0
        policies = [RULESET.policy(p) for p in CHEAP] + [make() for make in CANARIES.values()]
        for policy in policies:
            assert run_episode(RULESET, task_id, policy, seed).score < bound.score, (policy.name, seed)


@pytest.mark.slow  # the look-ahead plays about a second an episode
def test_the_privileged_look_ahead_stays_below_the_bound() -> None:
    for task_id in TASK_IDS:
        t = RULESET.tasks[task_id]
        seed = t.evaluation_seeds[0]
        played = run_episode(RULESET, task_id, RULESET.policy("oracle_lookahead"), seed).score
        assert played < upper_bound(t, seed).score


def test_the_bound_is_deterministic_and_adds_up() -> None:
    t = RULESET.tasks["mixed_urgency_medium"]
    seed = t.evaluation_seeds[5]
    a, b = upper_bound(t, seed), upper_bound(t, seed)
    assert a == b
    assert a.score == pytest.approx(sum(c.contribution for c in a.components), abs=1e-4)
    values = upper_bound_components(t, seed)
    assert set(values) == {c.name for c in a.components}
    # the three components the programme solves are below 1 on an office over capacity
    assert values["completion"] < 0.9 and values["sla_compliance"] < 1.0


def test_more_staff_never_lowers_the_bound() -> None:
    base = RULESET.tasks["district_backlog_easy"]
    seed = base.evaluation_seeds[2]
    small = upper_bound(base, seed).score
    large = upper_bound(task("district_backlog_easy", officers=(3, 3, 3)), seed).score
    assert large >= small
    assert large > small  # capacity binds on this office
