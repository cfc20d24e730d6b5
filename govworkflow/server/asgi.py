"""A ready-made ASGI application for servers started by name (``uvicorn
govworkflow.server.asgi:app``, ``openenv.yaml``). Limits come from the environment:

``GOVWORKFLOW_MAX_SESSIONS``, ``GOVWORKFLOW_MAX_SESSIONS_PER_CLIENT``,
``GOVWORKFLOW_IDLE_TIMEOUT_S``, ``GOVWORKFLOW_MAX_BODY_BYTES`` and
``GOVWORKFLOW_ALLOWED_HOSTS`` (comma-separated host names, e.g.
``localhost,127.0.0.1,*.hf.space``).

The app checks every WebSocket message's size in bytes itself; uvicorn's own frame limit
(``--ws-max-size``, 16 MiB unless given) only decides how much it buffers before that.
"""

from __future__ import annotations

import os

from govworkflow.server.app import create_app
from govworkflow.server.sessions import ServerConfig

__all__ = ["app", "config_from_env"]


def config_from_env() -> ServerConfig:
    """``ServerConfig`` with any limit set by an environment variable."""
    defaults = ServerConfig()
    hosts = os.getenv("GOVWORKFLOW_ALLOWED_HOSTS")
    return ServerConfig(
        max_sessions=int(os.getenv("GOVWORKFLOW_MAX_SESSIONS", defaults.max_sessions)),
        max_sessions_per_client=int(os.getenv("GOVWORKFLOW_MAX_SESSIONS_PER_CLIENT", defaults.max_sessions_per_client)),
        idle_timeout_s=float(os.getenv("GOVWORKFLOW_IDLE_TIMEOUT_S", defaults.idle_timeout_s)),
        max_body_bytes=int(os.getenv("GOVWORKFLOW_MAX_BODY_BYTES", defaults.max_body_bytes)),
        allowed_hosts=tuple(h for h in hosts.split(",") if h.strip()) if hosts else defaults.allowed_hosts,
    )


app = create_app(config_from_env())
