"""Each rule of the faithful mode, as the published environment states it."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govworkflow.triage import TASKS, TriageAction, TriageEnv, TriageSimulator, generate, ticket_reward
from govworkflow.triage.instance import Ticket, TicketType
from tests.triage.helpers import make_instance

FAITHFUL = ["faithful_5", "faithful_8", "faithful_12"]


@pytest.mark.parametrize(("task_id", "n"), [("faithful_5", 5), ("faithful_8", 8), ("faithful_12", 12)])
def test_ticket_count_comes_from_the_task(task_id: str, n: int) -> None:
    for seed in range(20):
        assert len(generate(task_id, seed).tickets) == n


@pytest.mark.parametrize("task_id", FAITHFUL)
def test_ticket_fields_are_in_their_ranges(task_id: str) -> None:
    for seed in range(50):
        inst = generate(task_id, seed)
        assert len(set(inst.ticket_ids)) == len(inst.tickets)
        for t in inst.tickets:
            assert t.type in set(TicketType)
            assert 1 <= t.effort <= 3
            assert 1 <= t.priority <= 5
            assert t.arrival == 0


def _published_generator(n: int, seed: int) -> list[tuple[str, int, int, int]]:
    """The published generator, written out independently: running time t, then a shuffle."""
    rng = random.Random(seed)
    t, tickets = 0, []
    for _ in range(n):
        kind = rng.choice(["bug", "feature", "enhancement"])
        effort = rng.randint(1, 3)
        priority = rng.randint(1, 5)
        slack = rng.randint(3, 8)
        tickets.append((kind, effort, priority, t + effort + slack))
        t += effort
    rng.shuffle(tickets)
    return tickets


@pytest.mark.parametrize("task_id", FAITHFUL)
def test_generator_uses_running_time_and_shuffle_from_the_seeded_generator(task_id: str) -> None:
    n = TASKS[task_id].n_tickets
    for seed in range(30):
        got = [(t.type.value, t.effort, t.priority, t.deadline) for t in generate(task_id, seed).tickets]
        assert got == _published_generator(n, seed)


def test_types_are_uniform() -> None:
    counts = Counter(t.type for seed in range(400) for t in generate("faithful_12", seed).tickets)
    total = sum(counts.values())
    for kind in TicketType:
        assert abs(counts[kind] / total - 1 / 3) < 0.03


def test_same_seed_same_instance_and_seeds_differ() -> None:
    assert generate("faithful_12", 5) == generate("faithful_12", 5)
    assert generate("faithful_12", 5).tickets != generate("faithful_12", 6).tickets


@pytest.mark.parametrize(
    ("kind", "priority", "finish", "deadline", "expected"),
    [
        ("bug", 4, 5, 5, 24.0),  # finished at the deadline is on time: 4 * 3 * 2.0
        ("feature", 4, 2, 5, 18.0),  # 4 * 3 * 1.5
        ("enhancement", 4, 5, 5, 12.0),  # 4 * 3 * 1.0
        ("enhancement", 4, 7, 5, 3.0),  # late by 2: 4 - 0.5 * 2
        ("bug", 4, 7, 5, 6.0),  # late by 2, times 2.0
        ("feature", 1, 12, 5, -3.0),  # max(-2, 1 - 3.5) = -2, times 1.5
        ("bug", 2, 13, 5, -4.0),  # max(-2, 2 - 4) = -2, times 2.0
        ("enhancement", 3, 15, 5, -2.0),  # max(-2, 3 - 5) = -2
    ],
)
def test_reward_formula(kind: str, priority: int, finish: int, deadline: int, expected: float) -> None:
    ticket = Ticket("T01", TicketType(kind), 1, priority, deadline)
    assert ticket_reward(ticket, finish) == expected


@given(
    kind=st.sampled_from(list(TicketType)),
    priority=st.integers(1, 5),
    deadline=st.integers(0, 40),
    finish=st.integers(0, 60),
)
def test_reward_properties(kind: TicketType, priority: int, deadline: int, finish: int) -> None:
    ticket = Ticket("T01", kind, 1, priority, deadline)
    r = ticket_reward(ticket, finish)
    mult = {"bug": 2.0, "feature": 1.5, "enhancement": 1.0}[kind.value]
    if finish <= deadline:
        assert r == 3 * priority * mult
    else:
        assert -2 * mult <= r < 3 * priority * mult
        assert r >= ticket_reward(ticket, finish + 1)  # later is never better


def test_working_a_ticket_advances_the_clock_by_its_effort_and_removes_it() -> None:
    env = TriageEnv("faithful_8")
    obs = env.reset(seed=3)
    assert obs.time == 0
    for _ in range(3):
        ticket = obs.tickets[-1]
        before = obs.time
        result = env.step(ticket.ticket_id)
        obs = result.observation
        assert obs.time == before + ticket.effort
        assert ticket.ticket_id not in obs.ticket_ids
        assert result.reward == ticket_reward(ticket, before + ticket.effort)
        assert result.info["valid"]


@pytest.mark.parametrize("bad_id", ["T99", "nope", ""])
def test_unknown_id_costs_one_keeps_the_clock_and_counts_the_step(bad_id: str) -> None:
    env = TriageEnv("faithful_5")
    obs = env.reset(seed=1)
    result = env.step(env.valid_actions()[0])
    before = result.observation
    result = env.step(bad_id)
    assert result.reward == -1.0
    assert result.observation.time == before.time
    assert result.observation.ticket_ids == before.ticket_ids
    assert result.observation.steps_left == before.steps_left - 1
    assert not result.info["valid"]
    assert result.info["reward_components"] == {"on_time": 0.0, "late": 0.0, "invalid": -1.0}
    assert "valid choices" in result.info["message"]
    assert obs.steps_left == 20


def test_an_already_worked_id_is_invalid() -> None:
    env = TriageEnv("faithful_5")
    env.reset(seed=1)
    first = env.valid_actions()[0]
    env.step(first)
    result = env.step(first)
    assert result.reward == -1.0
    assert "already been worked" in result.info["message"]


def test_episode_terminates_when_no_tickets_remain() -> None:
    env = TriageEnv("faithful_5")
    env.reset(seed=2)
    for i in range(5):
        result = env.step(env.valid_actions()[0])
        assert result.terminated == (i == 4)
        assert not result.truncated
    assert result.observation.tickets == []
    assert env.done


def test_episode_is_truncated_after_20_steps() -> None:
    env = TriageEnv("faithful_12")
    env.reset(seed=2)
    for i in range(20):
        result = env.step("unknown")
        assert result.truncated == (i == 19)
        assert not result.terminated
    assert result.observation.steps_left == 0
    assert env.record.reward_sum == -20.0


def test_observation_lists_remaining_tickets_time_and_steps_left() -> None:
    env = TriageEnv("faithful_8")
    obs = env.reset(seed=4)
    inst = env.instance
    assert obs.tickets == list(inst.tickets)  # all remaining tickets, id order
    assert (obs.time, obs.steps_left, obs.tickets_to_come) == (0, 20, 0)
    obs = env.step(obs.tickets[2].ticket_id).observation
    assert obs.tickets == [t for i, t in enumerate(inst.tickets) if i != 2]
    assert obs.steps_left == 19


def test_hard_task_arrivals_are_hidden_until_they_arrive() -> None:
    inst = make_instance([("bug", 2, 3, 9, 0), ("feature", 1, 2, 9, 5)])
    sim = TriageSimulator(inst)
    obs = sim.observe()
    assert obs.ticket_ids == ["T01"]
    assert obs.tickets_to_come == 1
    reward, *_ = sim.step(TriageAction(ticket_id="T02"))
    assert reward == -1.0
    assert "not arrived" in sim.last_message
    assert sim.time == 0
    later = TriageSimulator(make_instance([("bug", 2, 3, 9, 0), ("feature", 1, 2, 9, 7)]))
    later.step(TriageAction(ticket_id="T02"))
    assert later.observe() == sim.observe()  # probing a ticket to come tells nothing of when it comes
    sim.step(TriageAction(ticket_id="T01"))
    assert sim.time == 5  # the worker is free at 2; the clock jumps to the next arrival
    assert sim.observe().ticket_ids == ["T02"]


def test_two_workers_share_the_queue() -> None:
    inst = make_instance(
        [("bug", 3, 3, 9, 0), ("bug", 1, 3, 9, 0), ("bug", 2, 3, 9, 0), ("bug", 1, 3, 9, 0)], workers=2
    )
    sim = TriageSimulator(inst)
    sim.step(TriageAction(ticket_id="T01"))  # worker 0: 0 -> 3
    assert (sim.time, sim.acting_worker, sim.free_at) == (0, 1, [3, 0])
    sim.step(TriageAction(ticket_id="T02"))  # worker 1: 0 -> 1
    assert (sim.time, sim.acting_worker) == (1, 1)
    sim.step(TriageAction(ticket_id="T03"))  # worker 1: 1 -> 3
    assert (sim.time, sim.acting_worker, sim.free_at) == (3, 0, [3, 3])
    sim.step(TriageAction(ticket_id="T04"))
    assert sim.terminated
    assert [s.worker for s in sim.scheduled] == [0, 1, 1, 0]
