"""A learner's policy is checked the way the evaluation plays a submitted one
(``govworkflow.core.submitted``): ``act(observation)`` with ``reset(seed)`` optional, as
``examples/my_policy.py`` is written, next to the forms accepted before (a function of
the observation, a kernel ``Policy``); and ``EXERCISES`` is complete on import."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from govworkflow import get_ruleset
from govworkflow.core.submitted import SubmittedPolicy
from govworkflow.course import check
from govworkflow.course.checks import learner_policy
from govworkflow.course.solutions import beat_backlog_policy

ROOT = Path(__file__).resolve().parents[2]
NAME = "04.beat_backlog"
#: How many exercises the course registers (00: 2, 01-05: 2 each, 07: 2, 08: 2).
N_EXERCISES = 16


def _example() -> ModuleType:
    """``examples/my_policy.py``, imported from its file."""
    spec = importlib.util.spec_from_file_location("course_test_my_policy", ROOT / "examples" / "my_policy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ObservationOnly:
    """The reference heuristic, written like examples/my_policy.py: ``act(observation)``
    only, no ``reset``, no ``name``."""

    def act(self, observation: Any) -> Any:
        return beat_backlog_policy(observation)


class PlainDicts:
    """Returns plain dicts and JSON strings, as a submitted policy may; counts its resets."""

    def __init__(self) -> None:
        self.seeds: list[int | None] = []

    def reset(self, seed: int | None = None) -> None:
        self.seeds.append(seed)

    def act(self, observation: Any) -> Any:
        action = beat_backlog_policy(observation).model_dump(mode="json", exclude_none=True)
        return json.dumps(action) if observation.day % 2 else action


class Unreadable:
    def act(self, observation: Any) -> Any:
        return {"action_type": "fly"}


@pytest.mark.slow
def test_the_example_policy_is_played_not_refused() -> None:
    fb = check(NAME, _example().ShortestSlack())
    assert "raised" not in fb.message, fb
    assert "over 10 held-out seeds" in fb.message, fb


@pytest.mark.slow
def test_the_example_policy_class_itself_is_made_and_played() -> None:
    fb = check(NAME, _example().ShortestSlack)
    assert "raised" not in fb.message and "over 10 held-out seeds" in fb.message, fb


@pytest.mark.slow
def test_an_observation_only_policy_that_wins_passes() -> None:
    fb = check(NAME, ObservationOnly())
    assert fb.passed, fb


@pytest.mark.slow
def test_dicts_and_json_strings_are_read_and_reset_gets_each_seed() -> None:
    policy = PlainDicts()
    fb = check(NAME, policy)
    assert fb.passed, fb
    assert len(policy.seeds) == 10 and all(isinstance(s, int) for s in policy.seeds), policy.seeds


def test_an_unreadable_action_names_the_policy() -> None:
    fb = check(NAME, Unreadable())
    assert not fb and "policy 'Unreadable' returned an action that cannot be read" in fb.message, fb


def test_the_adapter_is_the_submitted_one_and_kernel_policies_are_played_as_they_are() -> None:
    rs = get_ruleset("standard")
    adapted = learner_policy(_example().ShortestSlack(), rs)
    assert isinstance(adapted, SubmittedPolicy) and adapted.name == "ShortestSlack"
    kernel = rs.policy("backlog_clearance")
    assert learner_policy(kernel, rs) is kernel


@pytest.mark.slow
def test_the_forms_accepted_before_still_are() -> None:
    assert check(NAME, beat_backlog_policy).passed  # a function obs -> action
    from govworkflow.office.policies import FunctionPolicy

    assert check(NAME, FunctionPolicy("mine", beat_backlog_policy)).passed  # a kernel Policy
    fb = check(NAME, 42)
    assert not fb and "expected a function obs -> action or a policy with act(obs), got int" in fb.message


def test_exercises_are_complete_right_after_import() -> None:
    code = "import govworkflow.course as c; print(len(c.EXERCISES))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert int(out) == N_EXERCISES
    code = "from govworkflow.course import EXERCISES; print(len(EXERCISES), list(EXERCISES)[0])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.split() == [str(N_EXERCISES), "00.optimal_value"]


def test_importing_the_course_stays_light() -> None:
    code = (
        "import sys, govworkflow.course; heavy = {'torch', 'plotly', 'ipywidgets', 'gymnasium', 'numpy', 'scipy'}; "
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"
