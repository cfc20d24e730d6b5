"""Deprecated import path, kept for one release: use ``govworkflow.training.policy``.

The ``ppo`` policy is one class for every environment (``govworkflow.training.policy.PPOPolicy``);
the shipped models' folder is ``govworkflow.core.assets.MODEL_DIR``. This module only
re-exports them and warns on import.
"""

import warnings

from govworkflow.core.assets import MODEL_DIR, model_file
from govworkflow.training.policy import PPOPolicy

__deprecated_alias__ = "govworkflow.training.policy"
__all__ = ["MODEL_DIR", "PPOPolicy", "model_file"]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
