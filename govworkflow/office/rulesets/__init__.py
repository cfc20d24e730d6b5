"""The registry of rulesets. ``DEFAULT_RULESET`` is used wherever none is named."""

from __future__ import annotations

from typing import Any

from govworkflow.core.errors import UnknownNameError
from govworkflow.office.ruleset import Ruleset
from govworkflow.office.rulesets import legacy, standard

__all__ = ["DEFAULT_RULESET", "RULESETS", "get_ruleset", "get_suite", "task_rows"]

RULESETS: dict[str, Ruleset] = {r.name: r for r in (standard.RULESET, legacy.RULESET)}

#: The ruleset used when none is named (the command line, ``GovWorkflowEnv``).
DEFAULT_RULESET = "standard"


def get_ruleset(name: str | None = None) -> Ruleset:
    """The ruleset called ``name`` (default: ``DEFAULT_RULESET``)."""
    key = DEFAULT_RULESET if name is None else name
    try:
        return RULESETS[key]
    except KeyError:
        raise UnknownNameError("ruleset", key, RULESETS) from None


#: How a pickled ruleset is found again (``core.kernel.Suite`` pickles by name).
get_suite = get_ruleset


def task_rows(ruleset: str | None = None) -> list[dict[str, Any]]:
    """One row per (ruleset, task): id, ruleset, default seed and seed sets, horizon."""
    names = [get_ruleset(ruleset).name] if ruleset is not None else list(RULESETS)
    rows = []
    for name in names:
        rs = RULESETS[name]
        for tid, task in rs.tasks.items():
            rows.append(
                {
                    "task_id": tid,
                    "ruleset": name,
                    "default_seed": task.seed,
                    "max_days": task.max_days,
                    "seed_sets": task.seeds.model_dump(),
                    "description": task.description,
                }
            )
    return rows
