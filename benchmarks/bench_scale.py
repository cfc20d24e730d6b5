"""Per-episode cost of a judging run, measured here, and what 100 submissions would cost.

Per standard task: mean steps per episode, then seconds per episode of the cheap ladder
(every ladder policy but the look-ahead, in turn), of the look-ahead, and of an LLM-like
stand-in (a submitted policy, ``file.py:Name``, that waits ``--latency`` seconds per step,
as an agent waiting on a model would, then plays ``sla_aware``). Then the stand-in through
a backend (``--backend local|ray``, ``--workers``): wall time of ``--workers`` x 2 episodes,
and the speed-up over one at a time (waiting overlaps; the simulator's CPU time does not).
From the ladder's and the look-ahead's costs, an estimate of the standard leaderboard's
ladder rows on ``--workers`` cores (a lower bound on the whole leaderboard, which adds
``ppo`` and the analytic bound), and the same with the time inside the simulated day
(``Office._advance_day``: arrivals, work, breaches, the settlement's days) taken off: a
bound on what a faster day alone could give.
Last, the extrapolation docs/scale.md explains: ``--submissions`` x 4 tasks x 100 held-out
seeds, in worker-hours (one CPU each) and in hours on ``--cluster-cpus`` workers.

    python benchmarks/bench_scale.py [--episodes 8] [--latency 0.05] [--backend ray] [--workers 2]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _timing import clocked

from govworkflow.evaluation import run_episode
from govworkflow.evaluation.backends import evaluate_on, get_backend
from govworkflow.evaluation.leaderboard import LOOKAHEAD, evaluation_seeds
from govworkflow.office.policies.ladder import LADDER
from govworkflow.office.rulesets import get_ruleset
from govworkflow.office.rulesets.standard.dynamics import Office

#: The stand-in agent: waits ``LATENCY_S`` per step (a model call), then plays ``sla_aware``.
STAND_IN = """
import time

from govworkflow.office.rulesets import get_ruleset

LATENCY_S = {latency!r}


class SlowAgent:
    def __init__(self):
        self.inner = get_ruleset("standard").policy("sla_aware")

    def reset(self, seed):
        self.inner.reset(seed)

    def act(self, observation):
        time.sleep(LATENCY_S)
        return self.inner.act(observation, None)
