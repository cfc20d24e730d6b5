"""``GovWorkflowClient``: the native API (``reset / step / state / grade``) over WebSocket.

It returns the same types as ``GovWorkflowEnv`` (``Observation`` dataclasses,
``StepResult``, ``EpisodeState``, ``Grade``) and raises the same errors
(``InvalidActionError``, ``EpisodeFinishedError``, ``UnknownNameError``, ...), so code
written for the local env runs against a server by changing one line::

    with GovWorkflowClient("http://127.0.0.1:8000") as env:
        obs = env.reset(task_id="district_backlog_easy", seed=11)
        result = env.step({"action_type": "advance_time"})
        print(env.grade().score)

Needs only ``websockets`` (part of the ``server`` extra).
"""

from __future__ import annotations

import contextlib
import json
from types import TracebackType
from typing import Any

from govworkflow.core.errors import MissingExtraError, NoEpisodeError
from govworkflow.core.native import StepResult
from govworkflow.office.models import Action, EpisodeState, Grade, Observation
from govworkflow.office.ruleset import Ruleset
from govworkflow.office.rulesets import RULESETS
from govworkflow.server.adapters import EnvAdapter, client_adapter
from govworkflow.server.protocol import ServerError, SessionError, WSCode, error_from_payload

__all__ = ["GovWorkflowClient"]


def _ws_url(base_url: str) -> str:
    url = base_url.rstrip("/")
    for http, ws in (("https://", "wss://"), ("http://", "ws://")):
        if url.startswith(http):
            url = ws + url[len(http) :]
    if not url.startswith(("ws://", "wss://")):
        url = "ws://" + url
    return url if url.endswith("/ws") else url + "/ws"


