"""Wire helpers: observations of ruleset subclasses survive the round trip whole, and
error replies turn back into the exceptions the local env raises."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import pytest

from govworkflow import EpisodeFinishedError, GovWorkflowEnv, InvalidActionError, NoEpisodeError, UnknownNameError
from govworkflow.office.models import Observation, ServiceQueue
from govworkflow.office.rulesets import RULESETS
from govworkflow.server.protocol import (
    CapacityError,
    MalformedJSONError,
    SessionError,
    describe_error,
    dump_observation,
    error_from_payload,
    load_observation,
    observation_types,
)


@dataclass(slots=True)
class RichQueue(ServiceQueue):
    backlog_days: float = 0.0


@dataclass(slots=True)
class RichObservation(Observation):
    actions_left_today: int = 0
    events: list[str] = field(default_factory=list)


def rich(obs: Observation) -> RichObservation:
    base = {f.name: getattr(obs, f.name) for f in fields(Observation)}
    base["queues"] = [
        RichQueue(**{f.name: getattr(q, f.name) for f in fields(ServiceQueue)}, backlog_days=1.5 + i)
        for i, q in enumerate(obs.queues)
    ]
    return RichObservation(**base, actions_left_today=2, events=["strike:passport (until day 4)"])


def test_subclass_fields_survive_the_round_trip() -> None:
    obs = rich(GovWorkflowEnv().reset(seed=3))
    data = dump_observation(obs)
    assert data["actions_left_today"] == 2
    assert [q["backlog_days"] for q in data["queues"]] == [1.5 + i for i in range(len(obs.queues))]
    back = load_observation(data, RichObservation, RichQueue)
    assert back == obs
    assert type(back.queues[0]) is RichQueue


@pytest.mark.parametrize("ruleset", list(RULESETS))
def test_every_rulesets_observation_round_trips(ruleset: str) -> None:
    obs = GovWorkflowEnv(ruleset=ruleset).reset(seed=3)
    assert load_observation(dump_observation(obs), *observation_types(ruleset)) == obs


@pytest.mark.parametrize(
    "exc",
    [
        InvalidActionError("invalid action: x"),
        EpisodeFinishedError("the episode has ended"),
        NoEpisodeError("no episode yet"),
        UnknownNameError("legacy task", "atlantis", ["a", "b"]),
        CapacityError(3, 3),
        SessionError("unknown or expired session id"),
        MalformedJSONError("Invalid JSON"),
    ],
)
def test_errors_cross_the_wire_unchanged(exc: Exception) -> None:
    _, status, data = describe_error(exc)
    assert 400 <= status < 600
    back = error_from_payload(data)
    assert type(back) is type(exc)
    assert str(back) == str(exc)


def test_a_client_reads_a_ruleset_only_the_server_has_as_the_base_office() -> None:
    from govworkflow import GovWorkflowEnv
    from govworkflow.office.models import Observation
    from govworkflow.server.adapters import OFFICE, TRIAGE, client_adapter

    assert client_adapter("triage") is TRIAGE and client_adapter(None) is OFFICE
    assert client_adapter("only_on_the_server") is OFFICE
    env = GovWorkflowEnv("district_backlog_easy", ruleset="legacy")
    raw = {**dump_observation(env.reset(seed=2)), "ruleset": "only_on_the_server"}
    obs = client_adapter("only_on_the_server").load_observation(raw)
    assert type(obs) is Observation and obs.ruleset == "only_on_the_server"
