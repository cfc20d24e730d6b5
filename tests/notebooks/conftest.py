"""Fixtures of the notebook tests: a kernel environment and a finished episode."""

from __future__ import annotations

import os

import pytest

from govworkflow import GovWorkflowEnv
from govworkflow.office.policies import backlog_clearance
from tests.notebooks.support import ROOT, RULESET, TASK


@pytest.fixture
def kernel_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Make kernels started by the test import this checkout of the package."""
    path = os.environ.get("PYTHONPATH")
    value = str(ROOT) + (os.pathsep + path if path else "")
    monkeypatch.setenv("PYTHONPATH", value)
    return {**os.environ, "PYTHONPATH": value}


@pytest.fixture
def finished_env() -> GovWorkflowEnv:
    """An easy legacy episode played to its end by backlog_clearance."""
    env = GovWorkflowEnv(TASK, ruleset=RULESET)
    env.reset()
    while not env.done:
        env.step(backlog_clearance(env.observe()))
    return env
