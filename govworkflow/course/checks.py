"""Checked exercises: ``check(name, answer)`` says whether an answer is right, and if not,
what is wrong with it (specific feedback, not only "wrong").

Each exercise is registered once with what to do, a hint, its checker and its reference
solution (``solution(name)``); the tests run every solution through its checker, and a
wrong answer too. Checkers import what they need when they run, so ``import
govworkflow.course`` stays light (it registers every exercise: ``EXERCISES`` is complete
once ``govworkflow.course`` is imported).

A learner's policy object is played the way the evaluation plays a submitted one
(``learner_policy``): ``act(observation)`` with ``reset(seed)`` optional, as
``examples/my_policy.py`` is written, or the kernel's ``Policy`` protocol.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "EXERCISES",
    "Exercise",
    "Feedback",
    "check",
    "exercise",
    "exercises_of",
    "hint",
    "learner_policy",
    "solution",
]


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ``passed`` and a message saying why (true when passed)."""

    name: str
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return f"{'✔ passed' if self.passed else '✘ not yet'} · {self.name}: {self.message}"

    __repr__ = __str__


#: A checker returns (passed, message).
Checker = Callable[[Any], tuple[bool, str]]


@dataclass(frozen=True)
class Exercise:
    """One exercise: its notebook, what to do, a hint, its checker and its solution."""

    name: str
    notebook: str
    task: str
    hint: str
    checker: Checker
    solution: Callable[[], Any]


#: Every exercise by name (``"<notebook number>.<what>"``), in the course's order.
EXERCISES: dict[str, Exercise] = {}


def exercise(
    name: str, notebook: str, task: str, hint: str, solution: Callable[[], Any]
) -> Callable[[Checker], Checker]:
    """Register the decorated checker as exercise ``name`` of ``notebook``."""

    def register(checker: Checker) -> Checker:
        if name in EXERCISES:
            raise ValueError(f"exercise {name!r} is registered twice")
        EXERCISES[name] = Exercise(name, notebook, task, hint, checker, solution)
        return checker

    return register


def _takes_a_view(act: Callable[..., Any]) -> bool:
    """Whether ``act`` can be called as the kernel calls a policy: ``act(observation, view)``."""
    try:
        inspect.signature(act).bind(None, None)
    except TypeError:
        return False
    except ValueError:  # no signature to read (a builtin): played as it is, as before
        return True
    return True


def learner_policy(answer: Any, suite: Any) -> Any:
    """The learner's policy object ``answer``, ready for ``run_episode`` on ``suite``.

    An object that follows the kernel's ``Policy`` protocol (``act(observation,
    simulator)``, ``reset(seed)`` and ``name``) is played as it is. Any other object with an
    ``act`` method is played as the evaluation plays a submitted policy, through
    ``govworkflow.core.submitted.SubmittedPolicy``: ``act(observation)``, ``reset(seed)``
    optional, its actions read by the environment's parser (``examples/my_policy.py``)."""
    from govworkflow.core.submitted import SubmittedPolicy

    if _takes_a_view(answer.act) and callable(getattr(answer, "reset", None)) and hasattr(answer, "name"):
        return answer
    return SubmittedPolicy(type(answer).__name__, answer, suite)


def _get(name: str) -> Exercise:
    from govworkflow.course import exercises  # noqa: F401 (registers them)

    if name not in EXERCISES:
        raise ValueError(f"exercise: unknown name {name!r}; the exercises are {list(EXERCISES)}")
    return EXERCISES[name]


def check(name: str, answer: Any) -> Feedback:
    """Check ``answer`` to exercise ``name``. An answer that raises while it is checked
    fails with the error (your code's bug, not the checker's)."""
    ex = _get(name)
    try:
        passed, message = ex.checker(answer)
    except Exception as err:
        return Feedback(name, False, f"your answer raised {type(err).__name__}: {err}")
    return Feedback(name, bool(passed), message)


def hint(name: str) -> str:
    """A hint for exercise ``name``."""
    return _get(name).hint


def solution(name: str) -> Any:
    """The reference solution of exercise ``name`` (what ``check`` passes)."""
    return _get(name).solution()


def exercises_of(notebook: str) -> list[Exercise]:
    """The exercises of ``notebook`` (its file name), in order."""
    from govworkflow.course import exercises  # noqa: F401 (registers them)

    return [e for e in EXERCISES.values() if e.notebook == notebook]
