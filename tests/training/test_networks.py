"""The slot scorer (triage PPO's network) and the relational features it reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from sb3_contrib import MaskablePPO

from govworkflow.gym.triage import N_SLOTS, TriageEncoder, TriageGymEnv
from govworkflow.training.networks import SlotExtractor, SlotScorerPolicy
from govworkflow.triage.instance import Ticket, TicketType
from govworkflow.triage.models import TriageObservation

PER = len(TriageEncoder.SLOT_FEATURES)


def _model(task: str = "arrivals_12", **ppo: Any) -> MaskablePPO:
    torch.manual_seed(0)
    kwargs = {"n_slots": N_SLOTS, "slot_features": PER, "hidden": 16}
    return MaskablePPO(SlotScorerPolicy, TriageGymEnv(task), policy_kwargs=kwargs, seed=0, device="cpu", **ppo)


def _logits_and_value(model: MaskablePPO, x: np.ndarray) -> tuple[np.ndarray, float]:
    policy = model.policy
    with torch.no_grad():
        obs = torch.as_tensor(x[None])
        latent_pi, latent_vf = policy.mlp_extractor(policy.extract_features(obs))
        return policy.action_net(latent_pi)[0].numpy(), float(policy.value_net(latent_vf)[0, 0])


def _observation(env: TriageGymEnv) -> np.ndarray:
    x, info = env.reset(seed=11)
    x, *_ = env.step(int(np.flatnonzero(info["action_mask"])[0]))
    return x


def test_moving_a_ticket_to_another_slot_moves_its_logit() -> None:
    model, env = _model("overload_12"), TriageGymEnv("overload_12")
    x = _observation(env)
    present = np.flatnonzero(x[: N_SLOTS * PER].reshape(N_SLOTS, PER)[:, 0])
    i, j = int(present[0]), int(present[-1])
    swapped = x.copy().reshape(-1)
    a, b = slice(i * PER, (i + 1) * PER), slice(j * PER, (j + 1) * PER)
    swapped[a], swapped[b] = x[b], x[a]
    logits, value = _logits_and_value(model, x)
    logits2, value2 = _logits_and_value(model, swapped)
    expected = logits.copy()
    expected[[i, j]] = logits[[j, i]]
    assert np.allclose(logits2, expected, atol=1e-6)
    assert value2 == pytest.approx(value, abs=1e-6)
    assert not np.isclose(logits[i], logits[j])  # distinct tickets, distinct scores: the swap is a real test


def test_empty_slots_do_not_change_the_scores_of_present_tickets() -> None:
    model, env = _model(), TriageGymEnv("arrivals_12")
    x = _observation(env)
    slots = x[: N_SLOTS * PER].reshape(N_SLOTS, PER)
    empty = np.flatnonzero(slots[:, 0] == 0)
    assert len(empty) > 0
    noisy = x.copy()
    noisy_slots = noisy[: N_SLOTS * PER].reshape(N_SLOTS, PER)
    noisy_slots[empty, 1:] = np.random.default_rng(0).random((len(empty), PER - 1))
    (logits, value), (logits2, value2) = _logits_and_value(model, x), _logits_and_value(model, noisy)
    present = slots[:, 0] == 1
    assert np.allclose(logits[present], logits2[present], atol=1e-6)
    assert value2 == pytest.approx(value, abs=1e-6)


def test_saved_model_loads_and_plays_the_same(tmp_path: Path) -> None:
    model, env = _model(n_steps=64, batch_size=32, n_epochs=2), TriageGymEnv("arrivals_12")
    model.learn(128)  # two short rollouts and their updates: the weights move off their start
    model.save(tmp_path / "m.zip")
    loaded = MaskablePPO.load(tmp_path / "m.zip", device="cpu")
    assert isinstance(loaded.policy, SlotScorerPolicy)
    assert isinstance(loaded.policy.action_net, torch.nn.Identity)
    xs, masks = [], []
    x, info = env.reset(seed=3)
    for _ in range(8):
        xs.append(x)
        masks.append(info["action_mask"])
        x, _, terminated, truncated, info = env.step(int(np.flatnonzero(info["action_mask"])[-1]))
        if terminated or truncated:
            break
    a = model.predict(np.array(xs), action_masks=np.array(masks), deterministic=True)[0]
    b = loaded.predict(np.array(xs), action_masks=np.array(masks), deterministic=True)[0]
    assert np.array_equal(a, b)


def test_a_layout_too_small_for_the_slots_is_refused() -> None:
    with pytest.raises(ValueError, match="features_dim 10 is smaller than n_slots x slot_features = 24"):
        SlotExtractor(10, n_slots=2, slot_features=12, hidden=8)


def test_relational_features_on_a_worked_example() -> None:
    # A: urgent bug, due exactly when finished if started now; B: short, relaxed;
    # C: a feature due at 4 that cannot make it once A is worked first.
    tickets = [
        Ticket("T01", TicketType.BUG, 3, 5, 3),
        Ticket("T02", TicketType.ENHANCEMENT, 1, 1, 10),
        Ticket("T03", TicketType.FEATURE, 3, 3, 4),
    ]
    obs = TriageObservation("overload_12", 0, 20, tickets, [0], 0, 0, True, "")
    x = TriageEncoder(20).encode(obs).reshape(-1)[: N_SLOTS * PER].reshape(N_SLOTS, PER)
    col = {name: k for k, name in enumerate(TriageEncoder.SLOT_FEATURES)}
    scale = 30.0 + 4.0  # largest minus smallest reward of one ticket
    # wait cost: A started after B (1 unit) is 1 late: 2 x (5 - 0.5) = 9 instead of 30.
    assert x[0, col["wait_cost"]] == pytest.approx((30 - 9) / scale)
    assert x[1, col["wait_cost"]] == 0.0  # B is due at 10: waiting 3 units costs nothing
    # C started after B finishes at 4 = its deadline: on time either way.
    assert x[2, col["wait_cost"]] == 0.0
    # earliest deadline first from now: A (finishes 3, on time), C (6 > 4, late), B (7 <= 10).
    assert [x[k, col["edf_on_time"]] for k in range(3)] == [1.0, 1.0, 0.0]  # A, B, C
    # slack after the tickets due no later: C has 4 - (3 + 3) = -2 -> 0.5 + 0.5 * (-2 / 5).
    assert x[2, col["slack_after_due"]] == pytest.approx(0.3)
    assert x[0, col["slack_after_due"]] == pytest.approx(0.5)  # A: 3 - 3 = 0
    assert x[3:, :].sum() == 0.0  # empty slots stay zero


def test_relational_features_count_the_second_worker() -> None:
    # The other worker frees up at 1: C can start then, and A, if not picked now, waits
    # 1 unit (not the 3 of the other ticket's effort).
    tickets = [Ticket("T01", TicketType.BUG, 3, 5, 3), Ticket("T02", TicketType.FEATURE, 3, 3, 5)]
    obs = TriageObservation("two_workers_12", 0, 20, tickets, [0, 1], 0, 0, True, "")
    x = TriageEncoder(20).encode(obs).reshape(-1)[: N_SLOTS * PER].reshape(N_SLOTS, PER)
    col = {name: k for k, name in enumerate(TriageEncoder.SLOT_FEATURES)}
    assert x[0, col["wait_cost"]] == pytest.approx((30 - 9) / 34.0)  # 1 late, not 3 late (which is 7)
    assert x[1, col["wait_cost"]] == 0.0  # C started at 1 by the other worker finishes at 4 <= 5
    assert [x[k, col["edf_on_time"]] for k in range(2)] == [1.0, 1.0]  # one worker would make C late
    assert x[1, col["slack_after_due"]] == pytest.approx(0.5 + 0.5 * 1 / 4)  # A on worker 0, C on worker 1: 5 - 4
