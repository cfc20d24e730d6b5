"""Policies: the heuristic ladder every result is shown against."""

from govworkflow.office.policies.heuristics import (
    ADVANCE,
    HEURISTICS,
    FunctionPolicy,
    backlog_clearance,
    heuristic_factory,
    oldest_first,
    set_mode,
    urgent_first,
)

__all__ = [
    "ADVANCE",
    "HEURISTICS",
    "FunctionPolicy",
    "backlog_clearance",
    "heuristic_factory",
    "oldest_first",
    "set_mode",
    "urgent_first",
]
