"""The native API: reset/step/state/grade, bad input, snapshots, records, determinism."""

from __future__ import annotations

import copy
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govworkflow.core.errors import EpisodeFinishedError, InvalidActionError, NoEpisodeError, UnknownNameError
from govworkflow.evaluation import evaluate
from govworkflow.triage import (
    TASKS,
    TriageAction,
    TriageEnv,
    TriageRecord,
    generate,
    grade_record,
    make_policy,
)
from govworkflow.triage.models import TRIAGE_OBSERVATION_ADAPTER
from tests.triage.helpers import play_episode


def ids(record: TriageRecord) -> list[str]:
    """The ticket ids a record's actions name."""
    return [a.ticket_id for a in record.actions]


def play(env: TriageEnv, policy: str = "edf", seed: int = 0) -> None:
    pol = make_policy(policy)
    pol.reset(seed)
    obs = env.observe()
    while not env.done:
        obs = env.step(pol.act(obs, env.simulator)).observation


def test_reset_takes_task_and_seed_and_defaults_to_the_task_seed() -> None:
    env = TriageEnv("faithful_5")
    obs = env.reset()
    assert env.record.seed == TASKS["faithful_5"].seed
    obs = env.reset("overload_12", seed=9)
    assert (obs.task_id, env.record.seed, len(obs.tickets)) == ("overload_12", 9, 12)


@pytest.mark.parametrize(
    ("action", "fragment"),
    [
        ({"ticket": "T01"}, "allowed fields: ticket_id"),
        ({"ticket_id": 3}, "ticket_id"),
        ({"ticket_id": "T01", "worker": 1}, "worker"),
        ('{"ticket_id": ', "invalid triage action"),
        (3.5, "got float"),
    ],
)
def test_unreadable_actions_raise_and_change_nothing(action: object, fragment: str) -> None:
    env = TriageEnv("faithful_8")
    env.reset(seed=1)
    before = env.state()
    with pytest.raises(InvalidActionError, match=fragment):
        env.step(action)  # type: ignore[arg-type]
    assert env.state() == before
    assert env.record.steps == []


def test_action_forms_are_equivalent() -> None:
    results = []
    for form in ["T03", {"ticket_id": "T03"}, '{"ticket_id": "T03"}', TriageAction(ticket_id="T03")]:
        env = TriageEnv("faithful_8")
        env.reset(seed=1)
        results.append(env.step(form).reward)  # type: ignore[arg-type]
    assert len(set(results)) == 1


def test_unknown_names_list_the_valid_choices() -> None:
    with pytest.raises(UnknownNameError, match="valid choices: faithful_5"):
        TriageEnv("nope")
    with pytest.raises(UnknownNameError, match="valid choices: edf"):
        make_policy("nope")
    env = TriageEnv("faithful_5")
    with pytest.raises(UnknownNameError, match="nope"):
        env.reset("nope")
    with pytest.raises(ValueError, match="seed"):
        env.reset(seed=-1)


def test_methods_before_reset_and_after_the_end() -> None:
    env = TriageEnv("faithful_5")
    with pytest.raises(NoEpisodeError):
        env.step("T01")
    env.reset(seed=0)
    play(env)
    with pytest.raises(EpisodeFinishedError):
        env.step("T01")
    assert env.valid_actions() == []
    assert env.action_mask() == [False] * 5


def test_info_has_the_same_keys_after_reset_and_every_step() -> None:
    env = TriageEnv("two_workers_12")
    env.reset(seed=3)
    keys = set(env.reset_info())
    assert keys == {"valid", "message", "reward_components", "time", "step", "steps_left", "action_mask"}
    while not env.done:
        info = env.step(env.valid_actions()[-1]).info
        assert set(info) == keys
        assert [i for i, ok in enumerate(info["action_mask"]) if ok] == [
            env.instance.index(t) for t in env.valid_actions()
        ]


def test_grade_is_provisional_until_the_end_and_matches_the_fast_path() -> None:
    env = TriageEnv("arrivals_12")
    env.reset(seed=5)
    assert env.grade().provisional
    play(env, "greedy_rate")
    grade = env.grade()
    fast = play_episode("arrivals_12", make_policy("greedy_rate"), 5)
    assert not grade.provisional
    assert (grade.score, grade.reward, grade.oracle_reward) == (fast.score, fast.reward_sum, fast.outcome["oracle"])
    assert grade.metrics["normalised_reward"] == grade.score
    assert "oracle" in grade.explain()


