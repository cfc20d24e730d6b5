"""Episodes/s and steps/s of the standard ruleset, per task.

The first table is the simulator's own step cost against CartPole's, in this process:
``gymnasium.make("CartPole-v1")`` stepped with random actions, then, per task, the
standard simulator played by ``sla_aware`` (observe -> act -> step, no replay, no grade),
each the best of ``--repeats`` timed batches: a standard step's cost in CartPole steps,
and what it would be if the simulated day cost nothing (``day free``: the time inside
``Office._advance_day`` taken off; what is left is the policy, the observation and the
action's checks).

Each row plays ``--episodes`` episodes (held-out seeds) of one policy through
``govworkflow.run_episode`` (the real loop: observe -> policy -> step, grade at the end)
and keeps the best of ``--repeats`` timed batches, which filters out noise from other
processes. ``ladder`` is the cheap ladder (every policy but the look-ahead), one
episode each in turn; the look-ahead is timed separately with ``--lookahead``.

The second table is the cost of grading v1, per task, with ``sla_aware``: episodes/s of
the play alone (the reference, in the same process), of the play and its settled grade,
and of ``run_episode`` (play, replay of the actions on a fresh simulator, settled grade),
each with its ratio to the play alone.

    python benchmarks/bench_standard.py [--episodes 50] [--repeats 3] [--lookahead]
"""

from __future__ import annotations

import argparse
import platform
import time

from _timing import clocked

from govworkflow.evaluation import run_episode
from govworkflow.evaluation.leaderboard import LOOKAHEAD, evaluation_seeds
from govworkflow.office.rulesets import get_ruleset
from govworkflow.office.rulesets.standard.dynamics import Office


def measure(task_id: str, policies: list[str], episodes: int, repeats: int) -> tuple[float, float, float]:
    """(mean steps per episode, episodes/s, steps/s), best of ``repeats``."""
    rs = get_ruleset("standard")
    seeds = evaluation_seeds(rs.task(task_id))[:episodes]
    best_eps = best_steps = 0.0
    mean_steps = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        steps = 0
        for k, seed in enumerate(seeds):
            policy = rs.policy(policies[k % len(policies)])
            steps += run_episode(rs, task_id, policy, seed).steps
        elapsed = time.perf_counter() - start
        best_eps = max(best_eps, len(seeds) / elapsed)
        best_steps = max(best_steps, steps / elapsed)
        mean_steps = steps / len(seeds)
    return mean_steps, best_eps, best_steps


def cartpole_rate(steps: int, repeats: int) -> float:
    """CartPole-v1 steps/s with random actions, best of ``repeats``."""
    import gymnasium as gym

    env = gym.make("CartPole-v1")
    env.reset(seed=0)
    space = env.action_space
    space.seed(0)
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            _, _, terminated, truncated, _ = env.step(space.sample())
            if terminated or truncated:
                env.reset()
        best = max(best, steps / (time.perf_counter() - start))
    return best


def play_rate(task_id: str, episodes: int, repeats: int) -> tuple[float, float]:
    """Steps/s of the simulator played by ``sla_aware``, and the steps/s it would have if
    the simulated day (``Office._advance_day``: arrivals, work, breaches, the day's views)
    cost nothing; both from the best of ``repeats``."""
    rs = get_ruleset("standard")
    seeds = evaluation_seeds(rs.task(task_id))[:episodes]
    best = (0.0, 0.0)
    with clocked(Office, "_advance_day") as day:
        for _ in range(repeats):
            steps = 0
            day.reset()
            start = time.perf_counter()
            for seed in seeds:
                sim = rs.make(task_id, seed)
                policy = rs.policy("sla_aware")
                policy.reset(seed)
                act, step, observe = policy.act, sim.step, sim.observe
                while not sim.done:
                    step(act(observe(), sim))
                steps += sim.steps
            elapsed = time.perf_counter() - start
            best = max(best, (steps / elapsed, steps / (elapsed - day.seconds)))
    return best


def grading_cost(task_id: str, episodes: int, repeats: int) -> tuple[float, float, float]:
    """Episodes/s of (play alone, play + settled grade, run_episode), best of ``repeats``."""
    rs = get_ruleset("standard")
    seeds = evaluation_seeds(rs.task(task_id))[:episodes]

    def play(seed: int, graded: bool) -> None:
        sim = rs.make(task_id, seed)
        policy = rs.policy("sla_aware")
        policy.reset(seed)
        while not sim.done:
            sim.step(policy.act(sim.observe(), sim))
        if graded:
            sim.grade()

    best = [0.0, 0.0, 0.0]
    for _ in range(repeats):
        for k, run in enumerate(
            (
                lambda s: play(s, False),
                lambda s: play(s, True),
                lambda s: run_episode(rs, task_id, rs.policy("sla_aware"), s),
            )
        ):
            start = time.perf_counter()
            for seed in seeds:
                run(seed)
            best[k] = max(best[k], len(seeds) / (time.perf_counter() - start))
    return best[0], best[1], best[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=50, help="episodes per timed batch")
    parser.add_argument("--repeats", type=int, default=3, help="timed batches per row (best kept)")
    parser.add_argument("--lookahead", action="store_true", help=f"also time {LOOKAHEAD} (slow)")
    args = parser.parse_args()
    rs = get_ruleset("standard")
    ladder = [p for p in rs.policies if p != LOOKAHEAD]
    rows: list[tuple[str, list[str], int]] = [("sla_aware", ["sla_aware"], args.episodes)]
    rows.append(("ladder", ladder, args.episodes))
    if args.lookahead:
        rows.append((LOOKAHEAD, [LOOKAHEAD], max(2, args.episodes // 10)))
    print(f"python {platform.python_version()} on {platform.machine()}; best of {args.repeats} batches")
    cart = cartpole_rate(max(1000, 400 * args.episodes), args.repeats)
    print(f"{'CartPole-v1 (random actions)':<50}{cart:>10,.0f}")
    print(f"{'':<50}{'steps/s':>10}{'x CartPole':>12}{'day free':>10}")
    for task_id in rs.tasks:
        rate, free = play_rate(task_id, args.episodes, args.repeats)
        print(f"{task_id + ' (sla_aware, play)':<50}{rate:>10,.0f}{cart / rate:>11.1f}x{cart / free:>9.1f}x")
    print()
    print(f"{'task':<32}{'policy':<18}{'episodes':>9}{'steps/ep':>9}{'episodes/s':>12}{'steps/s':>10}")
    for task_id in rs.tasks:
        for label, policies, episodes in rows:
            steps, eps, sps = measure(task_id, policies, episodes, args.repeats)
            print(f"{task_id:<32}{label:<18}{episodes:>9}{steps:>9.0f}{eps:>12,.1f}{sps:>10,.0f}")
    print()
    print("grading v1, sla_aware: episodes/s (ratio to the play alone)")
    print(f"{'task':<32}{'play':>10}{'+ settled grade':>22}{'run_episode (replay)':>26}")
    for task_id in rs.tasks:
        bare, graded, full = grading_cost(task_id, args.episodes, args.repeats)
        print(f"{task_id:<32}{bare:>10,.1f}{graded:>14,.1f} ({graded / bare:.2f}x){full:>18,.1f} ({full / bare:.2f}x)")


if __name__ == "__main__":
    main()
