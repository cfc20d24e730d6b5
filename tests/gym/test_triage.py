"""The triage gym adapter: contract over every registered id, exact masks, spec sheet."""

from __future__ import annotations

import pickle
import re
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from hypothesis import given, settings
from hypothesis import strategies as st
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import govworkflow.gym  # noqa: F401 - registers the office and triage ids
from govworkflow.gym.triage import (
    N_SLOTS,
    TriageEncoder,
    TriageGymEnv,
    observation_mask,
    slot_of,
    triage_env_id,
    triage_registered_ids,
)
from govworkflow.triage import TASKS, make_policy, solve

IDS = sorted(triage_registered_ids())


def test_one_id_per_task() -> None:
    assert set(triage_registered_ids().values()) == set(TASKS)
    assert triage_env_id("two_workers_12") == "govworkflow/TriageTwoWorkers12-v0"
    assert all(i in gym.registry for i in IDS)


@pytest.mark.parametrize("env_id", IDS)
def test_checkers_pass_without_warnings(env_id: str) -> None:
    env = gym.make(env_id, render_mode="ansi").unwrapped
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env, skip_render_check=False)
        sb3_check_env(env, warn=True)


@pytest.mark.parametrize("env_id", IDS)
def test_two_envs_same_seed_same_rollout(env_id: str) -> None:
    a, b = gym.make(env_id), gym.make(env_id)
    (oa, ia), (ob, ib) = a.reset(seed=123), b.reset(seed=123)
    rng = np.random.default_rng(0)
    for _ in range(25):
        assert np.array_equal(oa, ob)
        assert np.array_equal(ia["action_mask"], ib["action_mask"])
        action = (
            int(rng.integers(N_SLOTS)) if rng.random() < 0.2 else int(rng.choice(np.flatnonzero(ia["action_mask"])))
        )
        oa, ra, ta, tra, ia = a.step(action)
        ob, rb, tb, trb, ib = b.step(action)
        assert (ra, ta, tra) == (rb, tb, trb)
        assert type(ra) is float and type(ta) is bool and type(tra) is bool
        if ta or tra:
            break


def test_reset_without_seed_draws_development_seeds_deterministically() -> None:
    a, b = TriageGymEnv("overload_12"), TriageGymEnv("overload_12")
    a.reset(seed=7)
    b.reset(seed=7)
    seeds_a = [a.triage.record.seed for _ in range(5) if a.reset() is not None]
    seeds_b = [b.triage.record.seed for _ in range(5) if b.reset() is not None]
    assert seeds_a == seeds_b
    assert len(set(seeds_a)) > 1
    assert all(s in TASKS["overload_12"].seeds.range("dev") for s in seeds_a)
    a.reset(options={"episode_seed": 900_001})
    assert a.triage.record.seed == 900_001


def test_pickling_keeps_the_episode() -> None:
    env = TriageGymEnv("two_workers_12")
    _, info = env.reset(seed=3)
    env.step(int(np.flatnonzero(info["action_mask"])[0]))
    clone = pickle.loads(pickle.dumps(env))
    for a in (0, 5, 11, 2):
        o1, r1, *_ = env.step(a)
        o2, r2, *_ = clone.step(a)
        assert np.array_equal(o1, o2)
        assert r1 == r2


@settings(max_examples=25, deadline=None)
@given(
    task_id=st.sampled_from(sorted(TASKS)), seed=st.integers(0, 10_000), picks=st.lists(st.integers(0, 99), max_size=20)
)
def test_masks_are_exactly_the_simulator_validity(task_id: str, seed: int, picks: list[int]) -> None:
    """Masked-in actions are all valid and masked-out ones all invalid (checked by stepping)."""
    env = TriageGymEnv(task_id)
    obs, info = env.reset(seed=seed)
    for pick in picks:
        mask = env.action_masks()
        assert np.array_equal(mask, info["action_mask"])
        assert np.array_equal(mask, observation_mask(env.triage.observe()))
        assert mask.any()
        for slot in range(N_SLOTS):
            probe = pickle.loads(pickle.dumps(env))
            _, reward, *_, probe_info = probe.step(slot)
            assert probe_info["valid"] == bool(mask[slot]), (slot, probe_info["message"])
            if not mask[slot]:
                assert reward == -1.0
        valid = np.flatnonzero(mask)
        obs, _, terminated, truncated, info = env.step(int(valid[pick % len(valid)]))
        assert env.observation_space.contains(obs)
        if terminated or truncated:
            assert not env.action_masks().any()
            break


