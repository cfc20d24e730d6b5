"""Session rules without a server: limits, expiry, ids, and bad resets changing nothing."""

from __future__ import annotations

from typing import Any

import pytest

from govworkflow.core.errors import EpisodeFinishedError, InvalidActionError, NoEpisodeError, UnknownNameError
from govworkflow.office.rulesets import DEFAULT_RULESET, RULESETS
from govworkflow.server.protocol import CapacityError, ClientLimitError, RequestError, ResetParams, SessionError
from govworkflow.server.sessions import ServerConfig, SessionManager


def test_config_rejects_bad_values_by_name() -> None:
    with pytest.raises(ValueError, match="max_sessions"):
        ServerConfig(max_sessions=0)
    with pytest.raises(ValueError, match="idle_timeout_s"):
        ServerConfig(idle_timeout_s=0)
    with pytest.raises(ValueError, match="max_body_bytes"):
        ServerConfig(max_body_bytes=-1)
    assert 0.05 <= ServerConfig(idle_timeout_s=0.01).reap_every_s <= 30


def test_capacity_error_names_the_limit(clock: Any) -> None:
    manager = SessionManager(ServerConfig(max_sessions=2), clock)
    manager.open("http")
    manager.open("ws")
    with pytest.raises(CapacityError, match="2 of 2 sessions") as info:
        manager.open("http")
    assert (info.value.active_sessions, info.value.max_sessions) == (2, 2)


def test_idle_sessions_are_reaped_and_free_their_slot(clock: Any) -> None:
    manager = SessionManager(ServerConfig(max_sessions=2, idle_timeout_s=10), clock)
    a = manager.open("http")
    clock.advance(6)
    b = manager.open("http")
    clock.advance(6)  # a idle 12 s, b idle 6 s
    assert manager.reap() == 1
    with pytest.raises(SessionError):
        manager.get(a.session_id)
    assert manager.get(b.session_id) is b
    manager.open("http")  # the freed slot is usable
    assert len(manager) == 2


def test_opening_at_capacity_reaps_idle_sessions_first(clock: Any) -> None:
    manager = SessionManager(ServerConfig(max_sessions=1, idle_timeout_s=5), clock)
    manager.open("http")
    clock.advance(6)
    manager.open("http")
    assert len(manager) == 1


def test_expired_session_is_refused_even_before_the_reaper_runs(clock: Any) -> None:
    manager = SessionManager(ServerConfig(idle_timeout_s=5), clock)
    s = manager.open("http")
    clock.advance(5.5)
    with pytest.raises(SessionError, match="expired"):
        manager.get(s.session_id)
    assert len(manager) == 0


def test_activity_keeps_a_session_alive(clock: Any) -> None:
    manager = SessionManager(ServerConfig(idle_timeout_s=5), clock)
    s = manager.open("http")
    for _ in range(4):
        clock.advance(4)
        manager.get(s.session_id)
    assert manager.reap() == 0


def test_session_ids_are_long_random_and_not_shared_across_transports(clock: Any) -> None:
    manager = SessionManager(ServerConfig(max_sessions=200), clock)
    ids = [manager.open("http").session_id for _ in range(100)]
    assert len(set(ids)) == 100
    assert all(len(i) >= 43 for i in ids)  # 32 random bytes, url-safe base64
    ws = manager.open("ws")
    with pytest.raises(SessionError):
        manager.get(ws.session_id, "http")  # a WebSocket session is not reachable over HTTP
    with pytest.raises(RequestError, match="session_id is required"):
        manager.get(None)


def test_session_errors_before_reset_and_after_the_end() -> None:
    manager = SessionManager(ServerConfig())
    s = manager.open("ws")
    with pytest.raises(NoEpisodeError):
        s.step({"action_type": "advance_time"})
    s.reset(ResetParams(max_steps=2))
    s.step({"action_type": "advance_time"})
    assert s.step({"action_type": "advance_time"})["done"] is True
    with pytest.raises(EpisodeFinishedError):
        s.step({"action_type": "advance_time"})


