"""Task files: the shipped tasks, user files, seeds and validation errors naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govworkflow.cli.main import main
from govworkflow.office.rulesets.standard import StandardSimulator, TaskFileError, load_task_file, load_tasks
from tests.office.standard.helpers import RULESET, play

EXPECTED = ["district_backlog_easy", "mixed_urgency_medium", "cross_department_hard", "district_backlog_easy_extreme"]

USER_TASK = """
[tasks.my_office]
description = "A user's office."
seed = 5
seeds = { development = { start = 0, stop = 1000 }, evaluation = { start = 5000, stop = 5100 } }
max_days = 12
scenario = "crisis"
services = ["passport", "aadhaar_card"]
arrival_rate_per_day = [1.0, 2.0]
officers = [1, 1]
reserve_officers = 1
initial_cases = [2, 2]
digital_share = 0.7
escalation_budget = 2
grade_weights = { completion = 0.5, sla_compliance = 0.5 }
"""


def test_the_shipped_tasks() -> None:
    tasks = load_tasks()
    assert list(tasks) == EXPECTED
    scenarios = {t.scenario for t in tasks.values()}
    assert scenarios == {"normal", "crisis", "extreme"}
    assert len(tasks["mixed_urgency_medium"].services) == 5
    assert len(tasks["cross_department_hard"].services) > len(tasks["mixed_urgency_medium"].services)
    assert tasks["cross_department_hard"].fairness_tolerance < tasks["district_backlog_easy"].fairness_tolerance
    assert tasks["district_backlog_easy_extreme"].services == tasks["district_backlog_easy"].services
    for t in tasks.values():
        dev, _ev = t.seeds.development, t.seeds.evaluation
        assert len(t.evaluation_seeds) >= 100
        assert not set(t.evaluation_seeds) & set(range(dev.start, dev.stop))
        assert t.seed in dev
        assert abs(sum(t.grade_weights.values()) - 1) < 1e-9


def test_tasks_json_shows_the_seed_sets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tasks", "--ruleset", "standard", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["task_id"] for r in rows] == EXPECTED
    for r in rows:
        sets = r["seed_sets"]
        assert sets["evaluation"]["stop"] - sets["evaluation"]["start"] >= 100
        assert sets["development"]["start"] == 0


def test_a_user_file_with_only_tasks(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(USER_TASK, encoding="utf-8")
    tasks = load_task_file(path)
    assert list(tasks) == ["my_office"]
    t = tasks["my_office"]
    assert t.profiles[0].field_verification_days == 14  # the shipped passport profile
    sim = play(StandardSimulator(t, 3))
    assert sim.day == 12
    assert 0 <= sim.grade().score <= 1


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("officers = [1, 1]", "officers = [1, 1, 1]", "tasks.my_office.officers: needs 2 values"),
        ("officers = [1, 1]", "officers = [1, -1]", "tasks.my_office.officers: values must be >= 0"),
        ("completion = 0.5,", "completion = 0.6,", "tasks.my_office.grade_weights: must be >= 0 and sum to 1"),
        ("completion = 0.5,", "speed = 0.5,", "tasks.my_office.grade_weights: unknown component"),
        ('"aadhaar_card"]', '"moon_licence"]', "tasks.my_office.services: no profile for ['moon_licence']"),
        ('scenario = "crisis"', 'scenario = "storm"', "tasks.my_office.scenario: unknown scenario 'storm'"),
        ("start = 5000, stop = 5100", "start = 5000, stop = 5050", "tasks.my_office.seeds.evaluation"),
        ("start = 5000, stop = 5100", "start = 500, stop = 600", "overlaps the development range"),
        ("seed = 5\n", "seed = 5000\n", "tasks.my_office.seed: 5000 is not in the development range"),
        ("max_days = 12", "max_days = 0", "tasks.my_office.max_days"),
        ("digital_share = 0.7", "digital_share = 1.7", "tasks.my_office.digital_share"),
        ("escalation_budget = 2", "escalation_budget = 2\nspeed = 3", "tasks.my_office.speed: Extra inputs"),
        ("escalation_budget = 2", "escalation_budget = 2\nanswer_delay_days = [1, 9]", "reminder_after_days"),
        ("max_days = 12", "max_days = twelve", "not valid TOML"),
    ],
)
def test_errors_name_the_field(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in USER_TASK
    path = tmp_path / "bad.toml"
    path.write_text(USER_TASK.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(TaskFileError) as err:
        load_task_file(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)
    assert isinstance(err.value, ValueError)


def test_profile_errors_name_the_service(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(USER_TASK + "\n[services.passport]\nsla_days = 0\n", encoding="utf-8")
    with pytest.raises(TaskFileError, match=r"services\.passport: sla_days"):
        load_task_file(path)


def test_escalation_is_not_a_grade_component(tmp_path: Path) -> None:
    """Grading v1 grades outcomes, never actions: a task file that weighs escalations is
    refused, naming the components there are."""
    text = USER_TASK.replace("completion = 0.5,", "completion = 0.4, escalation_effectiveness = 0.1,")
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        TaskFileError, match=r"unknown component\(s\) \['escalation_effectiveness'\]; valid: \['completion'"
    ):
        load_task_file(path)


def test_the_ruleset_registers_the_shipped_tasks() -> None:
    assert list(RULESET.tasks) == EXPECTED
