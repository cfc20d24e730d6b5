"""``/openapi.json`` describes the API as it behaves: schemathesis (every check, a bounded
number of examples, a fixed seed) finds no failure against a real server on 127.0.0.1."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from govworkflow.office.rulesets import DEFAULT_RULESET, RULESETS
from govworkflow.server.running import BackgroundServer
from govworkflow.server.sessions import ServerConfig

pytest.importorskip("schemathesis")


def test_the_schema_declares_every_status_and_constraint(client: TestClient) -> None:
    doc: dict[str, Any] = client.get("/openapi.json").json()
    paths = doc["paths"]
    reset = paths["/reset"]["post"]
    assert {"200", "400", "403", "404", "413", "422", "429", "503"} <= set(reset["responses"])
    error = reset["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert error == "ErrorBody"  # a typed body, not FastAPI's list of validation errors
    assert set(doc["components"]["schemas"]["ErrorBody"]["required"]) == {"detail", "code", "error_type"}
    assert reset["responses"]["503"]["headers"]["Retry-After"]["required"] is True
    assert set(reset["responses"]["200"]["links"]) == {"state", "grade", "close"}  # to the session it opens
    ids = {op["operationId"] for ops in paths.values() for op in ops.values()}
    assert {"reset", "state", "grade", "close"} <= ids
    branches = reset["requestBody"]["content"]["application/json"]["schema"]["anyOf"]
    by_ruleset = {b["properties"]["ruleset"].get("const"): b for b in branches}
    assert set(by_ruleset) == {*RULESETS, "triage", None}
    assert (
        by_ruleset[DEFAULT_RULESET]["properties"]["max_steps"]["anyOf"][0]["maximum"] == ServerConfig().max_steps_limit
    )
    legacy_tasks = by_ruleset["legacy"]["properties"]["task_id"]["anyOf"][0]["enum"]
    assert legacy_tasks == list(RULESETS["legacy"].tasks)
    step = paths["/step"]["post"]
    assert step["requestBody"]["content"]["application/json"]["schema"]["required"] == ["session_id", "action"]
    assert {"404", "409", "422"} <= set(step["responses"])
    state = paths["/state"]["get"]
    assert [(p["name"], p["in"], p["required"]) for p in state["parameters"]] == [("X-Session-Id", "header", True)]
    assert paths["/tasks"]["get"]["parameters"][0]["schema"]["enum"] == ["standard", "legacy", "triage"]
    assert "HTTPValidationError" not in doc["components"]["schemas"]


@pytest.mark.slow
def test_schemathesis_finds_no_failure(tmp_path: Path) -> None:
    command = shutil.which("schemathesis") or shutil.which("st")
    assert command is not None, "schemathesis is in the test extra; its command must be on PATH"
    config = ServerConfig(max_sessions=64, max_sessions_per_client=8)
    with BackgroundServer("127.0.0.1", 0, config) as server:
        out = subprocess.run(
            [command, "run", f"{server.url}/openapi.json", "--checks", "all", "--max-examples", "25",
             "--seed", "1", "--workers", "1", "--report", "junit", "--report-dir", str(tmp_path)],
            capture_output=True, text=True, timeout=300, cwd=tmp_path,
            env={"NO_COLOR": "1", "PATH": str(Path(sys.executable).parent)},
        )  # fmt: skip
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]
    assert "passed" in out.stdout and "failure" not in out.stdout.split("SUMMARY")[-1]
