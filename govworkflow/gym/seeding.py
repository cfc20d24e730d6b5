# ruff: noqa: F403, F405
"""Deprecated import path, kept for one release: use ``govworkflow.gym.base``.

``govworkflow.gym.seeding`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.gym.base import *

__deprecated_alias__ = "govworkflow.gym.base"
__all__ = ["MaskedEnvMixin", "episode_seed", "requested_seed"]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