def test_bad_reset_or_action_leaves_the_episode_unchanged() -> None:
    s = SessionManager(ServerConfig(max_steps_limit=50)).open("http")
    s.reset(ResetParams(seed=3))
    s.step({"action_type": "advance_time"})
    before = (s.state(), s.grade(), s.env)
    bad_resets = [
        ResetParams(task_id="no_such_task"),
        ResetParams(ruleset="no_such_ruleset"),
        ResetParams(max_steps=51),
        ResetParams(ruleset="triage", task_id="no_such_task"),
        ResetParams(ruleset="triage", max_steps=51),
    ]
    for params in bad_resets:
        with pytest.raises((UnknownNameError, RequestError)):
            s.reset(params)
    for action in [{"action_type": "fly"}, {"action_type": "advance_time", "x": 1}, "nope", 3]:
        with pytest.raises(InvalidActionError):
            s.step(action)
    assert (s.state(), s.grade(), s.env) == before


def test_reset_switches_ruleset_and_task_through_the_registry() -> None:
    s = SessionManager(ServerConfig()).open("http")
    first = s.reset(ResetParams())["observation"]
    assert first["ruleset"] == DEFAULT_RULESET
    for name, rs in RULESETS.items():
        last = list(rs.tasks)[-1]
        obs = s.reset(ResetParams(ruleset=name, task_id=last, seed=1))["observation"]
        assert (obs["ruleset"], obs["task_id"]) == (name, last)
        again = s.reset(ResetParams(seed=1))["observation"]  # keeps ruleset and task
        assert again == obs


def test_reset_params_reject_wrong_types_and_extra_fields() -> None:
    for data in [{"seed": "1"}, {"seed": -1}, {"max_steps": 0}, {"colour": "red"}, [1]]:
        with pytest.raises(RequestError, match="invalid reset parameters"):
            ResetParams.parse(data)


def test_each_client_has_its_own_share(clock: Any) -> None:
    manager = SessionManager(ServerConfig(max_sessions=5, max_sessions_per_client=2, idle_timeout_s=60), clock)
    manager.open("http", "10.0.0.1")
    clock.advance(15)
    manager.open("ws", "10.0.0.1")
    with pytest.raises(ClientLimitError, match="2 of 2 allowed per client") as info:
        manager.open("http", "10.0.0.1")
    assert info.value.retry_after_s == 45  # the client's first session can expire in 45 s
    manager.open("http", "10.0.0.2")  # another client is not affected
    manager.open("http")  # nor is a session without a client address
    clock.advance(46)
    manager.open("http", "10.0.0.1")  # the idle one was reaped for it
    assert len(manager) == 4


def test_an_attached_session_is_not_reaped_and_attaches_once(clock: Any) -> None:
    manager = SessionManager(ServerConfig(idle_timeout_s=10), clock)
    session = manager.open("http")
    assert manager.attach(session.session_id) is session
    with pytest.raises(SessionError, match="already has a WebSocket"):
        manager.attach(session.session_id)
    clock.advance(30)
    assert manager.reap() == 0
    session.attached = False
    assert manager.reap() == 1
    with pytest.raises(SessionError):
        manager.attach(manager.open("ws").session_id)  # connection sessions have no id to attach to


def test_requests_on_one_session_run_one_at_a_time(clock: Any) -> None:
    import asyncio

    manager = SessionManager(ServerConfig(), clock)
    session = manager.open("http")
    session.reset(ResetParams())
    order: list[str] = []

    async def both() -> None:
        async def grade() -> None:
            await session.call("grade", in_thread=True)
            order.append("grade")

        async def step() -> None:
            await asyncio.sleep(0)  # let the grade take the lock first
            await session.call("step", {"action_type": "advance_time"})
            order.append("step")

        await asyncio.gather(grade(), step())

    asyncio.run(both())
    assert order == ["grade", "step"]
