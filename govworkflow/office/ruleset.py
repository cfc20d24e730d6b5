"""The office's rulesets as kernel suites: ``Ruleset`` (tasks, simulator, policies)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from govworkflow.core.errors import UnknownNameError, check_count, check_seed
from govworkflow.core.kernel import Policy, PolicyFactory, Simulator, TaskLike

__all__ = ["Ruleset"]


@dataclass(frozen=True)
class Ruleset:
    """A named set of rules: its tasks, its simulator and its policies."""

    name: str
    description: str
    tasks: Mapping[str, TaskLike]
    simulator: Callable[..., Simulator]
    policies: Mapping[str, PolicyFactory]
    default_max_steps: int

    def __reduce__(self) -> tuple[Callable[[str], Ruleset], tuple[str]]:
        """Rulesets pickle by name (their policy factories are closures)."""
        from govworkflow.office.rulesets import get_ruleset

        return get_ruleset, (self.name,)

    def task(self, task_id: str) -> TaskLike:
        try:
            return self.tasks[task_id]
        except KeyError:
            raise UnknownNameError(f"{self.name} task", task_id, self.tasks) from None

    def policy(self, name: str) -> Policy:
        try:
            factory = self.policies[name]
        except KeyError:
            raise UnknownNameError(f"{self.name} policy", name, self.policies) from None
        return factory()

    def make(self, task_id: str, seed: int | None = None, max_steps: int | None = None) -> Simulator:
        task = self.task(task_id)
        return self.simulator(
            task,
            task.seed if seed is None else check_seed(seed),
            self.default_max_steps if max_steps is None else check_count(max_steps, "max_steps"),
        )
