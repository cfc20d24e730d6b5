"""Steps per second of the nine legacy (task x policy) episodes at their default seeds.

Each episode runs the real loop (observe -> policy -> step) on the simulator, as the
published benchmark's loop did; each row is the best of ``--repeats`` timed batches, which
filters out noise from other processes. The benchmark this ruleset reproduces ran about
6,500 steps/s for cross_department_hard x backlog_clearance on this machine class; the
last column is the ratio to that figure.

    python benchmarks/bench_legacy.py [--episodes 200] [--repeats 5]
"""

from __future__ import annotations

import argparse
import platform
import time

from govworkflow.office.policies.heuristics import HEURISTICS
from govworkflow.office.rulesets import get_ruleset

REFERENCE_STEPS_PER_S = 6_500.0  # published benchmark, cross_department_hard x backlog_clearance


def measure(task_id: str, policy_name: str, episodes: int, repeats: int) -> tuple[int, float]:
    rs = get_ruleset("legacy")
    policy = rs.policy(policy_name)
    best = 0.0
    steps = 0
    for _ in range(repeats):
        start = time.perf_counter()
        total = 0
        for _ in range(episodes):
            sim = rs.make(task_id)
            policy.reset(sim.seed)
            act, step, observe = policy.act, sim.step, sim.observe
            while not sim.done:
                step(act(observe(), sim))
            total += sim.steps
        best = max(best, total / (time.perf_counter() - start))
        steps = total // episodes
    return steps, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=200, help="episodes per timed batch")
    parser.add_argument("--repeats", type=int, default=5, help="timed batches per row (best kept)")
    args = parser.parse_args()
    rs = get_ruleset("legacy")
    print(
        f"python {platform.python_version()} on {platform.machine()}; best of {args.repeats} x {args.episodes} episodes"
    )
    print(f"{'task':<24}{'policy':<20}{'steps':>6}{'steps/s':>12}{'x 6,500':>9}")
    for task_id in rs.tasks:
        for policy_name in HEURISTICS:  # the published three (the ladder has slower policies)
            steps, rate = measure(task_id, policy_name, args.episodes, args.repeats)
            print(f"{task_id:<24}{policy_name:<20}{steps:>6}{rate:>12,.0f}{rate / REFERENCE_STEPS_PER_S:>9.1f}")


if __name__ == "__main__":
    main()
