"""The registry of rulesets. ``DEFAULT_RULESET`` is used wherever none is named."""

from __future__ import annotations

from govworkflow.errors import UnknownNameError
from govworkflow.kernel import Ruleset
from govworkflow.rulesets import legacy, standard

__all__ = ["DEFAULT_RULESET", "RULESETS", "get_ruleset"]

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
