"""The ``legacy`` ruleset: the published Gov Workflow OpenEnv benchmark, reproduced exactly."""

from govworkflow.core.assets import PPO
from govworkflow.office.policies.heuristics import HEURISTICS, heuristic_factory
from govworkflow.office.policies.ladder import LADDER
from govworkflow.office.ruleset import Ruleset
from govworkflow.office.rulesets.legacy.sim import LegacySimulator
from govworkflow.office.rulesets.legacy.tasks import LegacyTask, load_tasks

__all__ = ["RULESET", "LegacySimulator", "LegacyTask", "load_tasks"]

RULESET = Ruleset(
    name="legacy",
    description="The published Gov Workflow OpenEnv benchmark, flaws included.",
    tasks=load_tasks(),
    simulator=LegacySimulator,
    # the published heuristics first (in the published order), then the rest of the ladder
    policies={**{name: heuristic_factory(name) for name in HEURISTICS}, **LADDER, "ppo": PPO},
    default_max_steps=500,
)
