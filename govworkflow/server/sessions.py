"""Sessions: one env each (of the environment the reset's ruleset selects, through its
adapter in ``server.adapters``), created, found, limited and reaped here.

Pure Python (no web framework), so the rules are tested without a server. Each session
owns its own env; a session id is 256 random bits from ``secrets`` and is the only way
to reach that env, so one session can neither read nor change another's episode.

Every request on a session runs under the session's ``asyncio.Lock`` (``Session.call``),
so two requests on one session never interleave; the slow one, ``grade`` (triage's exact
oracle takes 10-35 ms), runs in a worker thread so that other sessions' steps go on.
"""

from __future__ import annotations

import asyncio
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from govworkflow.core.errors import NoEpisodeError
from govworkflow.core.native import EpisodeHolder
from govworkflow.server.adapters import EnvAdapter, adapter_for
from govworkflow.server.protocol import (
    CapacityError,
    ClientLimitError,
    RequestError,
    ResetParams,
    SessionError,
    action_data,
    state_payload,
    step_payload,
)

__all__ = ["DEFAULT_ALLOWED_HOSTS", "ServerConfig", "Session", "SessionManager"]

#: ``http``: reached by its id (``POST /reset``, ``openenv/session/create``; a WebSocket may
#: attach to it with ``/ws?session_id=``); ``ws``: one WebSocket connection's, no id on the wire.
SessionKind = Literal["http", "ws"]

