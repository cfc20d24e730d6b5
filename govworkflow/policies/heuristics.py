# ruff: noqa: F403, F405
"""Deprecated import path, kept for one release: use ``govworkflow.office.policies.heuristics``.

``govworkflow.policies.heuristics`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.office.policies.heuristics import *

__deprecated_alias__ = "govworkflow.office.policies.heuristics"
__all__ = ["ADVANCE", "FunctionPolicy", "backlog_clearance", "most", "oldest_first", "set_mode", "urgent_first"]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
