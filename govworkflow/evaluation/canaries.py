"""The canary check: no adversarial canary beats the honest policy it modifies by more
than the paired 95% CI on the same seeds, unless its citizens' eventual outcomes are
better too (``office.policies.canaries``).

For each canary and task, over the same seeds: the paired difference of the scores
(canary - ``sla_aware``) and of the eventual on-time rates (``sla_compliance``), both from
the one statistics module. A canary *wins by artefact* when the score's difference has its
whole CI above 0 while the on-time rate's has not.

    python -m govworkflow.evaluation.canaries --seeds 100 [--workers 2] [--output FILE]
        [--task T ...] [--canary NAME|file.py:Name ...]

``govworkflow leaderboard --ruleset standard`` runs the same check on its own seeds and
keeps the rows in the leaderboard file (``canaries``, and a calibration row per task).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from govworkflow.core.errors import UnknownNameError, exit_status
from govworkflow.core.provenance import provenance, write_text
from govworkflow.core.submitted import is_spec
from govworkflow.evaluation import stats
from govworkflow.evaluation.backends import Backend, Job, LocalBackend, run_jobs
from govworkflow.evaluation.run import run_episode
from govworkflow.office.policies.canaries import CANARIES, HONEST, OPEN_WEAKNESSES
from govworkflow.office.rulesets import get_ruleset

__all__ = ["KNOWN", "check", "report"]

#: Every attack that runs by name: the canaries, and the open weaknesses of the grader.
KNOWN = {**CANARIES, **OPEN_WEAKNESSES}


def _diff(a: dict[int, float], b: dict[int, float]) -> dict[str, float]:
    d = stats.paired_difference(a, b)
    return {"mean": round(d.mean, 5), "ci_low": round(d.low, 5), "ci_high": round(d.high, 5), "n": d.n}


def _player(task: str, name: str | None) -> Callable[[int], tuple[float, float]]:
    """``play(seed)``: (score, on-time rate) of one canary (``None``: the honest policy) on
    one task, a fresh policy each episode (built in the worker)."""
    rs = get_ruleset("standard")

    def play(seed: int) -> tuple[float, float]:
        policy = rs.policy(HONEST) if name is None else KNOWN[name]() if name in KNOWN else rs.policy(name)
        r = run_episode(rs, task, policy, seed)
        return (r.score, r.metrics["sla_compliance"])

    return play


def report(
    seeds: dict[str, list[int]],
    canaries: Sequence[str] | None = None,
    say: Callable[[str], object] = lambda _l: None,
    workers: int = 1,
    progress: bool = False,
    backend: Backend | None = None,
) -> list[dict[str, Any]]:
    """One row per (task, canary): the paired differences against ``sla_aware`` of the score
    and of the eventual on-time rate, and whether the canary wins by artefact. A canary is
    one of ``CANARIES`` or an attack of one's own, a submitted policy (``file.py:Name``).

    ``backend``: where the episodes run (``evaluation.backends``, entered already); None:
    ``workers`` local processes."""
    names = list(canaries or CANARIES)
    for name in names:
        if is_spec(name):
            get_ruleset("standard").policy(name)  # an attack of one's own: a submitted policy, loaded now
        elif name not in KNOWN:
            raise UnknownNameError("canary", name, KNOWN)
    jobs = [
        Job(_player, (task, name), tuple(s), f"standard/{task}/{name or HONEST}")
        for task, s in seeds.items()
        for name in [None, *names]
    ]
    done = run_jobs(jobs, backend or LocalBackend(workers), "canaries", progress)
    played = {job.args: dict(zip(job.seeds, out, strict=True)) for job, out in zip(jobs, done, strict=True)}
    rows = []
    for task in seeds:
        honest = played[(task, None)]
        h_score = {s: v[0] for s, v in honest.items()}
        h_sla = {s: v[1] for s, v in honest.items()}
        for name in names:
            results = played[(task, name)]
            score = _diff({s: v[0] for s, v in results.items()}, h_score)
            citizens = _diff({s: v[1] for s, v in results.items()}, h_sla)
            artefact = score["ci_low"] > 0 and not citizens["ci_low"] > 0
            rows.append({"task_id": task, "canary": name, "honest": HONEST, "score": score,
                         "on_time_rate": citizens, "wins_by_artefact": artefact})  # fmt: skip
            say(f"{task:<30} {name:<20} score {score['mean']:+.4f} [{score['ci_low']:+.4f}, {score['ci_high']:+.4f}]"
                f"  on time {citizens['mean']:+.4f}{'  ARTEFACT' if artefact else ''}")  # fmt: skip
    return rows


def check(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The calibration row of the canaries: how many win by artefact (target 0)."""
    wins = [f"{r['task_id']}/{r['canary']}" for r in rows if r["wins_by_artefact"]]
    return {"task_id": "*", "check": "canaries winning by artefact", "value": len(wins), "target": "0",
            "ok": not wins, "detail": wins}  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govworkflow.evaluation.canaries", description=__doc__)
    parser.add_argument("--seeds", type=int, default=100, help="held-out seeds per task (default: 100, all)")
    parser.add_argument("--task", action="append", help="only this task (repeat; default: every task)")
    parser.add_argument(
        "--canary", action="append", help="a canary, or an attack of one's own as file.py:Name (repeat; default: all)"
    )
    parser.add_argument("--output", default=None, help="JSON file to write")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default: 1)")
    args = parser.parse_args(argv)
    rs = get_ruleset("standard")
    seeds = {t: rs.task(t).seeds.take("evaluation", args.seeds, "--seeds") for t in args.task or rs.tasks}
    started = time.perf_counter()
    rows = report(seeds, args.canary, say=print, workers=args.workers)
    summary = check(rows)
    print(f"{summary['check']}: {summary['value']} ({'ok' if summary['ok'] else 'FAIL'})")
    if args.output:
        doc = {
            "format": "govworkflow-canaries",
            "version": 1,
            "ruleset": "standard",
            "provenance": provenance(
                " ".join(["python -m govworkflow.evaluation.canaries", *sys.argv[1:]]),
                seeds={
                    t: {"count": len(s), "first": s[0], "last": s[-1], "set": "evaluation"} for t, s in seeds.items()
                },
                bootstrap=stats.settings(),
                seconds=round(time.perf_counter() - started, 1),
            ),
            "rows": rows,
            "calibration": summary,
        }
        write_text(args.output, json.dumps(doc, indent=1) + "\n")
    return 0 if summary["ok"] else 1


if __name__ == "__main__":  # pragma: no cover - the command line
    raise SystemExit(exit_status("python -m govworkflow.evaluation.canaries", main))  # bad names: one line, exit 2
