"""The policy ladder every result is shown against, in ladder order (weakest first)."""

from __future__ import annotations

from govworkflow.core.kernel import PolicyFactory
from govworkflow.office.policies.basic import AdvanceOnly, RandomValid, StallAttempt
from govworkflow.office.policies.classic import CMu, MaxWeight
from govworkflow.office.policies.heuristics import heuristic_factory
from govworkflow.office.policies.lookahead import OracleLookahead
from govworkflow.office.policies.sla_aware import SlaAware

__all__ = ["LADDER", "LEGACY_HEURISTICS"]

#: The three heuristics of the published benchmark, carried over unchanged.
LEGACY_HEURISTICS: tuple[str, ...] = ("urgent_first", "oldest_first", "backlog_clearance")

LADDER: dict[str, PolicyFactory] = {
    "stall_attempt": StallAttempt,
    "advance_only": AdvanceOnly,
    "random_valid": RandomValid,
    **{name: heuristic_factory(name) for name in LEGACY_HEURISTICS},
    "c_mu": CMu,
    "max_weight": MaxWeight,
    "sla_aware": SlaAware,
    "oracle_lookahead": OracleLookahead,
}
