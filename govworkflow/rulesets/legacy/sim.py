"""The legacy ruleset's simulator: the published benchmark's rules, to the letter.

Every rule here is stated in ``docs/legacy-ruleset.md``. Some look odd (backlog
clearance orders stages alphabetically; requested documents arrive at once); they are
kept because the published numbers depend on them. Improvements live in ``standard``.

Speed: per-service counters are kept up to date as cases move, so observations cost
O(services), and each case's four priority keys are cached and refreshed only when its
stage or escalation changes. A case's ``total_days`` is ``day + age0`` and its
``days_in_stage`` is ``day - stage_since``, so the end of a day touches only the cases
that fall due that day.
"""

from __future__ import annotations

import random
from heapq import nsmallest
from operator import attrgetter
from typing import ClassVar

from govworkflow.kernel import Simulator
from govworkflow.models import (
    Action,
    CaseView,
    EpisodeState,
    Grade,
    GradeComponent,
    Observation,
    ServiceQueue,
)
from govworkflow.rulesets.legacy.tasks import METRICS, LegacyTask
from govworkflow.vocab import STAGE_ORDER, ActionType

__all__ = ["COUNTERS", "REWARD_WEIGHTS", "LegacySimulator"]

STAGES: tuple[str, ...] = tuple(s.value for s in STAGE_ORDER)
SUB, DOC, FV, APP, ISS = range(5)
#: Rank of each stage's *name* in alphabetical order (the backlog_clearance quirk).
ALPHA_RANK: tuple[int, ...] = tuple(sorted(STAGES).index(s) for s in STAGES)

#: Reward weights (per unit): stage advance, completion, active case, new breach,
#: fairness excess, invalid action, idle officer-day.
REWARD_WEIGHTS: dict[str, float] = {
    "progress": 0.7,
    "completions": 4.0,
    "waiting": -0.04,
    "sla_breaches": -1.5,
    "fairness": -2.0,
    "invalid_action": -1.5,
    "idle_capacity": -0.05,
}
_W_PROG, _W_COMP, _W_WAIT, _W_SLA, _W_FAIR, _W_INV, _W_IDLE = REWARD_WEIGHTS.values()
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

_KEY_ATTR = {
    "balanced": attrgetter("k_bal"),
    "urgent_first": attrgetter("k_urg"),
    "oldest_first": attrgetter("k_old"),
    "backlog_clearance": attrgetter("k_bak"),
}
_ESCALATION_KEY = attrgetter("k_esc")
_DOCS_KEY = attrgetter("k_doc")

_ADVANCE = ActionType.ADVANCE_TIME
_SET_MODE = ActionType.SET_PRIORITY_MODE
_ASSIGN = ActionType.ASSIGN_CAPACITY
_REQUEST = ActionType.REQUEST_MISSING_DOCUMENTS
_ESCALATE = ActionType.ESCALATE_SERVICE
_REALLOCATE = ActionType.REALLOCATE_OFFICERS


class _Case:
    """One application. ``total_days == day + age0``; ``days_in_stage == day - stage_since``."""

    __slots__ = (
        "age0",
        "arrival_day",
        "breached",
        "done",
        "due_day",
        "escalated",
        "fv",
        "id",
        "k_bak",
        "k_bal",
        "k_doc",
        "k_esc",
        "k_old",
        "k_urg",
        "missing",
        "stage",
        "stage_since",
        "svc",
        "urgency",
    )  # fmt: skip

    def __init__(self, cid: str, svc: int, day: int, due: int, urgency: int,
                 missing: bool, fv: bool, age0: int) -> None:  # fmt: skip
        self.id = cid
        self.svc = svc
        self.stage = SUB
        self.arrival_day = day
        self.due_day = due
        self.urgency = urgency
        self.missing = missing
        self.fv = fv
        self.escalated = False
        self.breached = False
        self.done = False
        self.age0 = age0
        self.stage_since = -age0
        self.k_esc = (due, -urgency, -age0, cid)
        self.k_doc = (due, -urgency, cid)
        self.rekey()

    def rekey(self) -> None:
        """Refresh the cached priority keys (after a stage move or an escalation)."""
        e = not self.escalated
        d, u, a, i = self.due_day, -self.urgency, -self.age0, self.id
        self.k_bal = (e, d, u, a, i)
        self.k_urg = (e, u, d, a, i)
        self.k_old = (e, a, d, u, i)
        self.k_bak = (e, ALPHA_RANK[self.stage], d, a, i)


