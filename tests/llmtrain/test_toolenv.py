"""The tool environments' contract with TRL's ``environment_factory``: every tool typed
and documented, invalid calls answered with errors naming the bad value, evaluation seeds
unreachable, and an episode played through the tools graded like ``run_episode``'s replay."""

from __future__ import annotations

import inspect
import re
import typing

import pytest

from govworkflow.core.errors import BadValueError
from govworkflow.evaluation.run import get_suite, run_episode
from govworkflow.llmtrain import (
    ENVIRONMENTS,
    GovWorkflowToolEnv,
    InvalidToolCallError,
    TriageToolEnv,
    build_dataset,
    replay_policy,
)
from govworkflow.office.vocab import ActionType, PriorityMode


def tools(cls: type) -> dict[str, typing.Callable[..., str]]:
    """The methods TRL exposes as tools: public functions other than ``reset``/``get_reward``."""
    return {
        name: fn
        for name, fn in inspect.getmembers(cls, predicate=inspect.isfunction)
        if name not in ("reset", "get_reward") and not name.startswith("_")
    }


def test_office_tools_are_the_office_actions() -> None:
    assert set(tools(GovWorkflowToolEnv)) == {t.value for t in ActionType}
    assert set(tools(TriageToolEnv)) == {"work_on_ticket"}


@pytest.mark.parametrize("cls", list(ENVIRONMENTS.values()), ids=list(ENVIRONMENTS))
def test_every_tool_is_typed_and_documented(cls: type) -> None:
    for name, fn in tools(cls).items():
        hints = typing.get_type_hints(fn)
        params = [p for p in inspect.signature(fn).parameters if p != "self"]
        assert hints.get("return") is str, name
        doc = inspect.getdoc(fn) or ""
        assert doc.splitlines()[0].endswith("."), name
        for p in params:
            assert hints[p] in (str, int), (name, p)
            assert re.search(rf"^\s+{p}: \S", doc, re.MULTILINE), f"{name}: no Args entry for {p}"
        assert ("Args:" in doc) is bool(params), name


def test_the_tool_schemas_trl_builds_have_every_argument_described() -> None:
    from transformers.utils import get_json_schema  # what TRL calls on each tool

    env = GovWorkflowToolEnv()
    for name in tools(GovWorkflowToolEnv):
        schema = get_json_schema(getattr(env, name))["function"]
        assert schema["name"] == name and schema["description"]
        for prop in schema["parameters"].get("properties", {}).values():
            assert prop["type"] in ("string", "integer") and prop["description"]


def test_priority_modes_are_all_named_in_the_tool_doc() -> None:
    doc = GovWorkflowToolEnv.set_priority_mode.__doc__ or ""
    assert all(m.value in doc for m in PriorityMode)


@pytest.fixture
def office() -> GovWorkflowToolEnv:
    env = GovWorkflowToolEnv()
    text = env.reset(**build_dataset("district_backlog_easy", 1, ruleset="standard")[0])
    assert text.startswith("Task district_backlog_easy (standard). Day 0 of 30.")
    return env


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda e: e.set_priority_mode("fastest"), "'fastest'"),
        (lambda e: e.assign_capacity("passport", 1), "passport is not a service of this task"),
        (lambda e: e.assign_capacity("driving_license", 9), "officer_delta 9 exceeds the reserve (1)"),
        (lambda e: e.request_missing_documents("nowhere"), "'nowhere'"),
        (lambda e: e.reallocate_officers("driving_license", "driving_license", 1), "must differ"),
    ],
)
def test_an_invalid_call_raises_naming_the_bad_value_and_changes_nothing(
    office: GovWorkflowToolEnv, call: typing.Callable[[GovWorkflowToolEnv], str], named: str
) -> None:
    before = office.env.observe()
    with pytest.raises(InvalidToolCallError, match=re.escape(named)):
        call(office)
    assert office.env.observe() == before
    assert (office.actions, office.tool_calls, office.invalid_calls) == ([], 1, 1)


def test_a_call_after_the_end_is_an_error(office: GovWorkflowToolEnv) -> None:
    while not office.done:
        office.advance_time()
    with pytest.raises(InvalidToolCallError, match="the episode has ended"):
        office.advance_time()


