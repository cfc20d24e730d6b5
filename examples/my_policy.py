"""An example submitted policy: evaluate it with

    govworkflow evaluate --ruleset standard --task district_backlog_easy --policy examples/my_policy.py:ShortestSlack

It follows the small policy protocol of ``govworkflow.core.submitted``: a class made with
no arguments, with ``act(observation)`` (and optionally ``reset(seed)`` and
``description``). It sees the observation only.
"""

from __future__ import annotations

from govworkflow.office.models import Action, Observation
from govworkflow.office.vocab import ActionType, PriorityMode


class ShortestSlack:
    """Urgent-first service order; chases missing documents where most cases are blocked."""

    def reset(self, seed: int | None = None) -> None:
        self.asked_today = -1

    def act(self, observation: Observation) -> Action | dict:
        if observation.priority_mode != PriorityMode.URGENT_FIRST.value:
            return {"action_type": "set_priority_mode", "priority_mode": "urgent_first"}
        blocked = max(observation.queues, key=lambda q: q.missing_docs_cases)
        if blocked.missing_docs_cases and self.asked_today != observation.day:
            self.asked_today = observation.day
            return Action(action_type=ActionType.REQUEST_MISSING_DOCUMENTS, service=blocked.service)
        return Action(action_type=ActionType.ADVANCE_TIME)
