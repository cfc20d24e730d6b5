"""The gymnasium face of ticket triage (extra ``gym``): ``TriageGymEnv`` and its ids.

    import gymnasium as gym
    import govworkflow.gym.triage  # registers govworkflow/Triage<Task>-v0 (so does govworkflow.gym)
    env = gym.make("govworkflow/TriageOverload12-v0")

The adapter only translates: the rules are ``TriageSimulator``'s, driven through the
native ``TriageEnv``. Slot ``i`` of the action space and of the observation is ticket
``T{i+1:02d}``, the id ``generate`` gives the ``i``-th ticket of an instance.
"""

from __future__ import annotations

from typing import Any, SupportsFloat

from govworkflow.core.errors import MissingExtraError, check_positive

try:
    import gymnasium as gym
    from gymnasium import spaces
except ImportError as err:  # pragma: no cover - depends on the installation
    raise MissingExtraError("gymnasium", "gym") from err
import numpy as np

from govworkflow.gym.base import MaskedEnvMixin, requested_seed
from govworkflow.gym.base import episode_seed as pick_episode_seed
from govworkflow.triage.encoding import N_SLOTS, TriageEncoder, observation_mask, slot_of, ticket_id
from govworkflow.triage.env import VERSION, TriageEnv
from govworkflow.triage.tasks import TASKS, TriageTask

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
    (steps before truncation, fewer than the task's tickets allowed; default: the task's;
    under another cap than the task's the grade is provisional),
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
        self.triage = TriageEnv(task_id, max_steps=max_steps)  # the simulator owns the cap
        self.task_id = self.triage.task_id
        self.reward_scale = float(reward_scale)
        self.render_mode = render_mode
        self.encoder = TriageEncoder(self.triage.max_steps or self.triage.task.max_steps)
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

    @property
    def native(self) -> TriageEnv:
        return self.triage

    def ticket_id(self, slot: int) -> str:
        """The ticket id slot ``slot`` names (an empty slot names an id no ticket has)."""
        ids = self.triage.instance.ticket_ids
        return ids[slot] if slot < len(ids) else ticket_id(slot)

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


# -- registration: the one place triage ids are made ---------------------------------
_ENTRY_POINT = "govworkflow.gym.triage:TriageGymEnv"


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