def test_observation_in_bounds_and_fresh_over_whole_episodes() -> None:
    for task_id in TASKS:
        env = TriageGymEnv(task_id)
        policy = make_policy("random")
        for seed in range(3):
            obs, _ = env.reset(seed=seed)
            policy.reset(seed)
            done = False
            while not done:
                assert obs.dtype == np.float32 and obs.min() >= 0.0 and obs.max() <= 1.0
                action = slot_of(policy.act(env.triage.observe()).ticket_id)
                obs2, _, terminated, truncated, _ = env.step(action)
                assert obs2 is not obs
                obs, done = obs2, terminated or truncated


def test_reward_is_the_simulator_reward_times_the_scale() -> None:
    raw, scaled = TriageGymEnv("overload_12"), TriageGymEnv("overload_12", reward_scale=0.1)
    _, info = raw.reset(seed=5)
    scaled.reset(seed=5)
    for slot in [*np.flatnonzero(info["action_mask"])[:3], 11]:
        _, r1, *_, i1 = raw.step(int(slot))
        _, r2, *_ = scaled.step(int(slot))
        assert r2 == pytest.approx(0.1 * r1)
        assert r1 == pytest.approx(sum(i1["reward_components"].values()))


def test_bad_arguments_name_the_choices() -> None:
    assert TriageGymEnv("overload_12", reward_scale=np.float32(0.5)).reward_scale == 0.5
    for scale in (0, -1.0, float("inf"), float("nan"), True, "x"):
        with pytest.raises(ValueError, match=f"reward_scale: must be a positive finite number, got {scale!r}"):
            TriageGymEnv("overload_12", reward_scale=scale)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="valid choices: ansi"):
        TriageGymEnv("overload_12", render_mode="human")
    env = TriageGymEnv("overload_12")
    env.reset(seed=1)
    with pytest.raises(ValueError, match="outside Discrete"):
        env.step(12)
    with pytest.raises(ValueError, match="action True is outside Discrete"):
        env.step(True)  # would play slot 1
    assert env.triage.simulator.steps == 0
    for bad_seed in (-1, 3.7, "abc", True):
        with pytest.raises(ValueError, match=r"options\['episode_seed'\]: must be a non-negative integer"):
            env.reset(options={"episode_seed": bad_seed})
    assert env.triage.simulator.seed == 1  # the episode before the refused resets goes on
    with pytest.raises(ValueError, match=r"T01\.\.T12"):
        slot_of("X7")


def test_docstring_spaces_match_the_code() -> None:
    doc = TriageGymEnv.__doc__ or ""
    env = TriageGymEnv("faithful_5")
    assert env.action_space == gym.spaces.Discrete(N_SLOTS)
    assert f"``Discrete({N_SLOTS})``" in doc
    assert env.observation_space == gym.spaces.Box(0.0, 1.0, (TriageEncoder.size,), np.float32)
    assert f"``Box(0.0, 1.0, ({TriageEncoder.size},), float32)``" in doc
    per, glob = len(TriageEncoder.SLOT_FEATURES), len(TriageEncoder.GLOBAL_FEATURES)
    assert re.search(rf"{N_SLOTS} slots x {per} features", doc)
    assert re.search(rf"then {glob} globals", doc)
    for section in ("Description", "Action Space", "Observation Space", "Rewards", "Grading", "Starting State",
                    "Episode End", "Arguments", "Version History"):  # fmt: skip
        assert f"## {section}" in doc
    assert "(the task's ``max_steps``)" in doc and all(t.max_steps == 20 for t in TASKS.values())


def test_feature_names_cover_the_vector() -> None:
    names = TriageEncoder(20).names()
    assert len(names) == TriageEncoder.size == len(set(names))


