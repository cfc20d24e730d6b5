"""``ppo``: the one policy that plays a trained MaskablePPO model, for every environment.

``PPOPolicy`` plays the model of whichever task it is asked about, deterministically,
loaded once per (ruleset, task) from ``model_dir`` (default: the shipped models,
``core.assets.MODEL_DIR``). What differs between environments is only how an observation
becomes the network's input, mask and action: each environment's ``Codec`` below wires
its own encoding module (``office.encoding``, ``triage.encoding``). The office's codec
needs the simulator for its mask (so it runs in-process); triage's reads only the
observation, so it can also drive a remote server. torch and sb3-contrib are imported on
first use (extra ``train``).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np

from govworkflow.core.assets import MODEL_DIR, has_model, model_file
from govworkflow.core.errors import GovWorkflowError
from govworkflow.core.kernel import TRAINED_PREFIX, Simulator
from govworkflow.office import encoding as office_encoding
from govworkflow.office.rulesets import RULESETS
from govworkflow.triage import encoding as triage_encoding
from govworkflow.triage.models import TriageAction, TriageObservation
from govworkflow.triage.oracle import SKIP
from govworkflow.triage.tasks import TASKS as TRIAGE_TASKS
from govworkflow.triage.tasks import get_task as triage_task

__all__ = ["CODECS", "MODEL_DIR", "Codec", "PPOPolicy"]


@dataclass(frozen=True)
class Codec:
    """How one environment's observation becomes a model's input and its output an action."""

    #: The command that trains a model of a task (``{ruleset}``, ``{task}`` filled in).
    train_command: str

    def size(self, ruleset: str) -> int:
        """The length of the feature vector."""
        raise NotImplementedError

    def tasks(self, ruleset: str) -> list[str]:
        """The task ids of ``ruleset`` (to say which have a model)."""
        raise NotImplementedError

    def forced(self, observation: Any) -> Any | None:
        """The action when there is nothing to choose (no model needed), else ``None``."""
        return None

    def features(self, ruleset: str, observation: Any, simulator: Simulator | None) -> np.ndarray:
        raise NotImplementedError

    def mask(self, observation: Any, simulator: Simulator | None) -> np.ndarray:
        raise NotImplementedError

    def action(self, index: int) -> Any:
        raise NotImplementedError


class _OfficeCodec(Codec):
    def size(self, ruleset: str) -> int:
        return office_encoding.ObservationEncoder(ruleset).size

    def tasks(self, ruleset: str) -> list[str]:
        return list(RULESETS[ruleset].tasks)

    def features(self, ruleset: str, observation: Any, simulator: Simulator | None) -> np.ndarray:
        return office_encoding.ObservationEncoder(ruleset).encode(observation)

    def mask(self, observation: Any, simulator: Simulator | None) -> np.ndarray:
        if simulator is None:
            raise GovWorkflowError(
                "the office's ppo policy needs the simulator for its action mask: call act(observation, "
                "simulator), or play it through govworkflow.evaluation.run_episode (or --policy ppo:DIR)"
            )
        return office_encoding.action_masks(simulator)

    def action(self, index: int) -> Any:
        return office_encoding.action_table()[index]


class _TriageCodec(Codec):
    def size(self, ruleset: str) -> int:
        return triage_encoding.TriageEncoder.size

    def tasks(self, ruleset: str) -> list[str]:
        return list(TRIAGE_TASKS)

    def forced(self, observation: Any) -> Any | None:
        return SKIP if not observation.tickets else None

    def features(self, ruleset: str, observation: Any, simulator: Simulator | None) -> np.ndarray:
        max_steps = simulator.max_steps if simulator is not None else triage_task(observation.task_id).max_steps
        return triage_encoding.TriageEncoder(max_steps).encode(observation)

    def mask(self, observation: Any, simulator: Simulator | None) -> np.ndarray:
        return triage_encoding.observation_mask(observation)

    def action(self, index: int) -> Any:
        return TriageAction(ticket_id=triage_encoding.ticket_id(index))


_OFFICE = _OfficeCodec("govworkflow train --ruleset {ruleset} --task {task}")
#: Each ruleset's codec (the office's rulesets share one).
CODECS: dict[str, Codec] = {
    "legacy": _OFFICE,
    "standard": _OFFICE,
    "triage": _TriageCodec("govworkflow triage train --task {task}"),
}


def _trained_folder(where: str) -> Path:
    """The folder of ``ppo:DIR``: ``DIR`` itself, or ``DIR/models`` when ``DIR`` is a
    training run's ``--out-dir`` (models in its ``models/``)."""
    if not where:
        raise GovWorkflowError(
            f"policy {TRAINED_PREFIX}: name the folder of models after the colon: {TRAINED_PREFIX}DIR"
        )
    folder = Path(where)
    if not folder.is_dir():
        raise GovWorkflowError(
            f"policy {TRAINED_PREFIX}{where}: no folder {where!r}; give the folder a training run "
            "wrote (govworkflow train --out-dir DIR), or its models/ folder"
        )
    inner = folder / "models"
    if not any(folder.glob("*-ppo.zip")) and inner.is_dir():
        return inner
    return folder


