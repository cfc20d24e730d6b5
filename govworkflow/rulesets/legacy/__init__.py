# ruff: noqa: F403, F405
"""Deprecated import path, kept for one release: use ``govworkflow.office.rulesets.legacy``.

``govworkflow.rulesets.legacy`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.office.rulesets.legacy import *

__deprecated_alias__ = "govworkflow.office.rulesets.legacy"
__all__ = ["RULESET", "LegacySimulator", "LegacyTask", "load_tasks"]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
