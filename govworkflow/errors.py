# ruff: noqa: F403, F405
"""Deprecated import path, kept for one release: use ``govworkflow.core.errors``.

``govworkflow.errors`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.core.errors import *

__deprecated_alias__ = "govworkflow.core.errors"
__all__ = [
    "BadValueError",
    "EpisodeFinishedError",
    "GovWorkflowError",
    "InvalidActionError",
    "MissingExtraError",
    "NoEpisodeError",
    "UnknownNameError",
    "check_count",
    "check_positive",
    "check_seed",
    "check_seeds",
    "choices_message",
    "distinct",
    "validation_message",
]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
