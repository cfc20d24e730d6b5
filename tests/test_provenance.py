"""Provenance: the code is dirty when tracked source changes, not when a run writes data/
or the shipped models; results are written atomically, and output paths are checked
before any work."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from govworkflow.core import provenance as prov


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


def test_writing_the_shipped_models_keeps_the_code_clean(repo: Path) -> None:
    models = repo / "govworkflow" / "assets" / "models"
    models.mkdir(parents=True)
    (models / "m-ppo.zip").write_bytes(b"old")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "model")
    (models / "m-ppo.zip").write_bytes(b"retrained")
    assert prov.provenance("cmd")["git_dirty"] is False


def test_a_changed_source_file_is_dirty(repo: Path) -> None:
    (repo / "code.py").write_text("x = 2\n")
    assert prov.provenance()["git_dirty"] is True


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "results.json"
    prov.write_json(target, {"kept": True})
    with pytest.raises(TypeError):  # fails before any file is touched
        prov.write_json(target, {"unserialisable": object()})

    def no_rename(self: Path, other: object) -> Path:
        assert self.exists()  # the temporary file was written
        raise OSError("disk went away")

    monkeypatch.setattr(Path, "replace", no_rename)
    with pytest.raises(OSError, match="disk went away"):
        prov.write_json(target, {"new": True})
    assert target.read_text() == '{\n "kept": true\n}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]  # the temporary file is gone


def test_output_checks_name_the_option_and_the_problem(tmp_path: Path) -> None:
    afile = tmp_path / "a.txt"
    afile.write_text("x")
    with pytest.raises(ValueError, match=r"--out: .* is a folder; give a file name"):
        prov.check_output(tmp_path, "--out")
    with pytest.raises(ValueError, match=r"--out-dir: cannot use .*a.txt/models.* as a folder: .*a.txt' is a file"):
        prov.check_output_dir(afile / "models", "--out-dir")
    assert prov.check_output(tmp_path / "new" / "x.json", "--out") == tmp_path / "new" / "x.json"
    assert (tmp_path / "new").is_dir()
