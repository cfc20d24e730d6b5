"""What each action and priority mode does and costs, in one line, per ruleset.

The episode player shows these before an action is taken (plain Python, no widgets), so
a learner can tell what an action will do from the player alone. The texts follow the
ruleset pages (``docs/standard-ruleset.md``, ``docs/legacy-ruleset.md``); a test checks
that every registered ruleset has a line for every action type and priority mode.
"""

from __future__ import annotations

from typing import Any

from govworkflow.office.vocab import ActionType, PriorityMode

__all__ = ["ACTION_TEXT", "MODE_TEXT", "describe_action", "describe_mode"]

_A, _M = ActionType, PriorityMode

#: ruleset -> action type -> what it does and what it costs.
ACTION_TEXT: dict[str, dict[ActionType, str]] = {
    "standard": {
        _A.SET_PRIORITY_MODE: "Change the order every service works its cases in (escalated cases always "
        "first). Uses one of the day's 4 management actions.",
        _A.ASSIGN_CAPACITY: "Move officers from the reserve to a service. A moved officer is not productive "
        "on the day of the move.",
        _A.REALLOCATE_OFFICERS: "Move present officers from one service to another. A moved officer is not "
        "productive on the day of the move, so moving back and forth loses capacity.",
        _A.REQUEST_MISSING_DOCUMENTS: "Ask the applicants of up to 3 of the service's blocked cases (least "
        "slack first) for their documents; they answer in 1-3 days, or ignore it (a reminder can go after 4 days).",
        _A.ESCALATE_SERVICE: "Spend one unit of the scarce escalation budget: the service's open case with "
        "the least slack jumps the queue and its current stage needs half the work. A wasted one costs reward.",
        _A.ADVANCE_TIME: "Let one day pass: officers work, each case moves at most one stage, new cases "
        "arrive. After 4 management actions the day passes by itself.",
    },
    "legacy": {
        _A.SET_PRIORITY_MODE: "Change the order officers work cases in. Time does not pass: only "
        "advance_time moves the clock under these rules.",
        _A.ASSIGN_CAPACITY: "Move officers from the reserve to a service, at once (no day is lost).",
        _A.REALLOCATE_OFFICERS: "Move officers from one service to another, at once (no day is lost).",
        _A.REQUEST_MISSING_DOCUMENTS: "Clear the missing documents of the service's most pressing case, at "
        "once (the published rules: the applicant answers instantly).",
        _A.ESCALATE_SERVICE: "Mark the service's most pressing case escalated (budget -1). With no budget or "
        "no eligible case the escalation is wasted and graded as such.",
        _A.ADVANCE_TIME: "Let one day pass: officers work, cases move on, new cases arrive. The only action "
        "that moves the clock under these rules.",
    },
}

#: ruleset -> priority mode -> the order it sets.
MODE_TEXT: dict[str, dict[PriorityMode, str]] = {
    "standard": {
        _M.BALANCED: "earliest due day first, then higher urgency (the default)",
        _M.URGENT_FIRST: "higher urgency first, then earliest due day",
        _M.OLDEST_FIRST: "the longest-waiting case first",
        _M.BACKLOG_CLEARANCE: "fewest stages left first (finish what is nearly done)",
    },
    "legacy": {
        _M.BALANCED: "least time left to the deadline first, then higher urgency (the default)",
        _M.URGENT_FIRST: "higher urgency first, then least time left",
        _M.OLDEST_FIRST: "the longest-waiting case first",
        _M.BACKLOG_CLEARANCE: "by stage name as a string (a quirk of the published rules), then time left",
    },
}


def _table(tables: dict[str, Any], ruleset: str) -> Any:
    if ruleset not in tables:
        raise ValueError(f"ruleset: no descriptions for {ruleset!r}; described: {sorted(tables)}")
    return tables[ruleset]


def describe_action(ruleset: str, kind: ActionType | str) -> str:
    """One line: what ``kind`` does under ``ruleset`` and what it costs."""
    return str(_table(ACTION_TEXT, ruleset)[ActionType(kind)])


def describe_mode(ruleset: str, mode: PriorityMode | str) -> str:
    """One line: the order ``mode`` sets under ``ruleset``."""
    return str(_table(MODE_TEXT, ruleset)[PriorityMode(mode)])
