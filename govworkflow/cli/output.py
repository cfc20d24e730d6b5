"""The command line's output helpers: plain aligned tables (a leaderboard's too) and JSON on stdout."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govworkflow.evaluation.run import EpisodeResult
    from govworkflow.evaluation.table import Row

__all__ = ["leaderboard_table", "played_aside", "print_json", "print_results", "table"]


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """A plain aligned text table."""

    def fmt(v: Any) -> str:
        return f"{v:.4f}" if isinstance(v, float) else str(v)

    cells = [[fmt(r[c]) for c in columns] for r in rows]
    numeric = [bool(rows) and all(isinstance(r[c], int | float) for r in rows) for c in columns]
    widths = [max(len(c), *(len(row[i]) for row in cells)) if cells else len(c) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(row, widths, numeric, strict=True)).rstrip()
        for row in cells
    ]
    return "\n".join(lines)


@contextlib.contextmanager
def played_aside() -> Iterator[None]:
    """While policies load and play: what they print goes to stderr, so that stdout holds the
    command's output alone (``--json`` stays readable). Worker processes do the same
    (``evaluation.backends.play_job``)."""
    with contextlib.redirect_stdout(sys.stderr):
        yield


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def leaderboard_table(rows: Sequence[Row], extras: Sequence[str]) -> str:
    """The table of leaderboard ``rows`` of any environment: task, policy, episodes, mean
    score and its 95% interval, then the named ``extras`` (the environment's own means)."""
    cells = [
        {"task_id": r.task_id, "policy": r.policy + (" (privileged)" if r.privileged else ""), "n": r.n, "mean": r.mean,
         "ci95": f"[{r.ci_low:.4f}, {r.ci_high:.4f}]", **{name: r.extras.get(name, "-") for name in extras}}
        for r in rows
    ]  # fmt: skip
    return table(cells, ["task_id", "policy", "n", "mean", "ci95", *extras])


def print_results(results: Sequence[EpisodeResult], as_json: bool) -> None:
    """``evaluate``'s episodes of any environment: JSON objects, or a table whose last
    columns are the environment's own counts (``EpisodeResult.outcome``)."""
    rows = [r.to_dict() for r in results]
    if as_json:
        print_json(rows)
        return
    counts = list(rows[0]["outcome"]) if rows else []
    flat = [{**{k: v for k, v in r.items() if k != "outcome"}, **r["outcome"]} for r in rows]
    for row in flat:  # a step cap cut the provisional ones: their grades are not final
        row["grade"] = "provisional" if row["provisional"] else "final"
    grade = ["grade"] if any(r["provisional"] for r in flat) else []
    print(table(flat, ["task_id", "policy", "seed", "score", *grade, "steps", "reward_sum", *counts]))
