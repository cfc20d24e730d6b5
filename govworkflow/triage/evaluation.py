"""Deprecated import path, kept for one release: use ``govworkflow.evaluation``.

Triage episodes run through the one episode loop of every environment
(``govworkflow.evaluation.run_episode`` / ``evaluate`` with ``ruleset="triage"``); their
results are ``EpisodeResult`` (the oracle, floor and counts are in ``outcome``). This
module keeps the old call shapes and warns on import.
"""

import warnings
from collections.abc import Iterable
from dataclasses import fields

from govworkflow.core.kernel import Policy
from govworkflow.evaluation.run import EpisodeResult
from govworkflow.evaluation.run import evaluate as _evaluate
from govworkflow.evaluation.run import run_episode as _run_episode
from govworkflow.triage.suite import TRIAGE
from govworkflow.triage.tasks import TriageTask, get_task

__deprecated_alias__ = "govworkflow.evaluation"
__all__ = ["TriageResult", "evaluate", "run_episode", "seed_list"]


class TriageResult(EpisodeResult):
    """Every environment's ``EpisodeResult``, with the old triage names: ``reward`` (now
    ``reward_sum``), ``optimal``; ``oracle``, ``floor``, ``worked`` and ``on_time`` read
    ``outcome``."""

    @property
    def reward(self) -> float:
        return self.reward_sum

    @property
    def optimal(self) -> bool:
        """True if the episode earned the oracle's reward."""
        return self.reward_sum >= self.outcome["oracle"] - 1e-9


def _old(result: EpisodeResult) -> TriageResult:
    return TriageResult(**{f.name: getattr(result, f.name) for f in fields(EpisodeResult)})


def run_episode(task: TriageTask | str, policy: Policy, seed: int) -> TriageResult:
    """``govworkflow.evaluation.run_episode(TRIAGE, task, policy, seed)``."""
    return _old(_run_episode(TRIAGE, task, policy, seed))


def seed_list(task: TriageTask | str, seed_set: str = "eval", limit: int | None = None) -> list[int]:
    """``get_task(task).seeds.take(seed_set, limit)``."""
    return get_task(task).seeds.take(seed_set, limit)


def evaluate(task_id: str, policy: str, seeds: Iterable[int] | None = None) -> list[TriageResult]:
    """``govworkflow.evaluation.evaluate(task_id, policy, seeds, ruleset="triage")``."""
    return [_old(r) for r in _evaluate(task_id, policy, seeds, ruleset=TRIAGE.name)]


warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
