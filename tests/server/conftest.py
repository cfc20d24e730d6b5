"""Fixtures: an in-process app (FastAPI TestClient) and a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("websockets")

from fastapi.testclient import TestClient

from govworkflow.server.app import create_app
from govworkflow.server.running import BackgroundServer
from govworkflow.server.sessions import DEFAULT_ALLOWED_HOSTS, ServerConfig


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client() -> Iterator[object]:
    """``make_client(**config)``: a TestClient over a fresh app with those limits."""
    opened: list[TestClient] = []

    def make(**config: object) -> TestClient:
        # TestClient's WebSocket URLs name the host "testserver": on the allow-list here only
        config.setdefault("allowed_hosts", (*DEFAULT_ALLOWED_HOSTS, "testserver"))
        client = TestClient(create_app(ServerConfig(**config)), base_url="http://localhost")  # type: ignore[arg-type]
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client) -> TestClient:  # type: ignore[no-untyped-def]
    return make_client()


@pytest.fixture(scope="session")
def live_server() -> Iterator[BackgroundServer]:
    """One real uvicorn server on 127.0.0.1 (a free port) for the whole test session."""
    with BackgroundServer("127.0.0.1", 0, ServerConfig(max_sessions=32)) as server:
        yield server
