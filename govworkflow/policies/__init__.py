# ruff: noqa: F403, F405
"""Deprecated import path, kept for one release: use ``govworkflow.office.policies``.

``govworkflow.policies`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.office.policies import *

__deprecated_alias__ = "govworkflow.office.policies"
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

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
