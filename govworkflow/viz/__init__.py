"""Charts and the episode player for notebooks (extra: ``notebooks``).

``govworkflow.viz.trace`` and ``govworkflow.viz.actions`` are plain Python. The figure
functions (plotly), ``EpisodePlayer`` and ``TriagePlayer`` (ipywidgets) are imported on first use, so
``import govworkflow.viz`` stays light; without the extra, using them raises
``MissingExtraError`` naming it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from govworkflow.viz.actions import candidate_actions, valid_actions
from govworkflow.viz.trace import Trace, TracePoint, trace

__all__ = [
    "EpisodePlayer",
    "Trace",
    "TracePoint",
    "TriagePlayer",
    "backlog_figure",
    "candidate_actions",
    "grade_figure",
    "leaderboard_figure",
    "officers_figure",
    "reward_components_figure",
    "ruleset_comparison_figure",
    "sla_figure",
    "trace",
    "training_curve_figure",
    "valid_actions",
]

_LAZY = {
    "EpisodePlayer": "govworkflow.viz.player",
    "TriagePlayer": "govworkflow.viz.triage_player",
    "backlog_figure": "govworkflow.viz.figures",
    "grade_figure": "govworkflow.viz.figures",
    "leaderboard_figure": "govworkflow.viz.figures",
    "officers_figure": "govworkflow.viz.figures",
    "reward_components_figure": "govworkflow.viz.figures",
    "ruleset_comparison_figure": "govworkflow.viz.figures",
    "sla_figure": "govworkflow.viz.figures",
    "training_curve_figure": "govworkflow.viz.figures",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'govworkflow.viz' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
