"""Deployment files. No Docker engine runs here, so the Dockerfile is checked by parsing:
the essentials a Hugging Face Space needs, and that its command is a valid ``serve``."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from govworkflow.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def manifest() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "openenv.yaml").read_text(encoding="utf-8"))
    return data


def test_dockerfile_essentials() -> None:
    steps = dockerfile()
    kinds = [k for k, _ in steps]
    assert kinds[0] == "FROM"
    assert steps[0][1].startswith("python:3.11")
    # a non-root user, set before anything is installed or run
    users = [arg for k, arg in steps if k == "USER"]
    assert users
    assert users[-1] not in ("root", "0")
    assert kinds.index("USER") < kinds.index("RUN", kinds.index("COPY"))
    assert any(k == "RUN" and "useradd" in a and "1000" in a for k, a in steps)
    assert ("EXPOSE", "7860") in steps
    install = " ".join(a for k, a in steps if k == "RUN")
    assert '".[server]"' in install
    health = next(a for k, a in steps if k == "HEALTHCHECK")
    assert "CMD" in health
    assert "7860/health" in health
    cmd = json.loads(next(a for k, a in steps if k == "CMD"))
    assert cmd[:2] == ["govworkflow", "serve"]
    args = build_parser().parse_args(cmd[1:])
    assert (args.host, args.port) == ("0.0.0.0", 7860)
    # the Space's name and the health check's 127.0.0.1 pass the Host/Origin allow-list
    assert {"*.hf.space", "127.0.0.1"} <= set(args.allow_host)


def test_the_dockerfile_command_builds_a_server_that_answers_its_health_check() -> None:
    from govworkflow.server.app import create_app
    from govworkflow.server.sessions import ServerConfig

    cmd = json.loads(next(a for k, a in dockerfile() if k == "CMD"))
    args = build_parser().parse_args(cmd[1:])
    app = create_app(ServerConfig(allowed_hosts=tuple(args.allow_host)))
    for host in ("127.0.0.1:7860", "someone-govworkflow.hf.space"):
        with TestClient(app, base_url=f"http://{host}") as client:
            assert client.get("/health").json() == {"status": "healthy"}, host
    with TestClient(app, base_url="http://elsewhere.example") as client:
        assert client.get("/health").status_code == 403


def test_healthcheck_command_is_valid_python() -> None:
    health = next(a for k, a in dockerfile() if k == "HEALTHCHECK")
    exec_form = json.loads(health[health.index("CMD") + 3 :].strip())
    assert exec_form[:2] == ["python", "-c"]
    compile(exec_form[2], "<healthcheck>", "exec")
    assert shlex.split(health)  # well-formed options


def test_dockerignore_keeps_the_package() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert "govworkflow" not in ignored
    assert "pyproject.toml" not in ignored
    assert ".git" in ignored


def test_openenv_manifest_points_at_a_working_app() -> None:
    spec = manifest()
    assert spec["spec_version"] == 1
    assert spec["name"] == "govworkflow"
    assert spec["runtime"] == "fastapi"
    assert spec["port"] == 7860
    module, _, attr = spec["app"].partition(":")
    import importlib

    app = getattr(importlib.import_module(module), attr)
    assert isinstance(app, FastAPI)
    with TestClient(app, base_url="http://localhost") as client:
        assert client.get("/health").json() == {"status": "healthy"}


def test_asgi_config_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from govworkflow.server.asgi import config_from_env

    monkeypatch.setenv("GOVWORKFLOW_MAX_SESSIONS", "5")
    monkeypatch.setenv("GOVWORKFLOW_IDLE_TIMEOUT_S", "12.5")
    config = config_from_env()
    assert (config.max_sessions, config.idle_timeout_s) == (5, 12.5)
