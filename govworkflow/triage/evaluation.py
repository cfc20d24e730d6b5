"""Deprecated import path, kept for one release: use ``govworkflow.evaluation``.

Triage episodes run through the one episode loop of every environment
(``govworkflow.evaluation.run_episode`` / ``evaluate`` with ``ruleset="triage"``); their
results are ``EpisodeResult`` (the oracle, floor and counts are in ``outcome``). This
module keeps the old call shapes and warns on import.
"""

import warnings
from collections.abc import Iterable

from govworkflow.core.kernel import Policy
from govworkflow.evaluation.run import EpisodeResult
from govworkflow.evaluation.run import evaluate as _evaluate
from govworkflow.evaluation.run import run_episode as _run_episode
from govworkflow.triage.suite import TRIAGE
from govworkflow.triage.tasks import TriageTask, get_task

__deprecated_alias__ = "govworkflow.evaluation"
__all__ = ["TriageResult", "evaluate", "run_episode", "seed_list"]

#: The result of a triage episode (every environment's ``EpisodeResult``).
TriageResult = EpisodeResult


def run_episode(task: TriageTask | str, policy: Policy, seed: int) -> EpisodeResult:
    """``govworkflow.evaluation.run_episode(TRIAGE, task, policy, seed)``."""
    return _run_episode(TRIAGE, task, policy, seed)


def seed_list(task: TriageTask | str, seed_set: str = "eval", limit: int | None = None) -> list[int]:
    """``get_task(task).seeds.take(seed_set, limit)``."""
    return get_task(task).seeds.take(seed_set, limit)


def evaluate(task_id: str, policy: str, seeds: Iterable[int] | None = None) -> list[EpisodeResult]:
    """``govworkflow.evaluation.evaluate(task_id, policy, seeds, ruleset="triage")``."""
    return _evaluate(task_id, policy, seeds, ruleset=TRIAGE.name)


warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
