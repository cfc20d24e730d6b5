"""The native API's contract: clear errors for misuse, nothing changed on bad input."""

from __future__ import annotations

import copy
import json
import pickle
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from govworkflow import (
    EpisodeFinishedError,
    EpisodeRecord,
    GovWorkflowEnv,
    InvalidActionError,
    NoEpisodeError,
    UnknownNameError,
)
from govworkflow.evaluation import evaluate
from govworkflow.office.rulesets import get_ruleset
from govworkflow.office.rulesets.legacy.tasks import load_tasks


def test_unknown_task_names_the_choices() -> None:
    with pytest.raises(UnknownNameError, match="unknown legacy task 'nope'; valid choices: district_backlog_easy"):
        GovWorkflowEnv("nope", ruleset="legacy")
    env = GovWorkflowEnv("district_backlog_easy", ruleset="legacy")
    with pytest.raises(KeyError, match="valid choices"):
        env.reset(task_id="nope")


def test_unknown_ruleset_names_the_choices() -> None:
    with pytest.raises(ValueError, match=r"unknown ruleset .modern.; valid choices: .*legacy"):
        GovWorkflowEnv("district_backlog_easy", ruleset="modern")


def test_calls_before_reset_say_what_to_do() -> None:
    env = GovWorkflowEnv("district_backlog_easy", ruleset="legacy")
    for call in (lambda: env.step({"action_type": "advance_time"}), env.state, env.grade):
        with pytest.raises(NoEpisodeError, match="reset"):
            call()


@pytest.mark.parametrize(
    ("action", "fragment"),
    [
        ({"action_type": "teleport"}, "action_type"),
        ({"action_type": "assign_capacity", "service": "passport", "officer_delta": "two"}, "officer_delta"),
        ({"action_type": "assign_capacity", "service": "passport", "officer_delta": 1.5}, "officer_delta"),
        ({"action_type": "assign_capacity", "service": "embassy", "officer_delta": 1}, "service"),
        ({"action_type": "advance_time", "days": 3}, "days: unknown field"),
        ({}, "action_type"),
        ('{"action_type": ', "invalid action"),
        (42, "expected an Action"),
    ],
)
def test_unreadable_actions_raise_and_change_nothing(action: object, fragment: str) -> None:
    env = GovWorkflowEnv("cross_department_hard", ruleset="legacy")
    env.reset()
    before = env.state()
    with pytest.raises(InvalidActionError, match=fragment):
        env.step(action)  # type: ignore[arg-type]
    assert env.state() == before
    assert env.record.steps == []


def test_actions_as_json_strings_are_accepted() -> None:
    env = GovWorkflowEnv("district_backlog_easy", ruleset="legacy")
    env.reset()
    assert env.step('{"action_type": "advance_time"}').observation.day == 1


def test_stepping_a_finished_episode_is_an_error() -> None:
    env = GovWorkflowEnv("district_backlog_easy", ruleset="legacy")
    env.reset()
    while not env.done:
        env.step({"action_type": "advance_time"})
    before = env.state()
    with pytest.raises(EpisodeFinishedError, match="reset"):
        env.step({"action_type": "advance_time"})
    assert env.state() == before
    env.reset()
    assert not env.done


def test_info_has_the_same_keys_after_reset_and_every_step() -> None:
    env = GovWorkflowEnv("district_backlog_easy", ruleset="legacy")
    env.reset()
    keys = set(env.reset_info())
    assert set(env.reset_info()["reward_components"]) == set(env.simulator.REWARD_COMPONENTS)
    for a in ({"action_type": "advance_time"}, {"action_type": "set_priority_mode"}):
        assert set(env.step(a).info) == keys


def test_observation_is_fresh_and_serialisable() -> None:
    from govworkflow.office.models import OBSERVATION_ADAPTER

    env = GovWorkflowEnv("district_backlog_easy", ruleset="legacy")
    obs = env.reset()
    data = OBSERVATION_ADAPTER.dump_python(obs, mode="json")
    assert json.loads(json.dumps(data)) == data
    assert OBSERVATION_ADAPTER.validate_python(data) == obs
    nxt = env.step({"action_type": "advance_time"}).observation
    assert nxt is not obs and nxt.queues is not obs.queues
    assert obs.day == 0 and nxt.day == 1


def test_why_invalid_is_pure() -> None:
    env = GovWorkflowEnv("district_backlog_easy", ruleset="legacy")
    env.reset()
    before = env.state()
    assert env.why_invalid({"action_type": "assign_capacity", "service": "birth_certificate", "officer_delta": 5})
    assert env.why_invalid({"action_type": "advance_time"}) is None
    assert env.state() == before


