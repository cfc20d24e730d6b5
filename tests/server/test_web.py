"""The browser playground at ``/web``: its JSON API in process (errors, limits, undo,
policies, each checked against the package's native env), then the page itself in
Chromium against a real ``govworkflow serve`` on 127.0.0.1."""

from __future__ import annotations

import fnmatch
import json
import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from govworkflow import GovWorkflowEnv, evaluate
from govworkflow.office.encoding import action_masks, action_table
from govworkflow.office.rulesets import RULESETS
from govworkflow.server.web import EpisodeStore, WebConfig, mount_web
from govworkflow.triage import TriageEnv
from govworkflow.triage.tasks import TASKS as TRIAGE_TASKS
from govworkflow.viz.trace import trace

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "govworkflow" / "server" / "static"
CHROMIUM = Path(os.environ.get("GOVWORKFLOW_CHROMIUM", "/usr/bin/chromium"))
TASK = "district_backlog_easy"
ADVANCE = {"action_type": "advance_time"}
EPISODES = "/web/api/episodes"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def web() -> Iterator[tuple[TestClient, EpisodeStore]]:
    """A TestClient over an app with only the playground, at most three live episodes."""
    app = FastAPI()
    store = mount_web(app, WebConfig(max_episodes=3, idle_timeout_s=60.0))
    with TestClient(app) as client:
        yield client, store


def new(client: TestClient, **body: Any) -> dict[str, Any]:
    reply = client.post(EPISODES, json=body)
    assert reply.status_code == 201, reply.text
    view: dict[str, Any] = reply.json()
    return view


def post(client: TestClient, view: dict[str, Any], what: str, body: Any = None) -> Any:
    return client.post(f"{EPISODES}/{view['episode_id']}/{what}", json=body)


def native(ruleset: str, task_id: str, seed: int, actions: list[Any]) -> GovWorkflowEnv:
    env = GovWorkflowEnv(task_id, ruleset=ruleset)
    env.reset(seed=seed)
    for action in actions:
        env.step(action)
    return env


def masked(env: GovWorkflowEnv) -> tuple[list[Any], list[Any]]:
    """The gym adapter's macro-actions its mask allows, and the others naming the task's services only."""
    services = {q.service for q in env.observe().queues}
    allowed = action_masks(env.simulator)
    valid = [a for a, ok in zip(action_table(), allowed, strict=True) if ok]
    named = [a for a, ok in zip(action_table(), allowed, strict=True) if not ok]
    return valid, [a for a in named if {a.service, a.target_service} - {None} <= services]


def as_json(action: Any) -> dict[str, Any]:
    out: dict[str, Any] = action.model_dump(mode="json", exclude_none=True)
    return out


def daily(env: GovWorkflowEnv) -> dict[str, list[Any]]:
    """The office at the end of each day, from a replay of the env's record."""
    points = trace(env.record).daily()
    return {
        "days": [p.day for p in points],
        "backlog": [[p.observation.queues[i].active_cases for p in points] for i in range(len(env.observe().queues))],
        "at_risk": [p.at_risk for p in points],
        "sla_breaches": [p.observation.total_sla_breaches for p in points],
    }


def counters(view: dict[str, Any]) -> dict[str, Any]:
    return {c["key"]: c["value"] for c in view["counters"]}


def assert_matches(view: dict[str, Any], env: GovWorkflowEnv) -> None:
    """The view shows what the native env shows: counters, offered actions, grade."""
    obs, sim = env.observe(), env.simulator
    c = counters(view)
    assert c["day"] == f"{obs.day} / {obs.max_days}"
    assert (c["step"], c["backlog"], c["completed"]) == (sim.steps, obs.total_backlog, obs.total_completed)
    assert (c["sla_breaches"], c["reserve"]) == (obs.total_sla_breaches, obs.reserve_officers)
    assert c["at_risk"] == sim.at_risk_cases()
    assert [a["action"] for a in view["actions"]] == [as_json(a) for a in masked(env)[0]]
    assert {k: view["series"][k] for k in ("days", "backlog", "at_risk", "sla_breaches")} == daily(env)
    assert view["grade"] == env.grade().model_dump(mode="json")
    assert view["done"] is env.done


