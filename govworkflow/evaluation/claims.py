"""What a leaderboard lets us say about one policy against the strongest rule, task by task.

For each task of a leaderboard that has rows for ``policy`` (default ``ppo``):

* the strongest heuristic: the non-privileged heuristic of the ladder with the highest
  mean on that task (``leaderboard.HEURISTICS``);
* ``policy`` minus it on the same held-out seeds: ``stats.paired_difference`` (mean and
  95% interval); "beats" only when the whole interval lies above 0;
* the probability of improvement (``stats.probability_of_improvement``: the chance that
  ``policy`` scores higher on a seed, ties a half) with its interval;
* the share of the headroom closed: ``(policy - best) / (ceiling - best)`` on the means,
  with the ceiling the leaderboard's analytic bound (``upper_bound``) where it has one.

    python -m govworkflow.evaluation.claims [data/results/leaderboard-standard.json] [--policy ppo]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from govworkflow.core.assets import published_file
from govworkflow.core.errors import BadValueError, exit_status
from govworkflow.evaluation import stats, table
from govworkflow.evaluation.leaderboard import HEURISTICS, UPPER_BOUND

__all__ = ["claims"]


def claims(doc: table.Document, policy: str = "ppo") -> list[dict[str, Any]]:
    """One claim per task with rows for ``policy`` and at least one heuristic."""
    cells: dict[str, dict[str, table.Row]] = {}
    for r in doc.rows:
        cells.setdefault(r.task_id, {})[r.policy] = r
    if not any(policy in c for c in cells.values()):
        raise BadValueError(
            f"policy: no rows for {policy!r} in this leaderboard; it has {sorted({r.policy for r in doc.rows})}"
        )
    out = []
    for task, rows in cells.items():
        heuristics = [rows[p] for p in HEURISTICS if p in rows and not rows[p].privileged and p != policy]
        if policy not in rows or not heuristics:
            continue
        mine, best = rows[policy], max(heuristics, key=lambda r: r.mean)
        diff = stats.paired_difference(mine.by_seed(), best.by_seed())
        better = stats.probability_of_improvement(mine.by_seed(), best.by_seed())
        ceiling = rows.get(UPPER_BOUND)
        share = (mine.mean - best.mean) / (ceiling.mean - best.mean) if ceiling and ceiling.mean > best.mean else None
        out.append({
            "task_id": task,
            "policy": policy,
            "mean": mine.mean,
            "strongest_heuristic": best.policy,
            "heuristic_mean": best.mean,
            "difference": {"mean": round(diff.mean, 4), "ci_low": round(diff.low, 4), "ci_high": round(diff.high, 4),
                           "n": diff.n, "wins": diff.wins, "losses": diff.losses},
            "beats": diff.a_beats_b,
            "loses": diff.b_beats_a,
            "probability_of_improvement": {"mean": round(better.mean, 3), "ci_low": round(better.low, 3),
                                           "ci_high": round(better.high, 3)},
            "ceiling": ceiling.mean if ceiling else None,
            "headroom_closed": round(share, 3) if share is not None else None,
        })  # fmt: skip
    return out


def default_leaderboard() -> Path:
    """The standard leaderboard: the checkout's ``data/results`` copy when the package runs
    from one, else the copy the package ships (``core.assets.published_file``)."""
    return published_file("results", "leaderboard-standard.json")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govworkflow.evaluation.claims", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("leaderboard", nargs="?", default=None,
                        help="a leaderboard file (default: data/results's, else the package's copy)")  # fmt: skip
    parser.add_argument("--policy", default="ppo")
    args = parser.parse_args(argv)
    path = Path(args.leaderboard) if args.leaderboard is not None else default_leaderboard()
    if not path.is_file():
        parser.error(f"no leaderboard file at {path}")
    rows = claims(table.load(path), args.policy)
    for c in rows:
        d, p = c["difference"], c["probability_of_improvement"]
        verdict = "beats" if c["beats"] else "loses to" if c["loses"] else "is level with"
        share = f"{c['headroom_closed']:+.1%}" if c["headroom_closed"] is not None else "-"
        print(f"{c['task_id']:<30} {c['policy']} {verdict} {c['strongest_heuristic']}: "
              f"{d['mean']:+.4f} [{d['ci_low']:+.4f}, {d['ci_high']:+.4f}]  P(better) {p['mean']:.2f} "
              f"[{p['ci_low']:.2f}, {p['ci_high']:.2f}]  headroom closed {share}")  # fmt: skip
    return 0


if __name__ == "__main__":  # pragma: no cover - the command line
    raise SystemExit(exit_status("python -m govworkflow.evaluation.claims", main))  # bad names: one line, exit 2
