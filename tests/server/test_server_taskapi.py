"""OpenEnv's Task API over each ruleset's development and evaluation seeds (``task.seeds``)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from govworkflow.office.rulesets import RULESETS
from govworkflow.server.adapters import ruleset_names
from govworkflow.server.taskapi import MAX_LISTED, MAX_RANGE
from govworkflow.triage import TASKS as TRIAGE_TASKS


def seeds_of(ruleset: str, split: str) -> list[tuple[str, int]]:
    """Every (task, seed) of a split, straight from the task files, in the API's order."""
    tasks: dict[str, Any] = TRIAGE_TASKS if ruleset == "triage" else RULESETS[ruleset].tasks
    return [(tid, s) for tid, task in tasks.items() for s in task.seeds.range(split)]


def post(client: TestClient, path: str, **body: Any) -> Any:
    r = client.post(path, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_environments_and_splits(client: TestClient) -> None:
    assert client.get("/list_environments").json() == ruleset_names() == ["standard", "legacy", "triage"]
    for env in ruleset_names():
        splits = client.get(f"/{env}/splits").json()
        assert [(s["name"], s["type"]) for s in splits] == [("development", "train"), ("evaluation", "test")]
        for s in splits:
            assert s["num_tasks"] == len(seeds_of(env, s["name"]))
            assert post(client, f"/{env}/num_tasks", split=s["name"]) == {"num_tasks": s["num_tasks"]}


@pytest.mark.parametrize("env", ["standard", "legacy", "triage"])
def test_tasks_are_the_task_files_seeds(client: TestClient, env: str) -> None:
    evaluation = seeds_of(env, "evaluation")
    listed = post(client, f"/{env}/tasks", split="evaluation")
    assert listed["num_tasks"] == len(evaluation) and listed["truncated"] is (len(evaluation) > MAX_LISTED)
    assert [(t["task_id"], t["seed"]) for t in listed["tasks"]] == evaluation[:MAX_LISTED]
    assert [t["index"] for t in listed["tasks"]] == list(range(len(listed["tasks"])))
    dev = seeds_of(env, "development")
    assert not set(dev) & set(evaluation)  # held out
    cut = post(client, f"/{env}/tasks", split="development")
    assert cut["truncated"] is True and len(cut["tasks"]) == MAX_LISTED and cut["num_tasks"] == len(dev)
    for index in (0, 1, len(dev) - 1, len(dev) // 2):
        task = post(client, f"/{env}/task", split="development", index=index)["task"]
        assert (task["task_id"], task["seed"]) == dev[index]
        assert task["reset"] == {"ruleset": env, "task_id": dev[index][0], "seed": dev[index][1]}


@pytest.mark.parametrize(("start", "stop"), [(None, None), (5, 9), (-3, None), (None, -290), (250, 10), (-1000, 2)])
def test_task_range_follows_slice_rules(client: TestClient, start: Any, stop: Any) -> None:
    evaluation = seeds_of("legacy", "evaluation")
    body = {k: v for k, v in (("start", start), ("stop", stop)) if v is not None}
    got = post(client, "/legacy/task_range", split="evaluation", **body)
    assert [(t["task_id"], t["seed"]) for t in got["tasks"]] == evaluation[slice(start, stop)]
    assert got["truncated"] is False


def test_task_range_returns_at_most_a_page(client: TestClient) -> None:
    dev = seeds_of("standard", "development")
    got = post(client, "/standard/task_range", split="development", start=99_990, stop=103_000)
    assert len(got["tasks"]) == MAX_RANGE and got["truncated"] is True
    assert (got["start"], got["stop"]) == (99_990, 99_990 + MAX_RANGE)
    assert [(t["task_id"], t["seed"]) for t in got["tasks"]] == dev[99_990 : 99_990 + MAX_RANGE]


def test_a_task_spec_resets_to_its_episode(client: TestClient) -> None:
    task = post(client, "/triage/task", split="evaluation", index=7)["task"]
    reply = post(client, "/reset", **task["reset"])
    state = client.get("/state", headers={"X-Session-Id": reply["metadata"]["session_id"]}).json()
    assert (state["task_id"], state["seed"]) == (task["task_id"], task["seed"])


def test_bad_task_requests_name_the_problem(client: TestClient) -> None:
    r = client.get("/mars/splits")
    assert (
        r.status_code == 404
        and "unknown environment 'mars'; environments: standard, legacy, triage" in r.json()["detail"]
    )
    r = client.post("/legacy/task", json={"split": "evaluation", "index": 300})
    assert r.status_code == 404 and "no task 300" in r.json()["detail"] and "0..299" in r.json()["detail"]
    r = client.post("/legacy/tasks", json={"split": "train"})
    assert r.status_code == 422 and "split" in r.json()["detail"] and "'development'" in r.json()["detail"]
    r = client.post("/legacy/task", json={"split": "evaluation", "index": -1})
    assert r.status_code == 422 and "index" in r.json()["detail"]
    r = client.post("/legacy/num_tasks", json={})
    assert r.status_code == 422 and "split: Field required" in r.json()["detail"]


def test_the_documented_task_reply_is_the_servers(client: TestClient) -> None:
    """docs/server.md's Task API example, read from the page and compared with the reply."""
    page = (Path(__file__).parents[2] / "docs" / "server.md").read_text(encoding="utf-8")
    block = re.search(r"curl -s -X POST localhost:8000/legacy/task .*?-d '(\{.*?\})'\n((?:# .*\n)+)", page)
    assert block is not None
    documented = json.loads("".join(line[2:] for line in block.group(2).splitlines()))
    assert post(client, "/legacy/task", **json.loads(block.group(1))) == documented
