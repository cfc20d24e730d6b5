"""The shared kernel, through both environments: the native env, the one record and
replay, suites, policies and snapshots behave the same for the office and triage."""

from __future__ import annotations

import dataclasses
import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from govworkflow import GovWorkflowEnv
from govworkflow.core.kernel import Suite
from govworkflow.core.native import EpisodeHolder
from govworkflow.core.record import EpisodeRecord, replay
from govworkflow.office.record import EpisodeRecord as OfficeRecord
from govworkflow.office.rulesets import RULESETS, get_ruleset
from govworkflow.triage import TRIAGE, TriageEnv, TriageRecord, grade_record

HERE = Path(__file__).resolve().parent
SUITES: list[Suite] = [*RULESETS.values(), TRIAGE]


def make_env(ruleset: str, max_steps: int | None) -> EpisodeHolder[Any, Any]:
    if ruleset == "triage":
        return TriageEnv("two_workers_12", max_steps=max_steps)
    return GovWorkflowEnv("mixed_urgency_medium", ruleset=ruleset, max_steps=max_steps)


def play(env: EpisodeHolder[Any, Any], policy: str, seed: int, steps: int | None = None) -> None:
    pol = env.suite.policy(policy)
    pol.reset(seed)
    obs = env.reset(seed=seed)
    n = 0
    while not env.done and (steps is None or n < steps):
        obs = env.step(pol.act(obs, env.simulator)).observation
        n += 1


CASES = [("legacy", "urgent_first"), ("standard", "sla_aware"), ("triage", "edf")]


@pytest.mark.parametrize("max_steps", [None, 3])
@pytest.mark.parametrize(("ruleset", "policy"), CASES)
def test_a_record_replays_to_the_same_episode(ruleset: str, policy: str, max_steps: int | None) -> None:
    env = make_env(ruleset, max_steps)
    play(env, policy, seed=4)
    loaded = type(env.record).from_dict(json.loads(json.dumps(env.record.to_dict())))
    assert loaded == env.record and loaded.max_steps == env.simulator.max_steps
    sim = replay(loaded, env.suite)
    assert sim.state() == env.state()
    assert sim.grade() == env.grade()
    assert (loaded.terminated, loaded.truncated) == (env.simulator.terminated, env.simulator.truncated)
    assert [s.clock for s in loaded.steps][-1] == env.simulator.clock
    if max_steps is not None:
        assert loaded.truncated and len(loaded.steps) == max_steps


@pytest.mark.parametrize(("ruleset", "policy"), CASES)
def test_snapshots_pickle_and_restore_on_either_environment(ruleset: str, policy: str) -> None:
    env = make_env(ruleset, None)
    play(env, policy, seed=2, steps=3)
    snap = pickle.loads(pickle.dumps(env.snapshot()))
    before = (env.state(), env.grade(), len(env.record.steps))
    play_on = env.suite.policy(policy)
    env.step(play_on.act(env.observe(), env.simulator))
    env.restore(snap)
    assert (env.state(), env.grade(), len(env.record.steps)) == before
    assert snap.ruleset == env.suite.name


@pytest.mark.parametrize("suite", SUITES, ids=lambda s: s.name)
def test_every_suite_and_its_policies_pickle(suite: Suite) -> None:
    assert pickle.loads(pickle.dumps(suite)) is suite
    for name in suite.policies:
        if name == "ppo":
            continue  # holds torch models once used; it plays from files, not from pickles
        policy = suite.policy(name)
        again = pickle.loads(pickle.dumps(policy))
        assert again.name == policy.name and again.description == policy.description


def test_a_ruleset_registered_at_run_time_names_its_records_and_snapshots() -> None:
    RULESETS["probe"] = dataclasses.replace(get_ruleset("legacy"), name="probe")
    try:
        env = GovWorkflowEnv("district_backlog_easy", ruleset="probe")
        env.reset(seed=1)
        env.step({"action_type": "advance_time"})
        assert env.record.ruleset == "probe" and env.snapshot().ruleset == "probe"
        assert OfficeRecord.from_dict(env.record.to_dict()) == env.record
        assert pickle.loads(pickle.dumps(env.suite)) is RULESETS["probe"]
    finally:
        del RULESETS["probe"]


def test_an_office_file_of_version_1_loads_with_its_clocks_and_end() -> None:
    data = json.loads((HERE / "episode-office-v1.json").read_text())
    assert data["version"] == 1 and "day" in data["steps"][0]
    record = OfficeRecord.from_dict(data)
    assert [s.clock for s in record.steps] == [s["day"] for s in data["steps"]]
    env = GovWorkflowEnv(record.task_id, ruleset=record.ruleset)
    env.reset(seed=record.seed)
    for action in record.actions:
        env.step(action)
    assert env.done  # the file is a whole episode; the end flags come from its replay
    assert (record.terminated, record.truncated) == (env.simulator.terminated, env.simulator.truncated)
    assert replay(record, env.suite).grade() == env.grade()


def test_a_triage_file_of_the_first_format_loads_with_its_clocks_after_each_step() -> None:
    data = json.loads((HERE / "episode-triage-v1.json").read_text())
    assert data["format"] == "govworkflow-triage-episode"
    record = TriageRecord.from_dict(data)
    env = TriageEnv(record.task_id)
    env.reset(seed=record.seed)
    clocks = []
    for step in data["steps"]:
        env.step(step["ticket_id"])
        clocks.append(env.simulator.clock)
    assert [s.clock for s in record.steps] == clocks
    assert [s["time"] for s in data["steps"]] != clocks  # the file kept start times, not these
    assert (record.terminated, record.truncated) == (data["terminated"], data["truncated"])
    assert grade_record(record) == env.grade()


def test_the_record_classes_are_the_one_record() -> None:
    assert issubclass(OfficeRecord, EpisodeRecord) and issubclass(TriageRecord, EpisodeRecord)
    assert set(OfficeRecord.rulesets()) == set(RULESETS) and TriageRecord.rulesets() == ("triage",)


def test_restoring_something_that_is_no_snapshot_is_a_clear_error() -> None:
    env = GovWorkflowEnv("district_backlog_easy")
    env.reset()
    with pytest.raises(TypeError, match="restore: expected a Snapshot from snapshot\\(\\), got str 'junk'"):
        env.restore("junk")  # type: ignore[arg-type]
    assert env.state().day == 0