def test_record_exports_and_replays(tmp_path: Path) -> None:
    env = GovWorkflowEnv("mixed_urgency_medium", ruleset="legacy")
    obs = env.reset(seed=4)
    policy = get_ruleset("legacy").policy("urgent_first")
    for _ in range(30):
        obs = env.step(policy.act(obs)).observation
    path = tmp_path / "episode.json"
    env.record.save(path)
    loaded = EpisodeRecord.load(path)
    assert loaded.to_dict() == env.record.to_dict()
    replay = GovWorkflowEnv(loaded.task_id, ruleset=loaded.ruleset)
    replay.reset(seed=loaded.seed)
    for action in loaded.actions:
        replay.step(action)
    assert replay.state() == env.state()
    with pytest.raises(ValueError, match="not a govworkflow episode"):
        EpisodeRecord.from_dict({"format": "other"})


def test_a_version_1_office_file_still_loads() -> None:
    env = GovWorkflowEnv("district_backlog_easy", ruleset="standard")
    env.reset(seed=3)
    for _ in range(4):
        env.step({"action_type": "advance_time"})
    new = env.record.to_dict()
    old = {k: v for k, v in new.items() if k not in ("terminated", "truncated")}
    old["version"] = 1
    old["steps"] = [{**{k: v for k, v in s.items() if k != "clock"}, "day": s["clock"]} for s in new["steps"]]
    loaded = EpisodeRecord.from_dict(old)
    assert loaded.actions == env.record.actions
    assert [s.clock for s in loaded.steps] == [1, 2, 3, 4]
    with pytest.raises(ValueError, match="field 'ruleset': 'triage' is not one of standard, legacy"):
        EpisodeRecord.from_dict({**new, "ruleset": "triage"})


def test_snapshot_of_another_episode_is_refused() -> None:
    a = GovWorkflowEnv("district_backlog_easy", ruleset="legacy")
    a.reset()
    snap = a.snapshot()
    b = GovWorkflowEnv("mixed_urgency_medium", ruleset="legacy")
    b.reset()
    with pytest.raises(ValueError, match="not on the current episode's history"):
        b.restore(snap)


def test_snapshot_from_an_earlier_episode_or_an_undone_branch_is_refused() -> None:
    env = GovWorkflowEnv("district_backlog_easy", ruleset="legacy")
    env.reset(seed=4)
    env.step({"action_type": "advance_time"})
    earlier = env.snapshot()
    env.reset(seed=4)  # the same task and seed, but a new episode
    for _ in range(3):
        env.step({"action_type": "advance_time"})
    with pytest.raises(ValueError, match="earlier episode"):
        env.restore(earlier)
    assert len(env.record.steps) == env.simulator.steps == 3  # nothing changed
    start, two = env.snapshot(), None
    env.restore(start)
    env.step({"action_type": "advance_time"})
    two = env.snapshot()
    env.restore(start)  # undo, then play something else
    env.step({"action_type": "set_priority_mode", "priority_mode": "urgent_first"})
    with pytest.raises(ValueError, match="undone and played differently"):
        env.restore(two)
    env.restore(start)  # still on the history: allowed
    assert len(env.record.steps) == env.simulator.steps == 3


def test_a_pickled_env_restores_its_own_snapshots() -> None:
    env = GovWorkflowEnv("district_backlog_easy", ruleset="legacy")
    env.reset(seed=4)
    env.step({"action_type": "advance_time"})
    snap = env.snapshot()
    env.step({"action_type": "advance_time"})
    twin, twin_snap = pickle.loads(pickle.dumps((env, snap)))
    twin.restore(twin_snap)
    assert twin.simulator.steps == len(twin.record.steps) == 1
    env.restore(copy.deepcopy(snap))
    assert env.observe() == twin.observe()


@pytest.mark.parametrize("seed", [-1, 2.5, True, "3"])
def test_bad_seeds_are_refused_and_change_nothing(seed: object) -> None:
    env = GovWorkflowEnv("district_backlog_easy", ruleset="standard")
    env.reset(seed=7)
    env.step({"action_type": "advance_time"})
    with pytest.raises(ValueError, match=f"seed: must be a non-negative integer, got {seed!r}"):
        env.reset(task_id="mixed_urgency_medium", seed=seed)  # type: ignore[arg-type]
    assert (env.task_id, env.simulator.seed, env.simulator.steps) == ("district_backlog_easy", 7, 1)
    with pytest.raises(ValueError, match="seed: must be a non-negative integer"):
        GovWorkflowEnv("district_backlog_easy", seed=seed)  # type: ignore[arg-type]


