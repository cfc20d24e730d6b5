"""Standard task configuration: validated, frozen models loaded from TOML task files.

A task file has four kinds of tables: ``[services.<name>]`` (sector profiles),
``[urgency_profiles]``, ``[scenarios.<name>]`` (events) and ``[tasks.<id>]``. A user's
file is merged over the shipped ``tasks.toml`` (its profile, urgency and scenario tables
override the shipped ones by name), so a file with only ``[tasks.*]`` tables works.
Every error names the file, the table and the field: ``tasks.my_task.officers: ...``.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from govworkflow.core.errors import GovWorkflowError
from govworkflow.core.seeds import SeedRange, SeedSets
from govworkflow.office.vocab import Service

__all__ = [
    "COMPONENTS",
    "EventSpec",
    "Scenario",
    "SeedRange",
    "SeedSets",
    "ServiceProfile",
    "StandardTask",
    "TaskFileError",
    "load_task_file",
    "load_tasks",
]

#: The grade components, in report order.
COMPONENTS: tuple[str, ...] = (
    "completion",
    "sla_compliance",
    "urgent_on_time",
    "fairness",
    "document_turnaround",
    "officer_utilisation",
)

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class TaskFileError(GovWorkflowError, ValueError):
    """A task file that cannot be read; the message names the file, table and field."""


class ServiceProfile(BaseModel):
    """A service's sector profile."""

    model_config = _FROZEN

    sla_days: int = Field(gt=0, description="Days from arrival to the due day.")
    p_missing_documents: float = Field(
        ge=0, le=1, description="Blended P(missing documents); must lie between the channel rates."
    )
    defect_digital: float = Field(ge=0, le=1, description="P(missing documents) of a digital case.")
    defect_paper: float = Field(ge=0, le=1, description="P(missing documents) of a paper case.")
    p_field_verification: float = Field(ge=0, le=1, description="P(a case needs a field visit).")
    field_verification_days: int = Field(ge=0, description="Days an inspector's visit takes.")
    urgency: str = Field(description="Name of an urgency profile (low, moderate, high).")
    work_days: tuple[float, float, float, float] = Field(
        description="Officer-days per case at submission, document verification, approval, issuance."
    )

    @model_validator(mode="after")
    def _check(self) -> ServiceProfile:
        if any(w <= 0 or w > 5 for w in self.work_days):
            raise ValueError(f"work_days: each must be in (0, 5] officer-days, got {list(self.work_days)}")
        lo, hi = sorted((self.defect_digital, self.defect_paper))
        if not lo <= self.p_missing_documents <= hi:
            raise ValueError(
                f"p_missing_documents: {self.p_missing_documents} must lie between "
                f"defect_digital and defect_paper ({lo}, {hi})"
            )
        return self


class EventSpec(BaseModel):
    """One event type of a scenario. Fields a type does not use keep their defaults."""

    model_config = _FROZEN

    p_start: float = Field(ge=0, le=1, description="Daily probability that the event starts.")
    days: tuple[int, int] = Field(description="[min, max] duration in days.")
    factor: float = Field(1.0, ge=1, le=5, description="Multiplier (arrival_surge, document_rejection).")
    officers: int = Field(1, ge=0, description="Officers absent (officer_absence).")
    sla_cut_days: int = Field(0, ge=0, description="SLA days removed from new cases (sla_tightening).")

    @model_validator(mode="after")
    def _check(self) -> EventSpec:
        if not 1 <= self.days[0] <= self.days[1]:
            raise ValueError(f"days: need 1 <= min <= max, got {list(self.days)}")
        return self


class Scenario(BaseModel):
    """The events a scenario switches on (an absent event never happens)."""

    model_config = _FROZEN

    arrival_surge: EventSpec | None = None
    officer_absence: EventSpec | None = None
    document_rejection: EventSpec | None = None
    sla_tightening: EventSpec | None = None


