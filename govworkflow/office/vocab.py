"""The office's vocabulary: services, stages, priority modes and action types.

These enums are the single source of the names used in actions, observations, task
files and the command line. They are ``StrEnum`` members, so ``Service.PASSPORT ==
"passport"`` and JSON carries the plain strings.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["STAGE_ORDER", "ActionType", "PriorityMode", "Service", "Stage"]


class Service(StrEnum):
    """A citizen-facing service. ``aadhaar_card`` exists only in the standard ruleset."""

    PASSPORT = "passport"
    DRIVING_LICENSE = "driving_license"
    GST_REGISTRATION = "gst_registration"
    INCOME_CERTIFICATE = "income_certificate"
    CASTE_CERTIFICATE = "caste_certificate"
    BIRTH_CERTIFICATE = "birth_certificate"
    LAND_REGISTRATION = "land_registration"
    AADHAAR_CARD = "aadhaar_card"


class Stage(StrEnum):
    """A case's stage, in pipeline order."""

    SUBMISSION = "submission"
    DOCUMENT_VERIFICATION = "document_verification"
    FIELD_VERIFICATION = "field_verification"
    APPROVAL = "approval"
    ISSUANCE = "issuance"


#: Stages in pipeline order (the order of ``Stage``).
STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)


class PriorityMode(StrEnum):
    """How officers pick the cases they work on each day."""

    URGENT_FIRST = "urgent_first"
    OLDEST_FIRST = "oldest_first"
    BALANCED = "balanced"
    BACKLOG_CLEARANCE = "backlog_clearance"


class ActionType(StrEnum):
    """The management actions an agent can take."""

    SET_PRIORITY_MODE = "set_priority_mode"
    ASSIGN_CAPACITY = "assign_capacity"
    REQUEST_MISSING_DOCUMENTS = "request_missing_documents"
    ESCALATE_SERVICE = "escalate_service"
    ADVANCE_TIME = "advance_time"
    REALLOCATE_OFFICERS = "reallocate_officers"
