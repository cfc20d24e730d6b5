"""Provenance: the code is dirty when tracked source changes, not when a run writes data/."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from govworkflow import provenance as prov


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "code.py").write_text("x = 1\n")
    (tmp_path / "data" / "result.json").write_text("{}\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start")
    monkeypatch.setattr(prov, "_ROOT", tmp_path)
    return tmp_path


def test_writing_results_under_data_keeps_the_code_clean(repo: Path) -> None:
    assert prov.provenance("cmd")["git_dirty"] is False
    (repo / "data" / "result.json").write_text('{"score": 1}\n')
    record = prov.provenance("cmd")
    assert record["git_dirty"] is False
    assert len(record["git_commit"]) == 40 and record["command"] == "cmd"


def test_a_changed_source_file_is_dirty(repo: Path) -> None:
    (repo / "code.py").write_text("x = 2\n")
    assert prov.provenance()["git_dirty"] is True
