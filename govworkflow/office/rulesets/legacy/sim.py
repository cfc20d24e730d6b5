"""The legacy ruleset's simulator: the published benchmark's rules, to the letter.

Every rule here is stated in ``docs/legacy-ruleset.md``. Some look odd (backlog
clearance orders stages alphabetically; requested documents arrive at once); they are
kept because the published numbers depend on them. Improvements live in ``standard``.

Speed: per-service counters are kept up to date as cases move, so observations cost
O(services), and unchanged services' views are reused (``legacy.views``); each case caches its priority key
under the current mode, refreshed only when the mode, its stage or its escalation
changes. A case's ``total_days`` is ``day + age0`` and its
``days_in_stage`` is ``day - stage_since``, so the end of a day touches only the cases
that fall due that day. Results travel by name: ``RewardComponents`` is a named tuple;
``DayStats`` and the observations are filled field by field (fast: see ``office.models``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from operator import attrgetter
from typing import ClassVar, NamedTuple

from govworkflow.office.models import (
    Action,
    EpisodeState,
    Grade,
    Observation,
    ServiceQueue,
    missing_fields,
)
from govworkflow.office.ruleset import OfficeSimulator
from govworkflow.office.rulesets.legacy import views
from govworkflow.office.rulesets.legacy.cases import (
    APP,
    DOC,
    FV,
    ISS,
    PRIORITY_KEY,
    RESTAGE,
    SUB,
    Case,
    case_id,
    documents_key,
    escalation_key,
    key_backlog_clearance,
)
from govworkflow.office.rulesets.legacy.grading import legacy_grade, legacy_metrics
from govworkflow.office.rulesets.legacy.tasks import LegacyTask
from govworkflow.office.vocab import ActionType

__all__ = ["AT_RISK_DAYS", "COUNTERS", "REWARD_WEIGHTS", "DayStats", "LegacySimulator", "RewardComponents"]

#: A legacy case is *at risk* when it is open, not yet breached, and due within this many days.
AT_RISK_DAYS = 2


class RewardComponents(NamedTuple):
    """One step's reward, by component (the reward is their sum, rounded to 4 decimals).
    The field names are ``LegacySimulator.REWARD_COMPONENTS``."""

    progress: float
    completions: float
    waiting: float
    sla_breaches: float
    fairness: float
    invalid_action: float
    idle_capacity: float


@dataclass(slots=True)
class DayStats:
    """What one simulated day did: the counts the day's reward terms weigh."""

    advances: int
    completions: int
    breaches: int
    idle: int


#: The reward weight per unit of each component.
WEIGHTS = RewardComponents(
    progress=0.7,  # per stage advance
    completions=4.0,  # per completion
    waiting=-0.04,  # per active case, every step
    sla_breaches=-1.5,  # per new breach
    fairness=-2.0,  # per unit of fairness gap above the threshold, every step
    invalid_action=-1.5,  # per invalid action
    idle_capacity=-0.05,  # per idle officer-day
)
REWARD_WEIGHTS: dict[str, float] = WEIGHTS._asdict()
_W_PROGRESS = WEIGHTS.progress
_W_COMPLETIONS = WEIGHTS.completions
_W_WAITING = WEIGHTS.waiting
_W_SLA_BREACHES = WEIGHTS.sla_breaches
_W_FAIRNESS = WEIGHTS.fairness
_W_INVALID = WEIGHTS.invalid_action
_W_IDLE = WEIGHTS.idle_capacity
_DEFAULT_FAIRNESS_THRESHOLD = 0.40

#: The episode counters that ``state()`` reports (all start at 0 and never decrease).
COUNTERS: tuple[str, ...] = (
    "arrived",
    "completed",
    "sla_breaches",
    "invalid_actions",
    "documents_requested",
    "documents_cleared",
    "urgent_arrived",
    "urgent_completed",
    "escalations_used",
    "wasted_escalations",
    "idle_officer_days",
    "capacity_officer_days",
    "stage_advances",
)

#: The stage after each stage, indexed by [stage][needs field verification].
_NEXT_STAGE = ((DOC, DOC), (APP, FV), (APP, APP), (ISS, ISS))

_KEY = attrgetter("key")
_NO_DAY = DayStats(advances=0, completions=0, breaches=0, idle=0)  # steps that pass no day; never mutated
# Built by name without ``type.__call__``, which packs keywords into a dict (2-3 times the
# cost of a positional call): the reward components through ``__new__``; day stats and
# observations are blank instances (``_new``) filled field by field (see ``office.models``).
_new = object.__new__
_components = RewardComponents.__new__