class GovWorkflowClient:
    """A served govworkflow environment, used like ``GovWorkflowEnv``.

    Args:
        base_url: The server, e.g. ``"http://127.0.0.1:8000"`` (``ws://`` also works).
        task_id: Default task for ``reset()`` (default: the server's first task).
        ruleset: Ruleset name (default: the server's default).
        seed: Default seed for ``reset()`` (default: the task's seed).
        max_steps: Cut episodes after this many steps (default: the ruleset's).
        timeout_s: Seconds to wait for the connection and for each reply.

    One client is one server session (one WebSocket connection), opened on first use
    or on ``with``, and closed by ``close()`` or at the end of the ``with`` block.
    """

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        task_id: str | None = None,
        *,
        ruleset: str | None = None,
        seed: int | None = None,
        max_steps: int | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self.base_url = base_url
        self.url = _ws_url(base_url)
        self.task_id = task_id
        self.ruleset_name = ruleset
        self.default_seed = seed
        self.max_steps = max_steps
        self.timeout_s = timeout_s
        self._ws: Any = None
        self._stack = contextlib.ExitStack()
        self._obs: Any = None
        self._done = False
        self._episode = False

    @property
    def adapter(self) -> EnvAdapter:
        """The served environment's adapter (its JSON forms), from the ruleset asked for."""
        return client_adapter(self.ruleset_name)

    # -- connection ------------------------------------------------------------------
    def connect(self) -> GovWorkflowClient:
        """Open the connection (done automatically on first use)."""
        if self._ws is None:
            try:
                from websockets.sync.client import connect
            except ImportError:  # pragma: no cover - websockets is in the server extra
                raise MissingExtraError("websockets", "server") from None
            stack = contextlib.ExitStack()
            try:
                self._ws = stack.enter_context(
                    connect(self.url, open_timeout=self.timeout_s, max_size=2**24, proxy=None)
                )
            except (OSError, TimeoutError) as err:
                raise ConnectionError(f"cannot connect to {self.url}: {err}") from err
            self._stack = stack
        return self

    def close(self) -> None:
        """End the session (tells the server, then closes the connection)."""
        ws, self._ws = self._ws, None
        if ws is not None:
            with contextlib.suppress(Exception):  # the server may already be gone
                ws.send(json.dumps({"type": "close"}))
            self._stack.close()

    def __enter__(self) -> GovWorkflowClient:
        return self.connect()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _call(self, message: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        from websockets.exceptions import ConnectionClosed

        self.connect()
        with contextlib.suppress(ConnectionClosed):  # if closed, a queued reply says why
            self._ws.send(json.dumps(message))
        try:
            raw = self._ws.recv(timeout=self.timeout_s)
        except TimeoutError:
            raise ServerError(f"no reply from {self.url} within {self.timeout_s:g} s") from None
        except ConnectionClosed as err:
            self._drop()
            raise SessionError(f"the server closed the connection ({err}); the next call opens a new session") from None
        reply = json.loads(raw)
        kind, data = reply.get("type"), reply.get("data") or {}
        if kind == "error":
            if data.get("code") in (WSCode.CAPACITY_REACHED, WSCode.SESSION_ERROR):
                self._drop()  # the server closes the connection after these
            raise error_from_payload(data)
        return str(kind), data

    def _drop(self) -> None:
        self._ws = None
        with contextlib.suppress(Exception):
            self._stack.close()

    # -- the native API --------------------------------------------------------------
    def reset(self, task_id: str | None = None, seed: int | None = None) -> Observation:
        """Start a new episode (of ``task_id``, else the current task) and observe it."""
        params: dict[str, Any] = {
            "ruleset": self.ruleset_name,
            "task_id": task_id if task_id is not None else self.task_id,
            "seed": seed if seed is not None else self.default_seed,
            "max_steps": self.max_steps,
        }
        _, data = self._call({"type": "reset", "data": {k: v for k, v in params.items() if v is not None}})
        obs = self.adapter.load_observation(data["observation"])
        self.task_id, self.ruleset_name = obs.task_id, self.adapter.ruleset_of(obs)
        self._obs, self._done, self._episode = obs, False, True
        return obs

    def step(self, action: Action | dict[str, Any] | str) -> StepResult:
        """Apply one action; returns ``(observation, reward, terminated, truncated, info)``.

        Raises ``InvalidActionError`` (nothing changes) and ``EpisodeFinishedError`` like
        the local env.
        """
        payload = (
            action
            if isinstance(action, dict)
            else self.adapter.parse_action(action).model_dump(mode="json", exclude_none=True)
        )
        _, data = self._call({"type": "step", "data": payload})
        obs = self.adapter.load_observation(data["observation"])
        meta = data["metadata"]
        terminated, truncated = bool(meta["terminated"]), bool(meta["truncated"])
        self._obs, self._done = obs, terminated or truncated
        reward = meta["raw_reward"]  # the simulator's own reward, as the local env returns it
        return StepResult(obs, float("nan") if reward is None else float(reward), terminated, truncated, meta["info"])

    def state(self) -> EpisodeState:
        """The full (privileged) episode state."""
        _, data = self._call({"type": "state"})
        state: EpisodeState = self.adapter.state_model.model_validate(  # type: ignore[assignment]
            {k: v for k, v in data.items() if k not in ("episode_id", "step_count")}
        )
        return state

    def grade(self) -> Grade:
        """The grade in [0, 1] with its breakdown; provisional until the episode ends."""
        _, data = self._call({"type": "grade"})
        grade: Grade = self.adapter.grade_model.model_validate(data)  # type: ignore[assignment]
        return grade

    def observe(self) -> Observation:
        """The last observation (no request)."""
        if self._obs is None:
            raise NoEpisodeError("no episode yet: call reset() first")
        obs: Observation = self._obs
        return obs

    @property
    def done(self) -> bool:
        """True once the episode has terminated or been truncated."""
        if not self._episode:
            raise NoEpisodeError("no episode yet: call reset() first")
        return self._done

    @property
    def ruleset(self) -> Ruleset | None:
        """The local copy of the served ruleset (its tasks and policies), if installed."""
        return RULESETS.get(self.ruleset_name) if self.ruleset_name else None

    def __repr__(self) -> str:
        state = "connected" if self._ws is not None else "not connected"
        return f"{type(self).__name__}({self.base_url!r}, task_id={self.task_id!r}, {state})"
