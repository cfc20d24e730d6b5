"""What a policy does, and what it does to citizens: the evidence behind "PPO wins".

``behaviour(ruleset, task, policy, seeds)`` plays ``policy`` on ``seeds`` through the
native env and returns, averaged per episode:

* ``actions``: how often each action type was played (valid ones) in each third of the
  horizon (``early``, ``middle``, ``late``, by the day it was chosen on);
* ``invalid``: invalid actions per episode;
* ``on_time``: the eventual on-time rate (1 - breached / arrived, on the settled episode,
  as the grade reads it), overall and per service;
* ``completed``: cases completed by the end of the horizon; ``score``: the mean grade.

``compare`` does it for several policies on the same seeds, so that a reader can tell a
policy that manages the office differently (staffing, documents, escalations, by phase)
from one that wins by an artefact of the grade.

    python -m govworkflow.training.analysis --task cross_department_hard --policies ppo sla_aware --seeds 20
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from typing import Any

from govworkflow.core.errors import check_count, exit_status
from govworkflow.office.env import GovWorkflowEnv
from govworkflow.office.rulesets import get_ruleset

__all__ = ["PHASES", "behaviour", "compare"]

#: The thirds of the horizon actions are counted in.
PHASES = ("early", "middle", "late")


def _phase(day: int, max_days: int) -> str:
    return PHASES[min(len(PHASES) - 1, day * len(PHASES) // max(max_days, 1))]


def behaviour(ruleset: str | None, task_id: str, policy_name: str, seeds: Sequence[int]) -> dict[str, Any]:
    """``policy_name``'s play on ``seeds``, per episode (see the module docstring)."""
    rs = get_ruleset(ruleset)
    task = rs.task(task_id)
    if not seeds:
        raise ValueError("seeds: give at least one seed")
    actions: dict[str, Counter[str]] = {p: Counter() for p in PHASES}
    invalid = completed = 0
    score = 0.0
    arrived: Counter[str] = Counter()
    breached: Counter[str] = Counter()
    policy = rs.policy(policy_name)  # once: a trained policy loads its model here
    env = GovWorkflowEnv(task_id, ruleset=rs.name)
    for seed in seeds:
        obs = env.reset(seed=seed)
        policy.reset(seed)
        done = False
        while not done:
            action = policy.act(obs, env.simulator)
            phase = _phase(obs.day, task.max_days)
            obs, _, terminated, truncated, info = env.step(action)
            if info["valid"]:
                actions[phase][action.action_type.value] += 1
            else:
                invalid += 1
            done = terminated or truncated
        grade = env.grade()
        score += grade.score
        sim: Any = env.simulator
        completed += sim.counters["completed"]
        settled = _settled(sim)
        for i, name in enumerate(settled.services):
            arrived[name] += settled.arrived[i]
            breached[name] += settled.breaches[i]
    n = len(seeds)
    total_arrived = sum(arrived.values())
    return {
        "policy": policy_name,
        "task_id": task_id,
        "ruleset": rs.name,
        "episodes": n,
        "score": round(score / n, 4),
        "completed": round(completed / n, 2),
        "invalid": round(invalid / n, 2),
        "actions": {p: {k: round(v / n, 2) for k, v in sorted(c.items())} for p, c in actions.items()},
        "on_time": round(1 - sum(breached.values()) / total_arrived, 4) if total_arrived else 1.0,
        "on_time_by_service": {s: round(1 - breached[s] / arrived[s], 4) if arrived[s] else 1.0 for s in arrived},
    }


def _settled(sim: Any) -> Any:
    """The settled copy the grade reads (standard rules), else the simulator as it ended."""
    from govworkflow.office.rulesets.standard.sim import StandardSimulator

    if isinstance(sim, StandardSimulator):
        from govworkflow.office.rulesets.standard.grading import settle

        return settle(sim)[0]
    return sim


def compare(ruleset: str | None, task_id: str, policies: Sequence[str], seeds: Sequence[int]) -> list[dict[str, Any]]:
    """``behaviour`` of each of ``policies`` on the same ``seeds``."""
    return [behaviour(ruleset, task_id, p, seeds) for p in policies]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govworkflow.training.analysis", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--ruleset", default="standard")
    parser.add_argument("--task", action="append", help="task id (repeat; default: every task)")
    parser.add_argument("--policies", nargs="+", default=["ppo", "sla_aware"])
    parser.add_argument("--seeds", type=int, default=20, help="the first N held-out seeds of each task")
    parser.add_argument("--output", help="JSON file to write")
    argv = list(sys.argv[1:] if argv is None else argv)  # recorded as given
    args = parser.parse_args(argv)
    n = check_count(args.seeds, "--seeds")
    rs = get_ruleset(args.ruleset)
    out = []
    for task_id in args.task or list(rs.tasks):
        seeds = list(rs.task(task_id).seeds.evaluation.seeds())[:n]
        out += compare(rs.name, task_id, args.policies, seeds)
    for r in out:
        late = r["actions"]["late"]
        print(f"{r['task_id']:<30} {r['policy']:<12} score {r['score']:.4f}  on time {r['on_time']:.4f}  "
              f"completed {r['completed']:.1f}  late-phase actions {late}")  # fmt: skip
    if args.output:
        from govworkflow.core.provenance import provenance, write_text

        doc = {"format": "govworkflow-behaviour", "version": 1, "provenance": provenance(
            " ".join(["python -m govworkflow.training.analysis", *argv])), "rows": out}  # fmt: skip
        write_text(args.output, json.dumps(doc, indent=1) + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover - the command line
    raise SystemExit(exit_status("python -m govworkflow.training.analysis", main))  # bad names: one line, exit 2
