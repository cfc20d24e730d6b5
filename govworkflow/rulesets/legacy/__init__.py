"""The ``legacy`` ruleset: the published Gov Workflow OpenEnv benchmark, reproduced exactly."""

from govworkflow.kernel import Ruleset
from govworkflow.policies.ladder import LADDER
from govworkflow.rulesets.legacy.sim import LegacySimulator
from govworkflow.rulesets.legacy.tasks import LegacyTask, load_tasks

__all__ = ["RULESET", "LegacySimulator", "LegacyTask", "load_tasks"]

RULESET = Ruleset(
    name="legacy",
    description="The published Gov Workflow OpenEnv benchmark, flaws included.",
    tasks=load_tasks(),
    simulator=LegacySimulator,
    policies=dict(LADDER),
    default_max_steps=500,
)
