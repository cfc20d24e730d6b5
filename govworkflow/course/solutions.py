"""Reference solutions of the course's exercises (``govworkflow.course.solution(name)``).

Try an exercise before reading its solution: the notebooks say what to do and
``check`` tells you what is wrong with your answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = [
    "beat_backlog_policy",
    "clipped_objective",
    "discounted_return",
    "gae",
    "mask_from_observation",
    "optimal_value",
    "paired_mean_and_sem",
    "parse_step_line",
    "play_by_hand",
]


# -- 00 · triage -------------------------------------------------------------------------
def optimal_value(tickets: Sequence[Any]) -> float:
    """The best total reward of one worker working ``tickets`` (all there at time 0), by
    the Bellman equation over the set S of tickets done so far: the clock is the sum of
    their efforts, and V(S) = max over t not in S of [reward(t, clock(S) + effort(t)) +
    V(S + {t})], V(all) = 0. Solved backwards with memoisation over the 2^n sets (value
    iteration by backward induction: the task is deterministic and finite)."""
    from functools import cache

    from govworkflow.triage.instance import ticket_reward

    n = len(tickets)

    @cache
    def value(done: int) -> float:  # done: a bit set of worked tickets
        if done == (1 << n) - 1:
            return 0.0
        clock = sum(tickets[i].effort for i in range(n) if done >> i & 1)
        return max(
            ticket_reward(tickets[i], clock + tickets[i].effort) + value(done | 1 << i)
            for i in range(n)
            if not done >> i & 1
        )

    return value(0)


# -- 02 · the office as an MDP -----------------------------------------------------------
def discounted_return(rewards: Sequence[float], gamma: float) -> float:
    """G = r_0 + gamma r_1 + gamma^2 r_2 + ..., computed backwards."""
    g = 0.0
    for r in reversed(rewards):
        g = r + gamma * g
    return g


def mask_from_observation(obs: Any) -> list[bool]:
    """The standard rules' action mask from the observation alone, in the gym adapter's
    macro-action order (``govworkflow.gym.action_table``): advance, the four modes, then
    per service (in the fixed service order) assign one reserve officer, request documents,
    escalate, and move one officer to each other service. For tasks without officer
    absences (the ``normal`` scenario): an absent officer cannot be moved, and the
    observation does not say which service has one."""
    from govworkflow.office.encoding import action_table

    queues = {q.service: q for q in obs.queues}
    mask = []
    for a in action_table():
        kind = a.action_type.value
        q = queues.get(a.service.value) if a.service is not None else None
        if kind in ("advance_time", "set_priority_mode"):
            ok = True
        elif q is None or (a.target_service is not None and a.target_service.value not in queues):
            ok = False  # a service this task does not run
        elif kind == "assign_capacity":
            ok = obs.reserve_officers >= 1
        elif kind == "request_missing_documents":
            ok = q.missing_docs_cases > 0  # blocked and not awaiting an answer
        elif kind == "escalate_service":
            ok = obs.escalation_budget_remaining > 0 and q.active_cases > q.escalated_cases
        else:  # reallocate_officers: an officer there to move (no absences in a normal scenario)
            ok = q.officers >= 1
        mask.append(ok)
    return mask


# -- 03 · play ---------------------------------------------------------------------------
def play_by_hand(player: Any) -> None:
    """Play the player's episode to its end step by step, as a person would (here with
    ``sla_aware``'s choices, one Step at a time: no auto-play)."""
    env = player.env
    policy = env.ruleset.policy("sla_aware")
    policy.reset(env.simulator.seed)
    while not env.done:
        player.step(policy.act(env.observe(), env.simulator))


# -- 04 · policies and statistics --------------------------------------------------------
def beat_backlog_policy(obs: Any) -> Any:
    """A hand-written heuristic: urgent cases first; each day, chase the documents of the
    service with the most blocked cases, then send reserve officers where the work per
    officer is largest against the SLA; then let the day pass."""
    from govworkflow.office.models import Action

    if obs.priority_mode != "urgent_first":
        return Action(action_type="set_priority_mode", priority_mode="urgent_first")
    if obs.actions_left_today > 1:
        docs = max(obs.queues, key=lambda q: q.missing_docs_cases)
        if docs.missing_docs_cases > 0:
            return Action(action_type="request_missing_documents", service=docs.service)
        if obs.reserve_officers > 0:
            busiest = max(obs.queues, key=lambda q: q.work_backlog_days / max(1, q.officers) / max(1, q.sla_days))
            return Action(action_type="assign_capacity", service=busiest.service, officer_delta=1)
    return Action(action_type="advance_time")


def paired_mean_and_sem(a: Sequence[float], b: Sequence[float]) -> tuple[float, float]:
    """Mean of the per-seed differences a - b and its standard error (paired)."""
    d = [x - y for x, y in zip(a, b, strict=True)]
    n = len(d)
    mean = sum(d) / n
    var = sum((x - mean) ** 2 for x in d) / (n - 1)
    return mean, math.sqrt(var / n)


# -- 05 · PPO ----------------------------------------------------------------------------
def gae(rewards: Sequence[float], values: Sequence[float], last_value: float, gamma: float, lam: float) -> list[float]:
    """Generalised advantage estimates of one episode segment (no episode end inside):
    delta_t = r_t + gamma V(s_{t+1}) - V(s_t); A_t = delta_t + gamma lam A_{t+1}."""
    out = [0.0] * len(rewards)
    next_value, running = last_value, 0.0
    for t in reversed(range(len(rewards))):
        delta = rewards[t] + gamma * next_value - values[t]
        running = delta + gamma * lam * running
        out[t] = running
        next_value = values[t]
    return out


def clipped_objective(ratio: float, advantage: float, clip: float) -> float:
    """PPO's clipped surrogate for one sample: min(r A, clip(r, 1 - eps, 1 + eps) A)."""
    clipped = min(max(ratio, 1 - clip), 1 + clip)
    return min(ratio * advantage, clipped * advantage)


# -- 07 · the LLM runner's log -----------------------------------------------------------
def parse_step_line(line: str) -> dict[str, Any]:
    """A ``[STEP]`` line as ``{step, action, reward, done, error}``."""
    import json
    import re

    m = re.match(r"^\[STEP\] step=(\d+) action=(\S+) reward=(-?\d+\.\d+) done=(true|false) error=(.+)$", line)
    if m is None:
        raise ValueError(f"not a [STEP] line: {line!r}")
    return {
        "step": int(m.group(1)),
        "action": json.loads(m.group(2)),
        "reward": float(m.group(3)),
        "done": m.group(4) == "true",
        "error": None if m.group(5) == "null" else m.group(5),
    }
