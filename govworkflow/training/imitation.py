"""Warm-start PPO by imitating a heuristic (behaviour cloning), before PPO improves on it.

Plain PPO from scratch tends to lose to classic queueing rules; starting from a policy
that already plays like the best heuristic, PPO only has to find the improvements. The
teacher's actions are mapped onto the gym adapter's macro-action table (actions outside
the table are skipped); the policy head is fitted by masked cross-entropy and the value
head by regression on the teacher's discounted grade-delta returns. Only development
seeds are played.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sb3_contrib.common.maskable.policies import MaskableActorCriticPolicy

from govworkflow.gym import ObservationEncoder, action_masks, action_table
from govworkflow.office.env import GovWorkflowEnv
from govworkflow.office.models import Action
from govworkflow.office.rulesets import get_ruleset

__all__ = ["Demonstrations", "Step", "assemble", "clone", "demonstrations"]


@dataclass
class Demonstrations:
    """Teacher play: observation vectors, action indices, masks, discounted returns."""

    obs: np.ndarray
    actions: np.ndarray
    masks: np.ndarray
    returns: np.ndarray
    mean_score: float
    skipped: int


#: One recorded step: observation vector, action index (None: not in the action space,
#: not recorded), action mask, reward.
Step = tuple[np.ndarray, int | None, np.ndarray, float]


def demonstrations(
    task: str, ruleset: str, teacher: str, seeds: list[int], gamma: float, max_steps: int | None = None
) -> Demonstrations:
    """Play ``teacher`` on ``seeds`` and record what it did, as the gym adapter sees it.

    The teacher's own action is always played, so every episode is the teacher's; steps
    whose action is not in the macro-action table are not recorded (``skipped``)."""
    index: dict[Action, int] = {a: i for i, a in enumerate(action_table())}
    policy = get_ruleset(ruleset).policy(teacher)
    env = GovWorkflowEnv(task, ruleset=ruleset, max_steps=max_steps)
    encoder = ObservationEncoder(env.ruleset.name)
    episodes: list[list[Step]] = []
    scores: list[float] = []
    for seed in seeds:
        obs = env.reset(seed=seed)
        policy.reset(seed)
        score = env.simulator.running_score()
        steps: list[Step] = []
        while not env.done:
            action = policy.act(obs, env.simulator)
            x, mask, i = encoder.encode(obs), action_masks(env.simulator), index.get(action)
            obs = env.step(action).observation
            # as the gym adapter's reward: the running estimate, the grade at the end
            new_score = env.grade().score if env.done else env.simulator.running_score()
            steps.append((x, i if i is not None and mask[i] else None, mask, new_score - score))
            score = new_score
        episodes.append(steps)
        scores.append(score)
    return assemble(episodes, scores, gamma)


def assemble(episodes: list[list[Step]], scores: list[float], gamma: float) -> Demonstrations:
    """Demonstrations from the teacher's episodes: discounted returns over every step, then
    the steps whose action has no index dropped (counted in ``skipped``)."""
    xs: list[np.ndarray] = []
    acts: list[int] = []
    masks: list[np.ndarray] = []
    rets: list[float] = []
    skipped = 0
    for steps in episodes:
        g = 0.0
        for x, i, mask, reward in reversed(steps):
            g = reward + gamma * g
            if i is None:
                skipped += 1
                continue
            xs.append(x)
            acts.append(i)
            masks.append(mask)
            rets.append(g)
    return Demonstrations(
        np.asarray(xs, dtype=np.float32),
        np.asarray(acts, dtype=np.int64),
        np.asarray(masks, dtype=bool),
        np.asarray(rets, dtype=np.float32),
        float(np.mean(scores)),
        skipped,
    )


def clone(policy: MaskableActorCriticPolicy, demos: Demonstrations, epochs: int = 30, batch_size: int = 256,
          lr: float = 1e-3, seed: int = 0) -> float:  # fmt: skip
    """Fit ``policy`` (a MaskableActorCriticPolicy) to the demonstrations; return accuracy."""
    gen = torch.Generator().manual_seed(seed)
    obs = torch.as_tensor(demos.obs)
    acts = torch.as_tensor(demos.actions)
    masks = torch.as_tensor(demos.masks)
    rets = torch.as_tensor(demos.returns)
    opt = torch.optim.Adam(policy.parameters(), lr=lr)
    n = len(acts)
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        for start in range(0, n, batch_size):
            b = order[start : start + batch_size]
            values, log_prob, _ = policy.evaluate_actions(obs[b], acts[b], action_masks=masks[b])
            loss = -log_prob.mean() + 0.5 * torch.nn.functional.mse_loss(values.flatten(), rets[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        predicted = policy.get_distribution(obs, action_masks=masks.numpy()).mode()
    return float((predicted == acts).float().mean())
