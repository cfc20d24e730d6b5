"""The triage grader: agent reward normalised between a naive floor and the exact oracle.

``score = clip((reward - floor) / (oracle - floor), 0, 1)`` where ``oracle`` is the best
achievable total reward (``oracle.py``) and ``floor`` the reward of first come, first
served (``fifo``) on the same instance. When ``oracle == floor`` every order earns the
same, and the score is 1 if the agent reached the oracle, else 0. The grader is a pure
function of the episode record (or of a finished simulator): it regenerates the instance
from the task and seed and replays the record's actions on it.
"""

from __future__ import annotations

from functools import lru_cache

from govworkflow.core.grading import GradeComponent
from govworkflow.core.record import replay
from govworkflow.triage.instance import Instance
from govworkflow.triage.models import TriageGrade
from govworkflow.triage.oracle import oracle_reward
from govworkflow.triage.policies import FLOOR_POLICY, POLICIES
from govworkflow.triage.record import TriageRecord
from govworkflow.triage.sim import TriageSimulator
from govworkflow.triage.suite import TRIAGE
from govworkflow.triage.tasks import TriageTask

__all__ = ["floor_reward", "grade_outcome", "grade_record", "grade_simulator", "normalise"]

_EPS = 1e-9


@lru_cache(maxsize=16_384)
def floor_reward(inst: Instance) -> float:
    """The naive floor: the total reward of ``fifo`` (first come, first served) on ``inst``."""
    sim = TriageSimulator(inst)
    policy = POLICIES[FLOOR_POLICY]()
    while not sim.done:
        sim.step(policy.act(sim.observe(), sim))
    return sim.reward_sum


def normalise(reward: float, floor: float, oracle: float) -> float:
    """``clip((reward - floor) / (oracle - floor), 0, 1)``; 1 or 0 when ``oracle == floor``."""
    span = oracle - floor
    if span <= _EPS:
        return 1.0 if reward >= oracle - _EPS else 0.0
    return min(1.0, max(0.0, (reward - floor) / span))


def grade_outcome(
    inst: Instance, reward: float, on_time: int, worked: int, done: bool, task_max_steps: int
) -> TriageGrade:
    """The grade of an episode of ``inst`` that earned ``reward`` in total. It is final
    only when the episode is done under the task's own cap (``task_max_steps``): under
    another, oracle and floor are that cap's, and a short cap can make them easy to reach,
    so such a grade is never reported as the task's."""
    oracle, floor = oracle_reward(inst), floor_reward(inst)
    score = normalise(reward, floor, oracle)
    n = len(inst.tickets)
    components = [
        GradeComponent(
            name="normalised_reward",
            value=score,
            weight=1.0,
            contribution=score,
            description="(reward - floor) / (oracle - floor), clipped to [0, 1]",
        ),
        GradeComponent(
            name="on_time_rate",
            value=on_time / n,
            weight=0.0,
            contribution=0.0,
            description="tickets finished by their deadline / tickets",
        ),
        GradeComponent(
            name="completion_rate",
            value=worked / n,
            weight=0.0,
            contribution=0.0,
            description="tickets worked / tickets",
        ),
    ]
    return TriageGrade(
        task_id=inst.task_id,
        seed=inst.seed,
        score=score,
        reward=reward,
        oracle_reward=oracle,
        floor_reward=floor,
        max_steps=inst.max_steps,
        task_max_steps=task_max_steps,
        provisional=not done or inst.max_steps != task_max_steps,
        components=components,
    )


def grade_record(record: TriageRecord, task: TriageTask | None = None) -> TriageGrade:
    """Grade an episode record (``task`` for tasks not in the shipped registry).

    The record's actions are replayed on the regenerated instance (``core.record.replay``)
    and the replay is graded, so a record whose rewards were edited (or that comes from
    other rules) is refused with a ``ValueError`` naming the first step that differs."""
    sim = replay(record, TRIAGE, task)
    assert isinstance(sim, TriageSimulator)
    return grade_simulator(sim)


def grade_simulator(sim: TriageSimulator) -> TriageGrade:
    """Grade a simulator's episode (the fast path used by evaluation)."""
    on_time = sum(1 for s in sim.scheduled if s.on_time)
    return grade_outcome(sim.instance, sim.reward_sum, on_time, len(sim.scheduled), sim.done, sim.task_max_steps)
