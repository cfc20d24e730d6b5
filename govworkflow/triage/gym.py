"""The gymnasium face of ticket triage (extra ``gym``): ``TriageGymEnv`` and its ids.

    import gymnasium as gym
    import govworkflow.triage.gym  # registers govworkflow/Triage<Task>-v0 (so does govworkflow.gym)
    env = gym.make("govworkflow/TriageOverload12-v0")

The adapter only translates: the rules are ``TriageSimulator``'s, driven through the
native ``TriageEnv``. Slot ``i`` of the action space and of the observation is ticket
``T{i+1:02d}``, the id ``generate`` gives the ``i``-th ticket of an instance.
"""

from __future__ import annotations

import heapq
from typing import Any, SupportsFloat

from govworkflow.errors import BadValueError, MissingExtraError, check_count, check_positive

try:
    import gymnasium as gym
    from gymnasium import spaces
except ImportError as err:  # pragma: no cover - depends on the installation
    raise MissingExtraError("gymnasium", "gym") from err
import numpy as np

from govworkflow.gym.actions import MaskedEnvMixin
from govworkflow.gym.seeding import episode_seed as pick_episode_seed
from govworkflow.gym.seeding import requested_seed
from govworkflow.triage.env import VERSION, TriageEnv
from govworkflow.triage.instance import TYPE_MULTIPLIER, Ticket, TicketType, ticket_reward
from govworkflow.triage.models import TriageObservation
from govworkflow.triage.policies import greedy_rate_key
from govworkflow.triage.tasks import MAX_TICKETS, TASKS, TriageTask, get_task

__all__ = [
    "N_SLOTS",
    "TriageEncoder",
    "TriageGymEnv",
    "observation_mask",
    "register_triage_envs",
    "slot_of",
    "triage_env_id",
    "triage_registered_ids",
]

#: Ticket slots of every triage task's action and observation (tasks hold at most this many).
N_SLOTS = MAX_TICKETS
_TYPES = tuple(TicketType)
#: Largest and smallest reward of one ticket (for scaling ``reward_now`` into [0, 1]).
_MAX_TICKET_REWARD = 3.0 * 5 * max(TYPE_MULTIPLIER.values())
_MIN_TICKET_REWARD = -2.0 * max(TYPE_MULTIPLIER.values())
_MAX_WORKERS = 2


def slot_of(ticket_id: str) -> int:
    """The slot of ticket ``T{i+1:02d}``: ``i``. Raises ``ValueError`` for other ids."""
    digits = ticket_id[1:]
    if not ticket_id.startswith("T") or not digits.isdigit() or not 1 <= int(digits) <= N_SLOTS:
        raise ValueError(f"ticket_id: expected T01..T{N_SLOTS:02d}, got {ticket_id!r}")
    return int(digits) - 1


def observation_mask(obs: TriageObservation) -> np.ndarray:
    """Valid slots read from an observation alone: exactly the tickets it lists."""
    mask = np.zeros(N_SLOTS, dtype=bool)
    mask[[slot_of(t.ticket_id) for t in obs.tickets]] = True
    return mask


def _squash(x: float, k: float) -> float:
    """``x / (x + k)`` for ``x >= 0``: monotone, in [0, 1)."""
    return x / (x + k) if x > 0 else 0.0


