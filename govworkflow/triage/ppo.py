"""Deprecated import path, kept for one release: use ``govworkflow.training.policy``.

The ``ppo`` policy is one class for every environment (``govworkflow.training.policy.PPOPolicy``);
the shipped models' folder is ``govworkflow.core.assets.MODEL_DIR``. This module keeps the
old triage names and call shapes and warns on import.
"""

import warnings
from importlib.resources.abc import Traversable
from pathlib import Path

from govworkflow.core import assets
from govworkflow.core.assets import MODEL_DIR
from govworkflow.training.policy import PPOPolicy

__deprecated_alias__ = "govworkflow.training.policy"
__all__ = ["MODEL_DIR", "TriagePPOPolicy", "model_file"]


def model_file(task_id: str, model_dir: Path | Traversable = MODEL_DIR) -> Traversable:
    """``govworkflow.core.assets.model_file("triage", task_id, model_dir)``."""
    return assets.model_file("triage", task_id, model_dir)


class TriagePPOPolicy(PPOPolicy):
    """``PPOPolicy``, with the old triage ``available(task_id, model_dir)``."""

    @staticmethod
    def available(task_id: str, model_dir: Path | Traversable = MODEL_DIR) -> bool:  # type: ignore[override]
        return assets.has_model("triage", task_id, model_dir)


warnings.warn(
    f"{__name__} is deprecated and will be removed in the next release; import {__deprecated_alias__}",
    DeprecationWarning,
    stacklevel=2,
)
