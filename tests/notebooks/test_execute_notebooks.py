"""Every notebook runs top to bottom under papermill with tiny parameters, and nbval
re-runs the executed copies to check that the seeded cells give the same outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.notebooks.support import NOTEBOOKS, ROOT, TINY

papermill = pytest.importorskip("papermill")

TIMEOUT_S = 120  # per cell


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Execute every notebook once (kernels import this checkout) into a temporary folder."""
    out = tmp_path_factory.mktemp("executed")
    done: dict[str, Path] = {}
    with pytest.MonkeyPatch.context() as mp:
        path = os.environ.get("PYTHONPATH")
        mp.setenv("PYTHONPATH", str(ROOT) + (os.pathsep + path if path else ""))
        for name, tiny in TINY.items():
            params = dict(tiny)
            if name == "criteria.ipynb":
                params.update(
                    output_dir=str(out / "report"),
                    results_dir=str(ROOT / "data" / "results"),
                    models_dir=str(ROOT / "data" / "models"),
                )
            target = out / name
            papermill.execute_notebook(
                str(NOTEBOOKS / name),
                str(target),
                parameters=params,
                cwd=str(NOTEBOOKS),
                kernel_name="python3",
                execution_timeout=TIMEOUT_S,
                progress_bar=False,
                log_output=False,
            )
            done[name] = target
    return done


@pytest.mark.parametrize("name", sorted(TINY))
def test_notebook_runs_top_to_bottom(executed: dict[str, Path], name: str) -> None:
    nb = nbformat.read(executed[name], as_version=4)
    codes = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in codes)
    errors = [o for c in codes for o in c.outputs if o.output_type == "error"]
    assert not errors
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == (1 if TINY[name] else 0)


def test_criteria_notebook_writes_its_report(executed: dict[str, Path]) -> None:
    report = executed["criteria.ipynb"].parent / "report"
    data = json.loads((report / "criteria.json").read_text())
    assert data["passed"] is True and data["summary"]["fail"] == 0
    ids = [c["id"] for c in data["checks"]]
    for expected in ("contract.api.legacy", "determinism.same_seed.legacy", "legacy.published_rows",
                     "legacy.published_metrics", "grader.bounds.legacy", "grader.legacy_inaction_exploit",
                     "leaderboard.rows"):
        assert expected in ids
    assert {c["status"] for c in data["checks"]} <= {"pass", "skip"}
    published = next(c for c in data["checks"] if c["id"] == "legacy.published_rows")
    assert published["detail"] == (
        "district_backlog_easy 0.6716/33/27/24; mixed_urgency_medium 0.5867/61/49/53; "
        "cross_department_hard 0.6522/89/73/92"
    )
    assert (report / "criteria_summary.html").stat().st_size > 100_000  # plotly.js inline


def test_player_notebook_leaves_no_widget_state_in_the_source() -> None:
    nb = json.loads((NOTEBOOKS / "03_play_an_episode.ipynb").read_text())
    assert "widgets" not in nb["metadata"]


def test_nbval_checked_cells_reproduce(executed: dict[str, Path]) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + (os.pathsep + os.environ.get("PYTHONPATH", ""))}
    cmd = [
        sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q",
        "--nbval-cell-timeout", str(TIMEOUT_S), "-o", "addopts=", "-o", "filterwarnings=",
        *(str(p) for p in executed.values()),
    ]  # fmt: skip
    result = subprocess.run(cmd, cwd=executed["criteria.ipynb"].parent, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
