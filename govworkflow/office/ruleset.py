"""The office's rulesets as kernel suites: ``Ruleset`` (tasks, simulator, policies)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from govworkflow.core.kernel import Suite, TaskLike

__all__ = ["OfficeTask", "Ruleset"]


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
