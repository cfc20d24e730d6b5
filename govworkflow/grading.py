"""Helpers shared by every ruleset's grader: ratios and the ``Grade`` breakdown."""

from __future__ import annotations

from collections.abc import Mapping

from govworkflow.models import Grade, GradeComponent

__all__ = ["clamp01", "make_grade", "ratio"]


def clamp01(x: float) -> float:
    """``x`` clipped to [0, 1]."""
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def ratio(num: float, den: float, empty: float) -> float:
    """``num / den`` clipped to [0, 1]; ``empty`` when ``den`` is 0."""
    return clamp01(num / den) if den > 0 else empty


def make_grade(
    ruleset: str,
    task_id: str,
    values: Mapping[str, float],
    weights: Mapping[str, float],
    descriptions: Mapping[str, str],
    *,
    provisional: bool,
) -> Grade:
    """The weighted score (of unrounded values, then rounded to 4 decimals) and the
    breakdown: every component's value and contribution, rounded to 4 decimals."""
    score = sum(weights.get(k, 0.0) * v for k, v in values.items())
    return Grade(
        ruleset=ruleset,
        task_id=task_id,
        score=clamp01(round(score, 4)),
        components=[
            GradeComponent(
                name=k,
                value=round(clamp01(v), 4),
                weight=weights.get(k, 0.0),
                contribution=round(weights.get(k, 0.0) * v, 4),
                description=descriptions.get(k, ""),
            )
            for k, v in values.items()
        ],
        provisional=provisional,
    )
