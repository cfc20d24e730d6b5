# ruff: noqa: F403, F405
"""Deprecated import path, kept for one release: use ``govworkflow.office.rulesets``.

``govworkflow.rulesets`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.office.rulesets import *

__deprecated_alias__ = "govworkflow.office.rulesets"
__all__ = ["DEFAULT_RULESET", "RULESETS", "get_ruleset", "task_rows"]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
