"""The course's exercises, registered on import (``govworkflow.course.EXERCISES``), in
the course's order: 00 triage, 01-03 the office, 04-05 learning, 07 the LLM runner,
08 training an LLM agent."""

from govworkflow.course.exercises import triage, office, learning, llm, llmtrain  # noqa: I001 (the course's order)

__all__ = ["learning", "llm", "llmtrain", "office", "triage"]