def test_snapshot_restore_reproduces_the_trajectory() -> None:
    env = TriageEnv("two_workers_12")
    env.reset(seed=2)
    env.step(env.valid_actions()[0])
    snap = env.snapshot()
    first = [env.step(a).reward for a in ["T05", "zzz", *env.valid_actions()[:2]]]
    env.restore(snap)
    assert len(env.record.steps) == 1
    second = [env.step(a).reward for a in ["T05", "zzz", *env.valid_actions()[:2]]]
    assert first == second
    other = TriageEnv("two_workers_12")
    other.reset(seed=3)
    with pytest.raises(ValueError, match="not on the current episode's history"):
        other.restore(snap)


def test_snapshot_from_an_earlier_episode_with_the_same_seed_is_refused() -> None:
    env = TriageEnv("faithful_8")
    env.reset(seed=3)
    env.step("T01")
    env.step("T02")
    earlier = env.snapshot()
    env.reset(seed=3)
    for ticket in ("T05", "T06", "T07", "T08"):
        env.step(ticket)
    with pytest.raises(ValueError, match="earlier episode"):
        env.restore(earlier)
    assert ids(env.record) == ["T05", "T06", "T07", "T08"]
    assert env.record.reward_sum == env.simulator.reward_sum  # record and simulator agree


def test_snapshot_of_an_undone_branch_is_refused() -> None:
    env = TriageEnv("faithful_8")
    env.reset(seed=3)
    start = env.snapshot()
    env.step("T01")
    env.step("T02")
    branch = env.snapshot()
    env.restore(start)
    env.step("T03")
    env.step("T04")
    with pytest.raises(ValueError, match="undone and played differently"):
        env.restore(branch)
    assert ids(env.record) == ["T03", "T04"]
    env.restore(start)
    assert ids(env.record) == [] and env.simulator.steps == 0


def test_a_copied_or_pickled_snapshot_still_restores() -> None:
    env = TriageEnv("faithful_8")
    env.reset(seed=3)
    env.step("T01")
    snap = env.snapshot()
    env.step("T02")
    env.restore(copy.deepcopy(snap))
    assert ids(env.record) == ["T01"]
    env.step("T03")
    env.restore(pickle.loads(pickle.dumps(snap)))
    assert ids(env.record) == ["T01"] and env.simulator.steps == 1


@pytest.mark.parametrize("seed", [-1, 3.5, False, "2"])
def test_a_refused_reset_changes_nothing(seed: object) -> None:
    env = TriageEnv("faithful_5")
    env.reset(seed=1)
    env.step("T01")
    with pytest.raises(ValueError, match=f"seed: must be a non-negative integer, got {seed!r}"):
        env.reset(task_id="overload_12", seed=seed)  # type: ignore[arg-type]
    assert (env.task_id, env.simulator.seed, env.simulator.steps) == ("faithful_5", 1, 1)
    assert env.grade().task_id == "faithful_5"
    with pytest.raises(ValueError, match="seed: must be a non-negative integer"):
        TriageEnv("faithful_5", seed=seed)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [-3, 3.5])
def test_seeds_are_never_folded_onto_another_instance(seed: object) -> None:
    with pytest.raises(ValueError, match="seed: must be a non-negative integer"):
        generate("overload_12", seed)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed: must be a non-negative integer"):
        evaluate("overload_12", "edf", [seed], ruleset="triage")  # type: ignore[list-item]


def test_record_replays_and_round_trips(tmp_path: object) -> None:
    env = TriageEnv("overload_12")
    env.reset(seed=8)
    env.step("bogus")
    play(env, "weighted")
    record = env.record
    path = tmp_path / "episode.json"  # type: ignore[operator]
    record.save(path)
    loaded = TriageRecord.load(path)
    assert loaded == record
    assert grade_record(loaded) == env.grade()
    replay = TriageEnv("overload_12")
    replay.reset(seed=8)
    rewards = [replay.step(a).reward for a in record.actions]
    assert rewards == [s.reward for s in record.steps]


def test_an_edited_record_is_refused_by_the_grader() -> None:
    env = TriageEnv("overload_12")
    env.reset(seed=8)
    play(env, "edf")
    data = env.record.to_dict()
    data["steps"][2]["reward"] = 99.0
    with pytest.raises(ValueError, match=r"record step 3 \(work\(T\d+\)\) says reward 99.0, the rules give"):
        grade_record(TriageRecord.from_dict(data))
    data = env.record.to_dict()
    data["steps"].append({**data["steps"][-1], "step": len(data["steps"]) + 1})
    with pytest.raises(ValueError, match="but its episode ends after"):
        grade_record(TriageRecord.from_dict(data))


