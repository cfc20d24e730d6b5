"""Committed notebooks follow the conventions and carry no outputs or widget state."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import pytest

from tests.notebooks.support import NOTEBOOKS, ROOT, TINY

SCRIPT = ROOT / "scripts" / "clean_notebooks.py"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("clean_notebooks", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_notebook_has_tiny_ci_parameters() -> None:
    assert [p.name for p in PATHS] == sorted(TINY)


def test_committed_notebooks_are_clean() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_notebook_conventions(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and "colab-badge.svg" in first.source
    assert f"notebooks/{path.name}" in first.source
    setup = nb.cells[1]
    assert "setup" in setup.metadata.get("tags", [])
    assert '"google.colab" in sys.modules' in setup.source
    for forced in ("--upgrade", " -U ", "--force-reinstall"):
        assert forced not in setup.source
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for name in TINY[path.name]:
        assert f"\n{name} = " in "\n" + params[0].source, f"{name} is not a parameter of {path.name}"
    checked = [c for c in nb.cells if "nbval-check-output" in c.metadata.get("tags", [])]
    assert checked, "no cell is checked by nbval"
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")
    assert "widgets" not in nb.metadata


def test_cleaning_strips_outputs_and_widget_state(tmp_path: Path) -> None:
    nb = nbformat.read(PATHS[0], as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code" and c.metadata.get("tags") != ["parameters"])
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
    code.execution_count = 3
    code.metadata["papermill"] = {"duration": 1.0}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"x": {}}}}
    nb.metadata["papermill"] = {"parameters": {}}
    dirty = tmp_path / "dirty.ipynb"
    nbformat.write(nb, dirty)
    clean = _script().main  # in this process (the committed-notebooks test runs the script itself)
    assert clean(["--check", str(dirty)]) == 1
    assert clean([str(dirty)]) == 0
    assert clean(["--check", str(dirty)]) == 0
    assert dirty.read_text() == PATHS[0].read_text()  # back to the committed notebook exactly
    data = json.loads(dirty.read_text())
    assert "widgets" not in data["metadata"] and "papermill" not in data["metadata"]
