"""Tuning a heuristic's knobs on development seeds, one knob at a time, with paired CIs.

``sweep`` starts from a setting and, round after round, plays every single-knob change
of it (each knob's other values in ``GRID``) on the same development seeds of every
task; it adopts the change with the largest mean paired gain when that gain's 95% CI
(``stats.paired_difference``, pooled over every (task, seed) pair) lies above 0, and
stops when none does. The record (every round, every candidate, its paired difference
overall and per task) is what ``data/results/tuning-sla_aware.json`` holds: it shows that
no single knob change improves the shipped setting beyond noise.

Only development seeds are played (``core.seeds.development_only`` checks every one).

    python -m govworkflow.evaluation.tuning --seeds 30 --output data/results/tuning-sla_aware.json
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from govworkflow.core.errors import check_count, exit_status
from govworkflow.core.provenance import provenance, write_text
from govworkflow.core.seeds import development_only
from govworkflow.evaluation import stats
from govworkflow.evaluation.run import run_episode
from govworkflow.office.policies.sla_aware import SlaAware
from govworkflow.office.rulesets import get_ruleset
from govworkflow.office.vocab import PriorityMode

__all__ = ["GRID", "PREVIOUS_DEFAULTS", "sweep", "tuning_seeds"]

#: The values each knob of ``SlaAware`` may take in the sweep.
GRID: dict[str, tuple[Any, ...]] = {
    "mode": tuple(PriorityMode),
    "escalate": (True, False),
    "rebalance": (True, False),
    "rebalance_gap": (0.15, 0.25, 0.4),
    "rebalance_every_days": (2, 4, 8),
    "escalation_pressure": (0.15, 0.3, 0.5),
}
#: The setting ``SlaAware`` shipped with before it was tuned: where the recorded sweep starts.
PREVIOUS_DEFAULTS: dict[str, Any] = {"mode": PriorityMode.BALANCED, "rebalance": True}
#: Development seeds start here for tuning (imitation takes the first ones of the range,
#: validation the last ones; tuning keeps clear of both).
TUNING_OFFSET = 50_000


def tuning_seeds(task: Any, n: int) -> list[int]:
    """``n`` development seeds of ``task`` for tuning, checked to be development seeds."""
    dev = task.seeds.development
    seeds = list(range(dev.start + TUNING_OFFSET, dev.start + TUNING_OFFSET + check_count(n, "seeds")))
    return development_only(seeds, task.seeds, "tuning seeds")


def _label(knobs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.value if isinstance(v, PriorityMode) else v) for k, v in knobs.items()}


def _scores(knobs: Mapping[str, Any], tasks: Sequence[str], seeds: Mapping[str, list[int]]) -> dict[str, list[float]]:
    rs = get_ruleset("standard")
    out = {}
    for task in tasks:
        out[task] = [run_episode(rs, task, SlaAware(**knobs), s).score for s in seeds[task]]
    return out


def _paired(a: Mapping[str, list[float]], b: Mapping[str, list[float]]) -> stats.PairedDifference:
    pa = dict(enumerate(x for t in a for x in a[t]))
    pb = dict(enumerate(x for t in b for x in b[t]))
    return stats.paired_difference(pa, pb)


def _diff_row(d: stats.PairedDifference) -> dict[str, float]:
    return {"mean": round(d.mean, 5), "ci_low": round(d.low, 5), "ci_high": round(d.high, 5), "n": d.n}


def sweep(
    start: Mapping[str, Any] | None = None,
    n_seeds: int = 30,
    tasks: Sequence[str] | None = None,
    say: Callable[[str], object] = lambda _line: None,
) -> dict[str, Any]:
    """Coordinate ascent over ``GRID`` from ``start`` (default: ``SlaAware``'s defaults);
    the record of every round (see the module docstring)."""
    fields = {f.name: f.default for f in dataclasses.fields(SlaAware) if f.name in GRID}
    current = {**fields, **(start or {})}
    rs = get_ruleset("standard")
    tasks = list(tasks or rs.tasks)
    seeds = {t: tuning_seeds(rs.task(t), n_seeds) for t in tasks}
    base = _scores(current, tasks, seeds)
    rounds = []
    while True:
        candidates = []
        for knob, values in GRID.items():
            for value in values:
                if value == current[knob]:
                    continue
                knobs = {**current, knob: value}
                scores = _scores(knobs, tasks, seeds)
                diff = _paired(scores, base)
                per_task = {t: _diff_row(_paired({t: scores[t]}, {t: base[t]})) for t in tasks}
                candidates.append((diff, knob, value, scores, per_task))
                say(
                    f"  {knob}={_label({knob: value})[knob]!s:<18} {diff.mean:+.4f} [{diff.low:+.4f}, {diff.high:+.4f}]"
                )
        best = max(candidates, key=lambda c: c[0].mean)
        adopted = best[0].low > 0
        rounds.append({
            "from": _label(current),
            "mean_score": round(sum(x for t in base for x in base[t]) / sum(len(v) for v in base.values()), 5),
            "candidates": [
                {"knob": k, "value": _label({k: v})[k], "paired_difference": _diff_row(d), "per_task": pt}
                for d, k, v, _, pt in candidates
            ],
            "adopted": {"knob": best[1], "value": _label({best[1]: best[2]})[best[1]]} if adopted else None,
        })  # fmt: skip
        if not adopted:
            break
        say(f"adopted {best[1]}={_label({best[1]: best[2]})[best[1]]}")
        current = {**current, best[1]: best[2]}
        base = best[3]
    return {
        "policy": "sla_aware",
        "ruleset": "standard",
        "seeds": {t: {"first": s[0], "last": s[-1], "count": len(s), "set": "development"} for t, s in seeds.items()},
        "grid": {k: [_label({k: v})[k] for v in vs] for k, vs in GRID.items()},
        "rule": "adopt the single-knob change with the largest mean paired gain while its 95% CI lies above 0",
        "rounds": rounds,
        "best": _label(current),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govworkflow.evaluation.tuning", description=__doc__)
    parser.add_argument("--seeds", type=int, default=30, help="development seeds per task (default 30)")
    parser.add_argument("--output", default=None, help="JSON file to write the record to")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    record = sweep(PREVIOUS_DEFAULTS, n_seeds=args.seeds, say=print)
    record["provenance"] = provenance(" ".join(["python -m govworkflow.evaluation.tuning", *sys.argv[1:]]))
    record["wall_clock_s"] = round(time.perf_counter() - started, 1)
    print(f"best: {record['best']}")
    if args.output:
        import json

        write_text(args.output, json.dumps(record, indent=1) + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover - the command line
    raise SystemExit(exit_status("python -m govworkflow.evaluation.tuning", main))  # bad names: one line, exit 2
