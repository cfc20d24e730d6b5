"""The legacy ruleset's speed: steps/s of the nine published (task x policy) episodes, and,
given the published benchmark's own code, both side by side through the CLI.

First table: each episode runs the real loop (observe -> policy -> step) on the simulator,
as the published benchmark's loop did, at the task's default seed; each row is the best
of ``--repeats`` timed batches, which filters out noise from other processes. The last
column is the ratio to the 6,500 steps/s the published implementation ran for
cross_department_hard x backlog_clearance on this machine class.

Second table, with ``--reference DIR`` (a checkout of the published benchmark at commit
1a2660b: the folder that holds its ``app`` package): in this one process, for each of the
nine pairs over ``--seeds`` seeds, the seconds the reference's own episode loop
(``app.baselines.run_policy_episode``) takes, and the seconds ``govworkflow evaluate
--ruleset legacy --json`` takes on the same seeds (the CLI's entry point called here: it
plays, replays the recorded actions on a fresh simulator, checks the books and grades;
interpreter start-up is not counted for either), best of ``--repeats``; the ratio; the ratio
our side would have if the simulated day cost nothing (``day free``: the time inside
``LegacySimulator._advance_day`` taken off, an upper bound on what a faster day alone can
give); and whether every episode agrees (score to the fourth decimal, steps, reward sum, cases
completed and left open). Third table: ``--random-episodes`` episodes per task of random
actions of every type (some invalid) played in the reference's env and in ours from the
same seed, the observation, reward and end flags compared at every step and the grade at
the end.

    python benchmarks/bench_legacy.py [--episodes 200] [--repeats 5]
                                      [--reference DIR] [--seeds 120] [--first-seed 0]
                                      [--random-episodes 40]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _timing import clocked
from pydantic import ValidationError

from govworkflow.cli.main import main as cli
from govworkflow.office.models import Action
from govworkflow.office.policies.heuristics import HEURISTICS
from govworkflow.office.rulesets import get_ruleset
from govworkflow.office.rulesets.legacy.sim import LegacySimulator
from govworkflow.office.vocab import PriorityMode, Service

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


def reference_loop(folder: Path) -> Callable[[str, str, int], dict[str, Any]]:
    """The published benchmark's ``run_policy_episode``, imported from ``folder``."""
    if not (folder / "app" / "baselines.py").is_file():
        raise SystemExit(f"--reference {folder}: no app/baselines.py there (the published benchmark's checkout)")
    sys.path.insert(0, str(folder))
    from app.baselines import run_policy_episode  # type: ignore[import-not-found]

    def run(task_id: str, policy: str, seed: int) -> dict[str, Any]:
        result: dict[str, Any] = run_policy_episode(task_id, policy, seed=seed)
        return result

    return run


