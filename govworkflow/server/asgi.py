"""A ready-made ASGI application for servers started by name (``uvicorn
govworkflow.server.asgi:app``, ``openenv.yaml``). Limits come from the environment:

``GOVWORKFLOW_MAX_SESSIONS``, ``GOVWORKFLOW_IDLE_TIMEOUT_S``, ``GOVWORKFLOW_MAX_BODY_BYTES``.
"""

from __future__ import annotations

import os

from govworkflow.server.app import create_app
from govworkflow.server.sessions import ServerConfig

__all__ = ["app", "config_from_env"]


def config_from_env() -> ServerConfig:
    """``ServerConfig`` with any limit set by an environment variable."""
    defaults = ServerConfig()
    return ServerConfig(
        max_sessions=int(os.getenv("GOVWORKFLOW_MAX_SESSIONS", defaults.max_sessions)),
        idle_timeout_s=float(os.getenv("GOVWORKFLOW_IDLE_TIMEOUT_S", defaults.idle_timeout_s)),
        max_body_bytes=int(os.getenv("GOVWORKFLOW_MAX_BODY_BYTES", defaults.max_body_bytes)),
    )


app = create_app(config_from_env())
