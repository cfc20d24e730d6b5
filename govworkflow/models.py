# ruff: noqa: F403, F405
"""Deprecated import path, kept for one release: use ``govworkflow.office.models``.

``govworkflow.models`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.office.models import *

__deprecated_alias__ = "govworkflow.office.models"
__all__ = [
    "OBSERVATION_ADAPTER",
    "Action",
    "CaseView",
    "EpisodeState",
    "Grade",
    "GradeComponent",
    "Observation",
    "ServiceQueue",
    "StepResult",
    "parse_action",
]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
