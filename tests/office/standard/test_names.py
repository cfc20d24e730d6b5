"""Names over positions, checked against both rulesets: one owner for which fields an
action needs (``office.models.ACTION_FIELDS``); reward components and grade metrics by
name, in the order the sums (reward, score) add them."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from govworkflow.core.errors import InvalidActionError
from govworkflow.core.kernel import Simulator
from govworkflow.office.models import (
    ACTION_FIELDS,
    OBSERVATION_ADAPTER,
    OPTIONAL_ACTION_FIELDS,
    Action,
    action_fields,
    missing_fields,
    parse_action,
)
from govworkflow.office.rulesets import RULESETS, get_ruleset
from govworkflow.office.rulesets.legacy import sim as legacy_sim
from govworkflow.office.rulesets.legacy.tasks import METRICS
from govworkflow.office.rulesets.standard import sim as standard_sim
from govworkflow.office.rulesets.standard.tasks import COMPONENTS
from govworkflow.office.vocab import ActionType, PriorityMode

RULESET_NAMES = sorted(RULESETS)


def fresh(ruleset: str) -> Simulator:
    rs = get_ruleset(ruleset)
    return rs.make(next(iter(rs.tasks)))


def full_fields(sim: Simulator) -> dict[str, Any]:
    """A value for every action field that the task at hand can use."""
    obs = sim.observe()
    services = [q.service for q in obs.queues]
    case = sim.state().active_cases[0]
    return {
        "priority_mode": PriorityMode.URGENT_FIRST.value,
        "service": case.service,
        "target_service": next(s for s in services if s != case.service),
        "officer_delta": 1,
        "case_id": case.case_id,
    }


def test_the_table_covers_every_action_type_with_action_fields() -> None:
    names = set(Action.model_fields) - {"action_type"}
    assert set(ACTION_FIELDS) == set(OPTIONAL_ACTION_FIELDS) == set(ActionType)
    for kind in ActionType:
        needed, optional = ACTION_FIELDS[kind], OPTIONAL_ACTION_FIELDS[kind]
        assert set(needed) <= names and set(optional) <= names
        assert not set(needed) & set(optional)
        assert action_fields(kind) == needed + optional


def test_the_action_docstring_states_the_table() -> None:
    doc = Action.__doc__ or ""
    for kind in ActionType:
        row = next(line for line in doc.splitlines() if line.strip().startswith(f"``{kind.value}``"))
        named = [name for name in Action.model_fields if f"``{name}``" in row.split(maxsplit=1)[1]]
        assert sorted(named) == sorted(action_fields(kind)), row
        assert ("optional" in row) == bool(OPTIONAL_ACTION_FIELDS[kind]), row


def test_viz_reexports_the_same_table() -> None:
    from govworkflow.viz import actions

    assert actions.ACTION_FIELDS is ACTION_FIELDS


@pytest.mark.parametrize("ruleset", RULESET_NAMES)
@pytest.mark.parametrize("kind", list(ActionType))
def test_each_ruleset_refuses_an_action_missing_a_needed_field(ruleset: str, kind: ActionType) -> None:
    sim = fresh(ruleset)
    given = full_fields(sim)
    reads = action_fields(kind)
    complete = Action(action_type=kind, **{k: v for k, v in given.items() if k in reads})
    assert missing_fields(complete) is None
    why = sim.why_invalid(complete)
    assert why is None or " needs " not in why  # refused, if at all, for another reason
    for name in ACTION_FIELDS[kind]:
        lacking = Action(action_type=kind, **{k: v for k, v in given.items() if k in reads and k != name})
        why = sim.why_invalid(lacking)
        assert why is not None and why == missing_fields(lacking)
        assert why.startswith(f"{kind.value} needs ") and name in why
    for name in OPTIONAL_ACTION_FIELDS[kind]:
        without = Action(action_type=kind, **{k: v for k, v in given.items() if k in reads and k != name})
        why = sim.why_invalid(without)
        assert why is None or " needs " not in why


@pytest.mark.parametrize("ruleset", RULESET_NAMES)
def test_a_missing_field_is_an_invalid_step_not_an_error(ruleset: str) -> None:
    sim = fresh(ruleset)
    before = sim.state().model_dump()
    service = sim.observe().queues[0].service
    _, components, _, _ = sim.step(Action(action_type=ActionType.REALLOCATE_OFFICERS, service=service))
    assert not sim.last_valid
    assert sim.last_message == "invalid action: reallocate_officers needs service, target_service and officer_delta"
    assert components.invalid_action < 0
    after = sim.state().model_dump()
    for state in (before, after):
        state.pop("steps")
        state["counters"].pop("invalid_actions")
    assert after == before


def test_fields_outside_the_action_are_refused_by_parse() -> None:
    with pytest.raises(InvalidActionError, match="officers"):
        parse_action({"action_type": "assign_capacity", "service": "passport", "officers": 1})


@pytest.mark.parametrize("module", [legacy_sim, standard_sim], ids=["legacy", "standard"])
def test_reward_components_are_named_by_their_tuple(module: Any) -> None:
    simulator = module.LegacySimulator if module is legacy_sim else module.StandardSimulator
    fields = module.RewardComponents._fields
    assert simulator.REWARD_COMPONENTS == fields == tuple(module.REWARD_WEIGHTS) == module.WEIGHTS._fields
    assert module.WEIGHTS._asdict() == module.REWARD_WEIGHTS
    rs = get_ruleset(simulator.ruleset)
    sim = rs.make(next(iter(rs.tasks)))
    for action in (Action(action_type=ActionType.ADVANCE_TIME), Action(action_type=ActionType.SET_PRIORITY_MODE)):
        reward, components, _, _ = sim.step(action)
        assert type(components) is module.RewardComponents
        places = 4 if module is legacy_sim else 6
        assert reward == round(sum(components), places)
        named = components._asdict()
        assert list(named) == list(fields)
        assert named["invalid_action"] == (0.0 if sim.last_valid else module.WEIGHTS.invalid_action)


@pytest.mark.parametrize(("ruleset", "names"), [("legacy", METRICS), ("standard", COMPONENTS)])
def test_grade_metrics_come_in_the_declared_order(ruleset: str, names: tuple[str, ...]) -> None:
    sim: Any = fresh(ruleset)
    for _ in range(3):
        sim.step(Action(action_type=ActionType.ADVANCE_TIME))
    assert tuple(sim.metrics()) == names  # the score sums them in this order
    assert [c.name for c in sim.grade().components] == list(names)


@pytest.mark.parametrize("ruleset", RULESET_NAMES)
def test_observations_built_field_by_field_set_every_field(ruleset: str) -> None:
    # observe() fills blank instances by name (office.models): a field left out would only
    # fail when read, so read them all, on a fresh episode and after a few steps
    sim = fresh(ruleset)
    for action in (None, Action(action_type=ActionType.ADVANCE_TIME), Action(action_type=ActionType.SET_PRIORITY_MODE)):
        if action is not None:
            sim.step(action)
        obs = sim.observe()
        for item in (obs, *obs.queues):
            missing = [f.name for f in dataclasses.fields(item) if not hasattr(item, f.name)]
            assert not missing, f"{type(item).__name__} lacks {missing}"
        assert obs.extra == {} and obs.extra is not sim.observe().extra
        assert OBSERVATION_ADAPTER.validate_json(OBSERVATION_ADAPTER.dump_json(obs)) is not None
