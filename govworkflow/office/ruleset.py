"""The office's rulesets as kernel suites: ``Ruleset`` (tasks, simulator, policies), and
what their simulators share (``OfficeSimulator``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Protocol

from govworkflow.core.kernel import Simulator, Suite, TaskLike
from govworkflow.office.models import CaseView, EpisodeState, parse_action

__all__ = ["OfficeSimulator", "OfficeTask", "Ruleset"]


class OfficeSimulator(Simulator):
    """What the office's rulesets share on top of the kernel: the day is the clock, and an
    episode's outcome is its completed and open cases."""

    day: int
    mode: str
    reserve: int
    budget: int
    counters: dict[str, int]

    @property
    def clock(self) -> int:
        """The day (the office's time unit)."""
        return self.day

    def outcome(self) -> dict[str, float]:
        """Cases completed and still open."""
        obs = self.observe()
        return {"completed": obs.total_completed, "backlog": obs.total_backlog}

    def episode_state(self, officers: dict[str, int], cases: list[CaseView]) -> EpisodeState:
        """The state both rulesets report (``state()``): the office's facts, ``officers`` by
        service, and the open ``cases`` (sorted here by case id)."""
        cases.sort(key=_CASE_ID)
        return EpisodeState(
            ruleset=self.ruleset,
            task_id=self.task.task_id,
            seed=self.seed,
            day=self.day,
            steps=self.steps,
            terminated=self.terminated,
            truncated=self.truncated,
            priority_mode=self.mode,
            officers=officers,
            reserve_officers=self.reserve,
            escalation_budget_remaining=self.budget,
            counters=dict(self.counters),
            active_cases=cases,
        )


_CASE_ID = attrgetter("case_id")


class OfficeTask(TaskLike, Protocol):
    """What every office task offers besides the kernel's: its horizon in days."""

    @property
    def max_days(self) -> int: ...


@dataclass(frozen=True)
class Ruleset(Suite):
    """A named set of office rules: its tasks, its simulator and its policies (a ``Suite``
    found by name through ``govworkflow.office.rulesets.get_suite``)."""

    tasks: Mapping[str, OfficeTask]
    default_max_steps: int
    home: str = "govworkflow.office.rulesets"
    parse_action: Callable[[Any], Any] | None = parse_action
