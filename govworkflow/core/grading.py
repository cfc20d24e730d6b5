"""Grading shared by every environment: ``Grade`` (a score in [0, 1] with a breakdown by
named component, ``explain()``), and the helpers graders build it with."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field

__all__ = ["Grade", "GradeComponent", "clamp01", "make_grade", "ratio", "shares"]


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
    """The weighted score and its breakdown, rounded once: the score is the unrounded
    weighted sum rounded to 4 decimals, and the contributions are rounded so that they add
    up to it exactly (largest remainders); values are rounded to 4 decimals."""
    exact = {k: weights.get(k, 0.0) * clamp01(v) for k, v in values.items()}
    score = clamp01(round(sum(exact.values()), 4))
    return Grade(
        ruleset=ruleset,
        task_id=task_id,
        score=score,
        components=[
            GradeComponent(
                name=k,
                value=round(clamp01(v), 4),
                weight=weights.get(k, 0.0),
                contribution=share,
                description=descriptions.get(k, ""),
            )
            for (k, v), share in zip(values.items(), shares(exact, score).values(), strict=True)
        ],
        provisional=provisional,
    )


def shares(exact: Mapping[str, float], total: float, digits: int = 4) -> dict[str, float]:
    """``exact`` rounded to ``digits`` decimals so that the rounded values add up to
    ``total`` (itself rounded to ``digits``): each is rounded down, and the units left over
    go to the largest remainders (ties: the first). Round once, at the end."""
    unit = 10**digits
    scaled = {k: max(0.0, v) * unit for k, v in exact.items()}
    floors = {k: int(v) for k, v in scaled.items()}
    left = round(total * unit) - sum(floors.values())
    order = sorted(scaled, key=lambda k: floors[k] - scaled[k])  # largest remainder first (stable)
    for k in order[: max(0, left)]:
        floors[k] += 1
    return {k: n / unit for k, n in floors.items()}
