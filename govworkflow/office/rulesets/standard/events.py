"""Scenario events: arrival surges, officer absences, document-rejection spikes and
SLA-tightening orders.

Events are exogenous: they are drawn at the start of each day from the episode's
generator, in a fixed order, and never depend on the agent's actions. So two policies
on the same task and seed meet the same events on the same days.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from govworkflow.office.rulesets.standard.tasks import EventSpec, Scenario

__all__ = ["EVENT_TYPES", "ActiveEvent", "Events"]

#: Event types, in the order they are drawn each day.
EVENT_TYPES: tuple[str, ...] = ("arrival_surge", "officer_absence", "document_rejection", "sla_tightening")
_TARGETED = frozenset({"officer_absence", "sla_tightening"})


@dataclass(slots=True)
class ActiveEvent:
    """An event in force from ``start_day`` to ``end_day`` (inclusive)."""

    kind: str
    start_day: int
    end_day: int
    service: int  # index of the affected service; -1 when it affects every service

    def label(self, services: tuple[str, ...]) -> str:
        where = "" if self.service < 0 else f":{services[self.service]}"
        return f"{self.kind}{where} (until day {self.end_day})"


class Events:
    """The events in force; ``start_day`` draws and expires them, then sets the factors."""

    __slots__ = ("absent", "active", "arrival_factor", "defect_factor", "n", "sla_cut", "specs")

    def __init__(self, scenario: Scenario, n_services: int) -> None:
        self.specs: tuple[tuple[str, EventSpec], ...] = tuple(
            (kind, spec) for kind in EVENT_TYPES if (spec := getattr(scenario, kind)) is not None
        )
        self.n = n_services
        self.active: dict[str, ActiveEvent] = {}
        self.arrival_factor = 1.0
        self.defect_factor = 1.0
        self.absent = [0] * n_services
        self.sla_cut = [0] * n_services

    def start_day(self, day: int, rng: random.Random) -> int:
        """Expire finished events, draw new ones for ``day``; return how many started."""
        active = self.active
        for kind in [k for k, e in active.items() if e.end_day < day]:
            del active[kind]
        started = 0
        for kind, spec in self.specs:
            u = rng.random()  # one draw per event type per day, active or not
            if kind in active or u >= spec.p_start:
                continue
            length = rng.randint(spec.days[0], spec.days[1])
            target = rng.randrange(self.n) if kind in _TARGETED else -1
            active[kind] = ActiveEvent(kind, day, day + length - 1, target)
            started += 1
        self._apply()
        return started

    def _apply(self) -> None:
        specs = dict(self.specs)
        active = self.active
        self.arrival_factor = specs["arrival_surge"].factor if "arrival_surge" in active else 1.0
        self.defect_factor = specs["document_rejection"].factor if "document_rejection" in active else 1.0
        self.absent = [0] * self.n
        self.sla_cut = [0] * self.n
        if "officer_absence" in active:
            self.absent[active["officer_absence"].service] = specs["officer_absence"].officers
        if "sla_tightening" in active:
            self.sla_cut[active["sla_tightening"].service] = specs["sla_tightening"].sla_cut_days

    def labels(self, services: tuple[str, ...]) -> list[str]:
        """The active events, for the observation (``kind[:service] (until day d)``)."""
        return [e.label(services) for e in self.active.values()]
