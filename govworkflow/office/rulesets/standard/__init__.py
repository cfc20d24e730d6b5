"""The ``standard`` ruleset: a realistic office, inaction-proof graders, a policy ladder."""

from govworkflow.core.assets import PPO
from govworkflow.office.policies.ladder import LADDER
from govworkflow.office.ruleset import Ruleset
from govworkflow.office.rulesets.standard import grading
from govworkflow.office.rulesets.standard.bound import upper_bound
from govworkflow.office.rulesets.standard.sim import StandardSimulator
from govworkflow.office.rulesets.standard.tasks import StandardTask, TaskFileError, load_task_file, load_tasks
from govworkflow.office.rulesets.standard.views import StandardObservation, StandardQueue

__all__ = [
    "RULESET",
    "StandardObservation",
    "StandardQueue",
    "StandardSimulator",
    "StandardTask",
    "TaskFileError",
    "load_task_file",
    "load_tasks",
]

RULESET = Ruleset(
    name="standard",
    description="The benchmark we stand behind: realistic dynamics, graders that cannot be gamed.",
    tasks=load_tasks(),
    simulator=StandardSimulator,
    policies={**LADDER, "ppo": PPO},
    default_max_steps=1000,
    version=grading.VERSION,
    bound=upper_bound,
)
