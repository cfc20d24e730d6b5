"""The one statistics module: every interval the package publishes comes from here.

* ``mean_ci(values)``: the mean and its 95% bootstrap confidence interval;
* ``paired_difference(a, b)``: the mean of ``a[seed] - b[seed]`` over the same seeds, with
  its 95% bootstrap interval. "A beats B" is said only where its ``low`` is above 0.

Method: the bias-corrected and accelerated (BCa) bootstrap of ``scipy.stats.bootstrap``,
``N_RESAMPLES`` resamples from a generator seeded with ``SEED`` (so a table is
reproducible to the last digit). BCa corrects the percentile interval for the bias and
skew of the resampled means, which matters here: grades are bounded in [0, 1] and pile up
near a bound for strong policies, where the percentile interval is off-centre and covers
less than it claims. Where BCa is undefined (all resampled means equal, or fewer than
two values) the interval is the mean itself; where its correction cannot be computed (a
degenerate jackknife), the percentile interval is used. Needs the ``leaderboard`` extra
(scipy).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from govworkflow.core.errors import BadValueError, MissingExtraError

__all__ = [
    "CONFIDENCE",
    "METHOD",
    "MIN_PAIRED_SEEDS",
    "N_RESAMPLES",
    "SEED",
    "Interval",
    "PairedDifference",
    "bootstrap_ci",
    "mean_ci",
    "paired_difference",
    "probability_of_improvement",
    "settings",
]

#: Two-sided confidence level of every published interval.
CONFIDENCE = 0.95
#: Bootstrap resamples per interval.
N_RESAMPLES = 2000
#: The bootstrap method (``scipy.stats.bootstrap``'s name for it).
METHOD = "BCa"
#: Seed of the resampling generator.
SEED = 0
#: The fewest paired seeds on which one policy may be said to beat another (below it the
#: interval is too unreliable, and with one seed it collapses to a point).
MIN_PAIRED_SEEDS = 10


def settings() -> dict[str, Any]:
    """The bootstrap settings, as recorded in every results file's provenance."""
    return {"confidence_level": CONFIDENCE, "n_resamples": N_RESAMPLES, "method": METHOD, "seed": SEED}


@dataclass(frozen=True)
class Interval:
    """A mean and its confidence interval over ``n`` values."""

    mean: float
    low: float
    high: float
    n: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PairedDifference:
    """``mean(a - b)`` over the seeds both were played on, with its confidence interval."""

    mean: float
    low: float
    high: float
    n: int
    wins: int
    """Seeds where ``a`` scored higher."""
    losses: int
    """Seeds where ``b`` scored higher."""

    @property
    def a_beats_b(self) -> bool:
        """True only when the whole interval lies above 0, on at least ``MIN_PAIRED_SEEDS`` seeds."""
        return self.n >= MIN_PAIRED_SEEDS and self.low > 0.0

    @property
    def b_beats_a(self) -> bool:
        """True only when the whole interval lies below 0, on at least ``MIN_PAIRED_SEEDS`` seeds."""
        return self.n >= MIN_PAIRED_SEEDS and self.high < 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "a_beats_b": self.a_beats_b, "b_beats_a": self.b_beats_a}


def _finite(values: Sequence[float], what: str) -> list[float]:
    out = []
    for v in values:
        try:
            f = float(v)
        except (TypeError, ValueError):
            f = math.nan
        if isinstance(v, bool | str) or not math.isfinite(f):
            raise BadValueError(f"{what}: expected finite numbers, got {v!r}")
        out.append(f)
    return out


def _interval(values: list[float]) -> tuple[float, float]:
    try:
        import numpy as np
        from scipy.stats import bootstrap
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise MissingExtraError("scipy", "leaderboard") from err
    data = np.asarray(values, dtype=float)
    if len(data) < 2 or float(np.ptp(data)) == 0.0:  # every value the same: that value, exactly
        return values[0], values[0]
    kwargs: dict[str, Any] = {"confidence_level": CONFIDENCE, "n_resamples": N_RESAMPLES}
    for method in (METHOD, "percentile"):
        res = bootstrap((data,), np.mean, method=method, rng=np.random.default_rng(SEED), **kwargs)
        low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
        if math.isfinite(low) and math.isfinite(high):
            break
    return low, high


def mean_ci(values: Sequence[float]) -> Interval:
    """The mean of ``values`` and its ``CONFIDENCE`` bootstrap interval (``METHOD``)."""
    data = _finite(values, "values")
    if not data:
        raise BadValueError("values: need at least one value for a mean")
    low, high = _interval(data)
    same = all(x == data[0] for x in data)
    return Interval(data[0] if same else math.fsum(data) / len(data), low, high, len(data))


def bootstrap_ci(values: Sequence[float]) -> tuple[float, float]:
    """``(low, high)`` of ``mean_ci(values)``: the interval alone."""
    ci = mean_ci(values)
    return ci.low, ci.high


def paired_difference(a: Mapping[int, float], b: Mapping[int, float]) -> PairedDifference:
    """``a[s] - b[s]`` averaged over the seeds ``s`` both were played on, with its interval.

    ``a`` and ``b`` map seeds to scores and must hold the same seeds: a comparison on
    different seeds is not paired, and is refused naming the seeds that differ."""
    xa, xb = _paired(a, b)
    diffs = [x - y for x, y in zip(xa, xb, strict=True)]
    low, high = _interval(diffs)
    return PairedDifference(
        mean=sum(diffs) / len(diffs),
        low=low,
        high=high,
        n=len(diffs),
        wins=sum(d > 0 for d in diffs),
        losses=sum(d < 0 for d in diffs),
    )


def probability_of_improvement(a: Mapping[int, float], b: Mapping[int, float]) -> Interval:
    """The chance that ``a`` scores higher than ``b`` on a seed (ties count a half),
    estimated over the seeds both were played on, with its bootstrap interval."""
    xa, xb = _paired(a, b)
    return mean_ci([1.0 if x > y else 0.5 if x == y else 0.0 for x, y in zip(xa, xb, strict=True)])


def _paired(a: Mapping[int, float], b: Mapping[int, float]) -> tuple[list[float], list[float]]:
    """Both sides' scores in seed order, once the seeds are checked to be the same and the
    scores finite (refused naming the seeds or value otherwise)."""
    only_a, only_b = sorted(set(a) - set(b)), sorted(set(b) - set(a))
    if only_a or only_b:
        raise BadValueError(
            f"paired difference: both sides need the same seeds; only in a: {only_a[:5]}, only in b: {only_b[:5]}"
        )
    seeds = sorted(a)
    if not seeds:
        raise BadValueError("paired difference: no seeds")
    return _finite([a[s] for s in seeds], "a"), _finite([b[s] for s in seeds], "b")
