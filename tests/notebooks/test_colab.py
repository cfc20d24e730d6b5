"""Colab simulated: a fresh environment with Colab's pins, the package installed by each
notebook's own setup cell from a wheel built here, each notebook alone in an empty folder
(``scripts/colab_sim.py``, ``make colab``). Minutes: the slow lane."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.notebooks.support import NOTEBOOKS, ROOT

pytestmark = pytest.mark.slow


def test_every_notebook_runs_alone_in_an_empty_folder_as_in_colab(tmp_path: Path) -> None:
    names = [p.name for p in sorted(NOTEBOOKS.glob("*.ipynb"))]
    cmd = [sys.executable, str(ROOT / "scripts" / "colab_sim.py"), "--work", str(tmp_path), *names]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=3000)
    summary = json.loads((tmp_path / "colab-summary.json").read_text())
    rows = {r["notebook"]: r for r in summary["notebooks"]}
    assert set(rows) == set(names)
    assert "ipywidgets==7.7.1" in summary["pins"] and "plotly==5.24.1" in summary["pins"]
    failed = {n: r.get("error") for n, r in rows.items() if "error" in r}
    assert not failed, (failed, result.stdout[-3000:])
    assert result.returncode == 0
    for name, row in rows.items():
        assert row["plotly_js"] <= 1, name  # plotly 5: plotly.js once per notebook at most
        assert row["bytes"] < 6_000_000, name
    # the packages the notebooks installed came from the wheel, not from the checkout
    venv_python = tmp_path / "venv" / "bin" / "python"
    where = subprocess.run(
        [str(venv_python), "-c", "import govworkflow; print(govworkflow.__file__)"],
        capture_output=True, text=True, cwd=tmp_path,
    ).stdout  # fmt: skip
    assert "site-packages" in where and str(ROOT) not in where
