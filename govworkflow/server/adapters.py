"""One adapter per environment: what the server and its client need of each.

A session plays whichever environment its ``reset`` names through ``ruleset`` (an office
ruleset, or ``triage``); everything else (sessions, limits, errors, the payloads) is the
same for all. An ``EnvAdapter`` holds what differs: how to make the environment's native
env, and the JSON forms of its observations, actions, states and grades. Adding an
environment to the server is adding one adapter to ``ADAPTERS``.

Each adapter also names the environment's MCP tools (``ActionTool``: one per kind of
action, whose arguments are that action's fields) and its ``reward_scale``: the served
reward is ``served_reward(raw, reward_scale)`` (``protocol``), which keeps it inside
``REWARD_RANGE``; the scale is a typical step reward's size, so ordinary rewards stay
close to linear (measured: office steps are mostly under 10 in size, triage's largest
is one ticket's ``MAX_TICKET_REWARD``).
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
from govworkflow.office.models import ACTION_FIELDS, Action, EpisodeState, Grade, action_fields, parse_action
from govworkflow.office.rulesets import DEFAULT_RULESET, RULESETS, get_ruleset, task_rows
from govworkflow.server.protocol import dump_observation, inline_refs, load_observation, observation_types
from govworkflow.triage.env import TriageEnv
from govworkflow.triage.instance import MAX_TICKET_REWARD
from govworkflow.triage.models import (
    TRIAGE_OBSERVATION_ADAPTER,
    TriageAction,
    TriageGrade,
    TriageState,
    parse_triage_action,
)
from govworkflow.triage.suite import TRIAGE as TRIAGE_SUITE
from govworkflow.triage.suite import get_suite
from govworkflow.triage.tasks import TASKS as TRIAGE_TASKS

__all__ = [
    "ADAPTERS",
    "OFFICE",
    "TRIAGE",
    "ActionTool",
    "EnvAdapter",
    "adapter_for",
    "client_adapter",
    "ruleset_names",
]


@dataclass(frozen=True)
class ActionTool:
    """One MCP tool that takes one kind of action: its arguments are the action's fields."""

    name: str
    description: str
    input_schema: dict[str, Any]
    #: The action (as JSON) the tool's arguments stand for.
    to_action: Callable[[dict[str, Any]], dict[str, Any]]


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
    #: The action model (its JSON schema is the ``action`` of ``/schema`` and the tools').
    action_model: type[BaseModel]
    #: The environment's MCP tools, one per kind of action.
    tools: tuple[ActionTool, ...]
    #: A typical step reward's size: ``served_reward(raw, reward_scale)`` bounds it.
    reward_scale: float

    def tasks_of(self, ruleset: str) -> list[str]:
        """The task ids of ``ruleset``."""
        return [row["task_id"] for row in self.tasks(ruleset)]

    def ruleset_of(self, observation: Any) -> str:
        """The ruleset an observation comes from (one-ruleset environments do not say)."""
        return str(getattr(observation, "ruleset", None) or self.rulesets()[0])


def _office_observation(raw: dict[str, Any]) -> Any:
    return load_observation(raw, *observation_types(str(raw.get("ruleset")), str(raw.get("task_id"))))


def _schema_of(model: type[BaseModel]) -> dict[str, Any]:
    return inline_refs(model.model_json_schema())


def _office_tools() -> tuple[ActionTool, ...]:
    props = _schema_of(Action)["properties"]

    def plain(name: str) -> dict[str, Any]:  # the field's schema without its ``null`` branch
        spec = dict(props[name])
        branches = [b for b in spec.pop("anyOf", []) if b.get("type") != "null"]
        spec.pop("default", None)
        return {**branches[0], **spec} if branches else spec

    def tool(kind: Any) -> ActionTool:
        fields = action_fields(kind)
        schema = {
            "type": "object",
            "properties": {f: plain(f) for f in fields},
            "required": list(ACTION_FIELDS[kind]),
            "additionalProperties": False,
        }
        needs = ", ".join(fields) or "no arguments"

        def to_action(args: dict[str, Any]) -> dict[str, Any]:
            return {"action_type": kind.value, **args}

        return ActionTool(
            kind.value,
            f"Office action {kind.value} ({needs}); returns the step's observation, reward, done and metadata.",
            schema,
            to_action,
        )

    return tuple(tool(kind) for kind in ACTION_FIELDS)


_TRIAGE_TOOLS = (
    ActionTool(
        "work_on_ticket",
        "Work on one ticket next (its id, from the observation); returns the step's observation, reward, "
        "done and metadata.",
        {**_schema_of(TriageAction), "type": "object"},
        dict,
    ),
)


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
    action_model=Action,
    tools=_office_tools(),
    reward_scale=10.0,
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
    action_model=TriageAction,
    tools=_TRIAGE_TOOLS,
    reward_scale=MAX_TICKET_REWARD,
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
