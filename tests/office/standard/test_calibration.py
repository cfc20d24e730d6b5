"""The calibration targets of docs/standard-ruleset.md, on a smaller held-out sample.

The committed leaderboard shows them on all 100 held-out seeds per task; here the
first 24 held-out seeds (8 for the expensive upper bound) must meet the same targets,
the grade agreeing with citizens included (the ceiling's 0.05 margin is open work: here
the upper bound must only beat sla_aware).
"""

from __future__ import annotations

import pytest

from govworkflow.evaluation.leaderboard import UPPER_BOUND, calibration, run_leaderboard
from govworkflow.office.policies.ladder import LADDER
from tests.office.standard.helpers import OPEN_TARGETS, RULESET


@pytest.mark.slow  # about 15 s: the largest single test of the fast lane otherwise
def test_calibration_targets_hold_on_a_smaller_sample() -> None:
    cheap = [p for p in LADDER if p != UPPER_BOUND]  # the ladder the targets speak of (no trained policy)
    rows = run_leaderboard("standard", None, cheap, 24, workers=2, progress=False)
    rows += run_leaderboard("standard", None, ["sla_aware", UPPER_BOUND], 8, workers=2, progress=False)
    # the upper-bound check compares with sla_aware on the same 8 seeds
    small = {(r.task_id, r.policy): r for r in rows[-2 * len(RULESET.tasks) :]}
    checks = calibration(rows[: -2 * len(RULESET.tasks)])
    for task_id in RULESET.tasks:  # the 0.05 margin is an open target (helpers.OPEN_TARGETS)
        gap = small[(task_id, UPPER_BOUND)].mean - small[(task_id, "sla_aware")].mean
        checks.append({"task_id": task_id, "check": "upper bound - sla_aware", "value": gap, "ok": gap > 0})
    failed = [c for c in checks if not c["ok"] and c["check"] not in OPEN_TARGETS]
    assert not failed, failed
    assert len(checks) >= 4 * 7 + 6
