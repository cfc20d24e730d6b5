"""The office's encodings (numpy, no gymnasium): observations as a flat float32 vector in
[0, 1], the macro-action table, and exact action masks. The gym adapter, PPO, imitation
and the players all read these.

The action table is the same for every task and ruleset (all eight services, fixed
order), so a policy's action space never changes shape. A mask entry is True exactly when
the simulator's own validity check (``Simulator.why_invalid``) accepts that action now.

Observations:

Eight service slots (``Service`` order, a presence flag for services the task does not
use), then office-wide features. Each slot also carries the service's pressure (days of
work per officer, as a share of its SLA) and five flags marking where the operational
rules of thumb would act (staff, chase documents, fast-track, give or receive an
officer; see ``govworkflow.office.policies.sla_aware``): features, not decisions — the agent
still chooses what to do and when. Unbounded counts are squashed with ``x / (x + k)``,
monotone and inside [0, 1) without clipping away information; ``k`` is a typical size
of the quantity. Ruleset-specific fields (the standard office's blocked cases, events,
…) are added by listing them in ``EXTRA_QUEUE_FIELDS`` / ``EXTRA_FIELDS``; fields an
observation lacks encode as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from govworkflow.core.kernel import Simulator
from govworkflow.office.models import Action, Observation, ServiceQueue
from govworkflow.office.policies.sla_aware import (
    documents_target,
    escalation_target,
    pressure,
    rebalance_pair,
    staffing_target,
)
from govworkflow.office.rulesets.standard.cases import STAGES as ROW_STAGES
from govworkflow.office.rulesets.standard.views import QueueRow
from govworkflow.office.vocab import ActionType, PriorityMode, Service, Stage

__all__ = ["ObservationEncoder", "action_label", "action_masks", "action_table"]

#: Common per-service fields and their squash scale.
QUEUE_FIELDS: tuple[tuple[str, float], ...] = (
    ("active_cases", 10.0),
    ("missing_docs_cases", 3.0),
    ("escalated_cases", 1.0),
    ("urgent_cases", 5.0),
    ("breached_cases", 5.0),
    ("avg_age_days", 10.0),
    ("officers", 2.0),
)
#: Extra per-service fields a ruleset's queue may carry (absent ones encode as 0).
EXTRA_QUEUE_FIELDS: dict[str, tuple[tuple[str, float], ...]] = {
    "standard": (
        ("blocked_cases", 3.0),
        ("awaiting_documents", 3.0),
        ("field_verification_cases", 5.0),
        ("at_risk_cases", 3.0),
        ("work_backlog_days", 5.0),
        ("available_officers", 2.0),
        ("sla_days", 14.0),
    ),
}
#: Extra office-wide fields: (name, scale); scale 0 means "already in [0, 1]".
EXTRA_FIELDS: dict[str, tuple[tuple[str, float], ...]] = {
    "standard": (("actions_left_today", 2.0),),
}

#: Per-service decision features, after the stage counts.
_DECISIONS = ("pressure", "staff_target", "documents_target", "escalation_target", "officer_donor", "officer_receiver")

_SERVICES = tuple(s.value for s in Service)
_STAGES = tuple(s.value for s in Stage)
_MODES = tuple(m.value for m in PriorityMode)


@dataclass(frozen=True)
class ObservationEncoder:
    """Encodes one ruleset's observations; ``size`` is the vector length."""

    ruleset: str

    @property
    def queue_fields(self) -> tuple[tuple[str, float], ...]:
        return QUEUE_FIELDS + EXTRA_QUEUE_FIELDS.get(self.ruleset, ())

    @property
    def extra_fields(self) -> tuple[tuple[str, float], ...]:
        return EXTRA_FIELDS.get(self.ruleset, ())

    @property
    def per_service(self) -> int:
        return 1 + len(self.queue_fields) + len(_STAGES) + len(_DECISIONS)

    @property
    def size(self) -> int:
        return len(_SERVICES) * self.per_service + 1 + len(_MODES) + 4 + len(self.extra_fields)

    def names(self) -> list[str]:
        """One readable name per vector entry."""
        per = ["present", *(f for f, _ in self.queue_fields), *(f"stage_{s}" for s in _STAGES), *_DECISIONS]
        out = [f"{s}.{f}" for s in _SERVICES for f in per]
        out += ["day_fraction", *(f"mode_{m}" for m in _MODES)]
        out += ["reserve_officers", "escalation_budget", "fairness_gap", "last_action_valid"]
        out += [f for f, _ in self.extra_fields]
        return out

    def encode(self, obs: Observation) -> np.ndarray:
        """A fresh float32 vector with every entry in [0, 1]."""
        return self._encode(obs.queues, obs)

    def encode_simulator(self, sim: Simulator) -> np.ndarray:
        """``encode(sim.observe())``, from the simulator's own rows when it offers them
        (``rows()`` and ``office_row()``: the standard rules; no observation is built),
        else through ``observe``. Equal entry for entry (a test checks it)."""
        rows = getattr(sim, "rows", None)
        if rows is None:
            return self.encode(sim.observe())
        return self._encode(rows(), sim.office_row())  # type: ignore[attr-defined]

    def _encode(self, queues: Sequence[Any], obs: Any) -> np.ndarray:
        """The vector from queue-like rows and office-wide facts (an observation or a
        ``views.OfficeRow``: the same field names)."""
        x = np.zeros(self.size, dtype=np.float32)
        if queues:
            self._encode_queues(queues, x)
        i = len(_SERVICES) * self.per_service
        x[i] = min(1.0, obs.day / obs.max_days) if obs.max_days else 0.0
        if obs.priority_mode in _MODES:
            x[i + 1 + _MODES.index(obs.priority_mode)] = 1.0
        i += 1 + len(_MODES)
        r, b = obs.reserve_officers, obs.escalation_budget_remaining
        x[i] = r / (r + 2.0)
        x[i + 1] = b / (b + 3.0)
        x[i + 2] = min(1.0, max(0.0, obs.fairness_gap))
        x[i + 3] = 1.0 if obs.last_action_valid else 0.0
        for j, (name, k) in enumerate(self.extra_fields, start=i + 4):
            v = float(getattr(obs, name, 0.0))
            x[j] = min(1.0, max(0.0, v)) if k == 0 else v / (v + k)
        return x

    def _encode_queues(self, queues: Sequence[Any], x: np.ndarray) -> None:
        """The service slots: presence, squashed counts, stage counts, pressure, targets
        (all queues at once; each squash in float64, then stored as float32). ``queues``:
        an observation's queues, or ``QueueRow``s (their fields in the encoder's order)."""
        names, scales = _fields(self.ruleset)
        rows = len(queues)
        known: dict[int, float] = {id(q): pressure(q) for q in queues}
        press = np.fromiter(known.values(), dtype=np.float64, count=rows)
        if isinstance(queues[0], QueueRow) and names == QueueRow._fields[2:]:
            values = np.array([q[2:] for q in queues], dtype=np.float64)
            stages = np.array([q[1] for q in queues], dtype=np.float64)[:, _ROW_STAGES]
        else:
            values = np.array([[getattr(q, name, 0.0) for name in names] for q in queues], dtype=np.float64)
            stages = np.array([[q.stage_counts.get(stage, 0) for stage in _STAGES] for q in queues], dtype=np.float64)
        block = np.zeros((rows, 2 + len(names) + len(_STAGES)))
        block[:, 0] = 1.0
        np.divide(values, values + scales, out=block[:, 1 : 1 + len(names)], where=values > 0)  # 0 elsewhere
        block[:, 1 + len(names) : -1] = stages / (stages + 5.0)
        block[:, -1] = press / (press + 0.5)
        slots = [_SLOT[q.service] for q in queues]
        per = self.per_service
        grid = x[: len(_SERVICES) * per].reshape(len(_SERVICES), per)
        grid[slots, : block.shape[1]] = block
        key = known.__getitem__

        def lookup(q: ServiceQueue) -> float:
            return key(id(q))

        first = per - len(_DECISIONS) + 1  # offset of staff_target in a slot
        seen: list[Any] = list(queues)  # queue-like: the rules read the same named fields
        pair = rebalance_pair(seen, key=lookup)
        targets = (
            staffing_target(seen, key=lookup),
            documents_target(seen),
            escalation_target(seen, key=lookup),
            pair[0] if pair else None,
            pair[1] if pair else None,
        )
        for j, q in enumerate(targets):
            if q is not None:
                grid[_SLOT[q.service], first + j] = 1.0