def test_two_envs_same_seed_same_everything_and_pickle() -> None:
    a, b = TriageEnv("two_workers_12"), TriageEnv("two_workers_12")
    a.reset(seed=11)
    b.reset(seed=11)
    play(a, "random", seed=4)
    play(b, "random", seed=4)
    assert a.record == b.record
    c = pickle.loads(pickle.dumps(a))
    assert c.record == a.record
    assert c.state() == a.state()


def test_observation_json_round_trip_and_fresh_objects() -> None:
    env = TriageEnv("arrivals_12")
    obs = env.reset(seed=1)
    data = TRIAGE_OBSERVATION_ADAPTER.dump_json(obs)
    assert TRIAGE_OBSERVATION_ADAPTER.validate_json(data) == obs
    obs.tickets.clear()
    obs.workers_free_at.append(99)
    assert env.observe().tickets
    assert env.observe().workers_free_at == [0]


@settings(max_examples=40, deadline=None)
@given(
    task_id=st.sampled_from(list(TASKS)),
    seed=st.integers(0, 10_000),
    choices=st.lists(st.integers(0, 13), min_size=1, max_size=25),
)
def test_invariants_under_any_actions(task_id: str, seed: int, choices: list[int]) -> None:
    env = TriageEnv(task_id)
    obs = env.reset(seed=seed)
    total = 0.0
    for c in choices:
        if env.done:
            break
        ids = env.instance.ticket_ids
        ticket_id = ids[c] if c < len(ids) else "none"
        valid = ticket_id in env.valid_actions()
        before = obs
        result = env.step(ticket_id)
        obs = result.observation
        total += result.reward
        assert result.info["valid"] == valid
        assert obs.time >= before.time
        assert obs.steps_left == before.steps_left - 1
        if not valid:
            assert result.reward == -1.0
            assert (obs.time, obs.ticket_ids) == (before.time, before.ticket_ids)
        assert all(t.arrival <= obs.time for t in obs.tickets)
    assert env.record.reward_sum == pytest.approx(total)
    assert env.state().reward_sum == pytest.approx(total)
    assert 0.0 <= env.grade().score <= 1.0


def test_triage_runs_on_the_kernel() -> None:
    from govworkflow.core.grading import Grade
    from govworkflow.core.kernel import Simulator, Suite
    from govworkflow.core.record import EpisodeRecord
    from govworkflow.triage import TRIAGE

    env = TriageEnv("arrivals_12")
    env.reset(seed=4)
    play(env, "edf")
    assert isinstance(env.simulator, Simulator) and isinstance(TRIAGE, Suite)
    assert isinstance(env.grade(), Grade) and env.grade().ruleset == "triage"
    assert isinstance(env.record, EpisodeRecord) and env.record.ruleset == "triage"
    assert pickle.loads(pickle.dumps(TRIAGE)) is TRIAGE
    assert env.simulator.clock == env.simulator.time


def test_at_risk_counts_arrived_tickets_late_unless_started_now() -> None:
    env = TriageEnv("overload_12")
    obs = env.reset(seed=2)
    sim = env.simulator
    while not env.done:
        expected = sum(1 for t in obs.tickets if t.deadline - obs.time - t.effort <= 0)
        assert sim.at_risk_cases() == expected
        obs = env.step(min(obs.tickets, key=lambda t: t.deadline).ticket_id).observation
    assert "slack of at most 0" in sim.at_risk_rule()


def test_a_first_format_triage_file_still_loads() -> None:
    env = TriageEnv("overload_12")
    env.reset(seed=8)
    play(env, "edf")
    new = env.record.to_dict()
    old = {
        "format": "govworkflow-triage-episode", "version": 1, "task_id": new["task_id"], "seed": new["seed"],
        "component_names": new["component_names"], "terminated": new["terminated"], "truncated": new["truncated"],
        "steps": [{"step": s["step"], "time": 0, "ticket_id": s["action"]["ticket_id"], "reward": s["reward"],
                   "components": s["components"], "valid": s["valid"], "message": s["message"],
                   "finish": None, "on_time": None} for s in new["steps"]],
    }  # fmt: skip
    loaded = TriageRecord.from_dict(old)
    assert loaded.actions == env.record.actions and grade_record(loaded) == env.grade()


def test_an_office_file_is_not_a_triage_record() -> None:
    from govworkflow import GovWorkflowEnv

    office = GovWorkflowEnv("district_backlog_easy", ruleset="legacy")
    office.reset()
    office.step({"action_type": "advance_time"})
    with pytest.raises(ValueError, match="not a triage episode file: field 'ruleset': 'legacy' is not one of triage"):
        TriageRecord.from_dict(office.record.to_dict())
