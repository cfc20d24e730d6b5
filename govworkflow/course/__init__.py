"""The notebook course: checked exercises and the data the notebooks read.

``check("04.beat_backlog", my_policy)`` checks an answer and says what is wrong with it;
``hint(name)`` and ``solution(name)`` help; ``EXERCISES`` lists them (two or more per
course notebook), all of them as soon as this package is imported. ``results_dir()`` and
``transcript_file()`` find the published files whether the package runs from the
repository or from a wheel (Colab).
"""

from __future__ import annotations

from govworkflow.course import exercises  # noqa: F401 (registers every exercise: EXERCISES is complete on import)
from govworkflow.course.checks import EXERCISES, Exercise, Feedback, check, exercises_of, hint, solution
from govworkflow.course.data import course_file, results_dir, transcript_file

__all__ = [
    "EXERCISES",
    "Exercise",
    "Feedback",
    "check",
    "course_file",
    "exercises_of",
    "hint",
    "results_dir",
    "solution",
    "transcript_file",
]
