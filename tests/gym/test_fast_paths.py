"""The gym adapter's fast paths give exactly what the slow definitions give.

* the action mask from ``action_facts`` (one pass) = asking ``why_invalid`` about each of
  the 85 macro-actions;
* ``encode_simulator`` (from the simulator's rows, no observation built) = ``encode`` of
  the observation;
* the running estimate from the counts ``refresh_views`` keeps = the
  estimate computed case by case from ``earliest_finish``;
* ``EpisodeHolder.advance`` = ``step`` without the observation.

Each is checked over trajectories that mix a random valid action with ``sla_aware``, on
every standard task (absences, SLA cuts, exhausted budgets and empty reserves occur).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from govworkflow.office.encoding import ObservationEncoder, action_masks, action_table
from govworkflow.office.env import GovWorkflowEnv
from govworkflow.office.rulesets import get_ruleset
from govworkflow.office.rulesets.standard import StandardSimulator
from govworkflow.office.rulesets.standard.cases import CLEAR, DONE

RS = get_ruleset("standard")
TABLE = action_table()


def _states(task_id: str, seed: int) -> Iterator[StandardSimulator]:
    """Every state of one mixed trajectory (random valid action, then sla_aware, in turn)."""
    sim = RS.simulator(RS.task(task_id), seed, 1000)
    rng = np.random.default_rng(seed)
    teacher = RS.policy("sla_aware")
    teacher.reset(seed)
    k = 0
    while not sim.done:
        yield sim
        if k % 2:
            action = teacher.act(sim.observe(), sim)
        else:
            valid = [a for a in TABLE if sim.why_invalid(a) is None]
            action = valid[int(rng.integers(len(valid)))]
        sim.step(action)
        k += 1


def _reference_estimate(sim: StandardSimulator) -> tuple[list[int], int, int]:
    """Doomed cases per service, open urgent cases lost, undecided blocked cases: case by case."""
    doomed, urgent, pending = [0] * sim.n, 0, 0
    for queue in sim.queues:
        for c in queue:
            if c.stage == DONE:
                continue
            late = c.breached or sim.earliest_finish(c, sim.day) > c.due
            doomed[c.svc] += late and not c.breached
            urgent += late and c.urgency == 3
            pending += c.doc != CLEAR and sim.day - c.blocked_day <= sim.task.document_target_days
    return doomed, urgent, pending


@pytest.mark.parametrize("task_id", list(RS.tasks))
def test_fast_mask_features_and_estimate_match_their_definitions(task_id: str) -> None:
    encoder = ObservationEncoder("standard")
    states = 0
    saw_absence = saw_no_budget = False
    for sim in (s for seed in (7, 8) for s in _states(task_id, seed)):
        states += 1
        slow = np.array([sim.why_invalid(a) is None for a in TABLE])
        assert np.array_equal(action_masks(sim), slow), (sim.day, np.flatnonzero(action_masks(sim) != slow))
        assert np.array_equal(encoder.encode_simulator(sim), encoder.encode(sim.observe()))
        doomed, urgent, pending = _reference_estimate(sim)
        assert (sim.late, sum(sim.urgent_late), sim.documents_pending) == (doomed, urgent, pending)
        slack = sim.task.at_risk_slack_days
        risk = [
            sum(1 for c in q if not c.breached and 0 <= c.due - sim.earliest_finish(c, sim.day, False) <= slack)
            for q in sim.queues
        ]
        assert risk == sim.at_risk
        saw_absence |= any(sim.events.absent)
        saw_no_budget |= sim.budget == 0
    assert states > 100
    if RS.task(task_id).events.officer_absence is not None:
        assert saw_absence
    assert saw_no_budget


def test_advance_is_step_without_the_observation() -> None:
    a, b = GovWorkflowEnv("mixed_urgency_medium"), GovWorkflowEnv("mixed_urgency_medium")
    a.reset(seed=3)
    b.reset(seed=3)
    rng = np.random.default_rng(0)
    for _ in range(60):
        valid = [x for x in TABLE if a.why_invalid(x) is None]
        action = valid[int(rng.integers(len(valid)))]
        stepped = a.step(action)
        reward, terminated, truncated, info = b.advance(action)
        assert (stepped.reward, stepped.terminated, stepped.truncated, stepped.info) == (
            reward,
            terminated,
            truncated,
            info,
        )
        assert stepped.observation == b.observe()
    assert a.record.to_dict() == b.record.to_dict()


def test_a_request_moves_the_estimate_within_the_day() -> None:
    """A request recounts its service's late cases (it moves its cases' earliest finish):
    right after a request, the same day, the counts equal the case-by-case definition
    again, and the running score moves with them."""
    sim = RS.simulator(RS.task("district_backlog_easy"), 11, 1000)
    changed = 0
    for _ in range(200):
        blocked = [s for i, s in enumerate(sim.services) if sim.n_requestable[i]]
        if not blocked or sim.actions_today >= sim.task.actions_per_day - 1:
            sim.step(TABLE[0])
            continue
        before = sim.running_score()
        index = next(i for i, a in enumerate(TABLE) if a.action_type.value == "request_missing_documents"
                     and a.service is not None and a.service.value == blocked[0])  # fmt: skip
        sim.step(TABLE[index])
        doomed, _, _ = _reference_estimate(sim)
        assert sim.late == doomed
        after = sim.running_score()
        changed += after != before
        if sim.done:
            break
    assert changed > 0  # some requests did move the estimate within their day