class TriageEncoder:
    """Encodes a ``TriageObservation`` as a fresh float32 vector with every entry in [0, 1].

    Per slot (``SLOT_FEATURES``): present (arrived, not yet worked), type one-hot, effort,
    priority, weight (priority x type multiplier), slack if started now (squashed around
    0.5), on time if started now, reward if started now, that reward per unit of effort,
    whether ``greedy_rate`` (the best heuristic) would pick it (a learner can use the
    heuristic's choice), and three facts relating the ticket to the rest of the queue and
    the workers: what waiting costs it (reward now minus reward if started at the next
    decision: after the shortest other visible ticket, or when another worker frees up),
    whether it is on time if every visible ticket is worked earliest-deadline-first from
    now, and its slack if the visible tickets due no later than it go first (squashed
    around 0.5); both schedules give each next ticket to the first free worker. Then
    ``GLOBAL_FEATURES``.
    """

    SLOT_FEATURES = ("present", "bug", "feature", "enhancement", "effort", "priority", "weight",
                     "slack_now", "on_time_now", "reward_now", "rate_now", "greedy_pick",
                     "wait_cost", "edf_on_time", "slack_after_due")  # fmt: skip
    GLOBAL_FEATURES = ("time", "steps_left", "worker0_busy", "worker1_busy", "two_workers", "tickets_to_come",
                       "last_action_valid")  # fmt: skip
    size = N_SLOTS * len(SLOT_FEATURES) + len(GLOBAL_FEATURES)

    def __init__(self, max_steps: int) -> None:
        self.max_steps = max_steps

    def names(self) -> list[str]:
        """One readable name per vector entry."""
        slots = [f"slot{i:02d}.{f}" for i in range(N_SLOTS) for f in self.SLOT_FEATURES]
        return slots + list(self.GLOBAL_FEATURES)

    def encode(self, obs: TriageObservation) -> np.ndarray:
        per = len(self.SLOT_FEATURES)
        x = np.zeros(self.size, dtype=np.float32)
        for t in obs.tickets:
            base = slot_of(t.ticket_id) * per
            slack = t.deadline - (obs.time + t.effort)
            reward = ticket_reward(t, obs.time + t.effort)
            x[base] = 1.0
            x[base + 1 + _TYPES.index(t.type)] = 1.0
            x[base + 4] = t.effort / 3.0
            x[base + 5] = t.priority / 5.0
            x[base + 6] = t.weight / 10.0
            x[base + 7] = 0.5 + 0.5 * slack / (abs(slack) + 3.0)
            x[base + 8] = 1.0 if slack >= 0 else 0.0
            x[base + 9] = (reward - _MIN_TICKET_REWARD) / (_MAX_TICKET_REWARD - _MIN_TICKET_REWARD)
            x[base + 10] = (reward / t.effort - _MIN_TICKET_REWARD) / (_MAX_TICKET_REWARD - _MIN_TICKET_REWARD)
        if obs.tickets:
            pick = min(obs.tickets, key=lambda t: greedy_rate_key(t, obs))
            x[slot_of(pick.ticket_id) * per + 11] = 1.0
            self._relations(obs, x)
        g = N_SLOTS * per
        x[g] = _squash(obs.time, 10.0)
        x[g + 1] = min(1.0, max(0.0, obs.steps_left / self.max_steps))
        for w, free in enumerate(obs.workers_free_at[:_MAX_WORKERS]):
            x[g + 2 + w] = _squash(free - obs.time, 3.0)
        x[g + 4] = 1.0 if len(obs.workers_free_at) > 1 else 0.0
        x[g + 5] = min(1.0, obs.tickets_to_come / N_SLOTS)
        x[g + 6] = 1.0 if obs.last_action_valid else 0.0
        return x

    def _relations(self, obs: TriageObservation, x: np.ndarray) -> None:
        """``wait_cost``, ``edf_on_time`` and ``slack_after_due`` of every visible ticket.

        Schedules are list schedules over every worker: the acting one is free now, the
        others when their current ticket ends; each next ticket goes to the first free.
        """
        per = len(self.SLOT_FEATURES)
        now = obs.time
        others = [max(f, now) for w, f in enumerate(obs.workers_free_at) if w != obs.acting_worker]
        efforts = sorted(t.effort for t in obs.tickets)
        by_deadline = sorted(obs.tickets, key=lambda t: (t.deadline, t.ticket_id))
        edf_finish = _list_schedule(now, others, by_deadline)
        for t in by_deadline:
            base = slot_of(t.ticket_id) * per
            # not picked now, the ticket can start at the next decision: when the acting
            # worker finishes the shortest other ticket, or another worker frees up first
            delay = 0
            if len(efforts) > 1:
                shortest_other = efforts[1] if t.effort == efforts[0] else efforts[0]
                delay = min([shortest_other, *(f - now for f in others)])
            wait = ticket_reward(t, now + t.effort) - ticket_reward(t, now + delay + t.effort)
            due = [o for o in by_deadline if o.deadline <= t.deadline and o is not t]
            slack = t.deadline - _list_schedule(now, others, [*due, t])[t.ticket_id]
            x[base + 12] = wait / (_MAX_TICKET_REWARD - _MIN_TICKET_REWARD)
            x[base + 13] = 1.0 if edf_finish[t.ticket_id] <= t.deadline else 0.0
            x[base + 14] = 0.5 + 0.5 * slack / (abs(slack) + 3.0)