#: The ``Host`` names (and ``Origin`` hosts) a server accepts unless told otherwise: this machine.
DEFAULT_ALLOWED_HOSTS: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class ServerConfig:
    """Limits and defaults of one server."""

    max_sessions: int = 64
    """Concurrent sessions (WebSocket connections and HTTP sessions together)."""
    idle_timeout_s: float = 600.0
    """A session with no request for this long is closed (its WebSocket too)."""
    max_body_bytes: int = 64 * 1024
    """Largest HTTP request body or WebSocket message, in bytes."""
    max_steps_limit: int = 10_000
    """Largest ``max_steps`` a reset may ask for."""
    reap_interval_s: float | None = None
    """How often idle sessions are looked for (default: a quarter of the timeout, 0.05-30 s)."""
    max_sessions_per_client: int = 16
    """Concurrent sessions one client address may hold (more: 429 / ``CAPACITY_REACHED``)."""
    allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS
    """Host names a request's ``Host`` header and ``Origin`` may name (``*.example.org``
    matches subdomains; ``*`` alone turns both checks off)."""

    def __post_init__(self) -> None:
        for name in ("max_sessions", "max_body_bytes", "max_steps_limit", "max_sessions_per_client"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not self.idle_timeout_s > 0:
            raise ValueError(f"idle_timeout_s must be positive, got {self.idle_timeout_s!r}")
        if self.reap_interval_s is not None and not self.reap_interval_s > 0:
            raise ValueError(f"reap_interval_s must be positive, got {self.reap_interval_s!r}")
        hosts = self.allowed_hosts
        if isinstance(hosts, str) or not hosts or not all(isinstance(h, str) and h.strip() for h in hosts):
            raise ValueError(f"allowed_hosts must be a non-empty list of host names, got {hosts!r}")
        object.__setattr__(self, "allowed_hosts", tuple(h.strip().lower() for h in hosts))

    @property
    def reap_every_s(self) -> float:
        if self.reap_interval_s is not None:
            return self.reap_interval_s
        return min(max(self.idle_timeout_s / 4, 0.05), 30.0)


@dataclass(eq=False)
class Session:
    """One client's episode. Methods return reply data and raise the env's errors."""

    session_id: str = field(repr=False)
    kind: SessionKind
    created_at: float
    last_active: float
    max_steps_limit: int = 10_000
    env: EpisodeHolder[Any, Any] | None = None
    adapter: EnvAdapter | None = None
    episode_id: str | None = None
    client: str | None = None
    """The client address that opened the session (for the per-client limit)."""
    attached: bool = False
    """True while a WebSocket is attached to this (``http``) session."""
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    async def call(self, method: str, *args: Any, in_thread: bool = False) -> dict[str, Any]:
        """``self.<method>(*args)`` under the session's lock; ``in_thread``: in a worker
        thread, so the event loop serves other sessions meanwhile."""
        fn = getattr(self, method)
        async with self.lock:
            if in_thread:
                result: dict[str, Any] = await asyncio.to_thread(fn, *args)
                return result
            result = fn(*args)
            return result

    def reset(self, params: ResetParams) -> dict[str, Any]:
        """Start an episode; nothing changes if a parameter is bad. ``ruleset`` picks the
        environment (default: the session's, else the office's default ruleset)."""
        if params.max_steps is not None and params.max_steps > self.max_steps_limit:
            raise RequestError(
                f"invalid reset parameters: max_steps: at most {self.max_steps_limit} (got {params.max_steps})"
            )
        current = self.env
        adapter, ruleset = adapter_for(
            params.ruleset if params.ruleset is not None or current is None else current.suite.name
        )
        if current is not None and current.suite is adapter.suite(ruleset):
            env = current
        else:
            task_id = params.task_id
            if task_id is None and current is not None and current.task_id in adapter.tasks_of(ruleset):
                task_id = current.task_id
            env = adapter.create(ruleset, task_id)  # raises UnknownNameError before anything changes
        if params.task_id is not None:
            env.suite.task(params.task_id)  # raises UnknownNameError before anything changes
        before = env.max_steps
        env.max_steps = params.max_steps
        try:
            obs = env.reset(task_id=params.task_id, seed=params.seed)
        except Exception:
            env.max_steps = before
            raise
        self.env, self.adapter, self.episode_id = env, adapter, params.episode_id
        return step_payload(adapter.dump_observation(obs), None, False, False, env.reset_info(), adapter.reward_scale)

    def step(self, data: Any) -> dict[str, Any]:
        """Apply one action (``InvalidActionError`` / ``EpisodeFinishedError`` change nothing)."""
        env, adapter = self._env()
        obs, reward, terminated, truncated, info = env.step(action_data(data))
        return step_payload(adapter.dump_observation(obs), reward, terminated, truncated, info, adapter.reward_scale)

    def state(self) -> dict[str, Any]:
        env, _ = self._env()
        return state_payload(env.state(), self.episode_id)

    def grade(self) -> dict[str, Any]:
        env, _ = self._env()
        grade: dict[str, Any] = env.grade().model_dump(mode="json")
        return grade

    def _env(self) -> tuple[EpisodeHolder[Any, Any], EnvAdapter]:
        if self.env is None or self.adapter is None:
            raise NoEpisodeError("no episode yet: send reset first")
        return self.env, self.adapter


class SessionManager:
    """All live sessions, under the limits of a ``ServerConfig``.

    ``clock`` (seconds, monotonic) is injectable so tests can move time.
    """

    def __init__(self, config: ServerConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.clock = clock
        self._sessions: dict[str, Session] = {}

    def __len__(self) -> int:
        return len(self._sessions)

    def open(self, kind: SessionKind, client: str | None = None) -> Session:
        """A new session for ``client`` (its address; ``None``: not counted per client), or
        ``ClientLimitError`` when that client holds its share, or ``CapacityError`` when all
        slots are taken (idle sessions are reaped first)."""
        config = self.config
        if len(self._sessions) >= config.max_sessions:
            self.reap()
        if client is not None:
            mine = sum(1 for s in self._sessions.values() if s.client == client)
            if mine >= config.max_sessions_per_client:
                self.reap()
                mine = sum(1 for s in self._sessions.values() if s.client == client)
            if mine >= config.max_sessions_per_client:
                raise ClientLimitError(mine, config.max_sessions_per_client, self.retry_after_s(client))
        if len(self._sessions) >= config.max_sessions:
            raise CapacityError(len(self._sessions), config.max_sessions, self.retry_after_s())
        now = self.clock()
        session_id = secrets.token_urlsafe(32)
        session = Session(session_id, kind, now, now, config.max_steps_limit, client=client)
        self._sessions[session_id] = session
        return session

    def retry_after_s(self, client: str | None = None) -> int:
        """Whole seconds until the first session (of ``client``, if given) can expire: when
        a slot may free up without anyone closing one (at least 1)."""
        now, limit = self.clock(), self.config.idle_timeout_s
        ends = [s.last_active + limit - now for s in self._sessions.values() if client is None or s.client == client]
        return max(1, math.ceil(min(ends, default=1.0)))

    def get(self, session_id: str | None, kind: SessionKind = "http") -> Session:
        """The live session ``session_id`` (of this transport), marked active now."""
        if not session_id:
            raise RequestError("session_id is required: use the one POST /reset returned")
        session = self._sessions.get(session_id)
        if session is None or session.kind != kind:
            raise SessionError("unknown or expired session id; start a new session with POST /reset")
        now = self.clock()
        if now - session.last_active > self.config.idle_timeout_s:
            self.close(session_id)
            raise SessionError(
                f"session expired after {self.config.idle_timeout_s:g} s without requests; "
                "start a new one with POST /reset"
            )
        session.last_active = now
        return session

    def attach(self, session_id: str | None) -> Session:
        """The ``http`` session ``session_id``, marked as having a WebSocket attached (one at
        a time); ``SessionError`` if it is unknown, expired or already attached."""
        session = self.get(session_id)
        if session.attached:
            raise SessionError("session already has a WebSocket attached; close that connection first")
        session.attached = True
        return session

    def touch(self, session: Session) -> bool:
        """Mark ``session`` active; False if it has been closed or reaped meanwhile."""
        if self._sessions.get(session.session_id) is not session:
            return False
        session.last_active = self.clock()
        return True

    def close(self, session_id: str) -> bool:
        """Forget a session; True if it existed."""
        return self._sessions.pop(session_id, None) is not None

    def reap(self, now: float | None = None) -> int:
        """Close every session idle longer than the timeout; return how many."""
        now = self.clock() if now is None else now
        limit = self.config.idle_timeout_s
        stale = [sid for sid, s in self._sessions.items() if now - s.last_active > limit and not s.attached]
        for sid in stale:
            del self._sessions[sid]
        return len(stale)

    def counts(self) -> dict[str, int]:
        http = sum(1 for s in self._sessions.values() if s.kind == "http")
        return {"http": http, "ws": len(self._sessions) - http, "max": self.config.max_sessions}