@cache
def _fields(ruleset: str) -> tuple[tuple[str, ...], np.ndarray]:
    """A ruleset's per-service field names and their squash scales."""
    fields = QUEUE_FIELDS + EXTRA_QUEUE_FIELDS.get(ruleset, ())
    return tuple(f for f, _ in fields), np.array([k for _, k in fields], dtype=np.float64)


_SLOT = {s: i for i, s in enumerate(_SERVICES)}
#: Where each of the encoder's stages sits in a ``QueueRow``'s stage counts.
_ROW_STAGES = [ROW_STAGES.index(s) for s in _STAGES]


@cache
def action_table() -> tuple[Action, ...]:
    """Every macro-action, in index order.

    0: advance_time; 1-4: set_priority_mode (PriorityMode order); then for each service
    (Service order): assign_capacity(+1), request_missing_documents,
    escalate_service(most pressing case of the service); then reallocate_officers(+1)
    for every ordered pair of distinct services.
    """
    t = ActionType
    actions = [Action(action_type=t.ADVANCE_TIME)]
    actions += [Action(action_type=t.SET_PRIORITY_MODE, priority_mode=m) for m in PriorityMode]
    actions += [Action(action_type=t.ASSIGN_CAPACITY, service=s, officer_delta=1) for s in Service]
    actions += [Action(action_type=t.REQUEST_MISSING_DOCUMENTS, service=s) for s in Service]
    actions += [Action(action_type=t.ESCALATE_SERVICE, service=s) for s in Service]
    actions += [
        Action(action_type=t.REALLOCATE_OFFICERS, service=s, target_service=g, officer_delta=1)
        for s in Service
        for g in Service
        if s is not g
    ]
    return tuple(actions)


