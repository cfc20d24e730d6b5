"""Legacy task configuration: a validated, frozen model loaded from ``tasks.toml``."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from govworkflow.core.seeds import SeedSets
from govworkflow.office.vocab import Service

__all__ = ["DEFAULT_WEIGHTS", "LEGACY_SERVICES", "METRICS", "LegacyTask", "load_tasks"]

#: The legacy ruleset's services, in enum order (``aadhaar_card`` is standard-only).
LEGACY_SERVICES: tuple[Service, ...] = tuple(s for s in Service if s is not Service.AADHAAR_CARD)


#: The seven legacy grade metrics, in report order.
METRICS: tuple[str, ...] = (
    "completion_rate",
    "sla_compliance",
    "document_rework_quality",
    "urgent_served_rate",
    "fairness_score",
    "escalation_discipline",
    "idle_efficiency",
)

#: Weights for ``cross_department_hard`` and any task that does not set its own.
DEFAULT_WEIGHTS: dict[str, float] = {
    "completion_rate": 0.28,
    "sla_compliance": 0.24,
    "document_rework_quality": 0.16,
    "fairness_score": 0.16,
    "escalation_discipline": 0.16,
}


class LegacyTask(BaseModel):
    """One legacy task. Per-service lists follow ``services``' order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    task_id: str = Field(description="The task's id.")
    description: str = Field("", description="One line for people.")
    seed: int = Field(ge=0, description="Default seed of an episode (the published one; a development seed).")
    seeds: SeedSets = Field(description="Development and held-out evaluation seeds.")
    max_days: int = Field(gt=0, description="Horizon in days.")
    arrival_rate_per_day: float = Field(ge=0, description="New cases per day, whole office.")
    services: tuple[Service, ...] = Field(min_length=1, description="Services, in task order.")
    p_missing_documents: float = Field(ge=0, le=1, description="P(a new case lacks documents).")
    p_field_verification: float = Field(ge=0, le=1, description="P(a case needs a field visit).")
    escalation_budget: int = Field(ge=0, description="Escalations allowed per episode.")
    officers: tuple[int, ...] = Field(description="Officers per service at reset.")
    reserve_officers: int = Field(ge=0, description="Unassigned officers at reset.")
    initial_cases: tuple[int, ...] = Field(description="Backlog per service at reset.")
    sla_days: tuple[int, ...] = Field(description="Days from arrival to due day, per service.")
    fairness_threshold: float | None = Field(
        None, ge=0, le=1, description="Fairness gap tolerated before the reward penalises it."
    )

    grade_weights: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_WEIGHTS),
        description="Weight of each grade metric in the score (default: the hard task's).",
    )

    @model_validator(mode="after")
    def _check_lengths(self) -> LegacyTask:
        n = len(self.services)
        if len(set(self.services)) != n:
            raise ValueError(f"services: duplicate service in {[s.value for s in self.services]}")
        bad = [s.value for s in self.services if s not in LEGACY_SERVICES]
        if bad:
            raise ValueError(f"services: {bad} not in the legacy ruleset; valid: {[s.value for s in LEGACY_SERVICES]}")
        for name in ("officers", "initial_cases", "sla_days"):
            values = getattr(self, name)
            if len(values) != n:
                raise ValueError(f"{name}: needs {n} values (one per service), got {len(values)}")
            if any(v < 0 for v in values):
                raise ValueError(f"{name}: values must be >= 0, got {list(values)}")
        most = sum(self.initial_cases) + (int(self.arrival_rate_per_day) + 1) * self.max_days
        if most >= 100_000:
            raise ValueError(
                f"arrival_rate_per_day/max_days: up to {most} cases could be created; "
                "case ids have 5 digits, so at most 99,999 are allowed"
            )
        if self.max_days + max(self.sla_days) >= 1 << 20:
            raise ValueError("max_days + sla_days: must stay below 1,048,576 days")
        self.seeds.check_default(self.seed)
        unknown = sorted(set(self.grade_weights) - set(METRICS))
        if unknown:
            raise ValueError(f"grade_weights: unknown metric(s) {unknown}; valid: {list(METRICS)}")
        if any(w < 0 for w in self.grade_weights.values()) or abs(sum(self.grade_weights.values()) - 1) > 1e-9:
            raise ValueError(f"grade_weights: must be >= 0 and sum to 1, got {self.grade_weights}")
        return self


def _parse(data: dict[str, Any]) -> dict[str, LegacyTask]:
    return {tid: LegacyTask(task_id=tid, **fields) for tid, fields in data.items()}


def load_tasks(path: str | Path | None = None) -> dict[str, LegacyTask]:
    """Load legacy tasks from a TOML file (default: the shipped ``tasks.toml``)."""
    if path is None:
        text = resources.files(__package__).joinpath("tasks.toml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return _parse(tomllib.loads(text))