class StandardTask(BaseModel):
    """One standard task. Per-service lists follow ``services``' order."""

    model_config = _FROZEN

    task_id: str = Field(description="The task's id.")
    description: str = Field("", description="One line for people.")
    seed: int = Field(ge=0, description="Default seed (inside the development range).")
    seeds: SeedSets = Field(description="Development and held-out evaluation seeds.")
    max_days: int = Field(gt=0, le=365, description="Horizon in days.")
    scenario: str = Field(description="Name of the event scenario (normal, crisis, extreme).")
    services: tuple[Service, ...] = Field(min_length=1, description="Services, in task order.")
    arrival_rate_per_day: tuple[float, ...] = Field(description="Mean new cases per day, per service.")
    officers: tuple[int, ...] = Field(description="Officers per service at reset.")
    reserve_officers: int = Field(ge=0, description="Unassigned officers at reset.")
    initial_cases: tuple[int, ...] = Field(description="Backlog per service at reset.")
    digital_share: float = Field(ge=0, le=1, description="Share of cases that arrive digitally.")
    escalation_budget: int = Field(ge=0, description="Escalations allowed per episode.")
    actions_per_day: int = Field(4, ge=1, le=50, description="Management actions before the day moves.")
    document_batch: int = Field(3, ge=1, description="Cases one document request reaches.")
    answer_delay_days: tuple[int, int] = Field((1, 3), description="[min, max] days to an answer.")
    p_no_answer: float = Field(0.25, ge=0, le=0.9, description="P(an applicant ignores a request).")
    max_ignored_requests: int = Field(2, ge=0, description="At most this many requests are ignored.")
    reminder_after_days: int = Field(4, ge=1, description="Days without answer before a reminder.")
    at_risk_slack_days: int = Field(2, ge=0, description="A case is at risk with this much slack or less.")
    document_target_days: int = Field(5, ge=1, description="Turnaround target for blocked cases.")
    escalation_work_factor: float = Field(0.5, gt=0, le=1, description="Work of a fast-tracked stage.")
    fairness_tolerance: float = Field(0.10, ge=0, lt=1, description="SLA gap between services tolerated.")
    initial_age_share: float = Field(0.5, ge=0, lt=1, description="Backlog ages up to this share of SLA.")
    grade_weights: dict[str, float] = Field(description="Weight of each grade component (sum 1).")
    profiles: tuple[ServiceProfile, ...] = Field(description="Sector profiles, per service (from file).")
    urgency_probabilities: tuple[tuple[float, float, float], ...] = Field(
        description="P(urgency 1, 2, 3) per service (from its profile's urgency)."
    )
    events: Scenario = Field(description="The scenario's events (from file).")

    @model_validator(mode="after")
    def _check(self) -> StandardTask:
        n = len(self.services)
        if len(set(self.services)) != n:
            raise ValueError(f"services: duplicate service in {[s.value for s in self.services]}")
        for name in (
            "arrival_rate_per_day",
            "officers",
            "initial_cases",
            "profiles",
            "urgency_probabilities",
        ):
            values = getattr(self, name)
            if len(values) != n:
                raise ValueError(f"{name}: needs {n} values (one per service), got {len(values)}")
        for name in ("arrival_rate_per_day", "officers", "initial_cases"):
            if any(v < 0 for v in getattr(self, name)):
                raise ValueError(f"{name}: values must be >= 0, got {list(getattr(self, name))}")
        if sum(self.officers) + self.reserve_officers == 0:
            raise ValueError("officers: the office needs at least one officer (officers + reserve)")
        lo, hi = self.answer_delay_days
        if not 1 <= lo <= hi:
            raise ValueError(f"answer_delay_days: need 1 <= min <= max, got {[lo, hi]}")
        if hi > self.reminder_after_days:
            raise ValueError(
                f"reminder_after_days: must be >= the longest answer delay ({hi}), got {self.reminder_after_days}"
            )
        self.seeds.check_default(self.seed)
        unknown = sorted(set(self.grade_weights) - set(COMPONENTS))
        if unknown:
            raise ValueError(f"grade_weights: unknown component(s) {unknown}; valid: {list(COMPONENTS)}")
        w = self.grade_weights
        if any(v < 0 for v in w.values()) or abs(sum(w.values()) - 1) > 1e-9:
            raise ValueError(f"grade_weights: must be >= 0 and sum to 1, got {w}")
        return self

    @property
    def evaluation_seeds(self) -> list[int]:
        """The held-out seeds every reported number uses."""
        return list(self.seeds.evaluation.seeds())