def _ruleset_of(observation: Any, simulator: Simulator | None) -> str:
    if simulator is not None:
        return simulator.ruleset
    if isinstance(observation, TriageObservation):
        return "triage"
    return str(observation.ruleset)


class PPOPolicy:
    """Plays the trained model of whichever task it is asked about (loaded once per task)."""

    name = "ppo"
    description = "MaskablePPO trained on the task's development seeds (shipped models), deterministic."

    def __init__(self, model_dir: str | Path | Traversable = MODEL_DIR) -> None:
        if isinstance(model_dir, str):  # ``ppo:DIR`` (``Suite.policy``): a folder of one's own, named so
            self.name = f"{TRAINED_PREFIX}{model_dir}"
            model_dir = _trained_folder(model_dir)
            self.description = f"MaskablePPO models of {model_dir}, deterministic."
        self.model_dir = model_dir
        self._models: dict[tuple[str, str], Any] = {}

    @staticmethod
    def available(ruleset: str, task_id: str, model_dir: Path | Traversable = MODEL_DIR) -> bool:
        """Whether a trained model of the task is in ``model_dir`` (default: shipped)."""
        return has_model(ruleset, task_id, model_dir)

    def reset(self, seed: int | None = None) -> None:
        """Deterministic: nothing to reset."""

    def _model(self, ruleset: str, task_id: str) -> Any:
        key = (ruleset, task_id)
        if key in self._models:
            return self._models[key]
        codec = CODECS[ruleset]
        path = model_file(ruleset, task_id, self.model_dir)
        train = codec.train_command.format(ruleset=ruleset, task=task_id)
        if self.model_dir is not MODEL_DIR:  # a folder of one's own: train into it, not over the shipped models
            folder = Path(str(self.model_dir))
            out = folder.parent if folder.name == "models" else folder
            train += f" --out-dir {shlex.quote(str(out))} (then play it as {TRAINED_PREFIX}{out})"
        if not path.is_file():
            ready = [t for t in codec.tasks(ruleset) if has_model(ruleset, t, self.model_dir)]
            raise GovWorkflowError(
                f"no trained model for {ruleset} task {task_id!r} at {path} "
                f"(models here: {', '.join(ready) or 'none'}); train one with: {train}"
            )
        import torch
        from sb3_contrib import MaskablePPO

        torch.set_num_threads(1)  # small networks: one thread is fastest and plays well with workers
        with resources.as_file(path) as file:  # a real file for SB3 (a temporary copy if zipped)
            model = MaskablePPO.load(file, device="cpu")
        shape, size = model.observation_space.shape or (), codec.size(ruleset)
        if shape != (size,):
            raise GovWorkflowError(
                f"the model at {path} reads {' x '.join(map(str, shape))} features but this version "
                f"encodes {size}; retrain it with: {train}"
            )
        self._models[key] = model
        return model

    def act(self, observation: Any, simulator: Simulator | None = None) -> Any:
        ruleset = _ruleset_of(observation, simulator)
        codec = CODECS[ruleset]
        forced = codec.forced(observation)
        if forced is not None:
            return forced
        model = self._model(ruleset, observation.task_id)
        x = codec.features(ruleset, observation, simulator)
        action, _ = model.predict(x, action_masks=codec.mask(observation, simulator), deterministic=True)
        return codec.action(int(action))
