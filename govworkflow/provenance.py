# ruff: noqa: F403, F405
"""Deprecated import path, kept for one release: use ``govworkflow.core.provenance``.

``govworkflow.provenance`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.core.provenance import *

__deprecated_alias__ = "govworkflow.core.provenance"
__all__ = ["check_output", "check_output_dir", "git", "provenance", "write_json", "write_text"]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