def test_grade_explains_what_cost_the_most() -> None:
    env = GovWorkflowEnv("cross_department_hard", ruleset="legacy")
    env.reset()
    while not env.done:
        env.step({"action_type": "advance_time"})
    text = env.grade().explain()
    first = text.splitlines()[1]
    assert text.startswith("score ")
    assert "provisional" not in text
    assert first.split()[0] in {"sla_compliance", "completion_rate"}


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ("officers = [2, 2]", "officers: needs 3 values"),
        ('services = ["birth_certificate", "aadhaar_card", "driving_license"]', "services"),
        ("p_missing_documents = 1.5", "p_missing_documents"),
        ("max_days = 0", "max_days"),
        ("colour = 3", "colour"),
        ("seed = 150", "seed: 150 is not in the development range 0..99"),
        ("seeds = { development = { start = 0, stop = 150 }, evaluation = { start = 100, stop = 200 } }", "overlaps"),
    ],
)
def test_task_files_are_validated_with_the_field_named(tmp_path: Path, patch: str, field: str) -> None:
    key = patch.split(" = ")[0]
    base = {
        "seed": "1",
        "seeds": "{ development = { start = 0, stop = 100 }, evaluation = { start = 100, stop = 200 } }",
        "max_days": "10",
        "arrival_rate_per_day": "1.0",
        "services": '["birth_certificate", "income_certificate", "driving_license"]',
        "p_missing_documents": "0.1",
        "p_field_verification": "0.1",
        "escalation_budget": "1",
        "officers": "[1, 1, 1]",
        "reserve_officers": "0",
        "initial_cases": "[1, 1, 1]",
        "sla_days": "[5, 5, 5]",
    }
    base[key] = patch.split(" = ", 1)[1]
    path = tmp_path / "tasks.toml"
    path.write_text("[my_task]\n" + "\n".join(f"{k} = {v}" for k, v in base.items()))
    with pytest.raises(ValueError, match=field):
        load_tasks(path)


def test_user_task_file_loads_and_runs(tmp_path: Path) -> None:
    path = tmp_path / "tasks.toml"
    path.write_text(
        "[tiny]\nseed = 3\nseeds = { development = { start = 0, stop = 9 }, evaluation = { start = 9, stop = 109 } }\n"
        "max_days = 5\narrival_rate_per_day = 1.5\n"
        'services = ["passport", "birth_certificate"]\np_missing_documents = 0.2\n'
        "p_field_verification = 0.5\nescalation_budget = 1\nofficers = [1, 1]\nreserve_officers = 1\n"
        "initial_cases = [2, 2]\nsla_days = [4, 3]\n"
    )
    task = load_tasks(path)["tiny"]
    from govworkflow.office.rulesets.legacy import LegacySimulator

    sim = LegacySimulator(task, seed=task.seed)
    from govworkflow.office.policies import ADVANCE

    while not sim.done:
        sim.step(ADVANCE)
    assert sim.day <= 5
    assert sim.grade().components[0].weight == 0.28  # default (hard-task) weights


def test_import_stays_light() -> None:
    code = (
        "import sys, govworkflow; heavy = {'torch', 'plotly', 'ipywidgets', 'gymnasium', 'fastapi', 'uvicorn', "
        "'stable_baselines3', 'scipy', 'numpy'}; print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("max_steps", [0, -5, 2.7, True, "abc"])
def test_max_steps_must_be_a_positive_integer(max_steps: object) -> None:
    with pytest.raises(ValueError, match=f"max_steps: must be a positive integer, got {re.escape(repr(max_steps))}"):
        GovWorkflowEnv("district_backlog_easy", ruleset="legacy", max_steps=max_steps)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_steps: must be a positive integer"):
        evaluate("district_backlog_easy", "oldest_first", [1], "legacy", max_steps)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(seed=3.9), "seed: must be a non-negative integer, got 3.9"),
        (lambda d: d.pop("task_id"), "missing field 'task_id'"),
        (lambda d: d.update(component_names="abc"), "field 'component_names': expected a list of names"),
        (lambda d: d["steps"][0].update(reward="x"), "field 'reward': expected a number, got 'x'"),
        (lambda d: d["steps"][0].update(action={"action_type": "fly"}), "Action.action_type: Input should be"),
        (lambda d: d.update(steps=None), "not iterable"),
    ],
)
def test_a_malformed_episode_file_is_one_clear_error(tmp_path: Path, edit: Any, message: str) -> None:
    env = GovWorkflowEnv("district_backlog_easy", ruleset="legacy")
    env.reset(seed=2)
    env.step({"action_type": "advance_time"})
    data = env.record.to_dict()
    edit(data)
    path = tmp_path / "episode.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        EpisodeRecord.load(path)
    assert str(err.value).startswith("not a govworkflow episode file: ")
    assert len(str(err.value).splitlines()) == 1


@pytest.mark.parametrize(("text", "kind"), [("[]", "a JSON array"), ("null", "a JSON null"), ("{", "not JSON text")])
def test_a_file_that_is_not_an_episode_is_named(tmp_path: Path, text: str, kind: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=f"x.json: not a govworkflow episode file \\({kind}"):
        EpisodeRecord.load(path)


def test_saving_an_episode_over_a_folder_leaves_nothing(tmp_path: Path) -> None:
    env = GovWorkflowEnv("district_backlog_easy", ruleset="legacy")
    env.reset()
    (tmp_path / "episode.json").mkdir()
    with pytest.raises(ValueError, match="is a folder"):
        env.record.save(tmp_path / "episode.json")
    assert [p.name for p in tmp_path.iterdir()] == ["episode.json"]
