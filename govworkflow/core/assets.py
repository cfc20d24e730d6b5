"""Where the shipped models and published files live: package data found through
``importlib.resources``.

Every environment's trained models are ``govworkflow/assets/models/<ruleset>-<task>-ppo.zip``
(``triage`` is the triage suite's ruleset name), so a wheel install has them. Training
writes there in a repository checkout; ``model_dir=`` reads another folder.

The repository keeps its results in ``data/`` (leaderboards and training records in
``data/results/``, the LLM runner's recorded transcript in ``data/episodes/``); the
package ships a copy of the files the notebooks and commands read
(``govworkflow/assets/results`` and ``govworkflow/assets/episodes``). ``published_file``
prefers the checkout's ``data/`` when the package runs from one, so a regenerated result
is read at once; ``python scripts/sync_course_data.py`` refreshes the shipped copy, and a
test fails while the two differ.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from govworkflow.core.kernel import plugin

__all__ = ["MODEL_DIR", "PPO", "SHIPPED", "has_model", "model_file", "published_file", "results_dir", "shipped_dir"]

#: The models shipped in the package (``govworkflow/assets/models``).
MODEL_DIR: Traversable = resources.files("govworkflow") / "assets" / "models"


#: The factory of ``ppo``, the policy that plays these models, in every environment's
#: registry: ``govworkflow.training.policy.PPOPolicy``, imported only when asked for.
PPO = plugin("govworkflow.training.policy", "PPOPolicy")


def model_file(ruleset: str, task_id: str, model_dir: Path | Traversable = MODEL_DIR) -> Traversable:
    """Where the model of ``ruleset``/``task_id`` lives in ``model_dir`` (a ``Path`` when ``model_dir`` is one)."""
    return model_dir / f"{ruleset}-{task_id}-ppo.zip"


def has_model(ruleset: str, task_id: str, model_dir: Path | Traversable = MODEL_DIR) -> bool:
    """Whether a trained model of the task is in ``model_dir`` (default: shipped with the package)."""
    return model_file(ruleset, task_id, model_dir).is_file()


#: The published files the package ships, by folder (relative to ``data/``), as glob patterns.
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


def published_file(folder: str, name: str) -> Path:
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
