"""The environment served over HTTP and WebSocket (OpenEnv protocol), and its client.

``pip install "govworkflow[server]"``. Nothing heavy is imported until it is used::

    from govworkflow.server import GovWorkflowClient
    with GovWorkflowClient("http://127.0.0.1:8000") as env:
        obs = env.reset(task_id="district_backlog_easy", seed=11)

The client needs only ``websockets``; the server needs fastapi and uvicorn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govworkflow.server.app import create_app
    from govworkflow.server.client import GovWorkflowClient
    from govworkflow.server.running import BackgroundServer, serve
    from govworkflow.server.sessions import ServerConfig

__all__ = ["BackgroundServer", "GovWorkflowClient", "ServerConfig", "create_app", "serve"]

_WHERE = {
    "create_app": "govworkflow.server.app",
    "GovWorkflowClient": "govworkflow.server.client",
    "BackgroundServer": "govworkflow.server.running",
    "serve": "govworkflow.server.running",
    "ServerConfig": "govworkflow.server.sessions",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'govworkflow.server' has no attribute {name!r}")
