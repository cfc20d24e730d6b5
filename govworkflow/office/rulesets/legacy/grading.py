"""The legacy grader: seven metrics, each in [0, 1], weighted per task."""

from __future__ import annotations

from collections.abc import Mapping

from govworkflow.core.grading import clamp01, make_grade, ratio
from govworkflow.office.models import Grade
from govworkflow.office.rulesets.legacy.tasks import LegacyTask

__all__ = ["METRIC_TEXT", "legacy_grade", "legacy_metrics"]

METRIC_TEXT = {
    "completion_rate": "completed / arrived",
    "sla_compliance": "1 - SLA breaches / arrived (open cases count as compliant)",
    "document_rework_quality": "documents cleared / requested (1 when none requested)",
    "urgent_served_rate": "urgent completed / urgent arrived (1 when none arrived)",
    "fairness_score": "1 - gap in completion rate between services",
    "escalation_discipline": "1 - wasted escalations / escalations used (1 when none used)",
    "idle_efficiency": "1 - idle officer-days / officer-days",
}


def legacy_metrics(c: Mapping[str, int], fairness_gap: float) -> dict[str, float]:
    """The seven metrics from the episode counters, each clamped to [0, 1] and rounded to
    4 decimals before the score weighs them (as the published grader does: a score from
    unrounded metrics differs in the fourth decimal on about one seed in eight), in
    ``METRICS`` order (the order the score sums them in)."""
    return {
        "completion_rate": _bounded(ratio(c["completed"], c["arrived"], 0.0)),
        "sla_compliance": _bounded(1.0 - ratio(c["sla_breaches"], c["arrived"], 0.0)),
        "document_rework_quality": _bounded(ratio(c["documents_cleared"], c["documents_requested"], 1.0)),
        "urgent_served_rate": _bounded(ratio(c["urgent_completed"], c["urgent_arrived"], 1.0)),
        "fairness_score": _bounded(1.0 - fairness_gap),
        "escalation_discipline": _bounded(1.0 - ratio(c["wasted_escalations"], c["escalations_used"], 0.0)),
        "idle_efficiency": _bounded(1.0 - ratio(c["idle_officer_days"], c["capacity_officer_days"], 0.0)),
    }


def _bounded(value: float) -> float:
    return round(clamp01(value), 4)


def legacy_grade(task: LegacyTask, metrics: Mapping[str, float], *, provisional: bool) -> Grade:
    """The task's weighted score with every metric in the breakdown (weight 0 if unused)."""
    return make_grade("legacy", task.task_id, metrics, task.grade_weights, METRIC_TEXT, provisional=provisional)
