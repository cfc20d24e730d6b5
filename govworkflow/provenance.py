"""Provenance of every published number: package version, git commit, date, command."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["git", "provenance", "write_json"]

_ROOT = Path(__file__).resolve().parents[1]


def git(*args: str) -> str:
    """Output of a git command in the source tree, or ``"unknown"`` outside a checkout."""
    try:
        out = subprocess.run(["git", *args], cwd=_ROOT, capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip()


def provenance(command: str | None = None, **extra: Any) -> dict[str, Any]:
    """Who made a result and how: version, commit (and whether the code was dirty),
    UTC date, the command line, Python version and machine size, plus ``extra``.

    ``git_dirty`` looks at tracked files outside ``data/``: a run that writes its own
    results and models there does not make its code dirty."""
    from govworkflow import __version__

    dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)data")
    return {
        "package": "govworkflow",
        "package_version": __version__,
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": bool(dirty) and dirty != "unknown",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command if command is not None else " ".join(["govworkflow", *sys.argv[1:]]),
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
        **extra,
    }


def write_json(path: str | Path, data: Any) -> Path:
    """Write JSON atomically (a temporary file renamed into place: never half-written)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
