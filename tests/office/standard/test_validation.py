"""The simulator against facts that do not depend on our tuning choices.

* conservation: arrived = completed + open at every step (no case is ever rejected in
  the standard office), per service too; officers (assigned + reserve) are conserved;
* monotonicity: more officers never worsen the mean waiting in a calm office, on every
  one of 30 seeds (common random numbers: the same arrivals at every staffing level);
* Little's law on a long calm run: mean open cases = arrival rate x mean time in
  system, within 3% (measured about 0.5%; the rest is the edge effect of the cases
  still open on the last day).
"""

from __future__ import annotations

import itertools

import pytest

from govworkflow.office.rulesets.standard import StandardSimulator
from tests.office.standard.helpers import RULESET, TASK_IDS, calm_task, chase_documents


def check_conservation(sim: StandardSimulator, staff: int) -> None:
    c = sim.counters
    assert c["arrived"] == c["completed"] + sim.active
    open_cases = [case for q in sim.queues for case in q]
    assert len(open_cases) == sim.active
    for i in range(sim.n):
        assert sim.arrived[i] == sim.completed[i] + len(sim.queues[i])
        assert sum(sim.stage_counts[i]) == len(sim.queues[i])
    assert sum(sim.officers) + sim.reserve == staff
    assert all(o >= 0 for o in sim.officers)
    assert sim.reserve >= 0


@pytest.mark.parametrize("task_id", TASK_IDS)
@pytest.mark.parametrize("policy", ["random_valid", "sla_aware", "backlog_clearance"])
def test_cases_and_officers_are_conserved_at_every_step(task_id: str, policy: str) -> None:
    sim = RULESET.make(task_id, 7)
    assert isinstance(sim, StandardSimulator)
    staff = sum(sim.officers) + sim.reserve
    pol = RULESET.policy(policy)
    pol.reset(7)
    check_conservation(sim, staff)
    moves = 0
    while not sim.done:
        sim.step(pol.act(sim.observe(), sim))
        check_conservation(sim, staff)
        moves = sim.counters["officer_moves"]
    if policy == "random_valid":
        assert moves > 0  # the check above saw officers actually move


def mean_waiting(officers: int, seed: int) -> float:
    """Case-days spent in the office per arrived case (open cases counted to the end)."""
    sim = StandardSimulator(calm_task(officers=officers, days=40), seed)
    case_days = 0
    while not sim.done:
        day = sim.day
        sim.step(chase_documents(sim.observe()))
        if sim.day != day:
            case_days += sim.active
    return case_days / sim.counters["arrived"]


def test_more_officers_never_worsen_mean_waiting_in_a_calm_office() -> None:
    levels = (1, 2, 3)
    waits = {k: [mean_waiting(k, seed) for seed in range(30)] for k in levels}
    for low, high in itertools.pairwise(levels):
        for seed, (w_low, w_high) in enumerate(zip(waits[low], waits[high], strict=True)):
            assert w_high <= w_low + 1e-12, (low, high, seed)
    # and staffing matters where it binds: one officer per service is clearly slower
    assert sum(waits[1]) > sum(waits[2]) * 1.05


def test_littles_law_on_a_long_calm_run() -> None:
    sim = StandardSimulator(calm_task(officers=2, days=365), 3)
    open_each_day = []
    while not sim.done:
        day = sim.day
        sim.step(chase_documents(sim.observe()))
        if sim.day != day:
            open_each_day.append(sim.active)
    c = sim.counters
    days = sim.day
    mean_open = sum(open_each_day) / days
    arrival_rate = c["arrived"] / days
    time_in_system = c["days_in_system"] / c["completed"]
    assert c["completed"] > 1000
    assert mean_open == pytest.approx(arrival_rate * time_in_system, rel=0.03)
