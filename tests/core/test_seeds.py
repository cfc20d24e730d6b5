"""The held-out seed rule (``govworkflow.core.seeds``), proved for every task of every
environment: no seed that training, imitation, validation or the gym adapter's episode
draws use lies in the task's evaluation set."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from govworkflow.core.errors import BadValueError
from govworkflow.core.seeds import SeedSets, development_only
from govworkflow.office.rulesets import RULESETS
from govworkflow.triage.tasks import TASKS as TRIAGE_TASKS

pytest.importorskip("sb3_contrib")

from govworkflow.gym import GovWorkflowGymEnv, development_seeds
from govworkflow.gym.triage import TriageGymEnv
from govworkflow.training.ppo import (
    TrainArgs,
    first_episode,
    fit,
    office_target,
    training_seeds,
)
from govworkflow.training.triage import TriageTrainArgs, triage_target

OFFICE = [(name, task_id) for name, rs in RULESETS.items() for task_id in rs.tasks]
TRIAGE = list(TRIAGE_TASKS)


def _disjoint(seeds: range | list[int], sets: SeedSets) -> bool:
    e = sets.evaluation
    return (
        not any(s in e for s in seeds)
        if isinstance(seeds, list)
        else max(seeds.start, e.start) >= min(seeds.stop, e.stop)
    )


def test_every_environment_has_tasks_here() -> None:
    assert {"legacy", "standard"} <= set(RULESETS)
    assert len(OFFICE) >= 7 and len(TRIAGE) >= 6


@pytest.mark.parametrize(("ruleset", "task_id"), OFFICE)
def test_office_training_never_sees_evaluation_seeds(ruleset: str, task_id: str) -> None:
    task = RULESETS[ruleset].task(task_id)
    assert len(task.seeds.evaluation) >= 100 and task.seed not in task.seeds.evaluation
    # the largest counts the command line allows are still development seeds
    args = TrainArgs(task=task_id, ruleset=ruleset, imitate="sla_aware", imitation_episodes=5000,
                     eval_episodes=500, n_envs=16, seed=12345)  # fmt: skip
    target = office_target(args)
    uses = training_seeds(target, args)
    assert uses["imitation seeds"] and uses["validation seeds"] and uses["first training episodes"]
    for seeds in uses.values():
        assert _disjoint(seeds, task.seeds)
    assert _disjoint(development_seeds(task), task.seeds)  # every later episode the adapter draws
    env = GovWorkflowGymEnv(task_id, ruleset)
    env.reset(seed=7)
    drawn = [env.office.simulator.seed for _ in range(20) if env.reset() is not None]
    assert drawn and not any(s in task.seeds.evaluation for s in drawn)


@pytest.mark.parametrize("task_id", TRIAGE)
def test_triage_training_never_sees_evaluation_seeds(task_id: str) -> None:
    task = TRIAGE_TASKS[task_id]
    assert len(task.seeds.evaluation) >= 100 and task.seed not in task.seeds.evaluation
    args = TriageTrainArgs(task=task_id, imitate="edf", imitation_episodes=5000, eval_episodes=500, n_envs=16)
    target = triage_target(args)
    uses = training_seeds(target, args)
    assert uses["imitation seeds"] and uses["validation seeds"]
    for seeds in uses.values():
        assert _disjoint(seeds, task.seeds)
    env = TriageGymEnv(task_id)
    env.reset(seed=7)
    drawn = [env.triage.simulator.seed for _ in range(20) if env.reset() is not None]
    assert drawn and not any(s in task.seeds.evaluation for s in drawn)


@given(st.integers(0, 2**40))
def test_the_first_training_episode_is_always_a_development_seed(env_seed: int) -> None:
    for sets in [t.seeds for rs in RULESETS.values() for t in rs.tasks.values()]:
        episode = first_episode(sets, env_seed)
        assert episode in sets.development and episode not in sets.evaluation


def test_first_episodes_of_the_shipped_runs_are_their_env_seeds() -> None:
    # development ranges start at 0, so ``--seed 1`` still starts on episodes 1000, 1001, …
    sets = RULESETS["standard"].task("district_backlog_easy").seeds
    assert [first_episode(sets, 1000 + i) for i in range(4)] == [1000, 1001, 1002, 1003]


def test_a_held_out_seed_is_refused_by_name() -> None:
    sets = RULESETS["legacy"].task("cross_department_hard").seeds
    assert development_only([1, 2, 99_999], sets, "validation seeds") == [1, 2, 99_999]
    with pytest.raises(BadValueError, match=r"validation seeds: 2 seed\(s\) lie in the held-out evaluation set "
                       r"100000\.\.100099 \(100000, 100001\)"):  # fmt: skip
        development_only([5, 100_000, np.int64(100_001)], sets, "validation seeds")


def test_fit_refuses_a_target_that_validates_on_held_out_seeds(tmp_path: Path) -> None:
    args = TrainArgs(task="district_backlog_easy", ruleset="legacy", imitate=None, timesteps=64, n_steps=32,
                     batch_size=32, eval_every=0, out_dir=tmp_path, progress=False)  # fmt: skip
    target = office_target(args)
    target = dataclasses.replace(target, validation_seeds=[*target.validation_seeds[:2], target.seeds.evaluation.start])
    with pytest.raises(BadValueError, match="validation seeds: 1 seed"):
        fit(args, target)
    assert not any(tmp_path.rglob("*.json")) and not any(tmp_path.rglob("*.zip"))  # nothing written


def test_overlapping_or_small_seed_sets_are_refused() -> None:
    with pytest.raises(ValueError, match="overlaps the development range"):
        SeedSets.model_validate({"development": {"start": 0, "stop": 500}, "evaluation": {"start": 400, "stop": 600}})
    with pytest.raises(ValueError, match="needs at least 100 seeds"):
        SeedSets.model_validate({"development": {"start": 0, "stop": 50}, "evaluation": {"start": 50, "stop": 60}})
    sets = SeedSets.model_validate({"development": {"start": 0, "stop": 50}, "evaluation": {"start": 50, "stop": 150}})
    assert sets.range("dev") == range(0, 50) and sets.range("evaluation") == range(50, 150)
    with pytest.raises(ValueError, match="unknown seed set 'test'"):
        sets.range("test")


@pytest.mark.parametrize("seed", [1, 100_000, 99_998, 900_000])
def test_training_plays_development_episodes_whatever_seed_sb3_passes(seed: int) -> None:
    """SB3 seeds vectorised envs with ``reset(seed=seed + i)``, which the adapters read as
    "play episode seed + i": the training wrapper turns it into a development episode."""
    from sb3_contrib import MaskablePPO
    from stable_baselines3.common.vec_env import DummyVecEnv

    from govworkflow.training.ppo import training_env
    from govworkflow.training.triage import triage_target

    office = office_target(TrainArgs(task="district_backlog_easy", ruleset="legacy", seed=seed, n_envs=2))
    triage = triage_target(TriageTrainArgs(task="overload_12", seed=seed, n_envs=2))
    for target in (office, triage):
        env = DummyVecEnv([lambda i=i, t=target: training_env(t, seed * 1000 + i) for i in range(2)])  # type: ignore[misc]
        MaskablePPO("MlpPolicy", env, seed=seed, n_steps=8, batch_size=8, device="cpu")
        env.reset()  # what learn() does first: reset(seed=seed + i) on each env
        played = [e.unwrapped.office.simulator.seed if hasattr(e.unwrapped, "office") else
                  e.unwrapped.triage.simulator.seed for e in env.envs]  # fmt: skip
        assert played and not any(s in target.seeds.evaluation for s in played), played
        for _ in range(60):  # later episodes (auto-reset without a seed) stay development seeds too
            env.step(np.array([int(np.flatnonzero(m)[0]) for m in env.env_method("action_masks")]))
        played = [e.unwrapped.office.simulator.seed if hasattr(e.unwrapped, "office") else
                  e.unwrapped.triage.simulator.seed for e in env.envs]  # fmt: skip
        assert not any(s in target.seeds.evaluation for s in played), played
    with pytest.raises(BadValueError, match="a training episode: 1 seed"):
        training_env(office, 7).reset(options={"episode_seed": 100_000})
