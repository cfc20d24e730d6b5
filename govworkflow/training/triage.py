"""Train MaskablePPO on a triage task (extra ``train``): the office's loop, triage's target.

    govworkflow triage train --task overload_12 --timesteps 400000 --seed 1

``govworkflow.training.ppo.fit`` does the work (seeding, warm start, PPO, validation on
development seeds, best model kept, slim model, training record with provenance); this
module only says what it trains on:

* environment: ``TriageGymEnv`` (12 slots, exact masks) with the simulator reward times
  ``reward_scale``, drawing development seeds;
* policy: ``SlotScorerPolicy`` (``network.py``: one ticket scorer shared across the 12
  slots), learning from scratch by default; ``--imitate`` clones a heuristic first;
* validation: the mean grade of the deterministic policy on the last development seeds.

Outputs: ``<out_dir>/models/triage-<task>-ppo.zip`` and ``<out_dir>/results/training-triage-<task>.json``;
without ``out_dir`` (a repository checkout only), the package's models folder and
``data/results/`` (``govworkflow.training.ppo.output_dirs``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from govworkflow.gym.triage import TriageGymEnv
from govworkflow.training.args import PPOArgs
from govworkflow.training.imitation import Demonstrations, Step, assemble
from govworkflow.training.ppo import Target, TrainResult, final_scores, fit, imitation_seeds, validation_seeds
from govworkflow.triage.encoding import N_SLOTS, NETWORKS, TriageEncoder, slot_of
from govworkflow.triage.sim import TriageSimulator
from govworkflow.triage.suite import make_policy
from govworkflow.triage.tasks import get_task

__all__ = ["NETWORKS", "OPTIONS", "TriageTrainArgs", "play", "train_triage", "triage_demonstrations", "triage_target"]


#: Policy networks a triage run can train.
#: Fields ``govworkflow triage train`` sets as ``--name`` options besides task, timesteps,
#: seed and imitate (each defaults to the field's default when omitted).
OPTIONS = ("n_envs", "eval_every", "network", "imitation_episodes")


@dataclass
class TriageTrainArgs(PPOArgs):
    """Everything a triage training run depends on (``PPOArgs`` has the rest)."""

    task: str = "overload_12"
    """Triage task id (see ``govworkflow triage tasks``)."""
    reward_scale: float = 0.1
    """Multiplies the simulator reward, so episode returns are of order 1."""
    timesteps: int = 400_000
    """Environment steps to train for."""
    learning_rate: float = 3e-4
    """Adam step size."""
    gamma: float = 1.0
    """Discount: episodes are at most 20 steps and the score counts every reward alike."""
    ent_coef: float = 0.01
    """Entropy bonus (keeps PPO trying other tickets early on)."""
    clip_range: float = 0.1
    """PPO clipping."""
    imitate: str | None = None
    """Teacher cloned before PPO (a triage policy name); ``none`` (None, the default) learns from scratch."""
    imitation_episodes: int = 2000
    """Teacher episodes (first development seeds) for the warm start."""
    imitation_epochs: int = 20
    """Passes over the teacher's demonstrations."""
    eval_every: int = 20_000
    """Validate every this many steps (0: only at the end)."""
    eval_episodes: int = 200
    """Development seeds in the validation subset (the last ones of the range)."""
    network: str = "slots"
    """``slots``: one ticket scorer shared across slots (``SlotScorerPolicy``); ``mlp``: a flat MLP."""
    hidden: int = 64
    """Width of the slot scorer's layers (``network="slots"``)."""

    #: ``PPOArgs``' counts and the slot scorer's width.
    COUNTS: ClassVar[tuple[str, ...]] = (*PPOArgs.COUNTS, "hidden")
    #: ``PPOArgs``' positive numbers and the reward's scale.
    POSITIVE: ClassVar[tuple[str, ...]] = (*PPOArgs.POSITIVE, "reward_scale")


def play(model: object, task: str, seeds: list[int]) -> list[float]:
    """Grade of the deterministic ``model`` (a MaskablePPO) on each of ``seeds`` (the one
    validation loop, ``training.ppo.final_scores``)."""
    return final_scores(model, TriageGymEnv(task), seeds)  # type: ignore[arg-type]


def triage_demonstrations(
    task: str, teacher: str, seeds: list[int], gamma: float, reward_scale: float = 1.0
) -> Demonstrations:
    """Play the triage heuristic ``teacher`` on ``seeds``; record it as the gym adapter sees it."""
    from govworkflow.triage.grading import grade_simulator

    env = TriageGymEnv(task)
    policy = make_policy(teacher)
    episodes: list[list[Step]] = []
    scores: list[float] = []
    for seed in seeds:
        sim = TriageSimulator.start(env.triage.task, seed)
        policy.reset(seed)
        steps: list[Step] = []
        while not sim.done:
            obs = sim.observe()
            x, mask = env.encoder.encode(obs), np.zeros(N_SLOTS, dtype=bool)
            mask[: len(sim.instance.tickets)] = sim.action_mask()
            action = policy.act(obs, sim)
            index = slot_of(action.ticket_id) if action.ticket_id in sim.valid_actions() else None
            reward, *_ = sim.step(action)
            steps.append((x, index, mask, reward * reward_scale))
        episodes.append(steps)
        scores.append(grade_simulator(sim).score)
    return assemble(episodes, scores, gamma)


def _command(args: TriageTrainArgs) -> str:
    """The command line that repeats ``args`` (options at their defaults are left out)."""
    default = TriageTrainArgs()
    words = ["govworkflow triage train", f"--task {args.task}", f"--timesteps {args.timesteps}", f"--seed {args.seed}"]
    for name in OPTIONS:
        if getattr(args, name) != getattr(default, name):
            words.append(f"--{name.replace('_', '-')} {getattr(args, name)}")
    if args.imitate != default.imitate:
        words.append(f"--imitate {args.imitate or 'none'}")
    return " ".join(words)


def triage_target(args: TriageTrainArgs) -> Target:
    """The triage task of ``args`` as a training target."""
    task = get_task(args.task)  # fail early on an unknown task
    if args.imitate is not None:
        make_policy(args.imitate)  # an unknown teacher fails here, naming the choices

    def demos(teacher: str, seeds: list[int], gamma: float) -> Demonstrations:
        return triage_demonstrations(task.task_id, teacher, seeds, gamma, args.reward_scale)

    if args.network not in NETWORKS:
        raise ValueError(f"network: expected one of {', '.join(NETWORKS)}, got {args.network!r}")
    policy: str | type = "MlpPolicy"
    policy_kwargs: dict[str, object] = {}
    if args.network == "slots":
        from govworkflow.training.networks import SlotScorerPolicy

        policy = SlotScorerPolicy
        policy_kwargs = {"n_slots": N_SLOTS, "slot_features": len(TriageEncoder.SLOT_FEATURES), "hidden": args.hidden}
    return Target(
        name=f"triage-{task.task_id}",
        command=_command(args),
        make_env=lambda: TriageGymEnv(task.task_id, reward_scale=args.reward_scale),
        seeds=task.seeds,
        validation_seeds=validation_seeds(task.seeds, args.eval_episodes),
        imitation_seeds=imitation_seeds(task.seeds, args.imitation_episodes),
        validate=lambda model, seeds: float(np.mean(play(model, task.task_id, seeds))),
        demonstrations=demos,
        record={"task_id": task.task_id, "environment": "triage"},
        policy=policy,
        policy_kwargs=policy_kwargs,
    )


def train_triage(args: TriageTrainArgs) -> TrainResult:
    """Train on a triage task: validate, keep the best model, write the model and the record."""
    return fit(args, triage_target(args))
