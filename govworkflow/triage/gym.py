# ruff: noqa: F403, F405
"""Deprecated import path, kept for one release: use ``govworkflow.gym.triage``.

``govworkflow.triage.gym`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.gym.triage import *
from govworkflow.triage.encoding import *

__deprecated_alias__ = "govworkflow.gym.triage"
__all__ = [
    "N_SLOTS",
    "TriageEncoder",
    "TriageGymEnv",
    "observation_mask",
    "register_triage_envs",
    "slot_of",
    "triage_env_id",
    "triage_registered_ids",
]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