class LegacySimulator(Simulator):
    """One episode under the legacy rules."""

    ruleset: ClassVar[str] = "legacy"
    REWARD_COMPONENTS: ClassVar[tuple[str, ...]] = tuple(REWARD_WEIGHTS)

    def __init__(self, task: LegacyTask, seed: int, max_steps: int = 500) -> None:
        self.task = task
        self.seed = seed
        self.max_steps = max_steps
        self.rng = random.Random(seed)
        self.services: tuple[str, ...] = tuple(s.value for s in task.services)
        self.index = {s: i for i, s in enumerate(self.services)}
        n = len(self.services)
        self.sla = task.sla_days
        self.p_missing = task.p_missing_documents
        self.p_fv = task.p_field_verification
        self.threshold = (
            _DEFAULT_FAIRNESS_THRESHOLD if task.fairness_threshold is None else task.fairness_threshold
        )
        self.day = 0
        self.steps = 0
        self.terminated = False
        self.truncated = False
        self.mode = "balanced"
        self.officers: dict[str, int] = dict(zip(self.services, task.officers, strict=True))
        self.reserve = task.reserve_officers
        self.budget = task.escalation_budget
        self.last_valid = True
        self.last_message = "reset"
        self.counters = dict.fromkeys(COUNTERS, 0)
        self.next_id = 0
        self.queues: list[list[_Case]] = [[] for _ in range(n)]
        self.due: dict[int, list[_Case]] = {}
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
        for i, count in enumerate(task.initial_cases):
            for _ in range(count):
                self._new_case(i, 0)

    # -- cases -----------------------------------------------------------------------
    def _new_case(self, i: int, age_bonus: int) -> None:
        rng = self.rng
        day = self.day
        urgency = rng.randint(1, 3)
        missing = rng.random() < self.p_missing
        fv = rng.random() < self.p_fv
        self.next_id += 1
        due = day + self.sla[i]
        case = _Case(f"case-{self.next_id:05d}", i, day, due, urgency, missing, fv, age_bonus - day)
        self.queues[i].append(case)
        self.due.setdefault(due, []).append(case)
        self.stage_counts[i][SUB] += 1
        self.n_missing[i] += missing
        self.age_sum[i] += case.age0
        self.arrived[i] += 1
        self.active += 1
        c = self.counters
        c["arrived"] += 1
        if urgency == 3:
            self.n_urgent[i] += 1
            c["urgent_arrived"] += 1

    # -- one step --------------------------------------------------------------------
    def step(self, action: Action) -> tuple[float, tuple[float, ...], bool, bool]:
        self.steps += 1
        advances = completions = breaches = idle = 0
        if action.action_type is _ADVANCE:
            advances, completions, breaches, idle = self._advance_day()
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
        components = (
            _W_PROG * advances,
            _W_COMP * completions,
            _W_WAIT * self.active,
            _W_SLA * breaches,
            _W_FAIR * excess if excess > 0 else 0.0,
            0.0 if valid else _W_INV,
            _W_IDLE * idle,
        )
        reward = round(sum(components), 4)
        self.terminated = terminated = self.active == 0 and self.day > 0
        self.truncated = truncated = not terminated and (
            self.day >= self.task.max_days or self.steps >= self.max_steps
        )
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
            self.last_message = f"priority mode set to {self.mode}"
        elif t is _ASSIGN:
            s, d = a.service.value, a.officer_delta  # type: ignore[union-attr]
            self.reserve -= d  # type: ignore[operator]
            self.officers[s] = self.officers.get(s, 0) + d  # type: ignore[operator]
            self.last_message = f"assigned {d} reserve officer(s) to {s}"
        elif t is _REQUEST:
            case = target
            assert case is not None
            case.missing = False
            self.n_missing[case.svc] -= 1
            self.counters["documents_requested"] += 1
            self.counters["documents_cleared"] += 1
            self.last_message = f"documents received for {case.id}"
        elif t is _ESCALATE:
            case = target
            assert case is not None
            case.escalated = True
            case.rekey()
            self.n_escalated[case.svc] += 1
            self.budget -= 1
            self.counters["escalations_used"] += 1
            self.last_message = f"escalated {case.id}"
        elif t is _REALLOCATE:
            s, g, d = a.service.value, a.target_service.value, a.officer_delta  # type: ignore[union-attr]
            self.officers[s] -= d  # type: ignore[operator]
            self.officers[g] = self.officers.get(g, 0) + d  # type: ignore[operator]
            self.last_message = f"moved {d} officer(s) from {s} to {g}"
        return None

    def _resolve(self, a: Action) -> tuple[str | None, _Case | None]:
        """Why ``a`` is invalid now (or None), and the case it would act on. Pure."""
        t = a.action_type
        if t is _ADVANCE:
            return None, None
        if t is _SET_MODE:
            return ("set_priority_mode needs priority_mode" if a.priority_mode is None else None), None
        if t is _ASSIGN:
            if a.service is None:
                return "assign_capacity needs service", None
            d = a.officer_delta
            if d is None or d <= 0:
                return f"officer_delta must be a positive integer, got {d}", None
            if d > self.reserve:
                return f"officer_delta {d} exceeds the reserve ({self.reserve})", None
            return None, None
        if t is _REQUEST:
            if a.service is None:
                return "request_missing_documents needs service", None
            i = self.index.get(a.service.value)
            cases = [c for c in self.queues[i] if c.missing] if i is not None else []
            if not cases:
                return f"no active {a.service.value} case is missing documents", None
            return None, min(cases, key=_DOCS_KEY)
        if t is _ESCALATE:
            if self.budget <= 0:
                return "escalation budget is exhausted", None
            if a.service is not None:
                i = self.index.get(a.service.value)
                pool = self.queues[i] if i is not None else []
            else:
                pool = [c for q in self.queues for c in q]
            cid = a.case_id
            cases = [c for c in pool if not c.escalated and (cid is None or c.id == cid)]
            if not cases:
                return "no eligible case to escalate (active and not yet escalated)", None
            return None, min(cases, key=_ESCALATION_KEY)
        if t is _REALLOCATE:
            if a.service is None or a.target_service is None or a.officer_delta is None:
                return "reallocate_officers needs service, target_service and officer_delta", None
            d = a.officer_delta
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
    def _advance_day(self) -> tuple[int, int, int, int]:
        self.day = day = self.day + 1
        rate = self.task.arrival_rate_per_day
        n = int(rate)
        if self.rng.random() < rate - n:
            n += 1
        services = range(len(self.services))
        for _ in range(n):
            self._new_case(self.rng.choice(services), 1)
        key = _KEY_ATTR[self.mode]
        officers = self.officers
        counters = self.counters
        advances = completions = idle = capacity_days = 0
        for i, name in enumerate(self.services):
            cap = officers[name]
            capacity_days += cap
            queue = self.queues[i]
            if cap <= 0:
                continue
            batch = nsmallest(cap, queue, key=key) if len(queue) > cap else queue[:]
            idle += cap - len(batch)
            counts = self.stage_counts[i]
            for case in batch:
                stage = case.stage
                if case.missing and stage <= DOC:
                    continue
                advances += 1
                counts[stage] -= 1
                if stage == ISS:
                    completions += self._complete(case)
                    continue
                stage = (
                    DOC
                    if stage == SUB
                    else (FV if stage == DOC and case.fv else (APP if stage <= FV else ISS))
                )
                case.stage = stage
                case.stage_since = day
                counts[stage] += 1
                case.k_bak = (not case.escalated, ALPHA_RANK[stage], *case.k_bak[2:])
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
        return advances, completions, breaches, idle

    def _complete(self, case: _Case) -> int:
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
        rates = [c / a for c, a in zip(self.completed, self.arrived, strict=True) if a > 0]
        return round(max(rates) - min(rates), 4) if len(rates) >= 2 else 0.0

    # -- views -----------------------------------------------------------------------
    def observe(self) -> Observation:
        day = self.day
        queues = []
        for i, name in enumerate(self.services):
            n = len(self.queues[i])
            queues.append(
                ServiceQueue(
                    name,
                    n,
                    self.n_missing[i],
                    self.n_escalated[i],
                    self.n_urgent[i],
                    self.n_breached[i],
                    round((n * day + self.age_sum[i]) / n, 2) if n else 0.0,
                    dict(zip(STAGES, self.stage_counts[i], strict=True)),
                    self.officers[name],
                )
            )
        c = self.counters
        return Observation(
            "legacy",
            self.task.task_id,
            day,
            self.task.max_days,
            self.mode,
            queues,
            dict(self.officers),
            self.reserve,
            self.active,
            c["completed"],
            c["sla_breaches"],
            self.gap,
            self.budget,
            self.last_valid,
            self.last_message,
        )

    def metrics(self) -> dict[str, float]:
        """The seven grade metrics, unrounded and clamped to [0, 1]."""
        c = self.counters

        def ratio(num: float, den: float, empty: float) -> float:
            return min(1.0, max(0.0, num / den)) if den > 0 else empty

        values = (
            ratio(c["completed"], c["arrived"], 0.0),
            1.0 - ratio(c["sla_breaches"], c["arrived"], 0.0),
            ratio(c["documents_cleared"], c["documents_requested"], 1.0),
            ratio(c["urgent_completed"], c["urgent_arrived"], 1.0),
            min(1.0, max(0.0, 1.0 - self.gap)),
            1.0 - ratio(c["wasted_escalations"], c["escalations_used"], 0.0),
            1.0 - ratio(c["idle_officer_days"], c["capacity_officer_days"], 0.0),
        )
        return dict(zip(METRICS, values, strict=True))

    def grade(self) -> Grade:
        m = self.metrics()
        w = self.task.grade_weights
        score = sum(w.get(k, 0.0) * v for k, v in m.items())
        return Grade(
            ruleset="legacy",
            task_id=self.task.task_id,
            score=min(1.0, max(0.0, round(score, 4))),
            components=[
                GradeComponent(
                    name=k,
                    value=round(v, 4),
                    weight=w.get(k, 0.0),
                    contribution=round(w.get(k, 0.0) * v, 4),
                    description=_METRIC_TEXT[k],
                )
                for k, v in m.items()
            ],
            provisional=not self.done,
        )

    def state(self) -> EpisodeState:
        day = self.day
        cases = [
            CaseView(
                c.id,
                self.services[c.svc],
                STAGES[c.stage],
                c.arrival_day,
                c.due_day,
                c.urgency,
                c.missing,
                c.fv,
                c.escalated,
                day + c.age0,
                day - c.stage_since,
                c.breached,
            )
            for q in self.queues
            for c in q
        ]
        cases.sort(key=attrgetter("case_id"))
        return EpisodeState(
            ruleset="legacy",
            task_id=self.task.task_id,
            seed=self.seed,
            day=day,
            steps=self.steps,
            terminated=self.terminated,
            truncated=self.truncated,
            priority_mode=self.mode,
            officers=dict(self.officers),
            reserve_officers=self.reserve,
            escalation_budget_remaining=self.budget,
            counters=dict(self.counters),
            active_cases=cases,
        )


_METRIC_TEXT = {
    "completion_rate": "completed / arrived",
    "sla_compliance": "1 - SLA breaches / arrived (open cases count as compliant)",
    "document_rework_quality": "documents cleared / requested (1 when none requested)",
    "urgent_served_rate": "urgent completed / urgent arrived (1 when none arrived)",
    "fairness_score": "1 - gap in completion rate between services",
    "escalation_discipline": "1 - wasted escalations / escalations used (1 when none used)",
    "idle_efficiency": "1 - idle officer-days / officer-days",
}
