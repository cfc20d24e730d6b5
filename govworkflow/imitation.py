# ruff: noqa: F403, F405
"""Deprecated import path, kept for one release: use ``govworkflow.training.imitation``.

``govworkflow.imitation`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.training.imitation import *

__deprecated_alias__ = "govworkflow.training.imitation"
__all__ = ["Demonstrations", "Step", "assemble", "clone", "demonstrations"]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
