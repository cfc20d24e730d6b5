"""``TriageClient``: the native ``TriageEnv`` API over WebSocket.

Ticket triage is served like any environment (``server.adapters``): ``reset`` with
``"ruleset": "triage"`` selects it, and everything else (WebSocket ``/ws``, HTTP
sessions, limits, errors) is the server's usual machinery. This client is
``GovWorkflowClient`` on the triage ruleset, typed with triage's models. No web framework
is imported here.

    with TriageClient("http://127.0.0.1:8000", "overload_12") as env:
        obs = env.reset(seed=3)
        result = env.step(obs.tickets[0].ticket_id)
"""

from __future__ import annotations

from typing import Any

from govworkflow.core.native import StepResult
from govworkflow.server.client import GovWorkflowClient
from govworkflow.triage.models import TriageAction, TriageGrade, TriageObservation, TriageState
from govworkflow.triage.suite import TRIAGE as TRIAGE_SUITE

__all__ = ["TRIAGE", "TriageClient"]

#: The ``ruleset`` value that selects ticket triage at reset.
TRIAGE = TRIAGE_SUITE.name


class TriageClient(GovWorkflowClient):
    """A served triage environment, used like ``TriageEnv`` (same types, same errors).

    Args:
        base_url: The server, e.g. ``"http://127.0.0.1:8000"``.
        task_id: Default task for ``reset()`` (default: the first triage task).
        seed: Default seed for ``reset()`` (default: the task's seed).
        max_steps: Cut episodes after this many steps (default: the task's).
        timeout_s: Seconds to wait for the connection and for each reply.
    """

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        task_id: str | None = None,
        *,
        seed: int | None = None,
        max_steps: int | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        super().__init__(base_url, task_id, ruleset=TRIAGE, seed=seed, max_steps=max_steps, timeout_s=timeout_s)

    def reset(self, task_id: str | None = None, seed: int | None = None) -> TriageObservation:  # type: ignore[override]
        """Start a new episode (of ``task_id``, else the current task) and observe it."""
        obs: TriageObservation = super().reset(task_id, seed)  # type: ignore[assignment]
        return obs

    def step(self, action: TriageAction | dict[str, Any] | str) -> StepResult:  # type: ignore[override]
        """Apply one action; returns ``(observation, reward, terminated, truncated, info)``."""
        return super().step(action)  # type: ignore[arg-type]

    def state(self) -> TriageState:  # type: ignore[override]
        """The full (privileged) episode state."""
        state: TriageState = super().state()  # type: ignore[assignment]
        return state

    def grade(self) -> TriageGrade:
        """The grade in [0, 1] with its breakdown; provisional until the episode ends."""
        grade: TriageGrade = super().grade()  # type: ignore[assignment]
        return grade

    def observe(self) -> TriageObservation:  # type: ignore[override]
        """The last observation (no request)."""
        obs: TriageObservation = super().observe()  # type: ignore[assignment]
        return obs
