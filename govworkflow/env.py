# ruff: noqa: F403, F405
"""Deprecated import path, kept for one release: use ``govworkflow.office.env``.

``govworkflow.env`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.core.native import *
from govworkflow.office.env import *

__deprecated_alias__ = "govworkflow.office.env"
__all__ = ["EpisodeHolder", "GovWorkflowEnv", "Snapshot"]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
