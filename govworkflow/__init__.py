"""govworkflow: reinforcement learning on a government service office.

Quick start::

    from govworkflow import GovWorkflowEnv
    env = GovWorkflowEnv("district_backlog_easy", ruleset="legacy")
    obs = env.reset(seed=11)
    result = env.step({"action_type": "advance_time"})
    print(env.grade().score)

``import govworkflow`` stays light: gymnasium, plotly, widgets, torch and the server
are imported only when those faces are used.
"""

from govworkflow.core.errors import (
    EpisodeFinishedError,
    GovWorkflowError,
    InvalidActionError,
    MissingExtraError,
    NoEpisodeError,
    UnknownNameError,
)
from govworkflow.core.version import VERSION
from govworkflow.evaluation import EpisodeResult, evaluate, run_episode
from govworkflow.office.env import GovWorkflowEnv, Snapshot
from govworkflow.office.models import (
    Action,
    EpisodeState,
    Grade,
    GradeComponent,
    Observation,
    ServiceQueue,
    StepResult,
)
from govworkflow.office.record import EpisodeRecord, StepRecord
from govworkflow.office.rulesets import DEFAULT_RULESET, RULESETS, get_ruleset
from govworkflow.office.vocab import ActionType, PriorityMode, Service, Stage

__version__ = VERSION

__all__ = [
    "DEFAULT_RULESET",
    "RULESETS",
    "Action",
    "ActionType",
    "EpisodeFinishedError",
    "EpisodeRecord",
    "EpisodeResult",
    "EpisodeState",
    "GovWorkflowEnv",
    "GovWorkflowError",
    "Grade",
    "GradeComponent",
    "InvalidActionError",
    "MissingExtraError",
    "NoEpisodeError",
    "Observation",
    "PriorityMode",
    "Service",
    "ServiceQueue",
    "Snapshot",
    "Stage",
    "StepRecord",
    "StepResult",
    "UnknownNameError",
    "__version__",
    "evaluate",
    "get_ruleset",
    "run_episode",
]
