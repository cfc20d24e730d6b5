"""The release path: sdist and wheel build from the sources and pass ``twine check``; the
release workflow publishes them by trusted publishing, after the same check."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.notebooks.support import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


@pytest.mark.slow
def test_sdist_and_wheel_build_and_pass_twine_check(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "release_check.py"), "--outdir", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2
    (wheel,) = tmp_path.glob("govworkflow-*.whl")
    (sdist,) = tmp_path.glob("govworkflow-*.tar.gz")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "govworkflow/assets/episodes/llm-test-double.json" in names
    assert not any(n.startswith(("data/", "notebooks/", "tests/")) for n in names)
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(meta).decode()
    assert "Project-URL: Repository, https://github.com/" in text
    with tarfile.open(sdist) as tar:
        assert any(n.endswith("govworkflow/assets/results/leaderboard-standard.json") for n in tar.getnames())


def test_the_release_workflow_publishes_by_trusted_publishing_after_the_check() -> None:
    yaml = pytest.importorskip("yaml")
    doc = yaml.safe_load(WORKFLOW.read_text())
    jobs = doc["jobs"]
    build_steps = " ".join(str(s.get("run", "")) for s in jobs["build"]["steps"])
    assert "python scripts/release_check.py --outdir dist" in build_steps
    publish = jobs["publish"]
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}  # trusted publishing: no token stored
    uses = [s.get("uses", "") for s in publish["steps"]]
    assert any(u.startswith("pypa/gh-action-pypi-publish@") for u in uses)
    assert not any("password" in (s.get("with") or {}) for s in publish["steps"])
