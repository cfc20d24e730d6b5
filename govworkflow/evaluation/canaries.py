"""The canary check: no adversarial canary beats the honest policy it modifies by more
than the paired 95% CI on the same seeds, unless its citizens' eventual outcomes are
better too (``office.policies.canaries``).

For each canary and task, over the same seeds: the paired difference of the scores
(canary - ``sla_aware``) and of the eventual on-time rates (``sla_compliance``), both from
the one statistics module. A canary *wins by artefact* when the score's difference has its
whole CI above 0 while the on-time rate's has not.

    python -m govworkflow.evaluation.canaries --seeds 100 --output data/results/canaries-standard.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from govworkflow.core.provenance import provenance, write_text
from govworkflow.evaluation import stats
from govworkflow.evaluation.run import run_episode
from govworkflow.office.policies.canaries import CANARIES, HONEST
from govworkflow.office.rulesets import get_ruleset

__all__ = ["check", "report"]


def _diff(a: dict[int, float], b: dict[int, float]) -> dict[str, float]:
    d = stats.paired_difference(a, b)
    return {"mean": round(d.mean, 5), "ci_low": round(d.low, 5), "ci_high": round(d.high, 5), "n": d.n}


def report(
    seeds: dict[str, list[int]], canaries: Sequence[str] | None = None, say: Callable[[str], object] = lambda _l: None
) -> list[dict[str, Any]]:
    """One row per (task, canary): the paired differences against ``sla_aware`` of the score
    and of the eventual on-time rate, and whether the canary wins by artefact."""
    rs = get_ruleset("standard")
    rows = []
    for task, task_seeds in seeds.items():
        honest = [run_episode(rs, task, rs.policy(HONEST), s) for s in task_seeds]
        h_score = {r.seed: r.score for r in honest}
        h_sla = {r.seed: r.metrics["sla_compliance"] for r in honest}
        for name in canaries or list(CANARIES):
            results = [run_episode(rs, task, CANARIES[name](), s) for s in task_seeds]
            score = _diff({r.seed: r.score for r in results}, h_score)
            citizens = _diff({r.seed: r.metrics["sla_compliance"] for r in results}, h_sla)
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
    parser.add_argument("--output", default=None, help="JSON file to write")
    args = parser.parse_args(argv)
    rs = get_ruleset("standard")
    seeds = {t: rs.task(t).seeds.take("evaluation", args.seeds) for t in rs.tasks}
    started = time.perf_counter()
    rows = report(seeds, say=print)
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
    raise SystemExit(main())
