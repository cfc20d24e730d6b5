# ruff: noqa: F403, F405
"""Deprecated import path, kept for one release: use ``govworkflow.core.kernel``.

``govworkflow.kernel`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.core.kernel import *
from govworkflow.office.ruleset import *

__deprecated_alias__ = "govworkflow.core.kernel"
__all__ = ["Policy", "PolicyFactory", "Ruleset", "Simulator", "Suite", "TaskLike"]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
