"""Grading shared by every environment: ``Grade`` (a score in [0, 1] with a breakdown by
named component, ``explain()``), and the helpers graders build it with."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field

__all__ = ["Grade", "GradeComponent", "clamp01", "make_grade", "ratio"]


class GradeComponent(BaseModel):
    """One graded quantity: its value in [0, 1], its weight and contribution to the score."""

    name: str
    value: float = Field(ge=0.0, le=1.0)
    weight: float = Field(ge=0.0, le=1.0)
    contribution: float
    description: str = ""


class Grade(BaseModel):
    """A score in [0, 1] with its breakdown. ``provisional`` while the episode runs."""

    ruleset: str
    task_id: str
    score: float = Field(ge=0.0, le=1.0)
    components: list[GradeComponent]
    provisional: bool

    @property
    def metrics(self) -> dict[str, float]:
        """Component values by name."""
        return {c.name: c.value for c in self.components}

    def explain(self) -> str:
        """Plain-language reading: the score and which weighted components cost the most."""
        lines = [f"score {self.score:.4f}" + (" (provisional: episode not finished)" if self.provisional else "")]
        lost = sorted(
            (c for c in self.components if c.weight > 0),
            key=lambda c: c.weight * (1 - c.value),
            reverse=True,
        )
        for c in lost:
            lines.append(
                f"  {c.name:<24} {c.value:.4f} x weight {c.weight:.2f} -> loses {c.weight * (1 - c.value):.4f}"
            )
        return "\n".join(lines)


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
