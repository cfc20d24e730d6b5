"""``ppo``: the shipped MaskablePPO model of a triage task, acting deterministically.

The shipped models are package data, ``govworkflow/assets/models/triage-<task>-ppo.zip``,
found through ``importlib.resources`` (so a wheel has them); ``govworkflow triage train``
writes them there in a repository checkout, and ``model_dir=`` reads another folder. The
policy reads only the observation (its mask is the observation's tickets), so it can also
drive a remote server. torch, sb3-contrib and gymnasium are imported on first use (extra
``train``).
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from govworkflow.core.errors import GovWorkflowError
from govworkflow.triage.models import TriageAction, TriageObservation
from govworkflow.triage.oracle import SKIP
from govworkflow.triage.sim import TriageSimulator
from govworkflow.triage.tasks import TASKS

__all__ = ["MODEL_DIR", "TriagePPOPolicy", "model_file"]

#: The models shipped in the package (``govworkflow/assets/models``, shared with the office's).
MODEL_DIR: Traversable = resources.files("govworkflow") / "assets" / "models"


def model_file(task_id: str, model_dir: Path | Traversable = MODEL_DIR) -> Traversable:
    """Where the model of ``task_id`` lives in ``model_dir`` (a ``Path`` when ``model_dir`` is one)."""
    return model_dir / f"triage-{task_id}-ppo.zip"


class TriagePPOPolicy:
    """Plays the trained model of whichever task the observation is from (loaded once per task)."""

    name = "ppo"
    description = "MaskablePPO trained on the task's development seeds (shipped models), deterministic."

    def __init__(self, model_dir: Path | Traversable = MODEL_DIR) -> None:
        self.model_dir = model_dir
        self._models: dict[str, Any] = {}

    @staticmethod
    def available(task_id: str, model_dir: Path | Traversable = MODEL_DIR) -> bool:
        """Whether a trained model ships for the task (is in ``model_dir``)."""
        return model_file(task_id, model_dir).is_file()

    def reset(self, seed: int | None = None) -> None:
        """Deterministic: nothing to reset."""

    def _model(self, task_id: str) -> Any:
        if task_id not in self._models:
            path = model_file(task_id, self.model_dir)
            if not path.is_file():
                ready = [t for t in TASKS if self.available(t, self.model_dir)]
                raise GovWorkflowError(
                    f"no trained model for triage task {task_id!r} at {path} "
                    f"(models here: {', '.join(ready) or 'none'}); "
                    f"train one with: govworkflow triage train --task {task_id}"
                )
            import torch
            from sb3_contrib import MaskablePPO

            from govworkflow.triage.encoding import TriageEncoder

            torch.set_num_threads(1)  # small networks: one thread is fastest
            with resources.as_file(path) as file:  # a real file for SB3 (a temporary copy if zipped)
                model = MaskablePPO.load(file, device="cpu")
            shape = model.observation_space.shape or ()
            if shape != (TriageEncoder.size,):
                raise GovWorkflowError(
                    f"the model at {path} reads {' x '.join(map(str, shape))} features but this version "
                    f"encodes {TriageEncoder.size}; retrain it with: govworkflow triage train --task {task_id}"
                )
            self._models[task_id] = model
        return self._models[task_id]

    def act(self, observation: TriageObservation, simulator: TriageSimulator | None = None) -> TriageAction:
        if not observation.tickets:
            return SKIP
        from govworkflow.triage.encoding import TriageEncoder, observation_mask

        model = self._model(observation.task_id)
        max_steps = simulator.max_steps if simulator is not None else _max_steps(observation.task_id)
        x = TriageEncoder(max_steps).encode(observation)
        action, _ = model.predict(x, action_masks=observation_mask(observation), deterministic=True)
        return TriageAction(ticket_id=f"T{int(action) + 1:02d}")


def _max_steps(task_id: str) -> int:
    from govworkflow.triage.tasks import get_task

    return get_task(task_id).max_steps
