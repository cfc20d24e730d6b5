# ruff: noqa: F403, F405
"""Deprecated import path, kept for one release: use ``govworkflow.training.triage``.

``govworkflow.triage.training`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.training.triage import *

__deprecated_alias__ = "govworkflow.training.triage"
__all__ = ["NETWORKS", "OPTIONS", "TriageTrainArgs", "play", "train_triage", "triage_demonstrations", "triage_target"]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
