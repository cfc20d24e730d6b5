"""The one statistics module: every published interval comes from ``mean_ci``, every
comparison from ``paired_difference``."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from govworkflow.core.errors import BadValueError
from govworkflow.evaluation import stats

scipy_stats = pytest.importorskip("scipy.stats")

PACKAGE = Path(stats.__file__).resolve().parents[1]


def test_mean_ci_is_scipys_bca_bootstrap_with_the_documented_settings() -> None:
    data = [0.1, 0.5, 0.3, 0.9, 0.72, 0.64, 0.2]
    ci = stats.mean_ci(data)
    ref = scipy_stats.bootstrap(
        (np.asarray(data),), np.mean, confidence_level=0.95, n_resamples=2000, method="BCa",
        rng=np.random.default_rng(0),
    ).confidence_interval  # fmt: skip
    assert (ci.low, ci.high) == (float(ref.low), float(ref.high))
    assert ci.mean == pytest.approx(np.mean(data)) and ci.n == 7
    assert ci.low < ci.mean < ci.high
    assert stats.mean_ci(data) == ci  # deterministic
    assert stats.settings() == {"confidence_level": 0.95, "n_resamples": 2000, "method": "BCa", "seed": 0}


def test_degenerate_samples_give_the_mean_itself() -> None:
    assert stats.bootstrap_ci([0.5]) == (0.5, 0.5)
    assert stats.bootstrap_ci([0.2, 0.2, 0.2]) == (0.2, 0.2)


@pytest.mark.parametrize("bad", [[], [0.1, float("nan")], [0.1, "0.2"], [True, 0.3], [0.1, None]])
def test_bad_values_are_refused_by_name(bad: list[object]) -> None:
    with pytest.raises(BadValueError, match="values: "):
        stats.mean_ci(bad)  # type: ignore[arg-type]


def test_paired_difference_pairs_by_seed() -> None:
    rng = np.random.default_rng(5)
    base = {s: float(v) for s, v in zip(range(100, 160), rng.uniform(0.3, 0.7, 60), strict=True)}
    better = {s: v + 0.02 + float(rng.normal(0, 0.01)) for s, v in base.items()}
    d = stats.paired_difference(better, base)
    assert d.n == 60 and d.a_beats_b and not d.b_beats_a and d.low > 0
    assert d.mean == pytest.approx(np.mean([better[s] - base[s] for s in base]))
    r = stats.paired_difference(base, better)
    assert r.b_beats_a and r.mean == pytest.approx(-d.mean)
    assert d.wins + d.losses <= 60 and d.wins > d.losses
    # the same scores listed in another order are the same comparison
    assert stats.paired_difference(dict(reversed(list(better.items()))), base) == d


def test_a_policy_does_not_beat_itself_and_noise_is_not_a_win() -> None:
    rng = np.random.default_rng(1)
    a = {s: float(v) for s, v in enumerate(rng.uniform(0, 1, 40))}
    same = stats.paired_difference(a, a)
    assert same.mean == 0 and not same.a_beats_b and not same.b_beats_a
    noise = {s: v + float(rng.normal(0, 0.05)) for s, v in a.items()}
    d = stats.paired_difference(noise, a)
    assert d.low < 0 < d.high and not d.a_beats_b


def test_unpaired_seeds_are_refused() -> None:
    with pytest.raises(BadValueError, match=r"only in a: \[3\], only in b: \[4\]"):
        stats.paired_difference({1: 0.5, 2: 0.5, 3: 0.1}, {1: 0.5, 2: 0.4, 4: 0.2})
    with pytest.raises(BadValueError, match="no seeds"):
        stats.paired_difference({}, {})


def test_every_leaderboard_uses_this_module() -> None:
    """Office, triage and the notebooks' quick leaderboard: each row's interval is
    ``mean_ci`` of that row's own scores."""
    from govworkflow.evaluation.leaderboard import run_leaderboard
    from govworkflow.evaluation.triage import leaderboard as triage_leaderboard
    from govworkflow.viz.results import quick_leaderboard

    office = run_leaderboard("legacy", ["district_backlog_easy"], ["urgent_first"], n_seeds=5, progress=False)
    triage = triage_leaderboard(["overload_12"], ["edf"], limit=5)
    for row in [*office, *triage]:
        ci = stats.mean_ci(row.scores)
        assert (row.ci_low, row.ci_high) == (round(ci.low, 4), round(ci.high, 4)), row.policy
        assert row.ci_low < row.mean < row.ci_high
    quick = quick_leaderboard("legacy", ["district_backlog_easy"], ["urgent_first"], n_seeds=5)[0]
    assert (quick["ci_low"], quick["ci_high"]) == (office[0].ci_low, office[0].ci_high)


def test_no_other_module_computes_a_bootstrap() -> None:
    """One owner: only ``evaluation/stats.py`` imports scipy's bootstrap (read with ast)."""
    owners = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            imported = isinstance(node, ast.ImportFrom) and node.module == "scipy.stats"
            if imported and any(a.name == "bootstrap" for a in node.names):  # type: ignore[union-attr]
                owners.append(path.relative_to(PACKAGE).as_posix())
    assert owners == ["evaluation/stats.py"]


def test_too_few_seeds_never_make_a_winner() -> None:
    one = stats.paired_difference({1: 0.6}, {1: 0.5})
    assert one.low > 0 and not one.a_beats_b  # one seed: a point, not evidence
    few = stats.paired_difference(dict.fromkeys(range(9), 0.6), dict.fromkeys(range(9), 0.5))
    assert not few.a_beats_b
    enough = stats.paired_difference({s: 0.6 + s / 1000 for s in range(10)}, dict.fromkeys(range(10), 0.5))
    assert enough.n == stats.MIN_PAIRED_SEEDS and enough.a_beats_b


def test_probability_of_improvement_counts_wins_and_half_ties() -> None:
    a = {1: 0.5, 2: 0.6, 3: 0.7, 4: 0.4}
    b = {1: 0.4, 2: 0.6, 3: 0.8, 4: 0.3}
    p = stats.probability_of_improvement(a, b)
    assert p.mean == pytest.approx((1 + 0.5 + 0 + 1) / 4)
    assert p.low <= p.mean <= p.high and p.n == 4
    assert stats.probability_of_improvement(b, a).mean == pytest.approx(1 - p.mean)
    with pytest.raises(ValueError, match="same seeds"):
        stats.probability_of_improvement(a, {1: 0.1})
