"""The published files the notebooks read, found wherever the package is installed.

The repository keeps its results in ``data/`` (the leaderboards and training records in
``data/results/``, the LLM runner's recorded transcript in ``data/episodes/``). A
notebook copied into an empty folder (Colab, say) has no ``data/``, so the package ships
a copy of the files the notebooks read (``govworkflow/assets/results`` and
``govworkflow/assets/episodes``, package data). ``course_file`` prefers the checkout's
``data/`` when the package runs from one, so a regenerated result is read at once;
``python scripts/sync_course_data.py`` refreshes the shipped copy, and a test fails while
the two differ.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["SHIPPED", "course_file", "results_dir", "shipped_dir", "transcript_file"]

#: The files the notebooks read, by folder (relative to ``data/``), as glob patterns.
SHIPPED: dict[str, tuple[str, ...]] = {
    "results": ("leaderboard-*.json", "training-*.json", "behaviour-*.json"),
    "episodes": ("llm-test-double.json",),
}


def _checkout_data() -> Path | None:
    """``data/`` of the repository checkout the package runs from, if it does."""
    root = Path(__file__).resolve().parents[2]
    data = root / "data"
    return data if (root / "pyproject.toml").is_file() and data.is_dir() else None


def shipped_dir(folder: str) -> Path:
    """The package's copy of ``data/<folder>`` (``results`` or ``episodes``)."""
    if folder not in SHIPPED:
        raise ValueError(f"folder: {folder!r} is not shipped; shipped: {sorted(SHIPPED)}")
    return Path(str(resources.files("govworkflow") / "assets" / folder))


def course_file(folder: str, name: str) -> Path:
    """``data/<folder>/<name>`` of the checkout when there is one, else the shipped copy.

    A name the package does not ship is an error naming what it ships."""
    shipped = shipped_dir(folder)
    data = _checkout_data()
    if data is not None and (data / folder / name).is_file():
        return data / folder / name
    if (shipped / name).is_file():
        return shipped / name
    known = sorted(p.name for pattern in SHIPPED[folder] for p in shipped.glob(pattern))
    raise FileNotFoundError(f"{folder}/{name}: not in data/ nor shipped with the package; shipped: {known}")


def results_dir() -> Path:
    """The folder of the published leaderboards and training records: the checkout's
    ``data/results`` when there is one, else the copy shipped with the package."""
    data = _checkout_data()
    return data / "results" if data is not None and (data / "results").is_dir() else shipped_dir("results")


def transcript_file() -> Path:
    """The LLM runner's recorded transcript against its test double."""
    return course_file("episodes", "llm-test-double.json")
