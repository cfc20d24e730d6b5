# ruff: noqa: F403, F405
"""Deprecated import path, kept for one release: use ``govworkflow.office.llm``.

``govworkflow.llm`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.office.llm import *

__deprecated_alias__ = "govworkflow.office.llm"
__all__ = [
    "ADVANCE",
    "ChatPolicy",
    "Decision",
    "HeuristicAgent",
    "build_messages",
    "extract_action",
    "render_observation",
    "system_prompt",
]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
