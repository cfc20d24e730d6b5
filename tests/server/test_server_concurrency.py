"""``grade`` runs off the event loop: while one session's grade is still computing, other
sessions are served; requests on the grading session wait for it (its lock)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from govworkflow.server.running import BackgroundServer
from govworkflow.server.sessions import Session

ADVANCE = {"action_type": "advance_time"}


@pytest.fixture
def slow_grade(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Sessions whose episode is labelled ``slow`` grade only once ``release`` is set."""
    entered, release = threading.Event(), threading.Event()
    grade = Session.grade

    def held(self: Session) -> dict[str, Any]:
        if self.episode_id == "slow":
            entered.set()
            release.wait(timeout=30)  # bounded: a server that blocks its loop here recovers
        return grade(self)

    monkeypatch.setattr(Session, "grade", held)
    return entered, release


def test_other_sessions_are_served_while_a_grade_runs(
    live_server: BackgroundServer, slow_grade: tuple[threading.Event, threading.Event]
) -> None:
    entered, release = slow_grade
    with httpx.Client(base_url=live_server.url, timeout=10) as http, ThreadPoolExecutor(2) as pool:
        slow = http.post("/reset", json={"episode_id": "slow", "seed": 1}).json()["metadata"]["session_id"]
        other = http.post("/reset", json={"seed": 2}).json()["metadata"]["session_id"]
        graded = pool.submit(http.get, "/grade", headers={"X-Session-Id": slow})
        assert entered.wait(timeout=10)
        waiting = pool.submit(http.post, "/step", json={"session_id": slow, "action": ADVANCE})
        try:
            # the loop is free: another session steps, and a WebSocket session plays, meanwhile
            for _ in range(3):
                assert http.post("/step", json={"session_id": other, "action": ADVANCE}).status_code == 200
            from govworkflow.server.client import GovWorkflowClient

            with GovWorkflowClient(live_server.url) as env:
                env.reset(seed=3)
                assert env.step(ADVANCE).observation.day == 1
            assert not graded.done() and not waiting.done()  # the slow session's own requests wait
        finally:
            release.set()
        assert graded.result().status_code == 200
        assert waiting.result().status_code == 200
        assert http.get("/state", headers={"X-Session-Id": slow}).json()["step_count"] == 1
        for sid in (slow, other):
            http.post("/close", json={"session_id": sid})
