# ruff: noqa: F403, F405
"""Deprecated import path, kept for one release: use ``govworkflow.evaluation.leaderboard``.

``govworkflow.leaderboard`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.evaluation.leaderboard import *

__deprecated_alias__ = "govworkflow.evaluation.leaderboard"
__all__ = ["Row", "calibration", "evaluation_seeds", "provenance", "run_leaderboard", "summarise"]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