def ours_through_cli(task_id: str, policy: str, seeds: list[int]) -> list[dict[str, Any]]:
    """``govworkflow evaluate --ruleset legacy --json`` on ``seeds``, its output read back."""
    argv = ["evaluate", "--ruleset", "legacy", "--task", task_id, "--policy", policy, "--json"]
    for seed in seeds:
        argv += ["--seed", str(seed)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli(argv)
    if code:
        raise SystemExit(f"govworkflow {' '.join(argv)} exited {code}")
    rows: list[dict[str, Any]] = json.loads(out.getvalue())
    return rows


def same(theirs: dict[str, Any], ours: dict[str, Any]) -> bool:
    """One episode agrees: score, steps, reward sum, completed and backlog."""
    mine = (round(ours["score"], 4), ours["steps"], ours["reward_sum"], ours["outcome"]["completed"],
            ours["outcome"]["backlog"])  # fmt: skip
    return (round(theirs["score"], 4), theirs["steps"], theirs["reward_sum"], theirs["completed"],
            theirs["backlog"]) == mine  # fmt: skip


def side_by_side(folder: Path, reference: Callable[[str, str, int], dict[str, Any]], seeds: list[int],
                 repeats: int) -> None:  # fmt: skip
    tasks = list(get_ruleset("legacy").tasks)
    print()
    print(f"through the CLI, side by side with the reference at {folder}: {len(seeds)} seeds per pair, "
          f"best of {repeats}")  # fmt: skip
    print(f"{'task':<24}{'policy':<20}{'reference s':>12}{'ours s':>9}{'ratio':>8}{'day free':>10}"
          f"{'episodes agree':>16}")  # fmt: skip
    total_ref = total_ours = total_day = 0.0
    agree_all = 0
    here = os.getcwd()
    for task_id in tasks:
        for policy in HEURISTICS:
            best_ref = best_ours = float("inf")
            best_day = 0.0
            for _ in range(repeats):
                os.chdir(folder)  # the reference reads its data files from its own checkout
                try:
                    start = time.perf_counter()
                    theirs = [reference(task_id, policy, s) for s in seeds]
                    best_ref = min(best_ref, time.perf_counter() - start)
                finally:
                    os.chdir(here)
                with clocked(LegacySimulator, "_advance_day") as day:
                    start = time.perf_counter()
                    ours = ours_through_cli(task_id, policy, seeds)
                    elapsed = time.perf_counter() - start
                if elapsed < best_ours:
                    best_ours, best_day = elapsed, day.seconds
            agree = sum(same(a, b) for a, b in zip(theirs, ours, strict=True))
            agree_all += agree
            total_ref += best_ref
            total_ours += best_ours
            total_day += best_day
            print(f"{task_id:<24}{policy:<20}{best_ref:>12.3f}{best_ours:>9.3f}{best_ref / best_ours:>7.1f}x"
                  f"{best_ref / (best_ours - best_day):>9.1f}x{f'{agree}/{len(seeds)}':>16}")  # fmt: skip
    pairs = len(tasks) * len(HEURISTICS)
    print(f"{'all nine pairs':<44}{total_ref:>12.3f}{total_ours:>9.3f}{total_ref / total_ours:>7.1f}x"
          f"{total_ref / (total_ours - total_day):>9.1f}x{f'{agree_all}/{pairs * len(seeds)}':>16}")  # fmt: skip


#: What the random play draws from: every action type (advancing more often), the legacy
#: services (some not in the task), officer deltas that are sometimes invalid.
_TYPES = ("set_priority_mode", "assign_capacity", "request_missing_documents", "escalate_service",
          "reallocate_officers", "advance_time", "advance_time", "advance_time", "advance_time")  # fmt: skip


def _random_action(rng: random.Random, services: list[str], modes: list[str]) -> dict[str, Any]:
    kind = rng.choice(_TYPES)
    action: dict[str, Any] = {"action_type": kind}
    if kind == "set_priority_mode":
        action["priority_mode"] = rng.choice(modes)
    elif kind in ("assign_capacity", "request_missing_documents", "escalate_service"):
        if rng.random() < 0.9:
            action["service"] = rng.choice(services)
        if kind == "assign_capacity":
            action["officer_delta"] = rng.choice((1, 1, 2, 0, -1))
    elif kind == "reallocate_officers":
        action.update(service=rng.choice(services), target_service=rng.choice(services),
                      officer_delta=rng.choice((1, 1, 2, 0)))  # fmt: skip
    return action


def _ours(obs: Any) -> tuple[Any, ...]:
    queues = [(q.service, q.active_cases, q.missing_docs_cases, q.escalated_cases, q.urgent_cases, q.breached_cases,
               q.avg_age_days, dict(q.stage_counts)) for q in obs.queues]  # fmt: skip
    return (obs.day, obs.priority_mode, obs.total_backlog, obs.total_completed, obs.total_sla_breaches,
            round(obs.fairness_gap, 4), obs.escalation_budget_remaining, obs.last_action_valid, obs.reserve_officers,
            dict(obs.officers), queues)  # fmt: skip


def _theirs(obs: Any) -> tuple[Any, ...]:
    pool = obs.officer_pool
    return (obs.day, obs.priority_mode.value, obs.total_backlog, obs.total_completed, obs.total_sla_breaches,
            round(obs.fairness_gap, 4), obs.escalation_budget_remaining, obs.last_action_valid, pool.reserve_officers,
            {k.value: v for k, v in pool.allocations.items()},
            [(q.service.value, q.active_cases, q.missing_docs_cases, q.escalated_cases, q.urgent_cases,
              q.breached_cases, q.avg_age_days, {k.value: v for k, v in q.stage_counts.items()})
             for q in obs.queue_snapshots])  # fmt: skip


def random_play(folder: Path, episodes: int, first_seed: int) -> None:
    """Random actions of every type, some invalid, played in the reference's env and in ours
    from the same seed: observation, reward and end flags compared at every step, the
    grade at the end."""
    from app.env import GovWorkflowEnv as Reference  # type: ignore[import-not-found]
    from app.graders import grade_episode  # type: ignore[import-not-found]
    from app.models import ActionModel  # type: ignore[import-not-found]

    rs = get_ruleset("legacy")
    services = [s.value for s in Service if s.value != "aadhaar_card"]  # the legacy vocabulary
    modes = [m.value for m in PriorityMode]
    print()
    print(f"random play, every action type, step by step against the reference: {episodes} episodes per task")
    print(f"{'task':<24}{'episodes':>9}{'steps':>8}{'episodes agree':>16}")
    here = os.getcwd()
    total = agreed = 0
    for task_id in rs.tasks:
        steps = agree = 0
        for seed in range(first_seed, first_seed + episodes):
            rng = random.Random(seed)
            os.chdir(folder)
            try:
                reference = Reference(task_id=task_id)
                reference.reset(seed=seed)
                ours = rs.make(task_id, seed)
                same = True
                while same:
                    raw = _random_action(rng, services, modes)
                    try:
                        action = Action.model_validate(raw)
                    except ValidationError:
                        continue  # refused by our parser before it reaches the rules: played by neither
                    obs, reward, terminated, truncated, _ = reference.step(ActionModel(**raw))
                    mine, _, my_terminated, my_truncated = ours.step(action)
                    steps += 1
                    same = (round(reward, 4), terminated, truncated, _theirs(obs)) == (
                        round(mine, 4),
                        my_terminated,
                        my_truncated,
                        _ours(ours.observe()),
                    )
                    if terminated or truncated:
                        same = same and round(grade_episode(reference.state()).score, 4) == ours.grade().score
                        break
                agree += same
            finally:
                os.chdir(here)
        total += episodes
        agreed += agree
        print(f"{task_id:<24}{episodes:>9}{steps:>8}{f'{agree}/{episodes}':>16}")
    print(f"{'all tasks':<24}{total:>9}{'':>8}{f'{agreed}/{total}':>16}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=200, help="episodes per timed batch")
    parser.add_argument("--repeats", type=int, default=5, help="timed batches per row (best kept)")
    parser.add_argument("--reference", type=Path, metavar="DIR", help="the published benchmark's checkout (1a2660b)")
    parser.add_argument("--seeds", type=int, default=120, help="--reference: seeds per pair")
    parser.add_argument("--first-seed", type=int, default=0, help="--reference: the first of the seeds")
    parser.add_argument("--random-episodes", type=int, default=40, help="--reference: random-play episodes per task")
    args = parser.parse_args()
    if min(args.episodes, args.repeats, args.seeds) < 1:
        parser.error(f"--episodes, --repeats and --seeds must be at least 1, got {args.episodes}, "
                     f"{args.repeats} and {args.seeds}")  # fmt: skip
    reference = reference_loop(args.reference.resolve()) if args.reference is not None else None
    rs = get_ruleset("legacy")
    print(
        f"python {platform.python_version()} on {platform.machine()}; best of {args.repeats} x {args.episodes} episodes"
    )
    print(f"{'task':<24}{'policy':<20}{'steps':>6}{'steps/s':>12}{'x 6,500':>9}")
    for task_id in rs.tasks:
        for policy_name in HEURISTICS:  # the published three (the ladder has slower policies)
            steps, rate = measure(task_id, policy_name, args.episodes, args.repeats)
            print(f"{task_id:<24}{policy_name:<20}{steps:>6}{rate:>12,.0f}{rate / REFERENCE_STEPS_PER_S:>9.1f}")
    if reference is not None:
        seeds = list(range(args.first_seed, args.first_seed + args.seeds))
        side_by_side(args.reference.resolve(), reference, seeds, args.repeats)
        random_play(args.reference.resolve(), args.random_episodes, args.first_seed)


if __name__ == "__main__":
    main()
