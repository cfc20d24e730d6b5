"""Contract tests over every registered id: checkers, determinism, pickling, masks."""

from __future__ import annotations

import pickle
import re
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

from govworkflow.gym import GovWorkflowGymEnv, ObservationEncoder, action_table, registered_ids
from govworkflow.office.rulesets import RULESETS

IDS = sorted(registered_ids())


@pytest.mark.parametrize("env_id", IDS)
def test_checkers_pass_without_warnings(env_id: str) -> None:
    env = gym.make(env_id).unwrapped
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env, skip_render_check=False)
        sb3_check_env(env, warn=True)


@pytest.mark.parametrize("env_id", IDS)
def test_two_envs_same_seed_same_rollout(env_id: str) -> None:
    a, b = gym.make(env_id), gym.make(env_id)
    oa, ia = a.reset(seed=123)
    ob, ib = b.reset(seed=123)
    rng = np.random.default_rng(0)
    for _ in range(150):
        assert np.array_equal(oa, ob)
        assert np.array_equal(ia["action_mask"], ib["action_mask"])
        action = int(rng.choice(np.flatnonzero(ia["action_mask"])))
        oa, ra, ta, tra, ia = a.step(action)
        ob, rb, tb, trb, ib = b.step(action)
        assert (ra, ta, tra) == (rb, tb, trb)
        if ta or tra:
            break


def test_reset_without_seed_draws_development_episodes_deterministically() -> None:
    a, b = gym.make(IDS[0]), gym.make(IDS[0])
    a.reset(seed=7)
    b.reset(seed=7)
    seeds_a = [a.unwrapped.office.simulator.seed for _ in range(5) if a.reset() is not None]
    seeds_b = [b.unwrapped.office.simulator.seed for _ in range(5) if b.reset() is not None]
    assert seeds_a == seeds_b
    assert len(set(seeds_a)) > 1


@pytest.mark.parametrize("env_id", IDS[:2])
def test_pickling_keeps_the_episode(env_id: str) -> None:
    env = gym.make(env_id).unwrapped
    env.reset(seed=3)
    for a in (0, 1, 0):
        env.step(a)
    clone = pickle.loads(pickle.dumps(env))
    for a in (0, 5, 0, 0):
        o1, r1, *_ = env.step(a)
        o2, r2, *_ = clone.step(a)
        assert np.array_equal(o1, o2)
        assert r1 == r2


@pytest.mark.parametrize("ruleset", list(RULESETS))
def test_masks_match_the_kernel_exactly(ruleset: str) -> None:
    """Masked-in actions are all valid; masked-out ones are all invalid (checked by stepping)."""
    task_id = next(iter(RULESETS[ruleset].tasks))
    env = GovWorkflowGymEnv(task_id, ruleset)
    rng = np.random.default_rng(1)
    _, info = env.reset(seed=11)
    for _ in range(60):
        mask = env.action_masks()
        assert np.array_equal(mask, info["action_mask"])
        for index in rng.choice(len(mask), size=12, replace=False):
            probe = pickle.loads(pickle.dumps(env))
            _, _, _, _, probe_info = probe.step(int(index))
            assert probe_info["valid"] == bool(mask[index]), action_table()[index]
        _, _, terminated, truncated, info = env.step(int(rng.choice(np.flatnonzero(mask))))
        assert info["valid"]
        if terminated or truncated:
            break


def test_grade_reward_sums_to_the_score_gain() -> None:
    env = GovWorkflowGymEnv("district_backlog_easy", "legacy", reward="grade")
    _, info = env.reset(seed=11)
    start, total, done = info["score"], 0.0, False
    while not done:
        _, reward, terminated, truncated, info = env.step(0)
        total += float(reward)
        done = terminated or truncated
    assert total == pytest.approx(info["score"] - start, abs=1e-9)


def test_bad_arguments_name_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown reward 'money'; valid choices: grade, simulator"):
        GovWorkflowGymEnv("district_backlog_easy", "legacy", reward="money")
    env = GovWorkflowGymEnv("district_backlog_easy", "legacy")
    env.reset(seed=1)
    with pytest.raises(ValueError, match="outside Discrete"):
        env.step(999)
    steps = env.office.simulator.steps
    for bad in (True, np.bool_(False), 1.0):
        with pytest.raises(ValueError, match=f"action {bad!r} is outside Discrete"):
            env.step(bad)  # type: ignore[arg-type]
    assert env.office.simulator.steps == steps
    for bad_seed in (-1, 3.7, "abc", True):
        with pytest.raises(ValueError, match=r"options\['episode_seed'\]: must be a non-negative integer"):
            env.reset(options={"episode_seed": bad_seed})
    day = env.office.simulator.day
    with pytest.raises(
        ValueError, match=r"options: unknown key\(s\) \['bogus'\]; reset takes options\['episode_seed'\] only"
    ):
        env.reset(options={"bogus": 1, "episode_seed": 3})
    assert env.office.simulator.day == day  # a refused reset changes nothing


def test_docstring_spaces_match_the_code() -> None:
    doc = GovWorkflowGymEnv.__doc__ or ""
    assert f"``Discrete({len(action_table())})``" in doc
    for ruleset in RULESETS:
        size = ObservationEncoder(ruleset).size
        assert re.search(rf"{ruleset} ``Box\(0\.0, 1\.0, \({size},\), float32\)``", doc), (ruleset, size)
        env = GovWorkflowGymEnv(next(iter(RULESETS[ruleset].tasks)), ruleset)
        assert env.observation_space == gym.spaces.Box(0.0, 1.0, (size,), np.float32)
    for section in ("Description", "Action Space", "Observation Space", "Rewards", "Grading", "Starting State",
                    "Episode End", "Arguments", "Version History"):  # fmt: skip
        assert f"## {section}" in doc


def test_feature_names_cover_the_vector() -> None:
    for ruleset in RULESETS:
        enc = ObservationEncoder(ruleset)
        assert len(enc.names()) == enc.size == len(set(enc.names()))


def test_a_refused_reset_leaves_the_generator_alone() -> None:
    a, b = GovWorkflowGymEnv("district_backlog_easy", "legacy"), GovWorkflowGymEnv("district_backlog_easy", "legacy")
    a.reset(seed=7)
    b.reset(seed=7)
    with pytest.raises(ValueError, match="episode_seed"):
        b.reset(seed=8, options={"episode_seed": -1})  # would reseed the generator with 8 before refusing
    a.reset()
    b.reset()
    assert a.office.simulator.seed == b.office.simulator.seed
