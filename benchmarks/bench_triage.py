"""Ticket triage speed, per task: the simulator, the gym adapter, the exact oracle, PPO.

Rows, each the best of ``--repeats`` timed batches over the task's first ``--episodes``
evaluation seeds (best-of filters out noise from other processes):

* ``sim + edf``: the native loop (``TriageSimulator.step`` with earliest deadline first),
  steps/s. The reference the other rows are compared with.
* ``gym + random``: ``TriageGymEnv`` with a uniformly random valid slot (the 187 features
  of every observation included), steps/s and its cost relative to the native loop.
* ``oracle``: the exact dynamic programme over ticket subsets, milliseconds per instance,
  with its cache cleared before every batch, and what one solve costs in native steps.
* ``ppo``: the shipped model acting deterministically through ``run_episode`` (encoder and
  a torch forward per step), steps/s; skipped for a task without a shipped model.

    python benchmarks/bench_triage.py [--episodes 100] [--repeats 3] [--no-ppo]
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from govworkflow.evaluation import run_episode
from govworkflow.gym.triage import TriageGymEnv
from govworkflow.training.policy import PPOPolicy
from govworkflow.triage import TASKS, TRIAGE, TriageSimulator, generate, make_policy, oracle_reward
from govworkflow.triage.oracle import clear_cache


def best_rate(batch: Callable[..., int], repeats: int, *args: Any) -> tuple[float, int]:
    """(best units per second over ``repeats`` calls of ``batch(*args)``, units per call)."""
    best, units = 0.0, 0
    for _ in range(repeats):
        start = time.perf_counter()
        units = batch(*args)
        best = max(best, units / (time.perf_counter() - start))
    return best, units


def row(task_id: str, name: str, units: int, rate: str, relative: str) -> None:
    print(f"{task_id:<16}{name:<14}{units:>8}{rate:>16}{relative:>16}")


def sim_steps(task_id: str, seeds: list[int]) -> int:
    edf, steps = make_policy("edf"), 0
    for seed in seeds:
        sim = TriageSimulator(generate(task_id, seed))
        while not sim.done:
            sim.step(edf.act(sim.observe(), sim))
        steps += sim.steps
    return steps


def gym_steps(task_id: str, seeds: list[int]) -> int:
    env, rng, steps = TriageGymEnv(task_id), np.random.default_rng(0), 0
    for seed in seeds:
        _, info = env.reset(seed=seed)
        done = False
        while not done:
            action = rng.choice(np.flatnonzero(info["action_mask"]))
            _, _, terminated, truncated, info = env.step(action)
            done, steps = terminated or truncated, steps + 1
    return steps


def oracle_solves(task_id: str, seeds: list[int]) -> int:
    clear_cache()  # every instance solved afresh in every batch
    for seed in seeds:
        oracle_reward(generate(task_id, seed))
    return len(seeds)


def ppo_steps(task_id: str, seeds: list[int], policy: PPOPolicy) -> int:
    return sum(run_episode(TRIAGE, task_id, policy, seed).steps for seed in seeds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=100, help="episodes (instances) per timed batch")
    parser.add_argument("--repeats", type=int, default=3, help="timed batches per row (best kept)")
    parser.add_argument("--no-ppo", action="store_true", help="skip the PPO rows (no torch import)")
    args = parser.parse_args()
    if args.episodes < 1 or args.repeats < 1:
        parser.error(f"--episodes and --repeats must be at least 1, got {args.episodes} and {args.repeats}")
    ppo = PPOPolicy()
    print(f"python {platform.python_version()} on {platform.machine()}; best of {args.repeats} batches")
    print(f"{'task':<16}{'row':<14}{'units':>8}{'rate':>16}{'vs sim + edf':>16}")
    for task_id in TASKS:
        seeds = TASKS[task_id].seeds.take("evaluation", args.episodes)
        oracle_reward(
            generate(task_id, TASKS[task_id].seeds.take("development", 1)[0])
        )  # first-call costs out of the timings
        native, units = best_rate(sim_steps, args.repeats, task_id, seeds)
        row(task_id, "sim + edf", units, f"{native:,.0f} st/s", "1.00x")
        rate, units = best_rate(gym_steps, args.repeats, task_id, seeds)
        row(task_id, "gym + random", units, f"{rate:,.0f} st/s", f"{native / rate:.2f}x slower")
        rate, units = best_rate(oracle_solves, args.repeats, task_id, seeds)
        row(task_id, "oracle", units, f"{1000 / rate:.2f} ms/i", f"= {native / rate:,.0f} steps")
        if args.no_ppo or not ppo.available("triage", task_id):
            continue
        ppo_steps(task_id, seeds[:1], ppo)  # load the model outside the timings
        rate, units = best_rate(ppo_steps, args.repeats, task_id, seeds, ppo)
        row(task_id, "ppo", units, f"{rate:,.0f} st/s", f"{native / rate:.2f}x slower")


if __name__ == "__main__":
    main()