def _where(err: ValidationError) -> str:
    """``loc: message`` per error; a validator's ``field: message`` extends the location."""
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        head, sep, rest = msg.partition(": ")
        if sep and head.isidentifier():
            loc, msg = (f"{loc}.{head}" if loc else head), rest
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def _build(data: dict[str, Any], source: str) -> dict[str, StandardTask]:
    def fail(table: str, detail: str) -> TaskFileError:
        return TaskFileError(f"{source}: {table}.{detail}")

    known = {"services", "urgency_profiles", "scenarios", "tasks"}
    extra = sorted(set(data) - known)
    if extra:
        raise TaskFileError(f"{source}: unknown table(s) {extra}; valid: {sorted(known)}")
    profiles: dict[str, ServiceProfile] = {}
    for name, fields in data.get("services", {}).items():
        try:
            Service(name)
            profiles[name] = ServiceProfile(**fields)
        except ValueError as err:
            detail = _where(err) if isinstance(err, ValidationError) else f"unknown service; valid: {list(Service)}"
            raise fail("services", f"{name}: {detail}") from None
    urgency = data.get("urgency_profiles", {})
    for name, probs in urgency.items():
        if len(probs) != 3 or any(p < 0 for p in probs) or abs(sum(probs) - 1) > 1e-9:
            raise fail("urgency_profiles", f"{name}: needs 3 probabilities summing to 1, got {probs}")
    scenarios: dict[str, Scenario] = {}
    for name, fields in data.get("scenarios", {}).items():
        try:
            scenarios[name] = Scenario(**fields)
        except ValidationError as err:
            raise fail("scenarios", f"{name}.{_where(err)}") from None
    tasks: dict[str, StandardTask] = {}
    for tid, fields in data.get("tasks", {}).items():
        fields = dict(fields)
        try:
            services = [str(s) for s in fields.get("services", [])]
            missing = [s for s in services if s not in profiles]
            if missing:
                raise fail("tasks", f"{tid}.services: no profile for {missing}; add [services.<name>] tables")
            scen = fields.get("scenario")
            if scen not in scenarios:
                raise fail("tasks", f"{tid}.scenario: unknown scenario {scen!r}; valid: {sorted(scenarios)}")
            bad = [profiles[s].urgency for s in services if profiles[s].urgency not in urgency]
            if bad:
                raise fail("tasks", f"{tid}.services: unknown urgency profile(s) {bad}; valid: {sorted(urgency)}")
            fields["profiles"] = [profiles[s] for s in services]
            fields["urgency_probabilities"] = [tuple(urgency[profiles[s].urgency]) for s in services]
            fields["events"] = scenarios[scen]
            tasks[tid] = StandardTask(task_id=tid, **fields)
        except ValidationError as err:
            raise fail("tasks", f"{tid}.{_where(err)}") from None
    return tasks


def _read(path: str | Path | None) -> tuple[dict[str, Any], str]:
    if path is None:
        text = resources.files(__package__).joinpath("tasks.toml").read_text(encoding="utf-8")
        return tomllib.loads(text), "tasks.toml"
    p = Path(path)
    try:
        return tomllib.loads(p.read_text(encoding="utf-8")), str(p)
    except tomllib.TOMLDecodeError as err:
        raise TaskFileError(f"{p}: not valid TOML: {err}") from None


def load_tasks(path: str | Path | None = None) -> dict[str, StandardTask]:
    """Standard tasks from a TOML file (default: the shipped ``tasks.toml``)."""
    data, source = _read(path)
    return _build(data, source)


def load_task_file(path: str | Path) -> dict[str, StandardTask]:
    """A user's task file, merged over the shipped profiles, urgency and scenario tables.

    Only the user's own ``[tasks.*]`` are returned.
    """
    base, _ = _read(None)
    data, source = _read(path)
    merged = {key: {**base.get(key, {}), **data.get(key, {})} for key in ("services", "urgency_profiles", "scenarios")}
    merged["tasks"] = data.get("tasks", {})
    extra = sorted(set(data) - {*merged, "tasks"})
    if extra:
        merged.update({k: data[k] for k in extra})
    return _build(merged, source)
