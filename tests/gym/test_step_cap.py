"""The step cap has one owner, the simulator: no ``TimeLimit``, ``max_steps`` decides truncation."""

from __future__ import annotations

import gymnasium as gym
import pytest
from gymnasium.wrappers import TimeLimit

from govworkflow.gym import action_table, registered_ids
from govworkflow.office.env import GovWorkflowEnv
from govworkflow.office.rulesets import RULESETS

LEGACY_ID = "govworkflow/LegacyCrossDepartmentHard-v0"
STANDARD_IDS = ["govworkflow/StandardCrossDepartmentHard-v1", "govworkflow/CrossDepartmentHard-v1"]
#: ``set_priority_mode(urgent_first)``: always valid, never advances the day by itself.
HOLD = 1


def wrappers(env: gym.Env) -> list[gym.Env]:
    """Every layer of ``env``, outermost first, down to the unwrapped env."""
    chain = [env]
    while isinstance(chain[-1], gym.Wrapper):
        chain.append(chain[-1].env)
    return chain


def play(env: gym.Env, action: int, seed: int, limit: int = 10_000) -> tuple[int, bool, bool]:
    """Steps ``action`` until the episode ends: (steps, terminated, truncated) of the last step."""
    env.reset(seed=seed)
    for n in range(1, limit + 1):
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            return n, bool(terminated), bool(truncated)
    raise AssertionError(f"no end within {limit} steps")


def native_steps(ruleset: str, task_id: str, max_steps: int | None, action: int, seed: int) -> tuple[int, bool, bool]:
    """The same play on the native env (the command line's and evaluation's simulator)."""
    env = GovWorkflowEnv(task_id, ruleset=ruleset, max_steps=max_steps)
    env.reset(seed=seed)
    act = action_table()[action]
    for n in range(1, 10_001):
        _, _, terminated, truncated, _ = env.step(act)
        if terminated or truncated:
            return n, bool(terminated), bool(truncated)
    raise AssertionError("no end within 10000 steps")


def test_no_id_is_registered_with_a_time_limit() -> None:
    for env_id in registered_ids():
        assert gym.spec(env_id).max_episode_steps is None, env_id


@pytest.mark.parametrize("env_id", [LEGACY_ID, *STANDARD_IDS])
@pytest.mark.parametrize("max_steps", [None, 37, 2_000])
def test_no_time_limit_wrapper_in_the_chain(env_id: str, max_steps: int | None) -> None:
    env = gym.make(env_id) if max_steps is None else gym.make(env_id, max_steps=max_steps)
    assert not any(isinstance(layer, TimeLimit) for layer in wrappers(env)), env
    assert env.spec is not None and env.spec.max_episode_steps is None
    ruleset = registered_ids()[env_id][0]
    expected = RULESETS[ruleset].default_max_steps if max_steps is None else max_steps
    env.reset(seed=0)
    assert env.unwrapped.office.simulator.max_steps == expected


@pytest.mark.parametrize("max_steps", [7, 321, 501, 1_200])
def test_legacy_id_plays_exactly_max_steps(max_steps: int) -> None:
    """The old registration capped at the ruleset's 500 whatever ``max_steps`` said."""
    assert RULESETS["legacy"].default_max_steps == 500
    env = gym.make(LEGACY_ID, max_steps=max_steps)
    assert play(env, HOLD, seed=4) == (max_steps, False, True)


def test_legacy_id_keeps_the_default_cap() -> None:
    env = gym.make(LEGACY_ID)
    assert play(env, HOLD, seed=4) == (500, False, True)
    assert play(env, HOLD, seed=4) == native_steps("legacy", "cross_department_hard", None, HOLD, 4)


@pytest.mark.parametrize("env_id", STANDARD_IDS)
@pytest.mark.parametrize("max_steps", [None, 37, 159, 1_000, 2_000])
def test_standard_id_truncates_at_the_cap_or_its_natural_end(env_id: str, max_steps: int | None) -> None:
    """Standard days end after ``actions_per_day`` actions, so holding ends the horizon at 160."""
    ruleset, task_id = registered_ids()[env_id]
    task = RULESETS[ruleset].task(task_id)
    natural_end = task.max_days * task.actions_per_day
    assert natural_end == 160
    env = gym.make(env_id) if max_steps is None else gym.make(env_id, max_steps=max_steps)
    cap = RULESETS[ruleset].default_max_steps if max_steps is None else max_steps
    played = play(env, HOLD, seed=2)
    assert played == (min(cap, natural_end), False, True)
    assert played == native_steps(ruleset, task_id, max_steps, HOLD, 2)


def test_standard_id_advancing_every_step_matches_the_native_env() -> None:
    """Advancing (action 0) each step: cut at 5, else the 40-day horizon ends it."""
    short = play(gym.make(STANDARD_IDS[0], max_steps=5), 0, seed=9)
    assert short == (5, False, True) == native_steps("standard", "cross_department_hard", 5, 0, 9)
    long = play(gym.make(STANDARD_IDS[0], max_steps=2_000), 0, seed=9)
    assert long == native_steps("standard", "cross_department_hard", 2_000, 0, 9)
    assert long[0] == 40
