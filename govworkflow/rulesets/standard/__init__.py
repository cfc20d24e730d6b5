# ruff: noqa: F403, F405
"""Deprecated import path, kept for one release: use ``govworkflow.office.rulesets.standard``.

``govworkflow.rulesets.standard`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.office.rulesets.standard import *

__deprecated_alias__ = "govworkflow.office.rulesets.standard"
__all__ = [
    "RULESET",
    "StandardObservation",
    "StandardQueue",
    "StandardSimulator",
    "StandardTask",
    "TaskFileError",
    "load_task_file",
    "load_tasks",
]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
