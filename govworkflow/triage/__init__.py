"""Ticket triage: the Taskmanager warm-up environment, faithful and made hard.

An engineering team picks which ticket to work on next. ``faithful_*`` tasks keep the
published rules (seeded); the hard tasks add arrivals over time, deadlines that cannot
all be met and a second worker. Every episode is graded against the exact optimum.

Quick start::

    from govworkflow.triage import TriageEnv
    env = TriageEnv("overload_12")
    obs = env.reset(seed=3)
    while not env.done:
        env.step(min(obs.tickets, key=lambda t: t.deadline).ticket_id)
        obs = env.observe()
    print(env.grade().explain())
"""

from govworkflow.triage.env import VERSION, TriageEnv, TriageSnapshot
from govworkflow.triage.evaluation import TriageResult, evaluate, run_episode, seed_list
from govworkflow.triage.grading import floor_reward, grade_record, grade_simulator, normalise
from govworkflow.triage.instance import TYPE_MULTIPLIER, Instance, Ticket, TicketType, generate, ticket_reward
from govworkflow.triage.models import (
    TriageAction,
    TriageGrade,
    TriageObservation,
    TriageState,
    TriageStepResult,
    parse_triage_action,
)
from govworkflow.triage.oracle import SKIP, OracleSolution, brute_force, oracle_reward, solve
from govworkflow.triage.policies import POLICIES, TriagePolicy, make_policy
from govworkflow.triage.record import TriageRecord, TriageStepRecord
from govworkflow.triage.sim import TriageSimulator
from govworkflow.triage.tasks import TASKS, SeedSets, TriageTask, get_task, load_tasks

__all__ = [
    "POLICIES",
    "SKIP",
    "TASKS",
    "TYPE_MULTIPLIER",
    "VERSION",
    "Instance",
    "OracleSolution",
    "SeedSets",
    "Ticket",
    "TicketType",
    "TriageAction",
    "TriageEnv",
    "TriageGrade",
    "TriageObservation",
    "TriagePolicy",
    "TriageRecord",
    "TriageResult",
    "TriageSimulator",
    "TriageSnapshot",
    "TriageState",
    "TriageStepRecord",
    "TriageStepResult",
    "TriageTask",
    "brute_force",
    "evaluate",
    "floor_reward",
    "generate",
    "get_task",
    "grade_record",
    "grade_simulator",
    "load_tasks",
    "make_policy",
    "normalise",
    "oracle_reward",
    "parse_triage_action",
    "run_episode",
    "seed_list",
    "solve",
    "ticket_reward",
]
