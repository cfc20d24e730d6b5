"""The wheel carries what the code needs to run: built from a copy of the sources and
installed into a fresh virtual environment, it finds its task files and shipped models
through ``importlib.resources`` and plays the shipped PPO policies from a folder far from
the checkout. Nothing the checkout keeps for itself (``data/``, notebooks, tests) is in it.

The fresh environment has no site-packages of its own but the wheel's: one ``.pth`` file
lists the test interpreter's site-packages, for torch and the rest. A directory listed in
a ``.pth`` file is only added to ``sys.path`` (its own ``.pth`` files are not run), so the
editable install's finder (``__editable__...pth``) never loads there; the child asserts
that the ``govworkflow`` it imported is the wheel's.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "govworkflow"
MAX_WHEEL_BYTES = 5_000_000
SOURCES = ("pyproject.toml", "README.md", "LICENSE")

pytestmark = pytest.mark.slow

CHILD = r"""
import json, sys
from importlib import resources

import govworkflow
from govworkflow.core.errors import BadValueError
from govworkflow.evaluation import run_episode
from govworkflow.core.assets import MODEL_DIR
from govworkflow.office.rulesets import get_ruleset
from govworkflow.training.ppo import output_dirs
from govworkflow.triage import get_task, make_policy
from govworkflow.triage import run_episode as run_triage_episode

rs = get_ruleset("standard")
office = run_episode(rs, "district_backlog_easy", rs.policy("ppo"))
task = get_task("overload_12")
triage = run_triage_episode(task, make_policy("ppo"), task.seed)
try:
    output_dirs()
    refused = ""
except BadValueError as err:
    refused = str(err)
print(json.dumps({
    "govworkflow": govworkflow.__file__,
    "models": str(MODEL_DIR),
    "tasks": str(resources.files("govworkflow.triage") / "tasks.toml"),
    "editable": sorted(m for m in sys.modules if "editable" in m),
    "office": office.score,
    "triage": triage.score,
    "refused": refused,
}))
"""


def _run(cmd: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    out = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, f"{cmd}\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built (no build isolation: the test interpreter's setuptools) from a copy
    of the sources, so the build leaves nothing in the checkout."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(
        PACKAGE, src / "govworkflow", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.partial.zip")
    )
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", tmp / "dist", src], tmp
    )
    (built,) = (tmp / "dist").glob("govworkflow-*.whl")
    return built


def test_the_wheel_is_small_and_holds_the_models_and_task_files(wheel: Path) -> None:
    size = wheel.stat().st_size
    print(f"\n{wheel.name}: {size:,} bytes ({size / 1e6:.2f} MB)")
    assert size < MAX_WHEEL_BYTES
    names = set(zipfile.ZipFile(wheel).namelist())
    models = sorted(p.relative_to(ROOT).as_posix() for p in (PACKAGE / "assets" / "models").glob("*-ppo.zip"))
    tasks = sorted(p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("tasks.toml"))
    assert len(models) >= 10 and len(tasks) == 3
    assert set(models) <= names, set(models) - names
    assert set(tasks) <= names, set(tasks) - names
    assert "govworkflow/py.typed" in names
    data = sorted(n for n in names if not n.endswith(".py") and not n.startswith("govworkflow-0"))
    # the published results and transcript the notebooks read (govworkflow.course.data.SHIPPED)
    course = sorted(
        p.relative_to(ROOT).as_posix() for d in ("results", "episodes") for p in (PACKAGE / "assets" / d).glob("*.json")
    )
    # the browser playground's page (govworkflow serve: /web)
    static = sorted(p.relative_to(ROOT).as_posix() for p in (PACKAGE / "server" / "static").iterdir() if p.is_file())
    assert {"govworkflow/server/static/index.html", "govworkflow/server/static/app.js"} <= set(static)
    expected = ["govworkflow/py.typed", *models, *tasks, *course, *static]
    assert data == sorted(expected), "unexpected data files in the wheel"
    for name in names:
        top = name.split("/")[0]
        assert top == "govworkflow" or top.endswith(".dist-info"), name
        assert "data/results" not in name and "notebooks" not in name and ".ipynb" not in name, name


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment with the wheel installed and the test interpreter's third-party
    site-packages on the path through a ``.pth`` line (the editable finder not loaded)."""
    root = tmp_path_factory.mktemp("venv") / "env"
    _run([sys.executable, "-m", "venv", "--without-pip", root], root.parent)
    python = root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel]
    _run(pip, root.parent)
    own = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root.parent).strip())
    theirs = dict.fromkeys(
        [*site.getsitepackages(), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    )
    (own / "_test_wheel_third_party.pth").write_text("".join(f"{p}\n" for p in theirs if Path(p) != own))
    return python


def test_the_installed_wheel_plays_its_shipped_models_far_from_the_checkout(venv: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    out = _run([venv, "-I", "-c", CHILD], tmp_path, env)  # -I: no PYTHONPATH, no user site, no cwd
    got = json.loads(out.strip().splitlines()[-1])
    env_root = venv.parents[1]
    for key in ("govworkflow", "models", "tasks"):
        assert Path(got[key]).is_relative_to(env_root) and "site-packages" in got[key], (key, got[key])
        assert not Path(got[key]).is_relative_to(PACKAGE), (key, got[key])
    assert got["editable"] == []
    assert 0.0 <= got["office"] <= 1.0
    assert 0.0 <= got["triage"] <= 1.0
    assert "not run from a repository checkout" in got["refused"] and "--out-dir" in got["refused"]