"""


def per_episode(task_id: str, policies: list[str], seeds: list[int]) -> tuple[float, float, float]:
    """(mean steps, mean seconds, mean seconds inside the simulated day) per episode of
    ``policies`` in turn over ``seeds``."""
    rs = get_ruleset("standard")
    with clocked(Office, "_advance_day") as day:
        steps, start = 0, time.perf_counter()
        for k, seed in enumerate(seeds):
            steps += run_episode(rs, task_id, rs.policy(policies[k % len(policies)]), seed).steps
        elapsed = time.perf_counter() - start
    return steps / len(seeds), elapsed / len(seeds), day.seconds / len(seeds)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--episodes", type=int, default=8, help="cheap-ladder episodes per task (default 8)")
    p.add_argument("--lookahead-episodes", type=int, default=1, help="look-ahead episodes per task (default 1)")
    p.add_argument("--latency", type=float, default=0.05, help="the stand-in's wait per step, s (default 0.05)")
    p.add_argument("--backend", default="local", help="local or ray (default local)")
    p.add_argument("--address", default=None, help="--backend ray: a cluster to join (default: start Ray here)")
    p.add_argument("--workers", type=int, default=2, help="local processes or Ray CPUs (default 2)")
    p.add_argument("--submissions", type=int, default=100, help="submissions in the extrapolation (default 100)")
    p.add_argument("--cluster-cpus", type=int, default=64, help="CPUs of the cluster in the extrapolation")
    p.add_argument("--agent-step-s", type=float, default=2.0, help="an LLM agent's seconds per step (default 2)")
    args = p.parse_args(argv)
    if min(args.episodes, args.lookahead_episodes, args.workers, args.submissions, args.cluster_cpus) < 1:
        p.error("--episodes, --lookahead-episodes, --workers, --submissions and --cluster-cpus must be at least 1")
    if args.latency < 0 or args.agent_step_s <= 0:
        p.error(f"--latency must be >= 0 and --agent-step-s > 0, got {args.latency} and {args.agent_step_s}")
    rs = get_ruleset("standard")
    cheap = [name for name in rs.policies if name in LADDER and name != LOOKAHEAD]
    print(f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
          f"stand-in latency {args.latency} s/step")  # fmt: skip
    print(f"{'task':<30} {'steps':>6} {'ladder s/ep':>12} {'look-ahead s/ep':>16} {'stand-in s/ep':>14}")
    folder = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    agent = folder / "stand_in.py"
    agent.write_text(STAND_IN.format(latency=args.latency), encoding="utf-8")
    spec = f"{agent}:SlowAgent"
    costs: dict[str, list[float]] = {"steps": [], "ladder": [], "look-ahead": [], "stand-in": []}
    board = [0.0, 0.0]  # the full leaderboard's CPU seconds, and those outside the simulated day
    for task_id in rs.tasks:
        seeds = evaluation_seeds(rs.task(task_id))
        steps, ladder, ladder_day = per_episode(task_id, cheap, seeds[: args.episodes])
        _, look, look_day = per_episode(task_id, [LOOKAHEAD], seeds[: args.lookahead_episodes])
        board[0] += len(seeds) * (len(cheap) * ladder + look)
        board[1] += len(seeds) * (len(cheap) * (ladder - ladder_day) + look - look_day)
        start = time.perf_counter()
        run_episode(rs, task_id, rs.policy(spec), seeds[0])
        slow = time.perf_counter() - start
        for key, value in zip(costs, (steps, ladder, look, slow), strict=True):
            costs[key].append(value)
        print(f"{task_id:<30} {steps:>6.0f} {ladder:>12.4f} {look:>16.2f} {slow:>14.2f}")
    now, free = board[0] / args.workers, board[1] / args.workers
    print(f"\nthe leaderboard's ladder rows ({len(rs.tasks)} tasks x {len(cheap) + 1} policies x their held-out "
          f"seeds; ppo and the bound come on top), estimated from these costs on {args.workers} workers: "
          f"{now:.0f} s; if the simulated day cost nothing: {free:.0f} s")  # fmt: skip
    n = 2 * args.workers
    task_id = next(iter(rs.tasks))
    seeds = evaluation_seeds(rs.task(task_id))[:n]
    backend = get_backend(args.backend, args.workers, args.address)
    with backend:
        start = time.perf_counter()
        evaluate_on(backend, task_id, spec, seeds, "standard", chunk=1)
        wall = time.perf_counter() - start
    alone = costs["stand-in"][0] * n
    print(f"\nstand-in on {task_id}, {n} episodes, backend {backend.name} with {args.workers} workers: "
          f"{wall:.2f} s ({alone / wall:.1f}x one at a time)")  # fmt: skip
    episodes = args.submissions * len(rs.tasks) * 100
    mean_steps = statistics.mean(costs["steps"])
    print(f"\n{args.submissions} submissions x {len(rs.tasks)} tasks x 100 seeds = {episodes} episodes, "
          f"{mean_steps:.0f} steps each on average")  # fmt: skip
    rows = [
        ("cheap ladder", statistics.mean(costs["ladder"])),
        ("look-ahead", statistics.mean(costs["look-ahead"])),
        (f"LLM agent, {args.agent_step_s} s/step", mean_steps * args.agent_step_s),
    ]
    slots = f"hours on {args.cluster_cpus} workers"
    print(f"{'each submission as':<26} {'s/episode':>10} {'worker-hours':>12} {slots:>20}")
    for name, seconds in rows:
        hours = episodes * seconds / 3600
        print(f"{name:<26} {seconds:>10.3f} {hours:>12.1f} {hours / args.cluster_cpus:>20.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
