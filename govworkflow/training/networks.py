"""A ticket scorer shared across slots: the policy network of triage PPO (extra ``train``).

A flat MLP over 12 slots must learn the same rule twelve times, once per slot, and sees a
ticket's features in a different place depending on its id. ``SlotScorerPolicy`` learns
it once: every present ticket is embedded by the same network (its own features plus the
global ones), the embeddings are pooled into a summary of the whole queue, and the same
scorer turns each ticket's embedding and that summary into its logit. Moving a ticket to
another slot moves its logit with it (a test checks this), so what is learned on one
ticket id holds for all. The value head reads the pooled summary and the globals.

    model = MaskablePPO(SlotScorerPolicy, env, policy_kwargs={"slot_features": 16, "hidden": 64})

The observation layout is ``TriageEncoder``'s: ``n_slots x slot_features`` then globals,
and each slot's first feature is its "present" flag.
"""

from __future__ import annotations

import itertools
from typing import Any, cast

import torch
from sb3_contrib.common.maskable.policies import MaskableActorCriticPolicy
from torch import nn

__all__ = ["SlotExtractor", "SlotScorerPolicy"]


def _mlp(sizes: list[int]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for a, b in itertools.pairwise(sizes):
        layers += [nn.Linear(a, b), nn.Tanh()]
    return nn.Sequential(*layers)


class SlotExtractor(nn.Module):
    """Per-slot embeddings, a pooled queue summary, per-slot logits and a value latent.

    ``forward_actor`` returns one logit per slot (``latent_dim_pi = n_slots``);
    ``forward_critic`` returns a ``hidden``-wide latent for SB3's value head.
    """

    def __init__(self, features_dim: int, n_slots: int, slot_features: int, hidden: int) -> None:
        super().__init__()
        n_globals = features_dim - n_slots * slot_features
        if n_globals < 0:
            raise ValueError(
                f"features_dim {features_dim} is smaller than n_slots x slot_features = {n_slots * slot_features}"
            )
        self.n_slots, self.slot_features, self.n_globals = n_slots, slot_features, n_globals
        self.embed = _mlp([slot_features + n_globals, hidden, hidden])
        self.score = nn.Sequential(_mlp([3 * hidden, hidden]), nn.Linear(hidden, 1))
        self.critic = _mlp([2 * hidden + n_globals, hidden, hidden])
        self.latent_dim_pi = n_slots
        self.latent_dim_vf = hidden

    def _split(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Per-slot embeddings ``(B, n, H)``, pooled summary ``(B, 2H)``, globals ``(B, G)``."""
        b = x.shape[0]
        slots = x[:, : self.n_slots * self.slot_features].reshape(b, self.n_slots, self.slot_features)
        glob = x[:, self.n_slots * self.slot_features :]
        h = self.embed(torch.cat([slots, glob.unsqueeze(1).expand(b, self.n_slots, self.n_globals)], dim=2))
        present = slots[:, :, :1]
        count = present.sum(dim=1).clamp(min=1.0)
        mean = (h * present).sum(dim=1) / count
        peak = (h * present - 2.0 * (1.0 - present)).max(dim=1).values  # tanh > -1 > -2: empty slots never win
        return h, torch.cat([mean, peak], dim=1), glob

    def _actor(self, h: torch.Tensor, pooled: torch.Tensor) -> torch.Tensor:
        summary = pooled.unsqueeze(1).expand(h.shape[0], self.n_slots, pooled.shape[1])
        return self.score(torch.cat([h, summary], dim=2)).squeeze(2)

    def forward_actor(self, x: torch.Tensor) -> torch.Tensor:
        h, pooled, _ = self._split(x)
        return self._actor(h, pooled)

    def forward_critic(self, x: torch.Tensor) -> torch.Tensor:
        _, pooled, glob = self._split(x)
        return self.critic(torch.cat([pooled, glob], dim=1))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h, pooled, glob = self._split(x)  # embed once for both heads
        return self._actor(h, pooled), self.critic(torch.cat([pooled, glob], dim=1))


class SlotScorerPolicy(MaskableActorCriticPolicy):
    """MaskablePPO's actor-critic with ``SlotExtractor`` in place of the MLP.

    Extra keyword arguments: ``n_slots`` (12), ``slot_features`` (features per slot) and
    ``hidden`` (embedding width, 64). The slot logits are the action logits (no extra
    linear layer mixes slots).
    """

    def __init__(self, *args: Any, n_slots: int = 12, slot_features: int, hidden: int = 64, **kwargs: Any) -> None:
        self.n_slots, self.slot_features, self.hidden = n_slots, slot_features, hidden
        kwargs.setdefault("ortho_init", False)
        super().__init__(*args, **kwargs)

    def _build_mlp_extractor(self) -> None:
        self.mlp_extractor = SlotExtractor(  # type: ignore[assignment]  # same interface as MlpExtractor
            self.features_dim, self.n_slots, self.slot_features, self.hidden
        )

    def _build(self, lr_schedule: Any) -> None:
        super()._build(lr_schedule)
        self.action_net = nn.Identity()  # the extractor's slot logits are the action logits
        if self.ortho_init:  # the scorer's last layer is the action head: small initial logits
            head = cast(nn.Linear, cast(SlotExtractor, self.mlp_extractor).score[-1])
            nn.init.orthogonal_(head.weight, gain=0.01)
            nn.init.zeros_(head.bias)
        self.optimizer = self.optimizer_class(self.parameters(), lr=lr_schedule(1), **self.optimizer_kwargs)  # type: ignore[call-arg]

    def _get_constructor_parameters(self) -> dict[str, Any]:
        data = super()._get_constructor_parameters()
        data.update(n_slots=self.n_slots, slot_features=self.slot_features, hidden=self.hidden)
        return data
