"""One adapter per environment: what the server and its client need of each.

A session plays whichever environment its ``reset`` names through ``ruleset`` (an office
ruleset, or ``triage``); everything else (sessions, limits, errors, the payloads) is the
same for all. An ``EnvAdapter`` holds what differs: how to make the environment's native
env, and the JSON forms of its observations, actions, states and grades. Adding an
environment to the server is adding one adapter to ``ADAPTERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from govworkflow.core.errors import UnknownNameError
from govworkflow.core.kernel import Suite
from govworkflow.core.native import EpisodeHolder
from govworkflow.office.env import GovWorkflowEnv
from govworkflow.office.models import EpisodeState, Grade, parse_action
from govworkflow.office.rulesets import DEFAULT_RULESET, RULESETS, get_ruleset, task_rows
from govworkflow.server.protocol import dump_observation, load_observation, observation_types
from govworkflow.triage.env import TriageEnv
from govworkflow.triage.models import TRIAGE_OBSERVATION_ADAPTER, TriageGrade, TriageState, parse_triage_action
from govworkflow.triage.suite import TRIAGE as TRIAGE_SUITE
from govworkflow.triage.suite import get_suite
from govworkflow.triage.tasks import TASKS as TRIAGE_TASKS

__all__ = ["ADAPTERS", "OFFICE", "TRIAGE", "EnvAdapter", "adapter_for", "client_adapter", "ruleset_names"]


@dataclass(frozen=True)
class EnvAdapter:
    """What the server needs of one environment."""

    environment: str
    #: The ruleset names that select this environment at reset (read when asked: the
    #: office's registry may grow at run time).
    rulesets: Callable[[], list[str]]
    #: A native env of ``(ruleset, task_id)`` (``task_id`` ``None``: the first task).
    create: Callable[[str, str | None], EpisodeHolder[Any, Any]]
    dump_observation: Callable[[Any], dict[str, Any]]
    load_observation: Callable[[dict[str, Any]], Any]
    parse_action: Callable[[Any], BaseModel]
    state_model: type[BaseModel]
    grade_model: type[BaseModel]
    #: ``GET /tasks`` rows of a ruleset of this environment.
    tasks: Callable[[str], list[dict[str, Any]]]
    #: The suite a ruleset name stands for now (a session keeps its env while it is the same object).
    suite: Callable[[str], Suite]

    def tasks_of(self, ruleset: str) -> list[str]:
        """The task ids of ``ruleset``."""
        return [row["task_id"] for row in self.tasks(ruleset)]

    def ruleset_of(self, observation: Any) -> str:
        """The ruleset an observation comes from (one-ruleset environments do not say)."""
        return str(getattr(observation, "ruleset", None) or self.rulesets()[0])


def _office_observation(raw: dict[str, Any]) -> Any:
    return load_observation(raw, *observation_types(str(raw.get("ruleset")), str(raw.get("task_id"))))


def _triage_tasks(ruleset: str) -> list[dict[str, Any]]:
    return [
        {"task_id": t.task_id, "ruleset": ruleset, "default_seed": t.seed, "max_steps": t.max_steps,
         "seed_sets": t.seeds.model_dump(), "description": t.description}
        for t in TRIAGE_TASKS.values()
    ]  # fmt: skip


#: The service office (every ruleset in ``office.rulesets.RULESETS``).
OFFICE = EnvAdapter(
    environment="office",
    rulesets=lambda: list(RULESETS),
    create=lambda ruleset, task_id: GovWorkflowEnv(task_id, ruleset=ruleset),
    dump_observation=dump_observation,
    load_observation=_office_observation,
    parse_action=parse_action,
    state_model=EpisodeState,
    grade_model=Grade,
    tasks=task_rows,
    suite=get_ruleset,
)
#: Ticket triage (ruleset ``triage``).
TRIAGE = EnvAdapter(
    environment="triage",
    rulesets=lambda: [TRIAGE_SUITE.name],
    create=lambda ruleset, task_id: TriageEnv(task_id),
    dump_observation=lambda obs: TRIAGE_OBSERVATION_ADAPTER.dump_python(obs, mode="json"),
    load_observation=TRIAGE_OBSERVATION_ADAPTER.validate_python,
    parse_action=parse_triage_action,
    state_model=TriageState,
    grade_model=TriageGrade,
    tasks=_triage_tasks,
    suite=get_suite,
)
#: Every environment the server plays; ``None`` as a ruleset means the office's default.
ADAPTERS: tuple[EnvAdapter, ...] = (OFFICE, TRIAGE)


def ruleset_names() -> list[str]:
    """Every ruleset a reset may name, environment by environment."""
    return [name for adapter in ADAPTERS for name in adapter.rulesets()]


def client_adapter(ruleset: str | None) -> EnvAdapter:
    """The adapter a client reads a served ruleset with: its environment's, or the office's
    for a ruleset the server has and this installation does not (its observations then
    read as the base office classes)."""
    try:
        return adapter_for(ruleset)[0]
    except UnknownNameError:
        return OFFICE


def adapter_for(ruleset: str | None) -> tuple[EnvAdapter, str]:
    """The adapter and ruleset name ``ruleset`` selects (``None``: the office's default);
    an ``UnknownNameError`` lists every ruleset of every environment."""
    name = DEFAULT_RULESET if ruleset is None else ruleset
    for adapter in ADAPTERS:
        if name in adapter.rulesets():
            return adapter, name
    raise UnknownNameError("ruleset", ruleset, ruleset_names())