# -- the app and its files ---------------------------------------------------------
def test_create_app_serves_the_page_its_files_and_plotly(client: TestClient) -> None:
    page = client.get("/web")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script src="/web/plotly.min.js">' in page.text
    for name in ("app.js", "style.css"):
        reply = client.get(f"/web/static/{name}")
        assert reply.status_code == 200 and reply.text == (STATIC / name).read_text()
    for text in (page.text, (STATIC / "app.js").read_text()):  # nothing is fetched from elsewhere
        assert "http://" not in text and "https://" not in text
    plotly_js = client.get("/web/plotly.min.js")
    assert plotly_js.status_code == 200 and "javascript" in plotly_js.headers["content-type"]
    assert len(plotly_js.content) > 1_000_000 and b"plotly.js" in plotly_js.content[:2000]
    missing = client.get("/web/static/secret.py")
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_file"
    assert "'secret.py'" in missing.json()["detail"] and "app.js" in missing.json()["detail"]
    # the playground's routes stay out of the OpenEnv API schema
    assert not [p for p in client.get("/openapi.json").json()["paths"] if p.startswith("/web")]


def test_without_plotly_its_route_names_the_extra(
    web: tuple[TestClient, EpisodeStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _ = web
    monkeypatch.setitem(sys.modules, "plotly", None)  # ``import plotly`` now fails
    reply = client.get("/web/plotly.min.js")
    assert (reply.status_code, reply.json()["code"]) == (503, "missing_extra")
    assert 'pip install "govworkflow[notebooks]"' in reply.json()["detail"]
    assert client.get("/web").status_code == 200  # the page and its API still work


def test_static_files_ship_in_the_wheel() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    files = sorted(p.relative_to(ROOT / "govworkflow").as_posix() for p in STATIC.iterdir())
    assert {"server/static/index.html", "server/static/app.js", "server/static/style.css"} <= set(files)
    unshipped = [f for f in files if not any(fnmatch.fnmatch(f, pat) for pat in patterns["govworkflow"])]
    assert unshipped == []


def test_options_list_every_ruleset_its_tasks_and_policies(web: tuple[TestClient, EpisodeStore]) -> None:
    client, _ = web
    options = client.get("/web/api/options").json()
    rows = {r["ruleset"]: r for r in options["rulesets"]}
    assert list(rows) == [*RULESETS, "triage"] and options["default_ruleset"] in rows
    for name, rs in RULESETS.items():
        assert [t["task_id"] for t in rows[name]["tasks"]] == list(rs.tasks)
        assert {"sla_aware", "backlog_clearance"} <= set(rows[name]["policies"]) <= set(rs.policies)
    assert [t["task_id"] for t in rows["triage"]["tasks"]] == list(TRIAGE_TASKS)
    assert options["limits"] == {"max_episodes": 3, "idle_timeout_s": 60.0}


def test_web_config_refuses_bad_limits() -> None:
    with pytest.raises(ValueError, match="max_episodes"):
        WebConfig(max_episodes=0)
    with pytest.raises(ValueError, match="idle_timeout_s"):
        WebConfig(idle_timeout_s=-1.0)


# -- episodes ----------------------------------------------------------------------
@pytest.mark.parametrize(("ruleset", "task_id", "seed"), [("standard", TASK, 7), ("legacy", "mixed_urgency_medium", 5)])
def test_a_new_episode_shows_the_native_env(
    web: tuple[TestClient, EpisodeStore], ruleset: str, task_id: str, seed: int
) -> None:
    client, store = web
    view = new(client, ruleset=ruleset, task_id=task_id, seed=seed)
    assert (view["ruleset"], view["task_id"], view["seed"], view["step"]) == (ruleset, task_id, seed, 0)
    assert_matches(view, native(ruleset, task_id, seed, []))
    assert view["grade"]["provisional"] is True and len(store) == 1
    assert view["series"]["services"] == [q.service for q in native(ruleset, task_id, seed, []).observe().queues]
    default = new(client, ruleset=ruleset)  # the first task and its own seed
    first = next(iter(RULESETS[ruleset].tasks.values()))
    assert (default["task_id"], default["seed"]) == (first.task_id, first.seed)


@pytest.mark.parametrize(
    ("body", "status", "code", "named"),
    [
        ({"ruleset": "nope"}, 422, "unknown_name", ["'nope'", "standard", "legacy", "triage"]),
        ({"ruleset": "standard", "task_id": "nope"}, 422, "unknown_name", ["'nope'", TASK]),
        ({"ruleset": "standard", "seed": -1}, 422, "bad_value", ["seed", "-1", "non-negative integer"]),
        ({"ruleset": "standard", "seed": "7"}, 422, "bad_value", ["seed", "'7'"]),
        ({"ruleset": "standard", "seed": 1.5}, 422, "bad_value", ["seed", "1.5"]),
        ({"ruleset": "standard", "seed": True}, 422, "bad_value", ["seed", "True"]),
        ({"ruleset": "standard", "colour": "red"}, 422, "invalid_request", ["colour", "unknown field"]),
        ({}, 422, "invalid_request", ["ruleset", "required"]),
        ([1, 2], 422, "invalid_request", ["request body"]),
    ],
)
def test_a_bad_new_episode_names_the_value_and_changes_nothing(
    web: tuple[TestClient, EpisodeStore], body: Any, status: int, code: str, named: list[str]
) -> None:
    client, store = web
    live = new(client, ruleset="legacy")
    if isinstance(body, dict):
        body = {**body, "replace": live["episode_id"]}  # a refused request closes nothing
    reply = client.post(EPISODES, json=body)
    assert (reply.status_code, reply.json()["code"]) == (status, code)
    for text in named:
        assert text in reply.json()["detail"]
    assert len(store) == 1 and client.get(f"{EPISODES}/{live['episode_id']}").status_code == 200


def test_bodies_that_are_not_json_objects_are_refused(web: tuple[TestClient, EpisodeStore]) -> None:
    client, store = web
    bad = client.post(EPISODES, content=b"{ruleset", headers={"content-type": "application/json"})
    assert (bad.status_code, bad.json()["code"]) == (400, "malformed_json")
    deep = client.post(EPISODES, content=b"[" * 50_000 + b"]" * 50_000, headers={"content-type": "application/json"})
    assert (deep.status_code, deep.json()["code"]) == (400, "malformed_json")
    plain = client.post(EPISODES, content=b'{"ruleset": "standard"}', headers={"content-type": "text/plain"})
    assert (plain.status_code, plain.json()["code"]) == (415, "unsupported_media_type")
    assert "'text/plain'" in plain.json()["detail"] and len(store) == 0


def test_invalid_actions_are_refused_with_the_reason_and_change_nothing(web: tuple[TestClient, EpisodeStore]) -> None:
    client, _ = web
    view = new(client, ruleset="standard", task_id=TASK, seed=7)
    env = native("standard", TASK, 7, [])
    malformed = post(client, view, "step", {"action": {"action_type": "fly"}})
    assert (malformed.status_code, malformed.json()["code"]) == (422, "invalid_action")
    assert "'fly'" in malformed.json()["detail"] and "advance_time" in malformed.json()["detail"]
    too_many = {"action_type": "assign_capacity", "service": "income_certificate", "officer_delta": 99}
    reason = env.why_invalid(too_many)
    assert reason is not None
    refused = post(client, view, "step", {"action": too_many})
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_action")
    assert reason in refused.json()["detail"] and refused.json()["action"] == too_many
    extra = post(client, view, "step", {"action": ADVANCE, "speed": 2})
    assert (extra.status_code, extra.json()["code"]) == (422, "invalid_request") and "speed" in extra.json()["detail"]
    assert_matches(client.get(f"{EPISODES}/{view['episode_id']}").json(), env)  # still step 0


def test_why_gives_the_native_envs_reason(web: tuple[TestClient, EpisodeStore]) -> None:
    client, _ = web
    view = new(client, ruleset="standard", task_id=TASK, seed=7)
    env = native("standard", TASK, 7, [])
    invalid = masked(env)[1]
    assert invalid, "the test needs an invalid action at reset"
    assert [(a["action"], a["reason"]) for a in view["invalid_actions"]] == [
        (as_json(a), env.why_invalid(a)) for a in invalid
    ]
    assert all(r["reason"] for r in view["invalid_actions"])
    said = post(client, view, "why", {"action": view["invalid_actions"][0]["action"]}).json()
    assert said["valid"] is False and said["reason"] == env.why_invalid(invalid[0])
    assert post(client, view, "why", {"action": ADVANCE}).json() == {"action": ADVANCE, "valid": True, "reason": None}


def test_undo_equals_a_replay_of_the_actions_minus_the_last(web: tuple[TestClient, EpisodeStore]) -> None:
    client, _ = web
    view = new(client, ruleset="standard", task_id=TASK, seed=7)
    nothing = post(client, view, "undo")
    assert (nothing.status_code, nothing.json()["code"]) == (409, "nothing_to_undo")
    played: list[Any] = [{"action_type": "set_priority_mode", "priority_mode": "urgent_first"}, ADVANCE, ADVANCE]
    for action in played:
        view = post(client, view, "step", {"action": action}).json()
    move = next(a["action"] for a in view["actions"] if a["group"] in ("assign_capacity", "reallocate_officers"))
    played += [move, ADVANCE, ADVANCE]
    for action in played[3:]:
        view = post(client, view, "step", {"action": action}).json()
    assert_matches(view, native("standard", TASK, 7, played))
    view = post(client, view, "undo").json()
    view = post(client, view, "undo").json()
    assert_matches(view, native("standard", TASK, 7, played[:-2]))
    assert [h["action"] for h in view["history"]] == played[:-2] and {h["by"] for h in view["history"]} == {"you"}
    assert view["series"]["days"] == [0, 1, 2]  # after the undo


@pytest.mark.parametrize(
    ("ruleset", "task_id", "policy", "seed"),
    [("standard", TASK, "sla_aware", 7), ("legacy", "mixed_urgency_medium", "backlog_clearance", 5),
     ("triage", next(iter(TRIAGE_TASKS)), "edf", 3)],
)  # fmt: skip
def test_a_policy_to_the_end_grades_as_evaluate(
    web: tuple[TestClient, EpisodeStore], ruleset: str, task_id: str, policy: str, seed: int
) -> None:
    client, _ = web
    view = new(client, ruleset=ruleset, task_id=task_id, seed=seed)
    unknown = post(client, view, "policy", {"policy": "psychic"})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_name")
    assert "'psychic'" in unknown.json()["detail"] and policy in unknown.json()["detail"]
    one = post(client, view, "policy", {"policy": policy, "steps": 1}).json()
    assert one["step"] == 1 and one["history"][0]["by"] == policy
    end = post(client, view, "policy", {"policy": policy}).json()
    result = evaluate(task_id, policy, [seed], ruleset=ruleset)[0]
    assert end["done"] is True and end["step"] == result.steps
    assert end["grade"]["score"] == result.score and end["grade"]["provisional"] is False
    assert {c["name"]: c["value"] for c in end["grade"]["components"]} == result.metrics
    again = post(client, view, "policy", {"policy": policy})
    assert (again.status_code, again.json()["code"]) == (409, "episode_over")


def test_triage_plays_valid_tickets_only(web: tuple[TestClient, EpisodeStore]) -> None:
    client, _ = web
    task_id = next(iter(TRIAGE_TASKS))
    view = new(client, ruleset="triage", task_id=task_id, seed=3)
    env = TriageEnv(task_id)
    env.reset(seed=3)
    assert [a["action"]["ticket_id"] for a in view["actions"]] == env.valid_actions()
    refused = post(client, view, "step", {"action": "T99"})
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_action")
    assert "T99" in refused.json()["detail"]
    pick = env.valid_actions()[1]
    view = post(client, view, "step", {"action": {"ticket_id": pick}}).json()
    env.step(pick)
    assert counters(view)["step"] == 1 and counters(view)["reward"] == round(env.record.reward_sum, 4)
    assert view["grade"] == env.grade().model_dump(mode="json")
    assert view["series"] == {"steps": [0, 1], "reward": [0.0, env.record.reward_sum], "tickets_left": [5, 4]}


# -- the store ---------------------------------------------------------------------
def test_unknown_and_closed_episodes_are_404(web: tuple[TestClient, EpisodeStore]) -> None:
    client, store = web
    unknown = client.get(f"{EPISODES}/no-such-episode")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_episode")
    assert "'no-such-episode'" in unknown.json()["detail"]
    view = new(client, ruleset="standard")
    assert post(client, view, "close").json() == {"closed": True} and len(store) == 0
    assert post(client, view, "step", {"action": ADVANCE}).status_code == 404
    assert post(client, view, "close").json() == {"closed": False}


def test_a_full_store_refuses_new_episodes_until_one_is_closed_replaced_or_expired(
    web: tuple[TestClient, EpisodeStore],
) -> None:
    client, store = web
    clock = FakeClock()
    store.clock = clock
    views = [new(client, ruleset="legacy") for _ in range(3)]
    full = client.post(EPISODES, json={"ruleset": "legacy"})
    assert (full.status_code, full.json()["code"]) == (503, "store_full")
    assert "max_episodes=3" in full.json()["detail"] and len(store) == 3
    replaced = new(client, ruleset="standard", replace=views[0]["episode_id"])  # a page's new episode
    assert client.get(f"{EPISODES}/{views[0]['episode_id']}").status_code == 404 and len(store) == 3
    clock.now += 30.0
    assert client.get(f"{EPISODES}/{replaced['episode_id']}").status_code == 200  # keeps it alive
    clock.now += 31.0  # the two others are idle past 60 s
    new(client, ruleset="legacy")
    assert len(store) == 2
    assert client.get(f"{EPISODES}/{views[1]['episode_id']}").json()["code"] == "unknown_episode"


# -- the page in a real browser -----------------------------------------------------
@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """``govworkflow serve`` on 127.0.0.1, a free port; yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    cmd = [sys.executable, "-m", "govworkflow", "serve", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--log-level", "warning"]
    server = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    raise RuntimeError(f"govworkflow serve did not start: {server.communicate()[0]!r}") from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    """Where screenshots go: ``$GOVWORKFLOW_ARTIFACTS/web`` when set, else the test's tmp dir."""
    root = os.environ.get("GOVWORKFLOW_ARTIFACTS")
    out = Path(root) / "web" if root else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    return out


def click(page: Any, selector: str) -> None:
    """Click, then wait until the page has drawn the reply."""
    before = int(page.get_attribute("body", "data-renders"))
    page.click(selector)
    page.wait_for_function(f"Number(document.body.dataset.renders) > {before} && document.body.dataset.busy === '0'")


def choose(page: Any, label: str) -> Any:
    """Pick an action by its label; its JSON form, as the page will send it."""
    page.select_option("#action", label=label)
    return json.loads(page.eval_on_selector("#action", "s => s.selectedOptions[0].dataset.action"))


@pytest.mark.slow
def test_play_undo_and_run_a_policy_in_chromium(served: str, artifacts: Path) -> None:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), f"no Chromium at {CHROMIUM}: apt-get install -y chromium (or set GOVWORKFLOW_CHROMIUM)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.set_default_timeout(30_000)
            problems: list[str] = []
            page.on("pageerror", lambda err: problems.append(str(err)))
            page.goto(f"{served}/web")
            page.wait_for_function("Number(document.body.dataset.renders) >= 1")
            page.select_option("#ruleset", "standard")
            page.select_option("#task", TASK)
            page.fill("#seed", "7")
            click(page, "#new")
            page.click("#why summary")  # at reset some actions are invalid: each with the env's reason
            env = native("standard", TASK, 7, [])
            reasons = [env.why_invalid(a) for a in masked(env)[1]]
            assert reasons and page.locator("#why-list li .reason").all_inner_texts() == reasons

            played = [choose(page, "priority mode: urgent_first")]
            click(page, "#play")
            for _ in range(3):
                played.append(ADVANCE)
                click(page, "#advance")
            move = page.eval_on_selector(
                "#action", "s => [...s.options].find(o => o.parentElement.label !== 'advance time' && "
                "!o.textContent.startsWith('priority')).textContent",
            )  # fmt: skip
            played.append(choose(page, move))
            click(page, "#play")
            for _ in range(2):
                played.append(ADVANCE)
                click(page, "#advance")
            page.screenshot(path=str(artifacts / "web_played.png"), full_page=True)
            click(page, "#undo")
            played.pop()

            env = native("standard", TASK, 7, played)
            obs = env.observe()
            shown = {k: page.get_attribute(f'[data-counter="{k}"]', "data-value") for k in ("day", "step", "backlog")}
            day = f"{obs.day} / {obs.max_days}"
            assert shown == {"day": day, "step": str(len(played)), "backlog": str(obs.total_backlog)}
            grade = env.grade()
            assert float(page.get_attribute("#score", "data-value")) == grade.score
            assert page.inner_text("#provisional") == "provisional"
            for c in grade.components:
                row = f'#grade-table tr[data-component="{c.name}"]'
                for key in ("value", "weight", "contribution"):
                    assert float(page.get_attribute(f'{row} td[data-field="{key}"]', "data-value")) == getattr(c, key)
            episode = page.get_attribute("body", "data-episode")
            with urllib.request.urlopen(f"{served}{EPISODES}/{episode}") as reply:
                assert [h["action"] for h in json.load(reply)["history"]] == played
            local = daily(env)  # the charts' points, from a replay
            backlog = page.evaluate("document.getElementById('chart-backlog').data.map(t => [t.x, t.y])")
            assert backlog == [[local["days"], y] for y in local["backlog"]] and len(local["days"]) == obs.day + 1
            deadlines = page.evaluate("document.getElementById('chart-deadlines').data.map(t => t.y)")
            assert deadlines[:2] == [local["at_risk"], local["sla_breaches"]]
            assert page.evaluate("document.getElementById('chart-grade').data[0].x.length") == len(grade.components)
            valid, invalid = masked(env)
            assert page.locator("#why-list li .reason").all_inner_texts() == [env.why_invalid(a) for a in invalid]
            assert page.locator("#action option").count() == len(valid)
            page.screenshot(path=str(artifacts / "web_after_undo.png"), full_page=True)

            page.select_option("#ruleset", "legacy")
            page.select_option("#task", "mixed_urgency_medium")
            page.fill("#seed", "5")
            click(page, "#new")
            page.select_option("#policy", "backlog_clearance")
            click(page, "#policy-step")
            assert page.get_attribute("body", "data-step") == "1"
            click(page, "#policy-end")
            result = evaluate("mixed_urgency_medium", "backlog_clearance", [5], ruleset="legacy")[0]
            assert page.get_attribute("body", "data-done") == "true"
            assert page.get_attribute("body", "data-step") == str(result.steps)
            assert float(page.get_attribute("#score", "data-value")) == result.score
            assert page.inner_text("#provisional") == "final"
            assert page.evaluate("document.getElementById('chart-backlog').data[0].x.length") > 1
            page.wait_for_timeout(300)  # let the charts finish drawing
            page.screenshot(path=str(artifacts / "web_policy_end.png"), full_page=True)
            assert problems == [] and page.is_hidden("#error")
        finally:
            browser.close()
    for name in ("web_played.png", "web_after_undo.png", "web_policy_end.png"):
        assert (artifacts / name).stat().st_size > 20_000
