"""Colab for real: the repository address lives in pyproject.toml only, and every notebook's
badge and install cell are written from it; the files the notebooks read ship with the
package; a learner's widget is never driven by a later cell; the course's exercises and
PPO's hyper-parameters are in the notebooks."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import nbformat
import pytest

from govworkflow.course import EXERCISES, exercises_of
from govworkflow.course import exercises as _registered  # noqa: F401 (fills EXERCISES)
from tests.notebooks.support import NOTEBOOKS, ROOT

PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
REPOSITORY = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]


def _script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / name), *args], capture_output=True, text=True)


def test_every_notebook_agrees_with_pyproject() -> None:
    result = _script("sync_notebooks.py", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_badge_and_install_cell_name_the_repository(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    owner_repo = REPOSITORY.removeprefix("https://github.com/")
    assert nb.cells[0].source.startswith(
        f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        f"(https://colab.research.google.com/github/{owner_repo}/blob/main/notebooks/{path.name})"
    )
    setup = nb.cells[1].source
    assert f'@ git+{REPOSITORY}@main"' in setup
    assert "your-org" not in setup or "your-org" in REPOSITORY  # no address but pyproject's


def _run_setup(source: str, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], colab: bool) -> list[Any]:
    """Execute a setup cell with pip replaced by a recorder."""
    calls: list[Any] = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, check: calls.append(cmd))
    for key in ("GOVWORKFLOW_SOURCE",):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    if colab:
        monkeypatch.setitem(sys.modules, "google.colab", type(sys)("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(compile(source, "setup", "exec"), {})
    return calls


def test_the_install_cell_installs_from_the_repository_in_colab_only(monkeypatch: pytest.MonkeyPatch) -> None:
    setup = nbformat.read(NOTEBOOKS / "05_train_ppo.ipynb", as_version=4).cells[1].source
    assert _run_setup(setup, monkeypatch, {}, colab=False) == []  # a local kernel installs nothing
    (pip,) = _run_setup(setup, monkeypatch, {}, colab=True)
    assert pip[1:] == ["-m", "pip", "install", "--quiet", f"govworkflow[train,leaderboard] @ git+{REPOSITORY}@main"]
    for forced in ("--upgrade", "-U", "--force-reinstall"):
        assert forced not in pip
    (local,) = _run_setup(setup, monkeypatch, {"GOVWORKFLOW_SOURCE": "file:///tmp/w.whl"}, colab=False)
    assert local[-1] == "govworkflow[train,leaderboard] @ file:///tmp/w.whl"  # the Colab simulation's wheel


def test_switching_to_the_package_index_is_one_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("sync_notebooks", ROOT / "scripts" / "sync_notebooks.py")
    assert spec is not None and spec.loader is not None
    sync_notebooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sync_notebooks)
    monkeypatch.setattr(sync_notebooks, "INSTALL_FROM", "index")
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    (pip,) = _run_setup(sync_notebooks.setup_cell("00_triage_warmup.ipynb"), monkeypatch, {}, colab=True)
    assert pip[-1] == f"govworkflow[train]=={version}"
    monkeypatch.setattr(sync_notebooks, "INSTALL_FROM", "zip")
    with pytest.raises(ValueError, match="INSTALL_FROM: expected 'git' or 'index', got 'zip'"):
        sync_notebooks.setup_cell("00_triage_warmup.ipynb")


def test_the_shipped_copies_of_the_published_files_are_up_to_date() -> None:
    result = _script("sync_course_data.py", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_notebook_reads_the_repository_by_a_relative_path() -> None:
    for path in PATHS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []):
                assert "../data" not in cell.source and "../inference" not in cell.source, (path.name, cell.source)
        params = next(c for c in nbformat.read(path, as_version=4).cells if "parameters" in c.metadata.get("tags", []))
        assert "../data" not in params.source, path.name


def _calls_on(source: str, name: str) -> list[str]:
    """Methods called on variable ``name`` in ``source``."""
    return [
        n.func.attr
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == name
    ]


@pytest.mark.parametrize(
    ("notebook", "made_by"),
    [("00_triage_warmup.ipynb", "TriagePlayer("), ("03_play_an_episode.ipynb", "EpisodePlayer(")],
)
def test_run_all_never_plays_the_learners_widget(notebook: str, made_by: str) -> None:
    """Run All reaches the cells after the player before the learner has played: none may
    reset, step or play the learner's own player (a demonstration gets a player of its own)."""
    cells = [c for c in nbformat.read(NOTEBOOKS / notebook, as_version=4).cells if c.cell_type == "code"]
    first = next(i for i, c in enumerate(cells) if made_by in c.source)
    assert "player = " in cells[first].source
    driving = {"step", "reset", "undo", "advance_day", "play_steps", "autoplay_tick", "load", "replay"}
    for cell in cells[first + 1 :]:
        assert not driving & set(_calls_on(cell.source, "player")), cell.source


def test_ppo_hyperparameters_are_parameters_passed_to_training() -> None:
    nb = nbformat.read(NOTEBOOKS / "05_train_ppo.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", [])).source
    train = next(c for c in nb.cells if "args = TrainArgs(" in c.source).source
    for name in ("learning_rate", "gamma", "gae_lambda", "clip_range", "ent_coef", "n_steps", "batch_size", "n_epochs"):
        assert f"\n{name} = " in "\n" + params, name
        assert f"{name}={name}," in train, name
    assert "progress=live_progress" in train
    warmup = nbformat.read(NOTEBOOKS / "00_triage_warmup.ipynb", as_version=4)
    assert "progress=live_progress" in next(c for c in warmup.cells if "TriageTrainArgs(" in c.source).source


@pytest.mark.parametrize("name", list(EXERCISES))
def test_every_exercise_is_in_its_notebook_with_its_checked_solution(name: str) -> None:
    notebook = EXERCISES[name].notebook
    text = "\n".join(c.source for c in nbformat.read(NOTEBOOKS / notebook, as_version=4).cells)
    assert f'check("{name}", ' in text and f'solution("{name}")' in text
    assert len(exercises_of(notebook)) >= 2


def test_the_concepts_are_taught_where_they_are_used() -> None:
    def text(name: str) -> str:
        return "\n".join(c.source for c in nbformat.read(NOTEBOOKS / name, as_version=4).cells).lower()

    for word in ("markov decision process", "observation", "action mask", "termination", "truncated", "discount"):
        assert word in text("02_office_tour.ipynb"), word
    for word in ("held-out", "paired", "development seeds"):
        assert word in text("04_policies_and_grading.ipynb"), word
    for word in ("policy gradient", "advantage", "clipping", "entropy", "value function", "exploring"):
        assert word in text("05_train_ppo.ipynb"), word
    assert "bellman equation" in text("00_triage_warmup.ipynb")
