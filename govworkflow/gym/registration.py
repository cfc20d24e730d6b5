"""Gymnasium ids, registered in one place from the ruleset registry.

``govworkflow/<TaskInCamelCase>-v<N>`` for the default ruleset's tasks and
``govworkflow/<Ruleset><TaskInCamelCase>-v<N>`` for every ruleset (so the legacy tasks are
``govworkflow/Legacy…-v0``), ``N`` the ruleset's version (``Suite.version``: ``standard``
is at 1 since grading v1, ``legacy`` at 0). Bump it when dynamics or grading change.

The ids are registered without ``max_episode_steps``: the step cap has one owner, the
simulator (the same one the native env, the command line and evaluation use), so
``gym.make`` adds no ``TimeLimit`` wrapper and ``gym.make(id, max_steps=N)`` truncates
after exactly ``N`` steps (default: the ruleset's ``default_max_steps``). Read an env's
cap from ``env.unwrapped.office.simulator.max_steps`` (once reset), not from
``env.spec.max_episode_steps``, which is ``None``.
"""

from __future__ import annotations

import gymnasium as gym

from govworkflow.office.rulesets import DEFAULT_RULESET, RULESETS

__all__ = ["env_id", "register_envs", "registered_ids"]

_ENTRY_POINT = "govworkflow.gym.office:GovWorkflowGymEnv"


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def env_id(task_id: str, ruleset: str, *, short: bool = False) -> str:
    """The gymnasium id of a task (``short``: without the ruleset prefix)."""
    prefix = "" if short else _camel(ruleset)
    return f"govworkflow/{prefix}{_camel(task_id)}-v{RULESETS[ruleset].version}"


def registered_ids() -> dict[str, tuple[str, str]]:
    """Every id this package registers -> (ruleset, task_id)."""
    ids: dict[str, tuple[str, str]] = {}
    for name, rs in RULESETS.items():
        for task_id in rs.tasks:
            ids[env_id(task_id, name)] = (name, task_id)
            if name == DEFAULT_RULESET:
                ids[env_id(task_id, name, short=True)] = (name, task_id)
    return ids


def register_envs() -> None:
    """Register every task of every ruleset (idempotent)."""
    for env_name, (ruleset, task_id) in registered_ids().items():
        if env_name in gym.registry:
            continue
        gym.register(
            id=env_name,
            entry_point=_ENTRY_POINT,
            kwargs={"task_id": task_id, "ruleset": ruleset},
            # no max_episode_steps: the simulator's max_steps owns truncation (no TimeLimit)
            disable_env_checker=True,
        )
