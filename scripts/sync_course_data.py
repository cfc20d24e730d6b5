#!/usr/bin/env python
"""Copy the published files the notebooks read from ``data/`` into the package.

Usage::

    python scripts/sync_course_data.py [--check]

The files are ``govworkflow.course.data.SHIPPED`` (the leaderboards, the training records
and the LLM transcript); the package ships them as ``govworkflow/assets/<folder>/`` so a
notebook outside the repository reads the same numbers. ``--check`` changes nothing and
exits 1 when a copy is missing, stale or left over.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govworkflow.course.data import SHIPPED  # noqa: E402 (after the path is set)


def differences() -> list[tuple[str, Path | None, Path]]:
    """(what, source, copy) for every copy that is missing, stale or left over."""
    out: list[tuple[str, Path | None, Path]] = []
    for folder, patterns in SHIPPED.items():
        source_dir, copy_dir = ROOT / "data" / folder, ROOT / "govworkflow" / "assets" / folder
        sources = {p.name: p for pattern in patterns for p in source_dir.glob(pattern)}
        copies = {p.name: p for p in copy_dir.glob("*.json")}
        for name, src in sorted(sources.items()):
            copy = copy_dir / name
            if name not in copies:
                out.append(("missing", src, copy))
            elif copy.read_bytes() != src.read_bytes():
                out.append(("stale", src, copy))
        out += [("left over", None, copies[n]) for n in sorted(set(copies) - set(sources))]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report differences, change nothing")
    args = parser.parse_args(argv)
    found = differences()
    for what, src, copy in found:
        print(f"{what}: {copy.relative_to(ROOT)}")
        if args.check:
            continue
        if src is None:
            copy.unlink()
        else:
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, copy)
    if args.check and found:
        print("run: python scripts/sync_course_data.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