def action_label(index: int) -> str:
    """A short readable name of macro-action ``index``."""
    return str(action_table()[index])


def action_masks(sim: Simulator) -> np.ndarray:
    """Boolean mask over ``action_table()``: True where the action is valid now.

    From the simulator's ``action_facts()`` in one pass when it has them (the standard
    rules), else by asking ``why_invalid`` about every action."""
    facts = getattr(sim, "action_facts", None)
    if facts is None:
        why = sim.why_invalid
        return np.fromiter((why(a) is None for a in action_table()), dtype=bool, count=len(action_table()))
    reserve, request, escalate, move = facts()
    slots = _slots(tuple(getattr(sim, "services", ())))
    mask = np.zeros(len(action_table()), dtype=bool)
    mask[: 1 + len(_MODES)] = True  # advance, and every mode
    n = len(_SERVICES)
    assign, docs, esc = 1 + len(_MODES), 1 + len(_MODES) + n, 1 + len(_MODES) + 2 * n
    for k, slot in enumerate(slots):
        mask[assign + slot] = reserve
        mask[docs + slot] = request[k]
        mask[esc + slot] = escalate[k]
        if move[k]:
            for slot_to in slots:
                if slot_to != slot:
                    mask[_MOVES[slot][slot_to]] = True
    return mask


#: ``_MOVES[a][b]``: the index of "move one officer from service slot a to slot b".
_MOVES: list[dict[int, int]] = [{} for _ in _SERVICES]
for _i, (_a, _b) in enumerate((a, b) for a in range(len(_SERVICES)) for b in range(len(_SERVICES)) if a != b):
    _MOVES[_a][_b] = 1 + len(_MODES) + 3 * len(_SERVICES) + _i


@cache
def _slots(services: tuple[str, ...]) -> tuple[int, ...]:
    """The ``Service``-order slot of each of a task's services."""
    return tuple(_SERVICES.index(s) for s in services)
