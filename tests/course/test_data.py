"""The published files the notebooks read: the checkout's data/ when there is one, else the
copies shipped in the package; an unknown name or folder is an error naming what exists."""

from __future__ import annotations

import json

import pytest

from govworkflow.core import assets
from govworkflow.course import data
from tests.notebooks.support import ROOT


def test_a_checkout_reads_its_own_data() -> None:
    assert data.results_dir() == ROOT / "data" / "results"
    assert data.transcript_file() == ROOT / "data" / "episodes" / "llm-test-double.json"


def test_without_a_checkout_the_shipped_copies_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assets, "_checkout_data", lambda: None)  # as in a wheel install
    shipped = ROOT / "govworkflow" / "assets"
    assert data.results_dir() == shipped / "results"
    assert data.transcript_file() == shipped / "episodes" / "llm-test-double.json"
    doc = json.loads(data.course_file("results", "leaderboard-standard.json").read_text())
    assert doc["ruleset"] == "standard" and doc["rows"]


def test_an_unknown_file_or_folder_is_named() -> None:
    with pytest.raises(
        FileNotFoundError, match=r"results/nope.json: not in data/ nor shipped.*leaderboard-legacy.json"
    ):
        data.course_file("results", "nope.json")
    with pytest.raises(ValueError, match=r"folder: 'models' is not shipped; shipped: \['episodes', 'results'\]"):
        data.shipped_dir("models")
