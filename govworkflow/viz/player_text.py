"""The episode player's read-outs as text: the counters line, what the picked action does
and costs, and the challenge verdict (plain Python; ``viz.player`` puts them in widgets)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from govworkflow.office.models import Grade
from govworkflow.office.vocab import ActionType
from govworkflow.viz.describe import describe_action, describe_mode

__all__ = ["counters_html", "describe", "lines_html", "verdict"]


def counters_html(c: Mapping[str, Any]) -> str:
    """The counters line: one row that never wraps (it scrolls sideways when narrow)."""
    cells = [
        ("day", f"{c['day']} / {c['max_days']}"),
        ("step", c["step"]),
        ("backlog", c["backlog"]),
        ("completed", c["completed"]),
        ("SLA breaches", c["sla_breaches"]),
        ("at risk", c["at_risk"]),
        ("reserve", c["reserve_officers"]),
        ("mode", c["priority_mode"]),
        ("reward", f"{c['reward_sum']:.2f}"),
        # before the first action there is no play to grade yet
        ("score", "–" if c["step"] == 0 else f"{c['score']:.4f}" + ("" if c["done"] else " so far")),
    ]
    spans = "".join(
        f'<span data-counter="{html.escape(k)}"><b>{html.escape(k)}</b> {html.escape(str(v))}</span>' for k, v in cells
    )
    style = "display:flex;flex-wrap:nowrap;gap:1em;white-space:nowrap;overflow-x:auto"
    return f'<div class="govworkflow-counters" style="{style}">{spans}</div>'


def describe(ruleset: str, kind: ActionType | None, mode: str | None, why_invalid: str | None) -> str:
    """What ``kind`` (with ``mode``, for a mode change) does and costs under ``ruleset``,
    and whether it is valid now; ``kind`` None: the episode is over."""
    if kind is None:
        return "The episode is over: nothing to do. Reset to play again, or Undo."
    lines = [f"{kind.value}: {describe_action(ruleset, kind)}"]
    if mode:
        lines.append(f"mode {mode}: {describe_mode(ruleset, mode)}")
    lines.append("✔ valid now" if why_invalid is None else f"✘ not valid now: {why_invalid}")
    return "\n".join(lines)


def lines_html(text: str, css: str) -> str:
    """Plain lines as one HTML block of class ``css``."""
    rows = "<br>".join(html.escape(line) for line in text.split("\n"))
    return f'<div class="{css}" style="opacity:0.85">{rows}</div>'


def verdict(counters: Mapping[str, Any], grade: Grade, auto_steps: int, rival: str, target_score: float) -> str:
    """The challenge's verdict: only an episode played to its end by hand counts."""
    c = counters
    if not c["done"]:
        return f"Keep playing: day {c['day']} of {c['max_days']}, score so far {grade.score:.4f}."
    if auto_steps:
        return (
            f"Not counted: auto-play took {auto_steps} of this episode's {c['step']} steps "
            f"(score {grade.score:.4f}). The challenge counts only episodes you play yourself: "
            "Reset and play by hand."
        )
    beaten = "You beat" if grade.score > target_score else "Not yet: you did not beat"
    scores = f"{grade.score:.4f} against {target_score:.4f}"
    return f"{beaten} {rival}, playing every step yourself: {scores}.\n{grade.explain()}"
