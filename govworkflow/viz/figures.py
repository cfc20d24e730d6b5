"""Plotly figures of episodes, grades and results (extra: ``notebooks``).

Every function returns a plain ``plotly.graph_objects.Figure``: small (lists, no numpy
payloads), deterministic (a fixed template, no random ids, the same input gives the same
JSON) and readable on light and dark backgrounds (transparent background, mid-grey text
and grid, a colour-blind-safe palette with a fixed colour per service).

Episode charts read a ``Trace`` (``govworkflow.viz.trace``): state charts plot the
office at the end of each day, the reward chart plots every step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from govworkflow.core.errors import MissingExtraError
from govworkflow.office.models import Grade
from govworkflow.office.record import EpisodeRecord
from govworkflow.viz.trace import Trace

try:
    import plotly.graph_objects as go
except ImportError as err:  # pragma: no cover - exercised only without the extra
    raise MissingExtraError("plotly", "notebooks") from err

__all__ = [
    "COMPONENT_PALETTE",
    "PALETTE",
    "SERVICE_COLORS",
    "TEMPLATE",
    "backlog_figure",
    "grade_figure",
    "leaderboard_figure",
    "officers_figure",
    "reward_components_figure",
    "ruleset_comparison_figure",
    "sla_figure",
    "training_curve_figure",
]

#: Okabe-Ito colours (colour-blind safe), without black, then two neutral extras.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#B8A000",
    "#8C8C8C",
)
#: Paul Tol's "muted" scheme (colour-blind safe), then its pale grey: ten distinct colours,
#: one per named reward component (the standard rules have nine).
COMPONENT_PALETTE: tuple[str, ...] = (
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
    "#BBBBBB",
)
#: One fixed colour per service, so a service looks the same in every chart.
SERVICE_COLORS: dict[str, str] = dict(
    zip(
        (
            "passport",
            "driving_license",
            "gst_registration",
            "income_certificate",
            "caste_certificate",
            "birth_certificate",
            "land_registration",
            "aadhaar_card",
        ),
        PALETTE,
        strict=True,
    )
)
_STAGE_COLORS = ("#56B4E9", "#E69F00", "#CC79A7", "#009E73", "#0072B2")
_GRID = "rgba(128,128,128,0.25)"
_AXIS = {"gridcolor": _GRID, "zerolinecolor": "rgba(128,128,128,0.5)", "linecolor": _GRID, "automargin": True}
_GOOD, _BAD, _NEUTRAL = "#009E73", "#D55E00", "#8C8C8C"

#: The one template every figure uses (no dependence on plotly's global default).
TEMPLATE = go.layout.Template(
    layout={
        "font": {
            "family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
            "size": 12,
            "color": "#808080",
        },
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "colorway": list(PALETTE),
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        "legend": {"bgcolor": "rgba(0,0,0,0)"},
        "margin": {"l": 16, "r": 16, "t": 48, "b": 16},
        "hovermode": "x unified",
    }
)


def _figure(title: str, xaxis: str, yaxis: str, height: int = 320, **layout: Any) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        title={"text": title, "x": 0, "xanchor": "left"},
        xaxis_title=xaxis,
        yaxis_title=yaxis,
        uirevision="govworkflow",  # keep zoom and legend clicks across in-place updates
        **layout,
    )
    return fig


def _days_axis(fig: go.Figure, days: Sequence[int]) -> go.Figure:
    """Whole days on the x axis (about ten ticks at most), from day 0 (never below it, even
    on day 0, when plotly's autorange would centre the one point); counts from 0 up."""
    last = max(days, default=0)
    fig.update_xaxes(tickmode="linear", tick0=0, dtick=max(1, -(-last // 10)), range=[0, max(1, last)])
    fig.update_yaxes(rangemode="tozero")
    return fig


def _service_color(service: str, i: int) -> str:
    return SERVICE_COLORS.get(service, PALETTE[i % len(PALETTE)])


def _episode_title(tr: Trace, what: str) -> str:
    return f"{what} — {tr.task_id} ({tr.ruleset}), day {tr.last.day}"


# -- episode charts --------------------------------------------------------------------
def backlog_figure(tr: Trace, by: str = "service") -> go.Figure:
    """Open cases at the end of each day, stacked by ``"service"`` or by ``"stage"``."""
    points = tr.daily()
    days = [p.day for p in points]
    fig = _figure(_episode_title(tr, f"Backlog by {by}"), "day", "open cases")
    if by == "service":
        for i, s in enumerate(tr.services):
            y = [p.observation.queues[i].active_cases for p in points]
            color = _service_color(s, i)
            fig.add_trace(go.Scatter(x=days, y=y, name=s, stackgroup="backlog", mode="lines", line={"color": color}))
    elif by == "stage":
        for i, stage in enumerate(tr.stages):
            y = [sum(q.stage_counts.get(stage, 0) for q in p.observation.queues) for p in points]
            color = _STAGE_COLORS[i] if i < len(_STAGE_COLORS) else PALETTE[i % len(PALETTE)]
            fig.add_trace(
                go.Scatter(x=days, y=y, name=stage, stackgroup="backlog", mode="lines", line={"color": color})
            )
    else:
        raise ValueError(f"by: expected 'service' or 'stage', got {by!r}")
    return _days_axis(fig, days)


def sla_figure(tr: Trace) -> go.Figure:
    """SLA breaches so far (line) and open cases at risk of breaching (bars), per day."""
    points = tr.daily()
    days = [p.day for p in points]
    fig = _figure(_episode_title(tr, "Deadlines"), "day", "cases")
    fig.add_trace(
        go.Bar(
            x=days,
            y=[p.at_risk for p in points],
            name=f"at risk ({tr.at_risk_rule})",
            marker={"color": PALETTE[1]},
            opacity=0.7,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=days,
            y=[p.observation.total_sla_breaches for p in points],
            name="SLA breaches so far",
            mode="lines+markers",
            line={"color": _BAD, "width": 2},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=days,
            y=[p.observation.total_completed for p in points],
            name="completed so far",
            mode="lines",
            line={"color": _GOOD, "dash": "dot"},
        )
    )
    return _days_axis(fig, days)


def officers_figure(tr: Trace) -> go.Figure:
    """Officers per service (stacked) and the unassigned reserve, per day."""
    points = tr.daily()
    days = [p.day for p in points]
    fig = _figure(_episode_title(tr, "Officers"), "day", "officers")
    for i, s in enumerate(tr.services):
        fig.add_trace(
            go.Scatter(
                x=days,
                y=[p.observation.officers.get(s, 0) for p in points],
                name=s,
                stackgroup="officers",
                mode="lines",
                line={"color": _service_color(s, i), "shape": "hv"},
            )
        )
    fig.add_trace(
        go.Scatter(
            x=days,
            y=[p.observation.reserve_officers for p in points],
            name="reserve",
            stackgroup="officers",
            mode="lines",
            line={"color": _NEUTRAL, "shape": "hv", "dash": "dot"},
        )
    )
    return _days_axis(fig, days)


def reward_components_figure(episode: Trace | EpisodeRecord) -> go.Figure:
    """Each step's reward split into its named components (bars) and the total (line)."""
    if isinstance(episode, Trace):
        names = episode.component_names
        rows = [(p.step, p.reward, p.components) for p in episode.steps()]
        label = _episode_title(episode, "Reward per step")
    else:
        names = episode.component_names
        rows = [(s.step, s.reward, s.components) for s in episode.steps]
        label = f"Reward per step — {episode.task_id} ({episode.ruleset})"
    steps = [r[0] for r in rows]
    fig = _figure(label, "step", "reward", barmode="relative")
    for j, name in enumerate(names):
        fig.add_trace(
            go.Bar(
                x=steps,
                y=[round(r[2][j], 4) for r in rows],
                name=name,
                marker={"color": COMPONENT_PALETTE[j % len(COMPONENT_PALETTE)]},
            )
        )
    fig.add_trace(
        go.Scatter(
            x=steps,
            y=[r[1] for r in rows],
            name="total",
            mode="lines",
            line={"color": "#808080", "width": 1.5},
        )
    )
    fig.update_xaxes(rangemode="nonnegative")
    if not rows:  # before the first step: an empty chart from 0, not plotly's -1..6
        fig.update_xaxes(range=[0, 1])
        fig.update_yaxes(range=[0, 1])
    return fig


def grade_figure(grade: Grade) -> go.Figure:
    """The grade's breakdown: per weighted component, what it earned and what it lost.

    Bar lengths are weighted, so the earned parts add up to the score. Components with
    weight 0 are listed (value in the hover text) but earn nothing.
    """
    comps = list(reversed(grade.components))  # first component on top
    names = [c.name for c in comps]
    status = "provisional " if grade.provisional else ""
    fig = _figure(
        f"Grade {grade.score:.4f} ({status}{grade.task_id}, {grade.ruleset})",
        "share of the score",
        "",
        barmode="stack",
        hovermode="closest",
        height=max(240, 60 + 28 * len(comps)),
    )
    hover = [f"{c.name}: value {c.value:.4f} x weight {c.weight:.2f}" for c in comps]
    fig.add_trace(
        go.Bar(
            y=names,
            x=[round(c.weight * c.value, 4) for c in comps],
            orientation="h",
            name="earned",
            marker={"color": _GOOD},
            hovertext=hover,
            hoverinfo="text",
        )
    )
    fig.add_trace(
        go.Bar(
            y=names,
            x=[round(c.weight * (1 - c.value), 4) for c in comps],
            orientation="h",
            name="lost",
            marker={"color": _BAD},
            opacity=0.6,
            hovertext=hover,
            hoverinfo="text",
        )
    )
    fig.update_xaxes(range=[0, max([0.05, *(c.weight for c in comps)]) * 1.05])
    return fig


# -- results ---------------------------------------------------------------------------
def _ci(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    if not all("ci_low" in r and "ci_high" in r for r in rows):
        return None
    return {
        "type": "data",
        "symmetric": False,
        "array": [round(float(r["ci_high"]) - float(r["mean"]), 4) for r in rows],
        "arrayminus": [round(float(r["mean"]) - float(r["ci_low"]), 4) for r in rows],
        "color": "#808080",
    }


def _leaderboard_keys(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    """Each row's (ruleset, task, policy); a key given twice is an error naming it."""
    keys: list[tuple[str, str, str]] = []
    for r in rows:
        key = (str(r.get("ruleset", "")), str(r.get("task_id", "")), str(r["policy"]))
        if key in keys:
            raise ValueError(
                f"rows: (ruleset, task, policy) {key} appears twice; a leaderboard has one row each "
                "(filter the rows, or give each a distinct ruleset)"
            )
        keys.append(key)
    return keys


def leaderboard_figure(rows: Sequence[Mapping[str, Any]], title: str = "Leaderboard") -> go.Figure:
    """Mean score per policy with 95% confidence intervals, one colour per task.

    ``rows``: dicts with ``policy``, ``mean``, ``ci_low``, ``ci_high`` and optionally
    ``ruleset``, ``task_id`` and ``n`` (the leaderboard JSON rows). Policies are ordered by
    their mean over tasks, best on top. Rows of several rulesets are never added together:
    each ruleset gets its own panel, so every bar is exactly one (ruleset, task, policy) row
    (one given twice is an error).
    """
    keys = _leaderboard_keys(rows)
    rulesets = list(dict.fromkeys(k[0] for k in keys)) or [""]
    tasks = list(dict.fromkeys(k[1] for k in keys))
    orders: dict[str, list[str]] = {}
    for name in rulesets:
        means: dict[str, list[float]] = {}
        for key, r in zip(keys, rows, strict=True):
            if key[0] == name:
                means.setdefault(key[2], []).append(float(r["mean"]))
        orders[name] = sorted(means, key=lambda p, m=means: (sum(m[p]) / len(m[p]), p))  # type: ignore[misc]
    size = {n: len(orders[n]) * len({k[1] for k in keys if k[0] == n}) for n in rulesets}
    bars = sum(size.values())
    height = max(260, 80 + 22 * bars + 40 * (len(rulesets) - 1))
    layout: dict[str, Any] = {"barmode": "group", "hovermode": "closest", "height": height}
    if len(rulesets) == 1:
        fig = _figure(title, "score (mean, 95% CI)", "", **layout)
    else:
        from plotly.subplots import make_subplots

        fig = make_subplots(
            rows=len(rulesets),
            cols=1,
            shared_xaxes=True,
            vertical_spacing=min(0.3 / len(rulesets), 80 / height),
            row_heights=[max(1, size[n]) for n in rulesets],
            subplot_titles=[f"ruleset {n}" for n in rulesets],
        )
        fig.update_layout(
            template=TEMPLATE,
            title={"text": title, "x": 0, "xanchor": "left"},
            uirevision="govworkflow",
            **layout,
        )
        fig.update_xaxes(title_text="score (mean, 95% CI)", row=len(rulesets), col=1)
    # Horizontal bars stack upwards: add the tasks last to first so the first is on top,
    # and list the legend in the same order.
    fig.update_layout(legend_traceorder="reversed")
    for panel, name in enumerate(rulesets, start=1):
        order = orders[name]
        for i, task in reversed(list(enumerate(tasks))):
            sel = sorted(
                (r for key, r in zip(keys, rows, strict=True) if key[:2] == (name, task)),
                key=lambda r, o=order: o.index(str(r["policy"])),  # type: ignore[misc]
            )
            if not sel:
                continue
            bar = go.Bar(
                y=[str(r["policy"]) for r in sel],
                x=[round(float(r["mean"]), 4) for r in sel],
                orientation="h",
                name=task or "score",
                legendgroup=task or "score",
                showlegend=panel == 1,
                marker={"color": PALETTE[i % len(PALETTE)]},
                error_x=_ci(sel),
                hovertext=[f"{name} · n={r['n']}" if "n" in r else name for r in sel],
            )
            if len(rulesets) == 1:
                fig.add_trace(bar)
            else:
                fig.add_trace(bar, row=panel, col=1)
        axis = {"categoryorder": "array", "categoryarray": order}
        if len(rulesets) == 1:
            fig.update_yaxes(**axis)
        else:
            fig.update_yaxes(**axis, row=panel, col=1)
    fig.update_xaxes(range=[0, 1])
    return fig


def ruleset_comparison_figure(
    rows: Sequence[Mapping[str, Any]], title: str = "The same policies under two rulesets"
) -> go.Figure:
    """Mean score per policy (and task), one bar per ruleset side by side.

    ``rows``: dicts with ``ruleset``, ``policy``, ``mean``, optionally ``task_id`` and
    ``ci_low``/``ci_high``.
    """
    rulesets = list(dict.fromkeys(str(r["ruleset"]) for r in rows))
    multi_task = len({r.get("task_id") for r in rows}) > 1

    def label(r: Mapping[str, Any]) -> str:
        return f"{r['policy']} · {r['task_id']}" if multi_task else str(r["policy"])

    fig = _figure(title, "", "score", barmode="group", hovermode="closest")
    for i, name in enumerate(rulesets):
        sel = [r for r in rows if str(r["ruleset"]) == name]
        fig.add_trace(
            go.Bar(
                x=[label(r) for r in sel],
                y=[round(float(r["mean"]), 4) for r in sel],
                name=name,
                marker={"color": PALETTE[i % len(PALETTE)]},
                error_y=_ci(sel),
            )
        )
    fig.update_yaxes(range=[0, 1])
    return fig


def training_curve_figure(
    curves: Mapping[str, Any],
    baselines: Mapping[str, float] | None = None,
    title: str = "Training curve",
    yaxis: str = "mean score",
) -> go.Figure:
    """Learning curves: ``{"steps": [...], "values": [...]}`` or a mapping of names to
    such dicts; ``baselines`` (name → value) are drawn as dotted horizontal lines."""
    named: Mapping[str, Mapping[str, Sequence[float]]] = (
        {"training": curves} if "steps" in curves and "values" in curves else curves
    )
    fig = _figure(title, "environment steps", yaxis)
    for i, (name, c) in enumerate(named.items()):
        if len(c["steps"]) != len(c["values"]):
            raise ValueError(f"curve {name!r}: {len(c['steps'])} steps but {len(c['values'])} values")
        fig.add_trace(
            go.Scatter(
                x=list(c["steps"]),
                y=[float(v) for v in c["values"]],
                name=name,
                mode="lines+markers",
                line={"color": PALETTE[i % len(PALETTE)]},
            )
        )
    all_steps = [s for c in named.values() for s in c["steps"]]
    x0, x1 = (min(all_steps), max(all_steps)) if all_steps else (0, 1)
    for j, (name, value) in enumerate((baselines or {}).items()):
        fig.add_trace(
            go.Scatter(
                x=[x0, x1],
                y=[value, value],
                name=name,
                mode="lines",
                line={"color": PALETTE[(len(named) + j) % len(PALETTE)], "dash": "dot"},
            )
        )
    return fig
