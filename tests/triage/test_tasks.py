"""Task files: validation that names the bad field, seed sets, and docs that match the code."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from govworkflow.triage import POLICIES, TASKS, TriageEnv, load_tasks
from govworkflow.triage.sim import TriageSimulator

DOCS = Path(__file__).resolve().parents[2] / "docs" / "triage.md"

GOOD = """
[t]
seed = 0
n_tickets = 5
deadline_from = "running_time"
slack = [3, 8]
seeds = { development = { start = 0, stop = 100 }, evaluation = { start = 1000, stop = 1100 } }
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tasks.toml"
    path.write_text(text)
    return path


def test_a_good_file_loads(tmp_path: Path) -> None:
    assert load_tasks(write(tmp_path, GOOD))["t"].n_tickets == 5


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("n_tickets = 5", "n_tickets = 13", "n_tickets"),
        ("slack = [3, 8]", "slack = [8, 3]", "slack"),
        ("start = 1000, stop = 1100", "start = 1000, stop = 1050", "at least 100"),
        ("start = 1000, stop = 1100", "start = 50, stop = 150", "overlap"),
        ("seed = 0", "seed = 5000", "not in the development range"),
        ('deadline_from = "running_time"', 'deadline_from = "later"', "deadline_from"),
        ("seed = 0", "seed = 0\nworkers = 3", "workers"),
        ("seed = 0", "seed = 0\ncolour = 1", "colour"),
        ("seed = 0", "seed = 0\ninitial_tickets = 2", "initial_tickets"),
    ],
)
def test_bad_task_fields_are_named(tmp_path: Path, old: str, new: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment) as exc:
        load_tasks(write(tmp_path, GOOD.replace(old, new)))
    assert "'t'" in str(exc.value)


def test_seed_sets_are_disjoint_and_large_enough() -> None:
    for task in TASKS.values():
        dev, ev = set(task.seeds.range("dev")), set(task.seeds.range("eval"))
        assert len(ev) >= 100
        assert not dev & ev
        assert task.seed in dev


def test_docs_name_every_task_policy_and_reward_component() -> None:
    text = DOCS.read_text()
    for name in [*TASKS, *POLICIES, *TriageSimulator.REWARD_COMPONENTS]:
        assert f"`{name}`" in text, name


def test_env_docstring_matches_the_code() -> None:
    doc = inspect.getdoc(TriageEnv) or ""
    for component in TriageSimulator.REWARD_COMPONENTS:
        assert f"``{component}``" in doc
    assert all(task.max_steps == 20 for task in TASKS.values())
    assert "(20) steps" in doc
