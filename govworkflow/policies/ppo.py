# ruff: noqa: F403, F405
"""Deprecated import path, kept for one release: use ``govworkflow.training.policy``.

``govworkflow.policies.ppo`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.training.policy import *

__deprecated_alias__ = "govworkflow.training.policy"
__all__ = ["MODEL_DIR", "PPOPolicy"]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