def _list_schedule(now: int, others: list[int], tickets: list[Ticket]) -> dict[str, int]:
    """Finish time of each of ``tickets`` worked in that order, each by the first free worker."""
    free = sorted([now, *others])
    finish: dict[str, int] = {}
    for t in tickets:
        end = heapq.heappop(free) + t.effort
        heapq.heappush(free, end)
        finish[t.ticket_id] = end
    return finish


class TriageGymEnv(MaskedEnvMixin, gym.Env[np.ndarray, np.int64]):
    """Ticket triage as a gymnasium environment.

    ## Description
    An engineering team picks which ticket to work on next (``docs/triage.md``). Each
    step the agent names the ticket the next free worker works. Dynamics and grading are
    the native ``TriageEnv``'s; this class only translates.

    ## Action Space
    ``Discrete(12)``: slot ``i`` names ticket ``T{i+1:02d}`` (the same 12 slots for every
    task; tasks with fewer tickets leave the last slots empty). ``action_masks()`` and
    ``info["action_mask"]`` are exactly the simulator's validity: remaining tickets that
    have arrived. A masked-out action is played as the rules say (reward -1, the clock
    stays put, the step counts), never an error.

    ## Observation Space
    ``Box(0.0, 1.0, (187,), float32)``: 12 slots x 15 features (present, type one-hot,
    effort / 3, priority / 5, weight / 10, slack if started now squashed around 0.5, on
    time if started now, reward if started now scaled, that reward per unit of effort,
    ``greedy_rate``'s pick, the cost of waiting until the next decision, on time under
    earliest-deadline-first from now, slack if the tickets due no later go first),
    then 7 globals (time squashed, steps left / max steps, each worker's remaining busy
    time squashed, two-workers flag, tickets still to come / 12, last action valid). Only arrived tickets are visible.
    ``TriageEncoder.names()`` names every entry.

    ## Rewards
    The simulator's reward times ``reward_scale`` (default 1): ``3 x priority`` for an
    on-time ticket, ``max(-2, priority - 0.5 x delay)`` for a late one, times the type
    multiplier; -1 for an invalid action. Components in ``info["reward_components"]``.

    ## Grading
    ``env.unwrapped.triage.grade()``: reward normalised between the first-come-first-
    served floor and the exact oracle, in [0, 1], with a breakdown.

    ## Starting State
    ``reset(seed=s)`` plays the instance of seed ``s``; ``reset()`` without a seed draws an
    instance seed from the task's development range with the environment's generator
    (evaluation seeds are never drawn). ``options={"episode_seed": k}`` picks one.

    ## Episode End
    Terminated: no tickets remain. Truncated: 20 steps (the task's ``max_steps``), or the
    ``max_steps`` argument. The simulator owns the cap: the ids are registered without
    ``max_episode_steps``, so ``gym.make`` adds no ``TimeLimit`` wrapper.

    ## Arguments
    ``task_id`` (default: the first task; a ``TriageTask`` is accepted), ``reward_scale``
    (multiplies every reward; training uses 0.1 so returns are of order 1), ``max_steps``
    (steps before truncation, at least the task's ``n_tickets``; default: the task's),
    ``render_mode`` (``"ansi"`` or None).

    ## Version History
    * v0: first release (12 slots, 187 features, simulator reward).
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}  # noqa: RUF012 - gymnasium convention

    def __init__(
        self,
        task_id: str | TriageTask | None = None,
        *,
        reward_scale: float = 1.0,
        max_steps: int | None = None,
        render_mode: str | None = None,
    ) -> None:
        reward_scale = check_positive(reward_scale, "reward_scale")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"unknown render_mode {render_mode!r}; valid choices: ansi")
        self.triage = TriageEnv(task_id if max_steps is None else _with_max_steps(task_id, max_steps))
        self.task_id = self.triage.task_id
        self.reward_scale = float(reward_scale)
        self.render_mode = render_mode
        self.encoder = TriageEncoder(self.triage.task.max_steps)
        self.action_space = spaces.Discrete(N_SLOTS)
        self.observation_space = spaces.Box(0.0, 1.0, (TriageEncoder.size,), np.float32)
        self._mask: np.ndarray | None = None

    # -- gymnasium API -----------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        requested = requested_seed(seed, options)
        super().reset(seed=seed)
        episode_seed = pick_episode_seed(self.np_random, requested, self.triage.task.seeds.range("dev"))
        obs = self.triage.reset(seed=episode_seed)
        return self.encoder.encode(obs), self._info(self.triage.reset_info())

    def step(self, action: int | np.integer) -> tuple[np.ndarray, SupportsFloat, bool, bool, dict]:
        obs, reward, terminated, truncated, info = self.triage.step(self.ticket_id(self._action_index(action)))
        return self.encoder.encode(obs), float(reward) * self.reward_scale, terminated, truncated, self._info(info)

    def ticket_id(self, slot: int) -> str:
        """The ticket id slot ``slot`` names (an empty slot names an id no ticket has)."""
        ids = self.triage.instance.ticket_ids
        return ids[slot] if slot < len(ids) else f"T{slot + 1:02d}"

    def _info(self, info: dict[str, Any]) -> dict[str, Any]:
        mask = np.zeros(N_SLOTS, dtype=bool)
        native = info["action_mask"]
        mask[: len(native)] = native
        self._mask = mask
        return {**info, "action_mask": mask.copy()}

    def render(self) -> str | None:
        if self.render_mode != "ansi":
            return None
        obs = self.triage.observe()
        lines = [f"time {obs.time}  steps left {obs.steps_left}  workers free at {obs.workers_free_at}"]
        lines += [
            f"  {t.ticket_id} {t.type:<11} effort {t.effort} priority {t.priority} deadline {t.deadline}"
            for t in obs.tickets
        ]
        return "\n".join(lines)


def _with_max_steps(task_id: str | TriageTask | None, max_steps: int) -> TriageTask:
    """The task with its step cap replaced (the grade's oracle needs one step per ticket)."""
    task = get_task(task_id if task_id is not None else next(iter(TASKS)))
    cap = check_count(max_steps, "max_steps")
    if cap < task.n_tickets:
        raise BadValueError(f"max_steps: must be at least the task's {task.n_tickets} tickets, got {cap}")
    return task.model_copy(update={"max_steps": cap})


# -- registration: the one place triage ids are made ---------------------------------
_ENTRY_POINT = "govworkflow.triage.gym:TriageGymEnv"


def triage_env_id(task_id: str) -> str:
    """``govworkflow/Triage<TaskInCamelCase>-v<VERSION>``."""
    camel = "".join(part.capitalize() for part in task_id.split("_"))
    return f"govworkflow/Triage{camel}-v{VERSION}"


def triage_registered_ids() -> dict[str, str]:
    """Every triage id this package registers -> task id."""
    return {triage_env_id(task_id): task_id for task_id in TASKS}


def register_triage_envs() -> None:
    """Register every triage task (idempotent).

    No ``max_episode_steps``: the simulator's ``max_steps`` (the task's, or the
    ``max_steps`` argument of ``gym.make``) is the only step cap, so no ``TimeLimit``.
    """
    for env_name, task_id in triage_registered_ids().items():
        if env_name in gym.registry:
            continue
        gym.register(
            id=env_name,
            entry_point=_ENTRY_POINT,
            kwargs={"task_id": task_id},
            disable_env_checker=True,
        )


register_triage_envs()
