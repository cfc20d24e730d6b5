"""The office's gym adapter against CartPole, in one process: step cost and PPO throughput.

Rows (each the best of ``--repeats`` timed batches, which filters out noise from other
processes):

* ``CartPole-v1``: ``gymnasium.make("CartPole-v1")`` stepped with random actions; the
  reference cost of one gym step.
* ``<Task>-v1``: ``gymnasium.make("govworkflow/<Task>-v1")`` stepped with a uniformly
  random valid action (``info["action_mask"]``), resetting when an episode ends: its cost
  as a multiple of CartPole's.
* ``PPO on CartPole`` and ``MaskablePPO on <Task>``: frames per second of
  ``model.learn`` with the same network (``--net 64 64``), ``n_steps`` and batch size,
  after one warm-up rollout; our env's fps as a share of CartPole's.
* ``MaskablePPO on a zero-cost env``: the same, on an env with our spaces that costs
  nothing (a constant observation, every action valid): the most MaskablePPO can reach
  with these spaces, network and ``n_steps`` on this machine, whatever the env.
* ``--vec N``: MaskablePPO with ``N`` envs in a ``DummyVecEnv`` and in a ``SubprocVecEnv``
  (``make_vec_env``), to show what vectorising buys on this machine.

``--before REV`` first runs the same rows with the package as it was at git revision
``REV`` (exported to a temporary folder and imported from there, in a subprocess of
this run), so a change is shown before and after, each against its own CartPole.

    python benchmarks/bench_gym.py [--task cross_department_hard] [--steps 20000] [--ppo-steps 4096] [--vec 2]
                                   [--before REV]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

import govworkflow.gym  # noqa: F401 - registers the ids
from govworkflow.gym.registration import env_id


def best(repeats: int, batch: Callable[[], int]) -> float:
    """Best units per second over ``repeats`` calls of ``batch``."""
    rate = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        units = batch()
        rate = max(rate, units / (time.perf_counter() - start))
    return rate


def cartpole_steps(n: int) -> Callable[[], int]:
    env = gym.make("CartPole-v1")
    env.reset(seed=0)
    space = env.action_space
    space.seed(0)

    def batch() -> int:
        for _ in range(n):
            _, _, terminated, truncated, _ = env.step(space.sample())
            if terminated or truncated:
                env.reset()
        return n

    return batch


def office_steps(task_id: str, n: int) -> Callable[[], int]:
    env = gym.make(env_id(task_id, "standard", short=True))
    rng = np.random.default_rng(0)
    _, info = env.reset(seed=0)
    state = {"info": info}

    def batch() -> int:
        info = state["info"]
        for _ in range(n):
            action = int(rng.choice(np.flatnonzero(info["action_mask"])))
            _, _, terminated, truncated, info = env.step(action)
            if terminated or truncated:
                _, info = env.reset()
        state["info"] = info
        return n

    return batch


class ZeroCostEnv(gym.Env):
    """An env with the spaces of ``like`` that costs nothing: a constant observation, every
    action valid, 150-step episodes."""

    def __init__(self, like: gym.Env) -> None:
        self.observation_space = like.observation_space
        self.action_space = like.action_space
        self._obs = np.zeros(like.observation_space.shape, dtype=np.float32)
        self._mask = np.ones(int(like.action_space.n), dtype=bool)
        self._t = 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        self._t = 0
        return self._obs, {}

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict]:
        self._t += 1
        return self._obs, 0.0, False, self._t >= 150, {}

    def action_masks(self) -> np.ndarray:
        return self._mask


def learn_fps(make_model: Callable[[], Any], timesteps: int) -> Callable[[], int]:
    model = make_model()
    model.learn(model.n_steps * model.n_envs)  # warm-up: first rollout, torch's first calls

    def batch() -> int:
        model.learn(timesteps, reset_num_timesteps=False)
        return timesteps

    return batch


def before(rev: str, argv: list[str]) -> None:
    """Run this benchmark on the package of git revision ``rev`` (in a subprocess)."""
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", rev, "govworkflow"], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        env = {**os.environ, "PYTHONPATH": tmp}
        print(f"-- before: govworkflow at {rev}")
        subprocess.run([sys.executable, __file__, *argv], env=env, check=True)
        print("-- after: this tree")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="cross_department_hard")
    parser.add_argument("--steps", type=int, default=20000, help="gym steps per timed batch")
    parser.add_argument("--ppo-steps", type=int, default=4096, help="timesteps per timed learn() batch (0: skip)")
    parser.add_argument("--n-steps", type=int, default=512, help="PPO rollout length")
    parser.add_argument("--net", type=int, nargs="+", default=[64, 64], help="hidden layers of both networks")
    parser.add_argument("--vec", type=int, default=0, help="also time N vectorised envs (0: skip)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--before", metavar="REV", help="also run the package of git revision REV first")
    args = parser.parse_args()
    if args.before:
        before(args.before, [a for a in sys.argv[1:] if a not in ("--before", args.before)])
    gid = env_id(args.task, "standard", short=True)
    import govworkflow

    print(f"python {platform.python_version()} on {platform.machine()}; best of {args.repeats} batches; "
          f"package from {Path(govworkflow.__file__).parent}")  # fmt: skip
    cart = best(args.repeats, cartpole_steps(args.steps))
    ours = best(args.repeats, office_steps(args.task, max(1, args.steps // 5)))
    print(f"{'CartPole-v1 (gym step)':<44}{cart:>12,.0f} steps/s")
    print(f"{gid + ' (gym step)':<44}{ours:>12,.0f} steps/s  {cart / ours:5.1f}x CartPole's step cost")
    if args.ppo_steps <= 0:
        return
    import torch
    from sb3_contrib import MaskablePPO
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

    from govworkflow.gym.office import GovWorkflowGymEnv

    torch.set_num_threads(1)
    common = {"n_steps": args.n_steps, "batch_size": 64, "n_epochs": 4, "seed": 0, "verbose": 0,
              "policy_kwargs": {"net_arch": list(args.net)}, "device": "cpu"}  # fmt: skip
    ppo = best(1, learn_fps(lambda: PPO("MlpPolicy", gym.make("CartPole-v1"), **common), args.ppo_steps))
    masked = best(1, learn_fps(lambda: MaskablePPO("MlpPolicy", gym.make(gid), **common), args.ppo_steps))
    free = best(1, learn_fps(lambda: MaskablePPO("MlpPolicy", ZeroCostEnv(gym.make(gid)), **common), args.ppo_steps))
    print(f"{'PPO on CartPole-v1':<44}{ppo:>12,.0f} fps")
    print(f"{'MaskablePPO on ' + args.task:<44}{masked:>12,.0f} fps  {masked / ppo:6.0%} of CartPole's")
    print(f"{'MaskablePPO on a zero-cost env, same spaces':<44}{free:>12,.0f} fps  {free / ppo:6.0%} of CartPole's"
          "  (the most any env with these spaces reaches)")  # fmt: skip
    for vec_cls in (DummyVecEnv, SubprocVecEnv) if args.vec > 1 else ():

        def make(vec_cls: Any = vec_cls) -> Any:
            venv = make_vec_env(GovWorkflowGymEnv, args.vec, seed=0, env_kwargs={"task_id": args.task},
                                vec_env_cls=vec_cls)  # fmt: skip
            return MaskablePPO("MlpPolicy", venv, **{**common, "n_steps": args.n_steps // args.vec})

        fps = best(1, learn_fps(make, args.ppo_steps))
        print(f"{'MaskablePPO, ' + str(args.vec) + ' envs, ' + vec_cls.__name__:<44}{fps:>12,.0f} fps  "
              f"{fps / masked:5.2f}x one env")  # fmt: skip


if __name__ == "__main__":
    main()
