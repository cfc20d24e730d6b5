"""Training (extra ``train``): one PPO entry point for every environment (``training.ppo``:
``fit`` with a ``Target`` per environment; ``train`` for the office, ``training.triage``
for ticket triage), the imitation warm start (``training.imitation``) and the networks
(``training.networks``)."""

from govworkflow.training.ppo import (
    PPOArgs,
    Target,
    TrainArgs,
    TrainResult,
    first_episode,
    fit,
    imitation_seeds,
    model_path,
    office_target,
    train,
    training_seeds,
    validate,
    validation_seeds,
)

__all__ = [
    "PPOArgs",
    "Target",
    "TrainArgs",
    "TrainResult",
    "first_episode",
    "fit",
    "imitation_seeds",
    "model_path",
    "office_target",
    "train",
    "training_seeds",
    "validate",
    "validation_seeds",
]
