"""Where the shipped models live: package data found through ``importlib.resources``.

Every environment's trained models are ``govworkflow/assets/models/<ruleset>-<task>-ppo.zip``
(``triage`` is the triage suite's ruleset name), so a wheel install has them. Training
writes there in a repository checkout; ``model_dir=`` reads another folder.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from govworkflow.core.kernel import plugin

__all__ = ["MODEL_DIR", "PPO", "has_model", "model_file"]

#: The models shipped in the package (``govworkflow/assets/models``).
MODEL_DIR: Traversable = resources.files("govworkflow") / "assets" / "models"


#: The factory of ``ppo``, the policy that plays these models, in every environment's
#: registry: ``govworkflow.training.policy.PPOPolicy``, imported only when asked for.
PPO = plugin("govworkflow.training.policy", "PPOPolicy")


def model_file(ruleset: str, task_id: str, model_dir: Path | Traversable = MODEL_DIR) -> Traversable:
    """Where the model of ``ruleset``/``task_id`` lives in ``model_dir`` (a ``Path`` when ``model_dir`` is one)."""
    return model_dir / f"{ruleset}-{task_id}-ppo.zip"


def has_model(ruleset: str, task_id: str, model_dir: Path | Traversable = MODEL_DIR) -> bool:
    """Whether a trained model of the task is in ``model_dir`` (default: shipped with the package)."""
    return model_file(ruleset, task_id, model_dir).is_file()