_ADVANCE = ActionType.ADVANCE_TIME
_SET_MODE = ActionType.SET_PRIORITY_MODE
_ASSIGN = ActionType.ASSIGN_CAPACITY
_REQUEST = ActionType.REQUEST_MISSING_DOCUMENTS
_ESCALATE = ActionType.ESCALATE_SERVICE
_REALLOCATE = ActionType.REALLOCATE_OFFICERS


class LegacySimulator(OfficeSimulator):
    """One episode under the legacy rules."""

    ruleset: ClassVar[str] = "legacy"
    REWARD_COMPONENTS: ClassVar[tuple[str, ...]] = RewardComponents._fields

    def __init__(self, task: LegacyTask, seed: int, max_steps: int = 500) -> None:
        self.task = task
        self.seed = seed
        self.max_steps = max_steps
        self.max_days = task.max_days
        self.rng = random.Random(seed)
        self.services: tuple[str, ...] = tuple(s.value for s in task.services)
        self.index = {s: i for i, s in enumerate(self.services)}
        n = len(self.services)
        self.sla = task.sla_days
        self.p_missing = task.p_missing_documents
        self.p_fv = task.p_field_verification
        self.threshold = _DEFAULT_FAIRNESS_THRESHOLD if task.fairness_threshold is None else task.fairness_threshold
        self.day = 0
        self.steps = 0
        self.terminated = False
        self.truncated = False
        self.mode = "balanced"
        self.keyfn = PRIORITY_KEY[self.mode]
        self.officers: dict[str, int] = dict(zip(self.services, task.officers, strict=True))
        self.reserve = task.reserve_officers
        self.budget = task.escalation_budget
        self.last_valid = True
        self.last_message = "reset"
        self.counters = dict.fromkeys(COUNTERS, 0)
        self.next_id = 0
        self.queues: list[list[Case]] = [[] for _ in range(n)]
        self.due: dict[int, list[Case]] = {}
        self.stage_counts = [[0] * 5 for _ in range(n)]
        self.n_missing = [0] * n
        self.n_escalated = [0] * n
        self.n_urgent = [0] * n
        self.n_breached = [0] * n
        self.age_sum = [0] * n
        self.arrived = [0] * n
        self.completed = [0] * n
        self.active = 0
        self.gap = 0.0
        self._views: list[ServiceQueue | None] = [None] * n
        for i, count in enumerate(task.initial_cases):
            self._arrive(count, i)

    # -- cases -----------------------------------------------------------------------
    def _arrive(self, count: int, service: int | None = None) -> None:
        """Create ``count`` cases: of ``service`` (the initial backlog, arrival day 0 and
        ``age0 = 0``), or, when ``service`` is None, today's arrivals, each first drawing
        its service (``age0 = 1 - day``, as arrivals are one day older at day's end)."""
        rng = self.rng
        # CPython draws randint(1, 3) - 1 and choice(range(k)) as "getrandbits(k.bit_length())
        # until below k"; inlined here without the layers of argument checks (a test pins
        # the equivalence against randint and choice).
        bits, rand = rng.getrandbits, rng.random
        p_missing, p_fv, sla, keyfn = self.p_missing, self.p_fv, self.sla, self.keyfn
        day, due_lists, c = self.day, self.due, self.counters
        age0 = 0 if service is not None else 1 - day
        n_services = len(self.services)
        k_services = n_services.bit_length()
        for _ in range(count):
            if service is None:
                i = bits(k_services)
                while i >= n_services:
                    i = bits(k_services)
            else:
                i = service
            urgency = bits(2)
            while urgency >= 3:
                urgency = bits(2)
            urgency += 1
            missing = rand() < p_missing
            fv = rand() < p_fv
            self.next_id = num = self.next_id + 1
            due = day + sla[i]
            case = Case(num, i, day, due, urgency, missing, fv, age0)
            case.key = keyfn(case)
            self.queues[i].append(case)
            bucket = due_lists.get(due)
            if bucket is None:
                due_lists[due] = [case]
            else:
                bucket.append(case)
            self.stage_counts[i][SUB] += 1
            if missing:
                self.n_missing[i] += 1
            self.age_sum[i] += age0
            self.arrived[i] += 1
            if urgency == 3:
                self.n_urgent[i] += 1
                c["urgent_arrived"] += 1
        self.active += count
        c["arrived"] += count

    # -- one step --------------------------------------------------------------------
    def step(self, action: Action) -> tuple[float, RewardComponents, bool, bool]:
        self.steps += 1
        stats = _NO_DAY
        if action.action_type is _ADVANCE:
            stats = self._advance_day()
            why = None
            self.last_message = f"day {self.day} simulated"
        else:
            why = self._apply(action)
        valid = why is None
        self.last_valid = valid
        if not valid:
            self.last_message = f"invalid action: {why}"
            self.counters["invalid_actions"] += 1
        excess = self.gap - self.threshold
        components = _components(
            RewardComponents,
            progress=_W_PROGRESS * stats.advances,
            completions=_W_COMPLETIONS * stats.completions,
            waiting=_W_WAITING * self.active,
            sla_breaches=_W_SLA_BREACHES * stats.breaches,
            fairness=_W_FAIRNESS * excess if excess > 0 else 0.0,
            invalid_action=0.0 if valid else _W_INVALID,
            idle_capacity=_W_IDLE * stats.idle,
        )
        reward = round(sum(components), 4)
        self.terminated = terminated = self.active == 0 and self.day > 0
        self.truncated = truncated = not terminated and (self.day >= self.max_days or self.steps >= self.max_steps)
        return reward, components, terminated, truncated

    def _apply(self, a: Action) -> str | None:
        """Apply a management action; return why it is invalid (state unchanged) or None."""
        why, target = self._resolve(a)
        if why is not None:
            if a.action_type is _ESCALATE:
                self.counters["wasted_escalations"] += 1
            return why
        t = a.action_type
        if t is _SET_MODE:
            self.mode = a.priority_mode.value  # type: ignore[union-attr]
            if self.keyfn is not PRIORITY_KEY[self.mode]:
                self.keyfn = keyfn = PRIORITY_KEY[self.mode]
                for q in self.queues:
                    for c in q:
                        c.key = keyfn(c)
            self.last_message = f"priority mode set to {self.mode}"
        elif t is _ASSIGN:
            s, d = a.service.value, a.officer_delta  # type: ignore[union-attr]
            self.reserve -= d  # type: ignore[operator]
            self.officers[s] = self.officers.get(s, 0) + d  # type: ignore[operator]
            self._touch(s)
            self.last_message = f"assigned {d} reserve officer(s) to {s}"
        elif t is _REQUEST:
            case = target
            assert case is not None
            case.missing = False
            self.n_missing[case.svc] -= 1
            self._views[case.svc] = None
            self.counters["documents_requested"] += 1
            self.counters["documents_cleared"] += 1
            self.last_message = f"documents received for {case_id(case.num)}"
        elif t is _ESCALATE:
            case = target
            assert case is not None
            case.escalated = True
            case.key = self.keyfn(case)
            self.n_escalated[case.svc] += 1
            self._views[case.svc] = None
            self.budget -= 1
            self.counters["escalations_used"] += 1
            self.last_message = f"escalated {case_id(case.num)}"
        elif t is _REALLOCATE:
            s, g, d = a.service.value, a.target_service.value, a.officer_delta  # type: ignore[union-attr]
            self.officers[s] -= d  # type: ignore[operator]
            self.officers[g] = self.officers.get(g, 0) + d  # type: ignore[operator]
            self._touch(s)
            self._touch(g)
            self.last_message = f"moved {d} officer(s) from {s} to {g}"
        return None

    def _touch(self, service: str) -> None:
        i = self.index.get(service)
        if i is not None:
            self._views[i] = None

    def _resolve(self, a: Action) -> tuple[str | None, Case | None]:
        """Why ``a`` is invalid now (or None), and the case it would act on. Pure."""
        # A lacking field: the message names the type's fields (office.models.ACTION_FIELDS;
        # tests/office/standard/test_names.py checks that these checks match that table).
        t = a.action_type
        if t is _ADVANCE:
            return None, None
        if t is _SET_MODE:
            return (missing_fields(a) if a.priority_mode is None else None), None
        if t is _ASSIGN:
            d = a.officer_delta
            if a.service is None or d is None:
                return missing_fields(a), None
            if d <= 0:
                return f"officer_delta must be a positive integer, got {d}", None
            if d > self.reserve:
                return f"officer_delta {d} exceeds the reserve ({self.reserve})", None
            return None, None
        if t is _REQUEST:
            if a.service is None:
                return missing_fields(a), None
            i = self.index.get(a.service.value)
            cases = [c for c in self.queues[i] if c.missing] if i is not None else []
            if not cases:
                return f"no active {a.service.value} case is missing documents", None
            return None, min(cases, key=documents_key)
        if t is _ESCALATE:
            if self.budget <= 0:
                return "escalation budget is exhausted", None
            if a.service is not None:
                i = self.index.get(a.service.value)
                pool = self.queues[i] if i is not None else []
            else:
                pool = [c for q in self.queues for c in q]
            cid = a.case_id
            cases = [c for c in pool if not c.escalated and (cid is None or case_id(c.num) == cid)]
            if not cases:
                return "no eligible case to escalate (active and not yet escalated)", None
            return None, min(cases, key=escalation_key)
        if t is _REALLOCATE:
            d = a.officer_delta
            if a.service is None or a.target_service is None or d is None:
                return missing_fields(a), None
            if d <= 0:
                return f"officer_delta must be a positive integer, got {d}", None
            if a.service == a.target_service:
                return "service and target_service must differ", None
            have = self.officers.get(a.service.value, 0)
            if have < d:
                return f"{a.service.value} has {have} officer(s), fewer than {d}", None
            return None, None
        return f"unknown action type {t!r}", None  # pragma: no cover - Action validates types

    def why_invalid(self, action: Action) -> str | None:
        return self._resolve(action)[0]

    # -- one day ---------------------------------------------------------------------
    def _advance_day(self) -> DayStats:
        self.day = day = self.day + 1
        self._views = [None] * len(self.services)
        rate = self.task.arrival_rate_per_day
        n = int(rate)
        if self.rng.random() < rate - n:
            n += 1
        self._arrive(n)
        key = _KEY
        restage = self.keyfn is key_backlog_clearance  # the only key that holds the stage
        officers = self.officers
        counters = self.counters
        advances = completions = idle = capacity_days = 0
        complete = self._complete
        for queue, counts, name in zip(self.queues, self.stage_counts, self.services):  # noqa: B905
            cap = officers[name]
            capacity_days += cap
            if cap <= 0:
                continue
            if len(queue) <= cap:
                batch = queue[:]
            elif cap == 1:
                batch = [min(queue, key=key)]
            else:
                batch = sorted(queue, key=key)[:cap]
            idle += cap - len(batch)
            for case in batch:
                stage = case.stage
                if case.missing and stage <= DOC:
                    continue
                advances += 1
                counts[stage] -= 1
                if stage == ISS:
                    completions += complete(case)
                    continue
                new = _NEXT_STAGE[stage][case.fv]
                case.stage = new
                case.stage_since = day
                counts[new] += 1
                if restage:
                    case.key += RESTAGE[stage][new]
        breaches = 0
        for case in self.due.pop(day - 1, ()):
            if not case.done and not case.breached:
                case.breached = True
                self.n_breached[case.svc] += 1
                breaches += 1
        counters["sla_breaches"] += breaches
        counters["stage_advances"] += advances
        counters["idle_officer_days"] += idle
        counters["capacity_officer_days"] += capacity_days
        self.gap = self._fairness_gap()
        stats = _new(DayStats)
        stats.advances = advances
        stats.completions = completions
        stats.breaches = breaches
        stats.idle = idle
        return stats

    def _complete(self, case: Case) -> int:
        i = case.svc
        case.done = True
        self.queues[i].remove(case)
        self.active -= 1
        self.completed[i] += 1
        self.age_sum[i] -= case.age0
        self.n_escalated[i] -= case.escalated
        self.n_breached[i] -= case.breached
        c = self.counters
        c["completed"] += 1
        if case.urgency == 3:
            self.n_urgent[i] -= 1
            c["urgent_completed"] += 1
        return 1

    def _fairness_gap(self) -> float:
        rates = [c / a for c, a in zip(self.completed, self.arrived) if a > 0]  # noqa: B905
        return round(max(rates) - min(rates), 4) if len(rates) >= 2 else 0.0

    # -- views (``legacy.views``) -------------------------------------------------------
    def observe(self) -> Observation:
        return views.observe(self)

    def metrics(self) -> dict[str, float]:
        """The seven grade metrics, clamped to [0, 1] and rounded to 4 decimals (``legacy_metrics``)."""
        return legacy_metrics(self.counters, self.gap)

    def grade(self) -> Grade:
        natural_end = self.terminated or self.day >= self.max_days  # not the step cap
        return legacy_grade(self.task, self.metrics(), provisional=not natural_end)

    def at_risk_cases(self) -> int:
        """Open cases not yet breached whose due day is at most ``AT_RISK_DAYS`` away (the
        published rules define no "at risk"; this is the legacy ruleset's own, for charts)."""
        horizon = self.day + AT_RISK_DAYS
        return sum(1 for q in self.queues for c in q if not c.breached and c.due_day <= horizon)

    def at_risk_rule(self) -> str:
        return f"due within {AT_RISK_DAYS} days"

    def state(self) -> EpisodeState:
        return views.state(self)