def test_evaluation_seeds_are_unreachable() -> None:
    sets = get_suite("standard").task("district_backlog_easy").seeds
    held_out = sets.evaluation.start
    with pytest.raises(BadValueError, match=rf"held-out evaluation set.*{held_out}"):
        GovWorkflowToolEnv().reset(task="district_backlog_easy", seed=held_out)
    with pytest.raises(BadValueError, match="held-out evaluation set"):
        TriageToolEnv().reset(task="faithful_5", seed=get_suite("triage").task("faithful_5").seeds.evaluation.start)
    with pytest.raises(BadValueError, match="needs a development seed"):
        GovWorkflowToolEnv().reset(task="district_backlog_easy")
    with pytest.raises(BadValueError, match="held-out evaluation set"):
        build_dataset("district_backlog_easy", 3, first_seed=held_out - 1)
    rows = build_dataset("district_backlog_easy", 50, first_seed=sets.development.stop - 50)
    assert all(r["seed"] in sets.development for r in rows)
    with pytest.raises(BadValueError, match="outside the development range"):
        build_dataset("district_backlog_easy", 51, first_seed=sets.development.stop - 50)


def test_dataset_rows_are_distinct_development_seeds_with_the_columns_reset_reads() -> None:
    rows = build_dataset("mixed_urgency_medium", 8, ruleset="standard", max_steps=12)
    assert [r["seed"] for r in rows] == list(range(8))
    assert {tuple(sorted(r)) for r in rows} == {("max_steps", "prompt", "ruleset", "seed", "task")}
    with pytest.raises(BadValueError, match=r"environment: 'chess' is not one of \['office', 'triage'\]"):
        build_dataset(environment="chess")
    env = GovWorkflowToolEnv()
    env.reset(**rows[3])
    assert env.env.simulator.max_steps == 12 and env.env.simulator.seed == 3


def test_an_office_episode_through_the_tools_grades_like_the_harness_replay(office: GovWorkflowToolEnv) -> None:
    office.set_priority_mode("urgent_first")
    office.assign_capacity("birth_certificate", 1)
    with pytest.raises(InvalidToolCallError):
        office.assign_capacity("birth_certificate", 1)  # the reserve is empty now
    office.escalate_service("driving_license")
    day = 0
    while not office.done:
        text = office.advance_time()
        day += 1
        if day == 5:
            office.reallocate_officers("birth_certificate", "driving_license", 1)
            blocked = [q.service for q in office.env.observe().queues if q.missing_docs_cases]
            assert blocked
            office.request_missing_documents(blocked[0])
    assert "Episode over. Score" in text
    assert office.env.grade().provisional is False
    reward = office.get_reward()
    assert 0.0 <= reward <= 1.0
    result = run_episode("standard", "district_backlog_easy", replay_policy(office), seed=0)
    assert result.faithful and result.steps == len(office.actions)
    assert result.score == pytest.approx(reward, abs=0)


def test_a_cut_episode_gets_a_provisional_grade() -> None:
    env = GovWorkflowToolEnv()
    env.reset(task="district_backlog_easy", seed=4, ruleset="standard")
    env.advance_time()
    assert not env.done and env.env.grade().provisional
    assert env.get_reward() == env.env.grade().score


def test_a_triage_episode_through_the_tools_grades_like_the_harness_replay() -> None:
    env = TriageToolEnv()
    text = env.reset(**build_dataset("faithful_5", 1, environment="triage", first_seed=7)[0])
    with pytest.raises(InvalidToolCallError, match=r"unknown ticket 'T99'; valid choices: T01"):
        env.work_on_ticket("T99")
    while not env.done:
        first = re.search(r"^  (T\d+):", text, re.MULTILINE)
        assert first is not None, text
        text = env.work_on_ticket(first.group(1))
    result = run_episode("triage", "faithful_5", replay_policy(env), seed=7)
    assert result.faithful and result.score == env.get_reward() and not env.env.grade().provisional
    assert result.steps == len(env.actions) == 5


def test_the_tools_are_the_servers_mcp_tools() -> None:
    """The same names over MCP (``docs/server.md``); each tool's arguments are ones the MCP
    tool takes, and every argument the MCP tool requires is one of them."""
    from govworkflow.server.adapters import OFFICE, TRIAGE
    from govworkflow.server.mcp import tool_specs

    for cls, adapter in ((GovWorkflowToolEnv, OFFICE), (TriageToolEnv, TRIAGE)):
        mcp = {t["name"]: t["inputSchema"] for t in tool_specs(adapter) if t["name"] != "grade"}
        ours = tools(cls)
        assert set(ours) == set(mcp)
        for name, fn in ours.items():
            params = set(inspect.signature(fn).parameters) - {"self"}
            assert params <= set(mcp[name].get("properties", {})), name
            assert set(mcp[name].get("required") or []) <= params, name


def test_a_tool_before_reset_says_to_reset_first() -> None:
    from govworkflow.core.errors import NoEpisodeError

    with pytest.raises(NoEpisodeError, match=r"call reset\(task=\.\.\., seed=\.\.\.\) first"):
        GovWorkflowToolEnv().advance_time()
