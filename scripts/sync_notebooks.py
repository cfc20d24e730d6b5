#!/usr/bin/env python
"""Write every notebook's Colab badge and install cell from ``pyproject.toml``.

Usage::

    python scripts/sync_notebooks.py [--check]

The repository's address lives in one place, ``[project.urls] Repository``. From it each
notebook gets its "Open in Colab" badge (the first line of its first cell) and its setup
cell, which in Colab runs::

    pip install "govworkflow[<extras>] @ git+<Repository>@<REF>"

``INSTALL_FROM`` is the one setting to change once the package is published: "index"
installs ``govworkflow[<extras>]==<version>`` from the package index instead. Anywhere,
``GOVWORKFLOW_SOURCE`` (a wheel's ``file://`` URL, say) stands in for the repository: the
Colab simulation (``scripts/colab_sim.py``) installs the package that way. ``--check``
changes nothing and exits 1 when a notebook disagrees.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

#: "git": install from the repository at ``REF``; "index": the released version.
INSTALL_FROM = "git"
#: The branch or tag the notebooks install from (and the badges open).
REF = "main"
#: The extras each notebook needs beyond the core (Colab ships plotly and ipywidgets).
EXTRAS: dict[str, tuple[str, ...]] = {
    "00_triage_warmup.ipynb": ("train",),
    "01_quickstart.ipynb": (),
    "02_office_tour.ipynb": ("gym",),
    "03_play_an_episode.ipynb": ("gym",),
    "04_policies_and_grading.ipynb": ("leaderboard",),
    "05_train_ppo.ipynb": ("train", "leaderboard"),
    "06_serve_and_connect.ipynb": ("server",),
    "07_llm_agent.ipynb": ("llm",),
    "08_train_an_llm_agent.ipynb": ("llm-train", "leaderboard"),
    "criteria.ipynb": ("train", "leaderboard"),
}
BADGE = "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"

SETUP = """\
# Setup. In Colab this installs the package (Colab already ships plotly and ipywidgets,
# and nothing here upgrades them):
#   pip install "{requirement}"
# Elsewhere install it once: pip install "govworkflow[{local}]"
# (GOVWORKFLOW_SOURCE, a wheel's file:// URL say, stands in for the repository anywhere.)
# Written by scripts/sync_notebooks.py from pyproject.toml: edit there, not here.
import os
import subprocess
import sys

PACKAGE = "{package}"
SOURCE = "{source}"  # empty: the released version from the package index
if "google.colab" in sys.modules or os.environ.get("GOVWORKFLOW_SOURCE"):
    source = os.environ.get("GOVWORKFLOW_SOURCE", SOURCE)
    requirement = f"{{PACKAGE}} @ {{source}}" if source else PACKAGE
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", requirement], check=True)"""


def project() -> dict:  # type: ignore[type-arg]
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]  # type: ignore[no-any-return]


def repository() -> str:
    """``[project.urls] Repository``, without a trailing slash or ``.git``."""
    url = str(project()["urls"]["Repository"]).rstrip("/").removesuffix(".git")
    if not url.startswith("https://github.com/") or url.count("/") != 4:
        raise ValueError(f"[project.urls] Repository: expected https://github.com/<owner>/<name>, got {url!r}")
    return url


def badge(name: str) -> str:
    path = repository().removeprefix("https://github.com/")
    return f"{BADGE}(https://colab.research.google.com/github/{path}/blob/{REF}/notebooks/{name})"


def setup_cell(name: str) -> str:
    extras = EXTRAS[name]
    package = f"govworkflow[{','.join(extras)}]" if extras else "govworkflow"
    if INSTALL_FROM == "git":
        source = f"git+{repository()}@{REF}"
        requirement = f"{package} @ {source}"
    elif INSTALL_FROM == "index":
        source, package = "", f"{package}=={project()['version']}"
        requirement = package
    else:
        raise ValueError(f"INSTALL_FROM: expected 'git' or 'index', got {INSTALL_FROM!r}")
    local = ",".join(("notebooks", *extras))
    return SETUP.format(requirement=requirement, local=local, package=package, source=source)


def synced(path: Path) -> nbformat.NotebookNode:
    """``path``'s notebook with its badge line and setup cell written from pyproject.toml."""
    nb = nbformat.read(path, as_version=4)
    if path.name not in EXTRAS:
        raise ValueError(f"{path.name}: no extras listed in EXTRAS; add it there")
    first, setup = nb.cells[0], nb.cells[1]
    if first.cell_type != "markdown" or not first.source.startswith(BADGE):
        raise ValueError(f"{path.name}: the first cell must start with the Colab badge")
    if "setup" not in setup.metadata.get("tags", []):
        raise ValueError(f"{path.name}: the second cell must be the one tagged 'setup'")
    lines = first.source.split("\n")
    first.source = "\n".join([badge(path.name), *lines[1:]])
    setup.source = setup_cell(path.name)
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report notebooks that disagree, change nothing")
    args = parser.parse_args(argv)
    stale = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        before = path.read_text(encoding="utf-8")
        after = nbformat.writes(synced(path)) + "\n"
        if after != before:
            stale.append(path)
            if not args.check:
                path.write_text(after, encoding="utf-8")
    for path in stale:
        print(f"{'out of date' if args.check else 'written'}: {path.relative_to(ROOT)}")
    if args.check and stale:
        print("run: python scripts/sync_notebooks.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
