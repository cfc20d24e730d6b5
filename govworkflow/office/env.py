"""The native API: ``reset / step / state / grade``, plus snapshots and the episode record.

``GovWorkflowEnv`` is the one face every other face (gym adapter, server, widgets, CLI)
drives: the kernel's native env (``core.native.EpisodeHolder``) over the office's
rulesets. It validates input, keeps the episode record and delegates the rules to the
ruleset's ``Simulator``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from govworkflow.core.kernel import Simulator
from govworkflow.core.native import EpisodeHolder, Snapshot
from govworkflow.office.models import parse_action
from govworkflow.office.record import EpisodeRecord
from govworkflow.office.ruleset import Ruleset
from govworkflow.office.rulesets import get_ruleset

__all__ = ["GovWorkflowEnv", "Snapshot"]


class GovWorkflowEnv(EpisodeHolder[Simulator, EpisodeRecord]):
    """A government service office, one episode at a time.

    Args:
        task_id: The task to run (``govworkflow tasks`` lists them).
        ruleset: ``"legacy"`` or ``"standard"`` (default: the package default).
        seed: Default seed for ``reset()``; ``None`` means the task's own seed.
        max_steps: Cut episodes after this many steps (default: the ruleset's).

    Example:
        >>> env = GovWorkflowEnv("district_backlog_easy", ruleset="legacy")
        >>> obs = env.reset()
        >>> result = env.step({"action_type": "advance_time"})
        >>> result.observation.day
        1
    """

    RECORD: ClassVar[type[EpisodeRecord]] = EpisodeRecord
    parse_action = staticmethod(parse_action)

    def __init__(
        self,
        task_id: str | None = None,
        *,
        ruleset: str | None = None,
        seed: int | None = None,
        max_steps: int | None = None,
    ) -> None:
        self.ruleset: Ruleset = get_ruleset(ruleset)
        self._setup(self.ruleset, task_id, seed, max_steps)

    def _clock_info(self) -> dict[str, Any]:
        return {"day": self.simulator.clock, "step": self.simulator.steps}
