"""A standard-office case and what it is counted in: stages, document states, work units,
and the priority orders over cases.

``Case`` is slotted, and pickles as its slots' values (``Case.__reduce__``): snapshots,
the look-ahead's copies and the settlement's copies are lists of cases.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from govworkflow.office.vocab import STAGE_ORDER

__all__ = ["APP", "BLOCKED", "CLEAR", "DOC", "DONE", "FV", "ISS", "KEYS", "STAGES", "STAGES_LEFT", "SUB", "UNIT",
           "WAITING", "Case"]  # fmt: skip

STAGES: tuple[str, ...] = tuple(s.value for s in STAGE_ORDER)
SUB, DOC, FV, APP, ISS, DONE = range(6)
#: Document states of a case at document verification.
CLEAR, BLOCKED, WAITING = 0, 1, 2
#: Work units per officer-day.
UNIT = 100
#: Office stages still to pass, the current one included (a field visit leaves approval
#: and issuance). A case passes at most one office stage per day.
STAGES_LEFT = (4, 3, 2, 2, 1, 0)


class Case:
    """One application. ``work`` is what its current office stage still needs (units)."""

    __slots__ = (
        "answer_delay",
        "answers",
        "arrival",
        "blocked_day",
        "breached",
        "digital",
        "doc",
        "due",
        "esc",
        "esc_at_risk",
        "fast",
        "fv",
        "fv_ready",
        "id",
        "ignores",
        "key_balanced",
        "key_oldest",
        "key_urgent",
        "missing",
        "ready",
        "requests",
        "since",
        "stage",
        "svc",
        "urgency",
        "work",
    )  # fmt: skip

    def __init__(self, cid: int, svc: int, arrival: int, due: int, urgency: int, digital: bool,
                 missing: bool, fv: bool, answer_delay: int, ignores: int, work: int) -> None:  # fmt: skip
        self.id = cid
        self.svc = svc
        self.stage = SUB
        self.since = arrival
        self.arrival = arrival
        self.due = due
        self.urgency = urgency
        self.digital = digital
        self.missing = missing
        self.fv = fv
        self.answer_delay = answer_delay
        self.ignores = ignores
        self.requests = 0
        self.answers = False
        self.doc = CLEAR
        self.ready = 0
        self.blocked_day = 0
        self.fv_ready = 0
        self.work = work
        self.esc = False
        self.fast = False
        self.esc_at_risk = False
        self.breached = False
        self.set_keys()

    def set_keys(self) -> None:
        """The case's places in the three priority orders that do not change while it is
        open (``KEYS``): set on arrival and again when it is escalated."""
        first = not self.esc
        self.key_balanced = (first, self.due, -self.urgency, self.arrival, self.id)
        self.key_urgent = (first, -self.urgency, self.due, self.arrival, self.id)
        self.key_oldest = (first, self.arrival, self.due, self.id)

    @property
    def name(self) -> str:
        return f"case-{self.id:05d}"

    def __reduce__(self) -> tuple[Any, tuple[tuple[Any, ...]]]:
        """Pickled as its slots' values, in ``__slots__`` order (snapshots and the
        settlement's copies: half the bytes and under half the time of the default)."""
        return _case, (_slots_of(self),)


_slots_of = attrgetter(*Case.__slots__)


def _case(state: tuple[Any, ...]) -> Case:
    """The case ``Case.__reduce__`` saved (``state`` in ``__slots__`` order; a test checks)."""
    c = object.__new__(Case)
    (c.answer_delay, c.answers, c.arrival, c.blocked_day, c.breached, c.digital, c.doc, c.due, c.esc,
     c.esc_at_risk, c.fast, c.fv, c.fv_ready, c.id, c.ignores, c.key_balanced, c.key_oldest, c.key_urgent,
     c.missing, c.ready, c.requests, c.since, c.stage, c.svc, c.urgency, c.work) = state  # fmt: skip
    return c


#: Priority keys (ascending): escalated cases first, then the mode's order. The first
#: three are fixed while a case is open and kept on it (``Case.set_keys``):
#: balanced ``(not esc, due, -urgency, arrival, id)``, urgent_first ``(not esc, -urgency,
#: due, arrival, id)``, oldest_first ``(not esc, arrival, due, id)``.
KEYS: dict[str, Any] = {
    "balanced": attrgetter("key_balanced"),
    "urgent_first": attrgetter("key_urgent"),
    "oldest_first": attrgetter("key_oldest"),
    "backlog_clearance": lambda c: (not c.esc, STAGES_LEFT[c.stage], c.work, c.due, c.id),
}
