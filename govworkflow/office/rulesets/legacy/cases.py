"""Legacy cases and their priority keys (the hot data of the legacy simulator)."""

from __future__ import annotations

from govworkflow.office.vocab import STAGE_ORDER

__all__ = ["ALPHA_RANK", "APP", "DOC", "FV", "ISS", "PRIORITY_KEY", "RESTAGE", "STAGES", "SUB", "Case", "case_id"]

STAGES: tuple[str, ...] = tuple(s.value for s in STAGE_ORDER)
assert STAGES == ("submission", "document_verification", "field_verification", "approval", "issuance")
SUB, DOC, FV, APP, ISS = range(5)
#: Rank of each stage's *name* in alphabetical order (the backlog_clearance quirk).
ALPHA_RANK: tuple[int, ...] = tuple(sorted(STAGES).index(s) for s in STAGES)


class Case:
    """One application. ``total_days == day + age0``; ``days_in_stage == day - stage_since``.

    ``key`` caches the case's sort key under the current priority mode; the simulator
    refreshes it when the mode, the case's escalation or (for backlog_clearance) its
    stage changes.
    """

    __slots__ = (
        "age0",
        "arrival_day",
        "breached",
        "done",
        "due_day",
        "escalated",
        "fv",
        "key",
        "missing",
        "num",
        "stage",
        "stage_since",
        "svc",
        "urgency",
    )  # fmt: skip

    def __init__(
        self, num: int, svc: int, day: int, due: int, urgency: int, missing: bool, fv: bool, age0: int
    ) -> None:
        self.num = num
        self.svc = svc
        self.stage = SUB
        self.arrival_day = day
        self.due_day = due
        self.urgency = urgency
        self.missing = missing
        self.fv = fv
        self.escalated = False
        self.breached = False
        self.done = False
        self.age0 = age0
        self.stage_since = -age0
        self.key = 0  # set by the simulator for the current priority mode


def case_id(num: int) -> str:
    """The public id of case number ``num``: ``case-00001``, ``case-00002``, ..."""
    return f"case-{num:05d}"


# Priority keys, ascending, packed into one int per case (int comparisons are several
# times faster than tuple comparisons). Each field keeps the order of the rule it
# encodes: E = 0 if escalated (escalated first); U = 3 - urgency (like -urgency);
# D = due_day (like remaining = due_day - day, every case of one sort sharing the day);
# A = 1 - age0 (like -total_days, since total_days = day + age0); S = alphabetical rank
# of the stage name; N = case number (like the zero-padded case id). Field widths: N 17
# bits, A and D 20 bits, U 2, S 3 -- the task model rejects tasks that could overflow them.
def key_urgent_first(c: Case) -> int:
    return (not c.escalated) << 59 | (3 - c.urgency) << 57 | c.due_day << 37 | (1 - c.age0) << 17 | c.num


def key_oldest_first(c: Case) -> int:
    return (not c.escalated) << 59 | (1 - c.age0) << 39 | c.due_day << 19 | (3 - c.urgency) << 17 | c.num


def key_backlog_clearance(c: Case) -> int:
    return (not c.escalated) << 60 | ALPHA_RANK[c.stage] << 57 | c.due_day << 37 | (1 - c.age0) << 17 | c.num


def key_balanced(c: Case) -> int:
    return (not c.escalated) << 59 | c.due_day << 39 | (3 - c.urgency) << 37 | (1 - c.age0) << 17 | c.num


#: Change of a backlog_clearance key when a case moves from stage [a] to stage [b].
RESTAGE = tuple(tuple((ALPHA_RANK[b] - ALPHA_RANK[a]) << 57 for b in range(5)) for a in range(5))

PRIORITY_KEY = {
    "urgent_first": key_urgent_first,
    "oldest_first": key_oldest_first,
    "backlog_clearance": key_backlog_clearance,
    "balanced": key_balanced,
}


def escalation_key(c: Case) -> tuple[object, ...]:
    return (c.due_day, -c.urgency, -c.age0, c.num)


def documents_key(c: Case) -> tuple[object, ...]:
    return (c.due_day, -c.urgency, c.num)
