"""The gymnasium face of the office: ``GovWorkflowGymEnv``."""

from __future__ import annotations

from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from govworkflow.core.errors import UnknownNameError
from govworkflow.core.kernel import TaskLike
from govworkflow.gym.base import MaskedEnvMixin, requested_seed
from govworkflow.gym.base import episode_seed as pick_episode_seed
from govworkflow.office import models
from govworkflow.office.encoding import ObservationEncoder, action_masks, action_table
from govworkflow.office.env import GovWorkflowEnv

__all__ = ["REWARD_MODES", "GovWorkflowGymEnv", "development_seeds"]

#: ``grade``: the change in the running score each step (the grade itself at the last step),
#: so an episode's rewards sum to its final grade minus the score at reset; ``simulator``:
#: the ruleset's dense reward.
REWARD_MODES = models.REWARD_MODES


def development_seeds(task: TaskLike) -> range:
    """The task's development seed range (training and tuning only; ``govworkflow.core.seeds``)."""
    return task.seeds.development.seeds()


class GovWorkflowGymEnv(MaskedEnvMixin, gym.Env[np.ndarray, np.int64]):
    """A government service office as a gymnasium environment.

    ## Description
    Citizens' applications queue up by service and move through submission, document
    verification, field verification, approval and issuance. The agent manages the
    office: priority mode, officers, document requests, escalations, and when to let
    the day pass. Dynamics and grading are those of the chosen ruleset (``legacy`` or
    ``standard``); this class only translates.

    ## Action Space
    ``Discrete(85)``: 0 advance_time; 1-4 set_priority_mode (urgent_first, oldest_first,
    balanced, backlog_clearance); 5-12 assign_capacity(+1 officer) per service; 13-20
    request_missing_documents per service; 21-28 escalate_service per service; 29-84
    reallocate_officers(+1) for each ordered pair of distinct services. Services are in
    ``govworkflow.Service`` order. ``action_masks()`` and ``info["action_mask"]`` mark
    exactly the actions the simulator accepts now; a masked-out action is counted as
    invalid and penalised, never an error.

    ## Observation Space
    ``Box(0.0, 1.0, (n,), float32)`` with ``n = 8 * per_service + 9 + extras``:
    legacy ``Box(0.0, 1.0, (161,), float32)``, standard ``Box(0.0, 1.0, (218,), float32)``.
    Per service (presence flag; active, missing-document, escalated, urgent and breached
    cases; mean age; officers; cases per stage; the standard ruleset adds blocked,
    awaiting-answer, field-verification and at-risk cases, work backlog, available
    officers and SLA days; then the service's pressure and five flags marking where the
    rules of thumb of ``sla_aware`` would staff, chase documents, fast-track, take or
    give an officer), then the day fraction, the priority mode (one-hot), reserve
    officers, escalation budget left, fairness gap and whether the last action was
    valid (standard adds actions left today). Counts are squashed by ``x / (x + k)``.
    ``ObservationEncoder(ruleset).names()`` names every entry.

    ## Rewards
    ``reward="grade"`` (default): the change of the score each step, so the rewards of an
    episode add up to its final grade minus the score at reset — the agent is paid in
    the judge's currency. Between the first and the last step the score is the
    simulator's cheap running estimate (``Simulator.running_score``; ``standard``'s grade
    settles the episode, too costly for every step); the last step's is the grade.
    ``reward="simulator"``: the ruleset's dense reward (named
    components in ``info["reward_components"]``).

    ## Grading
    ``info["score"]`` is that score: the running estimate, then the grade in [0, 1] at the
    last step;
    ``env.unwrapped.office.grade()`` gives the breakdown.

    ## Starting State
    The task's initial backlog, drawn from the episode seed. ``reset(seed=s)`` runs the
    episode of seed ``s``; ``reset()`` without a seed draws an episode seed from the
    task's development range with the environment's generator (evaluation seeds are
    never drawn). ``options={"episode_seed": k}`` picks an episode explicitly.

    ## Episode End
    Terminated: no open cases are left and no more can arrive (legacy: no open cases
    after day 0). Truncated: the horizon (``max_days``) or the step cap was reached.

    ## Arguments
    ``task_id`` (default: the ruleset's first task), ``ruleset`` (default: the package
    default), ``reward`` ("grade" or "simulator"), ``max_steps`` (default: the ruleset's).

    ## Version History
    * v1 (standard ids; the legacy ids stay v0): grading v1 of the standard ruleset (the
      office is settled after the horizon and every case's eventual outcome counts; no
      escalation component; grades round once; capped episodes are provisional), new
      weights, and two simulator fixes (an absent officer cannot be moved; a same-day
      round trip costs one officer-day). The grade-delta reward follows the new grade;
      actions and features are unchanged. ``docs/standard-ruleset.md`` has the details.
    * v0: first release (85 macro-actions, squashed features with decision flags,
      grade-delta reward).
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}  # noqa: RUF012 - gymnasium convention

    def __init__(
        self,
        task_id: str | None = None,
        ruleset: str | None = None,
        *,
        reward: str = "grade",
        max_steps: int | None = None,
        render_mode: str | None = None,
    ) -> None:
        if reward not in REWARD_MODES:
            raise UnknownNameError("reward", reward, REWARD_MODES)
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"unknown render_mode {render_mode!r}; valid choices: ansi")
        self.office = GovWorkflowEnv(task_id, ruleset=ruleset, max_steps=max_steps)
        self.task_id = self.office.task_id
        self.reward_mode = reward
        self.render_mode = render_mode
        self.encoder = ObservationEncoder(self.office.ruleset.name)
        self.actions = action_table()
        self.action_space = spaces.Discrete(len(self.actions))
        self.observation_space = spaces.Box(0.0, 1.0, (self.encoder.size,), np.float32)
        self._score = 0.0
        self._mask: np.ndarray | None = None

    # -- gymnasium API -----------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        requested = requested_seed(seed, options)
        super().reset(seed=seed)
        episode_seed = pick_episode_seed(
            self.np_random, requested, development_seeds(self.office.ruleset.task(self.task_id))
        )
        obs = self.office.reset(seed=episode_seed)
        self._score = self.office.simulator.running_score()
        return self.encoder.encode(obs), self._info(self.office.reset_info())

    def step(self, action: int | np.integer) -> tuple[np.ndarray, SupportsFloat, bool, bool, dict]:
        reward, terminated, truncated, info = self.office.advance(self.actions[self._action_index(action)])
        sim = self.office.simulator
        # the running estimate step by step, the grade itself at the end: the rewards of an
        # episode still add up to its final grade minus the estimate at reset
        score = self.office.grade().score if terminated or truncated else sim.running_score()
        if self.reward_mode == "grade":
            reward = score - self._score
        self._score = score
        return self.encoder.encode_simulator(sim), float(reward), bool(terminated), bool(truncated), self._info(info)

    @property
    def native(self) -> GovWorkflowEnv:
        return self.office

    def _info(self, info: dict[str, Any]) -> dict[str, Any]:
        self._mask = action_masks(self.office.simulator)
        return {**info, "action_mask": self._mask.copy(), "score": self._score}

    def render(self) -> str | None:
        if self.render_mode != "ansi":
            return None
        obs = self.office.observe()
        lines = [f"day {obs.day}/{obs.max_days}  mode {obs.priority_mode}  reserve {obs.reserve_officers}"]
        lines += [
            f"  {q.service:<20} open {q.active_cases:>3}  missing {q.missing_docs_cases:>2}  "
            f"breached {q.breached_cases:>2}  officers {q.officers}"
            for q in obs.queues
        ]
        return "\n".join(lines)
