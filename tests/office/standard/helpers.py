"""Shared helpers for the standard ruleset's tests."""

from __future__ import annotations

from typing import Any

from govworkflow.core.kernel import Policy
from govworkflow.office.models import Action, Observation
from govworkflow.office.policies.heuristics import ADVANCE
from govworkflow.office.rulesets import get_ruleset
from govworkflow.office.rulesets.standard import StandardSimulator, StandardTask
from govworkflow.office.vocab import ActionType

RULESET = get_ruleset("standard")
TASK_IDS = list(RULESET.tasks)


def task(task_id: str = "district_backlog_easy", **changes: Any) -> StandardTask:
    """A shipped task with some fields changed (validated again)."""
    base = RULESET.tasks[task_id]
    data = base.model_dump()
    data.update(changes)
    return StandardTask.model_validate(data)


def calm_task(officers: int = 2, days: int = 60, rate_scale: float = 1.0, **changes: Any) -> StandardTask:
    """A calm office (normal scenario, no backlog) with ``officers`` per service."""
    base = RULESET.tasks["district_backlog_easy"]
    fields: dict[str, Any] = {
        "max_days": days,
        "officers": (officers,) * 3,
        "reserve_officers": 0,
        "initial_cases": (0, 0, 0),
        "arrival_rate_per_day": tuple(r * rate_scale for r in (2.0, 1.2, 1.2)),
    }
    fields.update(changes)
    return task(base.task_id, **fields)


def chase_documents(obs: Observation) -> Action:
    """Request documents wherever a request would reach a blocked case; else advance."""
    for q in obs.queues:
        if q.missing_docs_cases > 0:
            return Action(action_type=ActionType.REQUEST_MISSING_DOCUMENTS, service=q.service)  # type: ignore[arg-type]
    return ADVANCE


def play(sim: StandardSimulator, policy: Policy | None = None, seed: int | None = None) -> StandardSimulator:
    """Run ``sim`` to its end with ``policy`` (default: ``chase_documents``)."""
    if policy is not None:
        policy.reset(seed if seed is not None else sim.seed)
    while not sim.done:
        obs = sim.observe()
        sim.step(policy.act(obs, sim) if policy is not None else chase_documents(obs))
    return sim
