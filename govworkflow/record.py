"""Deprecated import path, kept for one release: use ``govworkflow.office.record``.

``govworkflow.record`` moved when the package took its one-core layout (``docs/architecture.md``);
this module only re-exports the new one's names and warns on import.
"""

import warnings

from govworkflow.core.record import bool_field, int_field, names_field, number_field, numbers_field, text_field
from govworkflow.office.record import EpisodeRecord, StepRecord

__deprecated_alias__ = "govworkflow.office.record"
__all__ = [
    "EpisodeRecord",
    "StepRecord",
    "bool_field",
    "int_field",
    "names_field",
    "number_field",
    "numbers_field",
    "text_field",
]

warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
