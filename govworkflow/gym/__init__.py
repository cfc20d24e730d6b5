"""The gymnasium adapter (extra ``gym``): ``import govworkflow.gym`` registers every task.

import gymnasium as gym
import govworkflow.gym  # registers govworkflow/<Task>-v1 ids (standard; Legacy…-v0, Triage…-v0)
env = gym.make("govworkflow/CrossDepartmentHard-v1")          # standard ruleset
env = gym.make("govworkflow/LegacyCrossDepartmentHard-v0")    # legacy ruleset
env = gym.make("govworkflow/TriageOverload12-v0")             # ticket triage (govworkflow.gym.triage)
"""

from __future__ import annotations

try:
    import gymnasium  # noqa: F401
except ImportError as err:  # pragma: no cover - depends on the installation
    from govworkflow.core.errors import MissingExtraError

    raise MissingExtraError("gymnasium", "gym") from err

import govworkflow.gym.triage  # noqa: F401 - registers the triage ids on import (safe when it imports us first)
from govworkflow.gym.office import REWARD_MODES, GovWorkflowGymEnv, development_seeds
from govworkflow.gym.registration import env_id, register_envs, registered_ids
from govworkflow.office.encoding import ObservationEncoder, action_label, action_masks, action_table

__all__ = [
    "REWARD_MODES",
    "GovWorkflowGymEnv",
    "ObservationEncoder",
    "action_label",
    "action_masks",
    "action_table",
    "development_seeds",
    "env_id",
    "register_envs",
    "registered_ids",
]

register_envs()
