"""In CI a skipped test fails the run (tests/conftest.py); locally it stays a skip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(tmp_path: Path, ci: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text("from tests.conftest import pytest_sessionfinish  # noqa: F401\n")
    (tmp_path / "test_demo.py").write_text(
        "import pytest\n\ndef test_runs():\n    assert True\n\ndef test_skips():\n    pytest.skip('no Chromium')\n"
    )
    env = {**os.environ, "CI": ci, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.slow  # three pytest subprocesses, about 3.5 s each
@pytest.mark.parametrize(("ci", "code"), [("true", 1), ("", 0), ("false", 0)])
def test_a_skip_fails_only_in_ci(tmp_path: Path, ci: str, code: int) -> None:
    out = _run(tmp_path, ci)
    assert out.returncode == code, out.stdout + out.stderr
    assert "1 passed, 1 skipped" in out.stdout
    assert ("in CI every test must run" in out.stdout) == (code == 1)
