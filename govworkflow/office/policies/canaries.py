"""Adversarial canaries: policies that try to win by artefact, to keep the grader honest.

Each one is ``sla_aware`` (the honest policy it modifies) plus one trick that the
standard grader v0 rewarded without serving citizens better. The grader passes when no
canary beats ``sla_aware`` by more than the paired 95% CI on the same seeds unless its
citizens' eventual outcomes (``sla_compliance``: cases that did not breach, settled
after the horizon) are better too (``evaluation.canaries``). They are not on the
ladder; some read the simulator (they are attacks, not agents) and declare it.

* ``escalation_farmer``: each day, escalates (by id) the open case nearest issuance with a
  slack of 0 to 2 days, a case that would finish in time anyway;
* ``end_shift``: in the last 10 days, moves officers from the longest-SLA service to the
  shortest-SLA one, every day (work pushed past the horizon);
* ``end_mode_switch``: in the last 7 days, switches the priority mode to ``balanced``;
* ``fairness_starver``: every 3 days, takes an officer from the service with the best SLA
  compliance and gives it to the worst (equalising by starving);
* ``document_withholder``: never chases documents in the last 7 days (cases blocked late
  look pending at the horizon);
* ``quitter``: stops managing the office (only advances time) for the last 10 days.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from govworkflow.office.models import Action, Observation
from govworkflow.office.policies.heuristics import ADVANCE, set_mode
from govworkflow.office.policies.sla_aware import SlaAware
from govworkflow.office.vocab import ActionType, PriorityMode

__all__ = ["CANARIES", "HONEST", "OPEN_WEAKNESSES"]

#: The honest policy every canary modifies.
HONEST = "sla_aware"


def _days_left(obs: Observation) -> int:
    return obs.max_days - obs.day


def _present(q: Any) -> int:
    """Officers of a queue who can be moved today (the standard observation says)."""
    return int(getattr(q, "available_officers", q.officers))


def _move(src: str, dst: str) -> Action:
    return Action(action_type=ActionType.REALLOCATE_OFFICERS, service=src, target_service=dst, officer_delta=1)


@dataclass
class EscalationFarmer(SlaAware):
    name: str = "escalation_farmer"
    description: str = "sla_aware + daily escalations of cases near issuance with slack 0-2 (would finish anyway)"
    privileged: ClassVar[bool] = True  # finds cases by id in the simulator
    _farmed_day: int = dataclasses.field(default=-1, repr=False)

    def act(self, observation: Observation, simulator: Any = None) -> Action:
        if observation.escalation_budget_remaining > 0 and self._farmed_day != observation.day:
            self._farmed_day = observation.day
            day = observation.day
            cases = simulator.open_cases()
            slack = {c.id: c.due - simulator.earliest_finish(c, day, False) for c in cases}
            farmable = [c for c in cases if not c.esc and not c.breached and 0 <= slack[c.id] <= 2]
            if farmable:  # nearest issuance first, then least slack
                case = min(farmable, key=lambda c: (-c.stage, slack[c.id], c.id))
                return Action(action_type=ActionType.ESCALATE_SERVICE, case_id=case.name)
        return super().act(observation, simulator)


@dataclass
class EndShift(SlaAware):
    name: str = "end_shift"
    description: str = (
        "sla_aware + in the last 10 days, officers moved from the longest-SLA to the shortest-SLA service"
    )
    _moved_day: int = dataclasses.field(default=-1, repr=False)

    def act(self, observation: Observation, simulator: Any = None) -> Action:
        if _days_left(observation) <= 10 and self._moved_day != observation.day:
            self._moved_day = observation.day
            queues = sorted(observation.queues, key=lambda q: getattr(q, "sla_days", 0))
            short, long_ = queues[0], queues[-1]
            if _present(long_) >= 1 and long_.service != short.service:
                return _move(long_.service, short.service)
        return super().act(observation, simulator)


@dataclass
class EndModeSwitch(SlaAware):
    name: str = "end_mode_switch"
    description: str = "sla_aware, switching to balanced mode for the last 7 days"

    def act(self, observation: Observation, simulator: Any = None) -> Action:
        if _days_left(observation) <= 7:
            if observation.priority_mode != PriorityMode.BALANCED.value:
                return set_mode(PriorityMode.BALANCED)
            self.mode = PriorityMode.BALANCED
        return super().act(observation, simulator)


@dataclass
class FairnessStarver(SlaAware):
    name: str = "fairness_starver"
    description: str = "sla_aware + every 3 days an officer from the best-served service to the worst-served"
    _starved_day: int = dataclasses.field(default=-(10**6), repr=False)

    def act(self, observation: Observation, simulator: Any = None) -> Action:
        if observation.day - self._starved_day >= 3:
            rated = [q for q in observation.queues if q.active_cases > 0]
            if len(rated) >= 2:

                def compliance(q: Any) -> float:
                    return 1 - q.breached_cases / max(q.active_cases, 1)

                best, worst = max(rated, key=compliance), min(rated, key=compliance)
                if _present(best) >= 1 and best.service != worst.service:
                    self._starved_day = observation.day
                    return _move(best.service, worst.service)
        return super().act(observation, simulator)


@dataclass
class DocumentWithholder(SlaAware):
    name: str = "document_withholder"
    description: str = "sla_aware, never chasing documents in the last 7 days"

    def act(self, observation: Observation, simulator: Any = None) -> Action:
        action = super().act(observation, simulator)
        if _days_left(observation) <= 7 and action.action_type is ActionType.REQUEST_MISSING_DOCUMENTS:
            return ADVANCE
        return action


@dataclass
class Quitter(SlaAware):
    name: str = "quitter"
    description: str = "sla_aware, then only advancing time for the last 10 days"

    def act(self, observation: Observation, simulator: Any = None) -> Action:
        if _days_left(observation) <= 10:
            return ADVANCE
        return super().act(observation, simulator)


#: Canary name -> factory.
CANARIES: dict[str, type[SlaAware]] = {
    cls().name: cls for cls in (EscalationFarmer, EndShift, EndModeSwitch, FairnessStarver, DocumentWithholder, Quitter)
}

#: Per task, where ``levelling_down`` moves an officer from and to (picked on development seeds).
LEVELLING_MOVES = {
    "cross_department_hard": ("gst_registration", "birth_certificate"),
    "mixed_urgency_medium": ("gst_registration", "aadhaar_card"),
}


@dataclass
class LevellingDown(SlaAware):
    """An attack that wins under grading v1 (open: docs/standard-ruleset.md, "Adversarial
    canaries"): ten days before the end, one officer from the service ``sla_aware`` serves
    best to one with light cases. The best service's eventual compliance falls, the gap
    between services narrows (fairness), and more citizens breach. Observation only."""

    name: str = "levelling_down"
    description: str = "sla_aware + one officer from the best-served service to a light one, 10 days before the end"
    _moved: bool = dataclasses.field(default=False, repr=False)

    def reset(self, seed: int | None = None) -> None:
        super().reset(seed)
        self._moved = False

    def act(self, observation: Observation, simulator: Any = None) -> Action:
        move = LEVELLING_MOVES.get(observation.task_id)
        if move is not None and not self._moved and _days_left(observation) <= 10:
            queues = {q.service: q for q in observation.queues}
            src, dst = move
            settled = observation.priority_mode == self.mode and observation.reserve_officers == 0
            if src in queues and dst in queues and settled:  # sla_aware has set its mode and placed its reserve
                self._moved = True
                if _present(queues[src]) >= 1:
                    return _move(src, dst)
        return super().act(observation, simulator)


#: Attacks that win by artefact under the current grader, kept apart from ``CANARIES``
#: (whose check must pass): each is reproduced by a test and by the criteria notebook.
OPEN_WEAKNESSES: dict[str, type[SlaAware]] = {"levelling_down": LevellingDown}