@pytest.mark.parametrize("first", ["govworkflow.gym.triage", "govworkflow.gym"])
def test_either_module_imported_first_registers_every_id(first: str) -> None:
    import subprocess
    import sys

    code = (f"import {first}, gymnasium as g; "
            "print(sorted(k for k in g.registry if k.startswith('govworkflow/Triage')))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == str(IDS)


def _layers(env: gym.Env) -> list[gym.Env]:
    chain = [env]
    while isinstance(chain[-1], gym.Wrapper):
        chain.append(chain[-1].env)
    return chain


def test_ids_are_registered_without_a_time_limit() -> None:
    for env_id in IDS:
        assert gym.spec(env_id).max_episode_steps is None, env_id


@pytest.mark.parametrize("max_steps", [None, 5, 12, 21, 45])
def test_make_max_steps_is_the_only_step_cap(max_steps: int | None) -> None:
    """An empty slot (faithful_5 has 5 tickets) is invalid forever: the episode runs to the cap."""
    env_id = triage_env_id("faithful_5")
    env = gym.make(env_id) if max_steps is None else gym.make(env_id, max_steps=max_steps)
    assert not any(isinstance(layer, gym.wrappers.TimeLimit) for layer in _layers(env)), env
    cap = 20 if max_steps is None else max_steps
    env.reset(seed=6)
    assert env.unwrapped.triage.simulator.max_steps == cap
    steps, terminated, truncated = 0, False, False
    while not (terminated or truncated):
        obs, reward, terminated, truncated, info = env.step(11)
        steps += 1
        assert reward == -1.0 and not info["valid"]
        assert steps <= 100
    assert (steps, terminated, truncated) == (cap, False, True)
    assert info["steps_left"] == 0 and obs[-6] == 0.0  # the steps-left feature is scaled by the cap
    assert 0.0 <= env.unwrapped.triage.grade().score <= 1.0


@pytest.mark.parametrize(("max_steps", "expected"), [(15, (15, False, True)), (None, (16, True, False))])
def test_the_cap_decides_between_truncation_and_termination(
    max_steps: int | None, expected: tuple[int, bool, bool]
) -> None:
    """One ticket, four invalid steps, then the other 11: 16 steps finish them, a cap of 15 cuts one short."""
    env_id = triage_env_id("overload_12")
    env = gym.make(env_id) if max_steps is None else gym.make(env_id, max_steps=max_steps)
    _, info = env.reset(seed=8)
    _, _, _, _, info = env.step(int(np.flatnonzero(info["action_mask"])[0]))  # T.. worked, its slot now empty
    worked = int(np.flatnonzero(~info["action_mask"])[0])
    steps, terminated, truncated = 1, False, False
    for _ in range(4):
        _, reward, terminated, truncated, info = env.step(worked)
        steps += 1
        assert reward == -1.0
    while not (terminated or truncated):
        _, _, terminated, truncated, info = env.step(int(np.flatnonzero(info["action_mask"])[0]))
        steps += 1
    assert (steps, terminated, truncated) == expected
    grade = env.unwrapped.triage.grade()
    assert 0.0 <= grade.score <= 1.0


def test_bad_max_steps_are_refused() -> None:
    seven = TriageGymEnv("faithful_5", max_steps=np.int64(7))
    seven.reset(seed=0)
    assert seven.triage.simulator.max_steps == 7 and seven.encoder.max_steps == 7
    plain = TriageGymEnv("faithful_5")
    plain.reset(seed=0)
    assert plain.triage.simulator.max_steps == 20
    short = TriageGymEnv("faithful_5", max_steps=4)  # fewer steps than tickets: graded under that cap
    short.reset(seed=0)
    plan = solve(short.triage.simulator.instance).plan
    assert len(plan) == 4
    for ticket_id in plan:
        short.step(short.triage.instance.ticket_ids.index(ticket_id))
    grade = short.triage.grade()
    assert short.triage.done and grade.score == 1.0 and grade.provisional  # not the task's own cap
    for bad in (0, -3, True, 2.5, "9"):
        with pytest.raises(ValueError, match=f"max_steps: must be a positive integer, got {bad!r}"):
            TriageGymEnv("faithful_5", max_steps=bad)  # type: ignore[arg-type]
