"""Ticket triage on the same server: ``reset`` with ``"ruleset": "triage"`` selects it.

A session plays the office or triage, chosen at ``reset`` like a ruleset; everything
else (WebSocket ``/ws``, HTTP sessions, limits, errors) is the server's usual machinery.
This module holds what differs: the triage env's replies (the same keys as the office's)
and ``TriageClient``, the native ``TriageEnv`` API over WebSocket. No web framework is
imported here.

    with TriageClient("http://127.0.0.1:8000", "overload_12") as env:
        obs = env.reset(seed=3)
        result = env.step(obs.tickets[0].ticket_id)
"""

from __future__ import annotations

from typing import Any

from govworkflow.core.errors import UnknownNameError
from govworkflow.office.ruleset import Ruleset
from govworkflow.office.rulesets import RULESETS, get_ruleset
from govworkflow.server.client import GovWorkflowClient
from govworkflow.server.protocol import RequestError, ResetParams
from govworkflow.triage.env import TriageEnv
from govworkflow.triage.models import (
    TRIAGE_OBSERVATION_ADAPTER,
    TriageAction,
    TriageGrade,
    TriageObservation,
    TriageState,
    TriageStepResult,
    parse_triage_action,
)
from govworkflow.triage.tasks import TASKS, get_task

__all__ = [
    "TRIAGE",
    "TriageClient",
    "office_ruleset",
    "reset_triage",
    "triage_grade",
    "triage_state",
    "triage_step",
    "triage_tasks",
]

#: The ``ruleset`` value that selects ticket triage at reset.
TRIAGE = "triage"


def office_ruleset(name: str | None) -> Ruleset:
    """The office ruleset ``name``; an unknown name's error lists ``triage`` too, as the
    server accepts it."""
    try:
        return get_ruleset(name)
    except UnknownNameError:
        raise UnknownNameError("ruleset", name, [*RULESETS, TRIAGE]) from None


def _observation_payload(obs: TriageObservation, reward: float | None, done: tuple[bool, bool], info: dict) -> dict:
    terminated, truncated = done
    return {
        "observation": TRIAGE_OBSERVATION_ADAPTER.dump_python(obs, mode="json"),
        "reward": reward,
        "done": terminated or truncated,
        "terminated": terminated,
        "truncated": truncated,
        "info": info,
    }


def reset_triage(current: Any, params: ResetParams) -> tuple[TriageEnv, dict[str, Any]]:
    """Reset (or create) a session's triage env; nothing changes if a parameter is bad."""
    if params.max_steps is not None:
        raise RequestError(
            "invalid reset parameters: max_steps: not supported for triage (episodes end after the task's 20 steps)"
        )
    if params.task_id is not None:
        get_task(params.task_id)  # raises UnknownNameError before anything changes
    env = current if isinstance(current, TriageEnv) else TriageEnv(params.task_id)
    obs = env.reset(task_id=params.task_id, seed=params.seed)
    return env, _observation_payload(obs, None, (False, False), env.reset_info())


def triage_step(env: TriageEnv, data: dict[str, Any]) -> dict[str, Any]:
    """One action (``InvalidActionError`` / ``EpisodeFinishedError`` change nothing)."""
    obs, reward, terminated, truncated, info = env.step(data)
    return _observation_payload(obs, float(reward), (terminated, truncated), info)


def triage_state(env: TriageEnv, episode_id: str | None) -> dict[str, Any]:
    state = env.state()
    return {"episode_id": episode_id, "step_count": state.steps, **state.model_dump(mode="json")}


def triage_grade(env: TriageEnv) -> dict[str, Any]:
    return env.grade().model_dump(mode="json")


def triage_tasks() -> list[dict[str, Any]]:
    """``GET /tasks?ruleset=triage``: one row per triage task."""
    return [
        {
            "task_id": t.task_id,
            "ruleset": TRIAGE,
            "default_seed": t.seed,
            "max_steps": t.max_steps,
            "seed_sets": t.seeds.model_dump(),
            "description": t.description,
        }
        for t in TASKS.values()
    ]


class TriageClient(GovWorkflowClient):
    """A served triage environment, used like ``TriageEnv`` (same types, same errors).

    Args:
        base_url: The server, e.g. ``"http://127.0.0.1:8000"``.
        task_id: Default task for ``reset()`` (default: the first triage task).
        seed: Default seed for ``reset()`` (default: the task's seed).
        timeout_s: Seconds to wait for the connection and for each reply.
    """

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        task_id: str | None = None,
        *,
        seed: int | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        super().__init__(base_url, task_id, ruleset=TRIAGE, seed=seed, timeout_s=timeout_s)

    def reset(self, task_id: str | None = None, seed: int | None = None) -> TriageObservation:  # type: ignore[override]
        """Start a new episode (of ``task_id``, else the current task) and observe it."""
        params: dict[str, Any] = {
            "ruleset": TRIAGE,
            "task_id": task_id if task_id is not None else self.task_id,
            "seed": seed if seed is not None else self.default_seed,
        }
        _, data = self._call({"type": "reset", "data": {k: v for k, v in params.items() if v is not None}})
        obs = TRIAGE_OBSERVATION_ADAPTER.validate_python(data["observation"])
        self.task_id = obs.task_id
        self._obs, self._done, self._episode = obs, False, True  # type: ignore[assignment]
        return obs

    def step(self, action: TriageAction | dict[str, Any] | str) -> TriageStepResult:  # type: ignore[override]
        """Apply one action; returns ``(observation, reward, terminated, truncated, info)``."""
        payload = parse_triage_action(action).model_dump(mode="json")
        _, data = self._call({"type": "step", "data": payload})
        obs = TRIAGE_OBSERVATION_ADAPTER.validate_python(data["observation"])
        terminated, truncated = bool(data["terminated"]), bool(data["truncated"])
        self._obs, self._done = obs, terminated or truncated  # type: ignore[assignment]
        return TriageStepResult(obs, float(data["reward"]), terminated, truncated, data["info"])

    def state(self) -> TriageState:  # type: ignore[override]
        """The full (privileged) episode state."""
        _, data = self._call({"type": "state"})
        return TriageState.model_validate({k: v for k, v in data.items() if k not in ("episode_id", "step_count")})

    def grade(self) -> TriageGrade:
        """The grade in [0, 1] with its breakdown; provisional until the episode ends."""
        _, data = self._call({"type": "grade"})
        return TriageGrade.model_validate(data)

    def observe(self) -> TriageObservation:  # type: ignore[override]
        """The last observation (no request)."""
        return super().observe()  # type: ignore[return-value]

    def __repr__(self) -> str:
        state = "connected" if self._ws is not None else "not connected"
        return f"TriageClient({self.base_url!r}, task_id={self.task_id!r}, {state})"
