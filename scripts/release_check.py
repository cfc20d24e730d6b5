#!/usr/bin/env python
"""Build the release files (sdist and wheel) and check them as the package index would.

Usage::

    python scripts/release_check.py [--outdir DIR]

Builds from a copy of the sources (the checkout stays clean), runs ``twine check
--strict`` on both files, and checks that the wheel and the sdist carry what an
installation needs: the task files, the shipped models, and the published results and
transcript the notebooks read (``govworkflow.course.data.SHIPPED``). The release workflow
(``.github/workflows/release.yml``) runs the same steps before it publishes.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "govworkflow")


def copy_sources(src: Path) -> Path:
    """A fresh copy of what a build reads (``SOURCES``) in ``src``: builds never touch the
    checkout (``scripts/colab_sim.py`` builds its wheel the same way)."""
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(path, src / name)
    return src


#: Files each release file must hold (paths inside the package).
REQUIRED = (
    "govworkflow/py.typed",
    "govworkflow/office/rulesets/standard/tasks.toml",
    "govworkflow/triage/tasks.toml",
    "govworkflow/assets/models/standard-district_backlog_easy-ppo.zip",
    "govworkflow/assets/results/leaderboard-standard.json",
    "govworkflow/assets/episodes/llm-test-double.json",
)


def build(outdir: Path) -> tuple[Path, Path]:
    """(sdist, wheel) built from a copy of the sources into ``outdir``."""
    with tempfile.TemporaryDirectory(prefix="govworkflow-release-") as tmp:
        src = copy_sources(Path(tmp) / "src")
        cmd = [sys.executable, "-m", "build", "--sdist", "--wheel", "--no-isolation", "--outdir", str(outdir), str(src)]
        subprocess.run(cmd, check=True, capture_output=True, text=True)
    (sdist,) = outdir.glob("govworkflow-*.tar.gz")
    (wheel,) = outdir.glob("govworkflow-*.whl")
    return sdist, wheel


def missing(sdist: Path, wheel: Path) -> list[str]:
    """Required files absent from either release file."""
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    with tarfile.open(sdist) as tar:
        in_sdist = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    return [
        f"{kind}: {path}"
        for kind, names in (("wheel", in_wheel), ("sdist", in_sdist))
        for path in REQUIRED
        if path not in names
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outdir", type=Path, help="where the files go (default: a new temporary folder)")
    args = parser.parse_args(argv)
    outdir = (args.outdir or Path(tempfile.mkdtemp(prefix="govworkflow-dist-"))).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    for old in outdir.glob("govworkflow-*"):
        old.unlink()
    sdist, wheel = build(outdir)
    check = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(sdist), str(wheel)],
                           capture_output=True, text=True)  # fmt: skip
    print(check.stdout.strip())
    if check.returncode != 0:
        print(check.stderr.strip())
        return 1
    absent = missing(sdist, wheel)
    for line in absent:
        print("missing from the", line)
    print(f"{sdist.name} ({sdist.stat().st_size} bytes), {wheel.name} ({wheel.stat().st_size} bytes) in {outdir}")
    return 1 if absent else 0


if __name__ == "__main__":
    sys.exit(main())
