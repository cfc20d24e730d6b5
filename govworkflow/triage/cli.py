# ruff: noqa: F403, F405
"""Deprecated import path, kept for one release: use ``govworkflow.cli.triage``.

``govworkflow.triage.cli`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.cli.triage import *

__deprecated_alias__ = "govworkflow.cli.triage"
__all__ = ["COMMANDS", "add_arguments", "run"]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
