"""The arguments of a training run: ``PPOArgs`` (the hyper-parameters, whatever the
environment) and ``TrainArgs`` (an office task's run). Each field is documented where it
is declared; the command line's ``train`` options are these fields, read from this source
(``cli.options.DataclassOptions``), so ``govworkflow train --help`` imports no torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from govworkflow.core.errors import (
    check_count,
    check_fraction,
    check_non_negative,
    check_positive,
    check_seed,
    check_widths,
)

__all__ = ["PPOArgs", "TrainArgs"]


@dataclass
class PPOArgs:
    """The hyper-parameters of a run, whatever the environment (``TrainArgs`` adds the office's)."""

    timesteps: int = 250_000
    """Environment steps to train for."""
    seed: int = 1
    """Seeds Python, numpy, torch and the environments' episode draws."""
    n_envs: int = 4
    """Environments stepped together (each draws its own development episodes)."""
    learning_rate: float = 1e-4
    """Adam step size (small: PPO refines the imitation warm start, it does not relearn)."""
    n_steps: int = 256
    """Steps per environment between updates."""
    batch_size: int = 256
    """Minibatch size."""
    n_epochs: int = 10
    """Passes over each rollout."""
    gamma: float = 0.995
    """Discount (episodes are long; the grade arrives over the whole horizon)."""
    gae_lambda: float = 0.95
    """GAE parameter."""
    ent_coef: float = 0.001
    """Entropy bonus."""
    clip_range: float = 0.1
    """PPO clipping (smaller keeps an imitation warm start closer to its teacher)."""
    net_arch: list[int] = field(default_factory=lambda: [128, 128])
    """Hidden layers of the policy and value networks (``MlpPolicy`` only)."""
    imitate: str | None = None
    """Teacher policy cloned before PPO; ``none`` (None) trains from scratch."""
    imitation_episodes: int = 64
    """Teacher episodes (first seeds of the development range) for the warm start."""
    imitation_epochs: int = 30
    """Passes over the teacher's demonstrations."""
    eval_every: int = 25_000
    """Validate every this many steps (0: only at the end)."""
    eval_episodes: int = 16
    """Development seeds in the validation subset."""
    out_dir: Path | None = None
    """Where ``models/`` and ``results/`` go (unset: the package's models folder,
    ``govworkflow/assets/models``, and the checkout's ``data/results/``; an installed
    package needs a folder: ``output_dirs``)."""
    progress: bool = True
    """Show a progress bar."""
    max_wall_s: float | None = None
    """Stop PPO once this many seconds have passed since the run started (the warm start
    included); None: train for all ``timesteps``."""
    use_masking: bool = True
    """Sample only valid actions (the env's action mask); off, the policy meets invalid
    actions as penalised no-ops, in training and validation (for comparison)."""

    #: Fields that count something (at least 1; ``eval_every`` at least 0).
    COUNTS: ClassVar[tuple[str, ...]] = ("timesteps", "n_envs", "n_steps", "batch_size", "n_epochs",
                                         "imitation_episodes", "imitation_epochs", "eval_episodes")  # fmt: skip
    #: Fields that are finite positive numbers.
    POSITIVE: ClassVar[tuple[str, ...]] = ("learning_rate", "clip_range")
    #: Fields that are finite numbers of at least 0.
    NON_NEGATIVE: ClassVar[tuple[str, ...]] = ("ent_coef",)
    #: Fields that are numbers in (0, 1].
    FRACTIONS: ClassVar[tuple[str, ...]] = ("gamma", "gae_lambda")

    def check(self) -> None:
        """Refuse, before any work, a seed, a count, a number or a network that the run
        cannot use (NaN and infinities included); numpy numbers become plain ones (the
        training record is JSON)."""
        self.seed = check_seed(self.seed)
        for name in self.COUNTS:
            setattr(self, name, check_count(getattr(self, name), name))
        self.eval_every = check_count(self.eval_every, "eval_every", minimum=0)
        for name in self.POSITIVE:
            setattr(self, name, check_positive(getattr(self, name), name))
        for name in self.NON_NEGATIVE:
            setattr(self, name, check_non_negative(getattr(self, name), name))
        for name in self.FRACTIONS:
            setattr(self, name, check_fraction(getattr(self, name), name))
        self.net_arch = check_widths(self.net_arch, "net_arch")
        if self.max_wall_s is not None:
            self.max_wall_s = check_positive(self.max_wall_s, "max_wall_s")


@dataclass
class TrainArgs(PPOArgs):
    """Everything an office training run depends on."""

    task: str = "district_backlog_easy"
    """Task id (see ``govworkflow tasks``)."""
    ruleset: str | None = None
    """Ruleset; None means the package default."""
    reward: str = "grade"
    """``grade`` (change of the grade each step) or ``simulator`` (the dense reward)."""
    max_steps: int | None = None
    """Step cap of an episode (None: the ruleset's)."""
    imitate: str | None = "sla_aware"
    """Teacher policy cloned before PPO (our strongest heuristic); ``none`` (None) trains from scratch."""
