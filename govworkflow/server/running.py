"""Running the server: in the foreground (``govworkflow serve``) or in a background
thread (notebooks, tests, benchmarks)::

    with BackgroundServer() as server:          # 127.0.0.1, a free port
        with GovWorkflowClient(server.url) as env:
            obs = env.reset(seed=11)
"""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import Any

from govworkflow.core.errors import MissingExtraError
from govworkflow.server.sessions import ServerConfig

__all__ = ["BackgroundServer", "serve"]


def _uvicorn() -> Any:
    """The ``uvicorn`` module, or an error naming the extra to install."""
    try:
        import fastapi  # noqa: F401
        import uvicorn
    except ImportError as err:
        raise MissingExtraError(err.name or "uvicorn", "server") from None
    return uvicorn


def _uvicorn_config(host: str, port: int, config: ServerConfig, log_level: str, app: Any = None) -> Any:
    uvicorn = _uvicorn()
    if app is None:
        from govworkflow.server.app import create_app

        app = create_app(config)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        ws_max_size=config.max_body_bytes + 1024,  # larger messages are refused by the app with a reply
        timeout_graceful_shutdown=2,
    )


def serve(
    host: str = "127.0.0.1", port: int = 8000, config: ServerConfig | None = None, log_level: str = "info"
) -> None:
    """Run the server until interrupted (what ``govworkflow serve`` does)."""
    _uvicorn().Server(_uvicorn_config(host, port, config or ServerConfig(), log_level)).run()


class BackgroundServer:
    """A real uvicorn server in a daemon thread; ``port=0`` picks a free port.

    Use it as a context manager, or call ``start()`` and ``stop()``. ``app`` serves
    another ASGI application instead of the environment (tests use it for test doubles).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        config: ServerConfig | None = None,
        log_level: str = "warning",
        start_timeout_s: float = 20.0,
        app: Any = None,
    ) -> None:
        self.config = config or ServerConfig()
        if app is None:
            from govworkflow.server.app import create_app

            app = create_app(self.config)
        #: The ASGI application served (``app.state.sessions``: the environment's sessions).
        self.app = app
        self._server = _uvicorn().Server(_uvicorn_config(host, port, self.config, log_level, app))
        self._thread: threading.Thread | None = None
        self.host = host
        self.port = port
        self.start_timeout_s = start_timeout_s

    @property
    def url(self) -> str:
        """``http://host:port`` of the running server."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> BackgroundServer:
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._server.run, name="govworkflow-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + self.start_timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start on {self.host}:{self.port}")
            time.sleep(0.01)
        sockets = [s for server in self._server.servers for s in server.sockets]
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
