"""Ticket triage as a kernel suite: its tasks, its simulator and its policies."""

from __future__ import annotations

from govworkflow.core.errors import UnknownNameError
from govworkflow.core.kernel import Policy, Suite
from govworkflow.triage.models import parse_triage_action
from govworkflow.triage.policies import POLICIES
from govworkflow.triage.sim import TriageSimulator
from govworkflow.triage.tasks import TASKS, TriageTask

__all__ = ["TRIAGE", "get_suite", "make_policy"]

#: The triage suite (episodes are capped at their task's ``max_steps`` unless told otherwise).
TRIAGE = Suite(
    name="triage",
    description="Ticket triage: pick which ticket the next free worker works on.",
    tasks=TASKS,
    simulator=TriageSimulator.start,
    policies=POLICIES,
    default_max_steps=None,
    home=__name__,
    task_type=TriageTask,
    parse_action=parse_triage_action,
)


def make_policy(name: str) -> Policy:
    """A fresh triage policy called ``name`` (an ``UnknownNameError`` lists the valid names)."""
    return TRIAGE.policy(name)


def get_suite(name: str = "triage") -> Suite:
    """The triage suite (how a pickled suite is found again)."""
    if name != TRIAGE.name:
        raise UnknownNameError("triage suite", name, [TRIAGE.name])
    return TRIAGE
