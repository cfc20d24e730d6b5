"""Masks survive vectorisation: MaskablePPO on ``make_vec_env`` (in-process and in worker
processes) asks every env for its mask and never plays an invalid action."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sb3_contrib import MaskablePPO
from sb3_contrib.common.maskable.utils import get_action_masks
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

from govworkflow.gym.office import GovWorkflowGymEnv


class _Watch(BaseCallback):
    """Counts the steps played and the invalid ones among them."""

    def __init__(self) -> None:
        super().__init__()
        self.steps = self.invalid = 0

    def _on_step(self) -> bool:
        infos: list[dict[str, Any]] = self.locals["infos"]
        self.steps += len(infos)
        self.invalid += sum(not info["valid"] for info in infos)
        return True


@pytest.mark.parametrize("vec_env_cls", [DummyVecEnv, pytest.param(SubprocVecEnv, marks=pytest.mark.slow)])
def test_masks_reach_maskable_ppo_through_a_vectorised_env(vec_env_cls: type) -> None:
    venv = make_vec_env(GovWorkflowGymEnv, n_envs=2, seed=3, vec_env_cls=vec_env_cls,
                        env_kwargs={"task_id": "mixed_urgency_medium"})  # fmt: skip
    try:
        venv.reset()
        masks = get_action_masks(venv)
        assert masks.shape == (2, 85) and masks.dtype == bool
        assert masks[:, 0].all() and not masks.all()  # advancing is always valid; some actions are not
        model = MaskablePPO("MlpPolicy", venv, n_steps=64, batch_size=64, n_epochs=1, seed=0, verbose=0,
                            policy_kwargs={"net_arch": [16]}, device="cpu")  # fmt: skip
        watch = _Watch()
        model.learn(256, callback=watch)
        assert watch.steps >= 256
        assert watch.invalid == 0  # every sampled action was valid in its own env
        mask_now = get_action_masks(venv)
        for i, mask in enumerate(mask_now):
            assert np.array_equal(mask, venv.env_method("action_masks", indices=[i])[0])
    finally:
        venv.close()


@pytest.mark.slow
def test_an_unmasked_policy_does_play_invalid_actions() -> None:
    """The check above can fail: without masks, PPO samples invalid actions."""
    from stable_baselines3 import PPO

    venv = make_vec_env(GovWorkflowGymEnv, n_envs=2, seed=3, env_kwargs={"task_id": "mixed_urgency_medium"})
    model = PPO("MlpPolicy", venv, n_steps=64, batch_size=64, n_epochs=1, seed=0, verbose=0,
                policy_kwargs={"net_arch": [16]}, device="cpu")  # fmt: skip
    watch = _Watch()
    model.learn(256, callback=watch)
    venv.close()
    assert watch.invalid > 0
