"""One leaderboard row shape and one file format for every environment.

A leaderboard is a list of ``Row`` (one per task x policy): the mean score over held-out
seeds with its 95% interval (``evaluation.stats``), the spread, the mean of every grade
component (``metrics``), the environment's own per-episode means (``extras``: the
office's steps and completions, triage's reward, oracle, gap and optimal share), and every
seed with its score, so any two rows can be compared by ``stats.paired_difference``.

A leaderboard file (``data/results/leaderboard-<ruleset>.json``) is a ``Document``:
``format``, ``version``, ``environment``, ``ruleset``, ``provenance``, ``rows`` and, for
the standard ruleset, its ``calibration`` checks. ``load`` validates a file and names the
first field that is wrong; ``save`` writes atomically.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from govworkflow.core.errors import BadValueError
from govworkflow.core.provenance import read_json_object, write_json
from govworkflow.evaluation import stats

__all__ = ["ENVIRONMENTS", "FORMAT", "VERSION", "Document", "Row", "load", "paired", "save", "summarise"]

FORMAT: Literal["govworkflow-leaderboard"] = "govworkflow-leaderboard"
VERSION: Literal[2] = 2
#: The environments a leaderboard can be of.
ENVIRONMENTS: tuple[str, ...] = ("office", "triage")


class Row(BaseModel):
    """One (task, policy) cell of a leaderboard, of any environment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    task_id: str = Field(description="The task.")
    policy: str = Field(description="The policy.")
    n: int = Field(ge=1, description="Episodes (held-out seeds) played.")
    mean: float = Field(ge=0.0, le=1.0, description="Mean score.")
    ci_low: float = Field(description="95% bootstrap interval of the mean, low end (evaluation.stats).")
    ci_high: float = Field(description="95% bootstrap interval of the mean, high end.")
    std: float = Field(ge=0.0, description="Sample standard deviation of the scores.")
    metrics: dict[str, float] = Field(description="Mean of each grade component.")
    extras: dict[str, float] = Field(default_factory=dict, description="The environment's own per-episode means.")
    seeds: list[int] = Field(description="Every seed played, in order.")
    scores: list[float] = Field(description="The score of each seed.")
    privileged: bool = Field(
        False, description="A reference that sees more than the observation (listed apart, never ranked)."
    )

    @model_validator(mode="after")
    def _check(self) -> Row:
        if len(self.seeds) != self.n or len(self.scores) != self.n:
            raise ValueError(f"seeds/scores: need n = {self.n} of each, got {len(self.seeds)} and {len(self.scores)}")
        if len(set(self.seeds)) != self.n:
            raise ValueError("seeds: a seed is listed twice")
        if any(not (0.0 <= s <= 1.0) for s in self.scores):
            raise ValueError("scores: every score must lie in [0, 1]")
        if abs(self.mean - math.fsum(self.scores) / self.n) > 6e-5:
            raise ValueError(f"mean: {self.mean} is not the mean of the scores ({math.fsum(self.scores) / self.n:.4f})")
        if not self.ci_low - 1e-9 <= self.mean <= self.ci_high + 1e-9:
            raise ValueError(f"ci_low/ci_high: [{self.ci_low}, {self.ci_high}] does not contain the mean {self.mean}")
        bad = [k for k, v in {**self.metrics, **self.extras}.items() if not math.isfinite(v)]
        if bad:
            raise ValueError(f"metrics/extras: {bad} are not finite numbers")
        return self

    def by_seed(self) -> dict[int, float]:
        """``{seed: score}``, the input of ``stats.paired_difference``."""
        return dict(zip(self.seeds, self.scores, strict=True))

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump()


class Document(BaseModel):
    """A leaderboard file."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["govworkflow-leaderboard"] = FORMAT
    version: Literal[2] = VERSION
    environment: Literal["office", "triage"]
    ruleset: str = Field(description="The office's ruleset, or 'triage'.")
    provenance: dict[str, Any]
    rows: list[Row]
    calibration: list[dict[str, Any]] | None = None
    #: The adversarial canaries against the honest policy they modify, on the same seeds
    #: (``evaluation.canaries.report``), when the leaderboard ran them.
    canaries: list[dict[str, Any]] | None = None

    @model_validator(mode="after")
    def _check(self) -> Document:
        cells = [(r.task_id, r.policy) for r in self.rows]
        repeated = sorted({c for c in cells if cells.count(c) > 1})
        if repeated:
            raise ValueError(f"rows: the cell(s) {repeated} are listed more than once")
        if (self.environment == "triage") != (self.ruleset == "triage"):
            raise ValueError(f"ruleset: {self.ruleset!r} does not belong to environment {self.environment!r}")
        return self


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def summarise(
    task_id: str,
    policy: str,
    episodes: Sequence[tuple[int, float, Mapping[str, float], Mapping[str, float]]],
    privileged: bool = False,
) -> Row:
    """A row from one cell's episodes, each ``(seed, score, metrics, extras)``; sorted by seed."""
    if not episodes:
        raise BadValueError(f"{task_id}/{policy}: no episodes to summarise")
    episodes = sorted(episodes, key=lambda e: e[0])
    scores = [float(e[1]) for e in episodes]
    ci = stats.mean_ci(scores)
    n = len(scores)
    std = math.sqrt(math.fsum((s - ci.mean) ** 2 for s in scores) / (n - 1)) if n > 1 else 0.0

    def means(values: list[Mapping[str, float]]) -> dict[str, float]:
        return {k: round(_mean([v[k] for v in values]), 4) for k in values[0]}

    return Row(
        task_id=task_id,
        policy=policy,
        n=n,
        mean=round(ci.mean, 4),
        ci_low=round(ci.low, 4),
        ci_high=round(ci.high, 4),
        std=round(std, 4),
        metrics=means([e[2] for e in episodes]),
        extras=means([e[3] for e in episodes]),
        seeds=[int(e[0]) for e in episodes],
        scores=scores,
        privileged=privileged,
    )


def paired(rows: Sequence[Row], task_id: str, a: str, b: str) -> stats.PairedDifference:
    """``stats.paired_difference`` of policies ``a`` and ``b`` on ``task_id`` (same seeds)."""
    cells = {(r.task_id, r.policy): r for r in rows}
    try:
        ra, rb = cells[(task_id, a)], cells[(task_id, b)]
    except KeyError as err:
        raise BadValueError(f"no row for {err.args[0]} in this leaderboard") from None
    return stats.paired_difference(ra.by_seed(), rb.by_seed())


def save(doc: Document, path: str | Path) -> None:
    """Write ``doc`` as JSON, atomically."""
    write_json(path, doc.model_dump(exclude_none=True))


def load(path: str | Path) -> Document:
    """Read and validate a leaderboard file; anything else is a one-line ``ValueError``."""
    data = read_json_object(path, "a govworkflow leaderboard file")
    try:
        return Document.model_validate(data)
    except ValidationError as err:
        e = err.errors()[0]
        where = ".".join(str(x) for x in e["loc"])
        raise ValueError(f"{path}: not a valid govworkflow leaderboard file: {where}: {e['msg']}") from None
