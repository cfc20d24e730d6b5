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

Evaluate over seeds with the loop every environment shares:
``govworkflow.evaluation.evaluate("overload_12", "edf", seeds, ruleset="triage")``.
"""

import importlib
import warnings
from typing import Any

from govworkflow.triage.env import VERSION, TriageEnv, TriageSnapshot
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
from govworkflow.triage.policies import POLICIES, TriagePolicy
from govworkflow.triage.record import TriageRecord, TriageStepRecord
from govworkflow.triage.sim import TriageSimulator
from govworkflow.triage.suite import TRIAGE, make_policy
from govworkflow.triage.tasks import TASKS, SeedSets, TriageTask, get_task, load_tasks

__all__ = [
    "POLICIES",
    "SKIP",
    "TASKS",
    "TRIAGE",
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
    "TriageSimulator",
    "TriageSnapshot",
    "TriageState",
    "TriageStepRecord",
    "TriageStepResult",
    "TriageTask",
    "brute_force",
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
    "solve",
    "ticket_reward",
]

#: Names that moved to ``govworkflow.evaluation`` (kept here for one release, with a warning).
_MOVED = ("TriageResult", "evaluate", "run_episode", "seed_list")


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            old = importlib.import_module("govworkflow.triage.evaluation")
        warnings.warn(
            f"govworkflow.triage.{name} is deprecated and will be removed in the next release; "
            "use govworkflow.evaluation (ruleset='triage')",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(old, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
