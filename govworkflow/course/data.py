"""The published files the notebooks read, found wherever the package is installed.

A notebook copied into an empty folder (Colab, say) has no ``data/``, so the package ships
a copy of the files the notebooks read; ``govworkflow.core.assets`` finds them (the
checkout's ``data/`` first), and this module names them for the course.
"""

from __future__ import annotations

from pathlib import Path

from govworkflow.core.assets import SHIPPED, published_file, results_dir, shipped_dir

__all__ = ["SHIPPED", "course_file", "results_dir", "shipped_dir", "transcript_file"]

#: ``data/<folder>/<name>`` of the checkout, else the shipped copy (``core.assets.published_file``).
course_file = published_file


def transcript_file() -> Path:
    """The LLM runner's recorded transcript against its test double."""
    return course_file("episodes", "llm-test-double.json")
