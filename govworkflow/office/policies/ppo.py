"""``ppo``: the shipped MaskablePPO model of the task, acting deterministically.

The shipped models are package data, ``govworkflow/assets/models/<ruleset>-<task>-ppo.zip``,
found through ``importlib.resources`` (so a wheel has them); ``govworkflow train`` writes
them there in a repository checkout, and ``model_dir=`` reads another folder. The policy
needs the simulator for the action mask, so it runs in-process (it is evaluated by the
same code as every heuristic).
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from govworkflow.core.errors import GovWorkflowError
from govworkflow.core.kernel import Simulator
from govworkflow.office.models import Action, Observation

__all__ = ["MODEL_DIR", "PPOPolicy", "model_file"]

#: The models shipped in the package (``govworkflow/assets/models``).
MODEL_DIR: Traversable = resources.files("govworkflow") / "assets" / "models"


def model_file(ruleset: str, task_id: str, model_dir: Path | Traversable = MODEL_DIR) -> Traversable:
    """Where the model of ``ruleset``/``task_id`` lives in ``model_dir`` (a ``Path`` when ``model_dir`` is one)."""
    return model_dir / f"{ruleset}-{task_id}-ppo.zip"


class PPOPolicy:
    """Plays the trained model of whichever task the simulator runs (loaded once per task)."""

    name = "ppo"
    description = "MaskablePPO trained on the task's development seeds (shipped models), deterministic."

    def __init__(self, model_dir: Path | Traversable = MODEL_DIR) -> None:
        self.model_dir = model_dir
        self._models: dict[tuple[str, str], Any] = {}

    @staticmethod
    def available(ruleset: str, task_id: str, model_dir: Path | Traversable = MODEL_DIR) -> bool:
        """Whether a trained model ships for the task (is in ``model_dir``)."""
        return model_file(ruleset, task_id, model_dir).is_file()

    def reset(self, seed: int | None = None) -> None:
        """Deterministic: nothing to reset."""

    def _model(self, ruleset: str, task_id: str) -> Any:
        key = (ruleset, task_id)
        if key not in self._models:
            path = model_file(ruleset, task_id, self.model_dir)
            if not path.is_file():
                raise GovWorkflowError(
                    f"no trained model for {ruleset}/{task_id} at {path}; "
                    f"train one with: govworkflow train --ruleset {ruleset} --task {task_id}"
                )
            import torch
            from sb3_contrib import MaskablePPO

            torch.set_num_threads(1)  # small networks: one thread is fastest and plays well with workers
            with resources.as_file(path) as file:  # a real file for SB3 (a temporary copy if zipped)
                self._models[key] = MaskablePPO.load(file, device="cpu")
        return self._models[key]

    def act(self, observation: Observation, simulator: Simulator | None = None) -> Action:
        if simulator is None:
            raise GovWorkflowError("the ppo policy needs the simulator (for its action mask)")
        from govworkflow.office.encoding import ObservationEncoder, action_masks, action_table

        model = self._model(simulator.ruleset, observation.task_id)
        x = ObservationEncoder(simulator.ruleset).encode(observation)
        action, _ = model.predict(x, action_masks=action_masks(simulator), deterministic=True)
        return action_table()[int(action)]
