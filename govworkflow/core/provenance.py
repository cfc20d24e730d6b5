"""Provenance of every published number: package version, git commit, date, command."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from govworkflow.core.errors import BadValueError
from govworkflow.core.version import VERSION

__all__ = ["check_output", "check_output_dir", "git", "provenance", "write_json", "write_text"]

_ROOT = Path(__file__).resolve().parents[2]
_MODELS = "govworkflow/assets/models"  # the shipped models, which training (re)writes
T = TypeVar("T")


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

    ``git_dirty`` looks at tracked files outside ``data/`` and the package's models folder
    (``govworkflow/assets/models``): a run that writes its own results and models there
    does not make its code dirty."""

    dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)data", f":(exclude){_MODELS}")
    return {
        "package": "govworkflow",
        "package_version": VERSION,
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": bool(dirty) and dirty != "unknown",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command if command is not None else " ".join(["govworkflow", *sys.argv[1:]]),
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
        **extra,
    }


def check_output_dir(path: str | Path, name: str) -> Path:
    """Create the folder ``path`` (and its parents) now, before any long work, or raise a
    ``BadValueError`` naming option ``name`` and why it cannot be a folder."""
    path = Path(path)
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise BadValueError(f"{name}: cannot use {str(path)!r} as a folder: {str(existing)!r} is a file")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise BadValueError(f"{name}: cannot use {str(path)!r} as a folder ({err.strerror or err})") from None
    return path


def check_output(path: str | Path, name: str) -> Path:
    """Check, before any long work, that the file ``path`` can be written (its folder is
    created); a ``BadValueError`` names option ``name`` and the problem."""
    path = Path(path)
    if path.is_dir():
        raise BadValueError(f"{name}: {str(path)!r} is a folder; give a file name, such as {str(path / 'out.json')!r}")
    check_output_dir(path.parent, name)
    return path


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` atomically (a temporary file renamed into place: never half-written;
    on failure the temporary file is removed and the target is left as it was)."""
    path = check_output(path, "path")
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_json(path: str | Path, data: Any) -> Path:
    """Write JSON atomically (``write_text``); data that cannot be serialised writes nothing."""
    return write_text(path, json.dumps(data, indent=1) + "\n")


def read_json_object(path: str | Path, what: str) -> dict[str, Any]:
    """The JSON object in file ``path``, or a one-line ``ValueError`` saying it is not ``what``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{path}: not {what} (not JSON text: {err})") from None
    if not isinstance(data, dict):
        kind = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(data), "null")
        raise ValueError(f"{path}: not {what} (a JSON {kind}, not an object)")
    return data


def from_fields(build: Callable[[dict[str, Any]], T], data: dict[str, Any], what: str) -> T:
    """``build(data)``, with a missing or mistyped field reported in one line as not ``what``."""
    try:
        return build(data)
    except (KeyError, TypeError, AttributeError, ValueError) as err:
        errors = getattr(err, "errors", None)  # pydantic: the first error, with where it is
        if callable(errors) and errors():
            first = errors()[0]
            detail = f"{getattr(err, 'title', 'value')}.{'.'.join(map(str, first['loc']))}: {first['msg']}"
        elif isinstance(err, KeyError):
            detail = f"missing field {err}"
        else:
            detail = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ValueError(f"not {what}: {detail}") from None
