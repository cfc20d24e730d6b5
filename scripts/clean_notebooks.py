#!/usr/bin/env python
"""Strip outputs, execution counts and widget state from notebooks before committing.

Usage::

    python scripts/clean_notebooks.py [--check] [NOTEBOOK ...]   # default: notebooks/*.ipynb

Kept: cells, their ids and tags, and the kernel spec. Removed: outputs, execution counts,
widget state, papermill and editor metadata. ``--check`` changes nothing and exits 1 when
a notebook is not clean (for CI and pre-commit).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

KEEP_NOTEBOOK_METADATA = ("kernelspec",)
KEEP_CELL_METADATA = ("tags",)


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` without outputs, execution counts, widget state or foreign metadata."""
    meta = {k: nb.metadata[k] for k in KEEP_NOTEBOOK_METADATA if k in nb.metadata}
    meta["language_info"] = {"name": nb.metadata.get("language_info", {}).get("name", "python")}
    nb.metadata = nbformat.NotebookNode(meta)
    for cell in nb.cells:
        cell.metadata = nbformat.NotebookNode({k: cell.metadata[k] for k in KEEP_CELL_METADATA if cell.metadata.get(k)})
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def text_of(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="report unclean notebooks, change nothing")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(Path(__file__).resolve().parent.parent.glob("notebooks/*.ipynb"))
    dirty = []
    for path in paths:
        before = path.read_text(encoding="utf-8")
        after = text_of(clean(nbformat.reads(before, as_version=4)))
        if after != before:
            dirty.append(path)
            if not args.check:
                path.write_text(after, encoding="utf-8")
    for path in dirty:
        print(f"{'not clean' if args.check else 'cleaned'}: {path}")
    return 1 if args.check and dirty else 0


if __name__ == "__main__":
    sys.exit(main())
