"""An attack on the standard grader v1 that works: fairness by levelling down.

``sla_aware``, plus one officer moved ten days before the end, from the service it serves
best to one with light cases: on ``cross_department_hard`` from gst_registration to
birth_certificate, on ``mixed_urgency_medium`` from gst_registration to aadhaar_card (the
pairs were picked on development seeds). The best-served service's eventual compliance
falls, so the gap between services narrows (fairness, 0.25 of the grade on the hard task),
and more light cases finish by the horizon (completion), while more citizens breach their
SLA. It sees the observation only. Run it through the canary check:

    python -m govworkflow.evaluation.canaries --task cross_department_hard --task mixed_urgency_medium \\
        --canary examples/attacks/levelling_down.py:LevellingDown

docs/standard-ruleset.md ("Adversarial canaries") reports what it wins and why it is open.
"""

from __future__ import annotations

from typing import Any

from govworkflow.office.models import Action, Observation
from govworkflow.office.policies.sla_aware import SlaAware
from govworkflow.office.vocab import ActionType

#: task -> (the service it takes an officer from, the one it gives it to)
MOVES = {
    "cross_department_hard": ("gst_registration", "birth_certificate"),
    "mixed_urgency_medium": ("gst_registration", "aadhaar_card"),
}
DAYS_LEFT = 10


class LevellingDown:
    """sla_aware, and one officer from the best-served service to a light one, 10 days before the end."""

    def reset(self, seed: int | None = None) -> None:
        self.inner = SlaAware()
        self.inner.reset(seed)
        self.moved = False

    def act(self, observation: Observation) -> Any:
        move = MOVES.get(observation.task_id)
        if move is not None and not self.moved and observation.max_days - observation.day <= DAYS_LEFT:
            queues = {q.service: q for q in observation.queues}
            src, dst = move
            settled = observation.priority_mode == "urgent_first" and observation.reserve_officers == 0
            if src in queues and dst in queues and settled:  # sla_aware has set its mode and placed its reserve
                self.moved = True
                if getattr(queues[src], "available_officers", queues[src].officers) >= 1:
                    return Action(action_type=ActionType.REALLOCATE_OFFICERS, service=src, target_service=dst,
                                  officer_delta=1)  # fmt: skip
        return self.inner.act(observation)
