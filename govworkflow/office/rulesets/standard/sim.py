"""The standard ruleset's simulator: actions, the clock, rewards and views.

``step`` reads like the rules: apply the action (or advance the day), advance the day
by itself once the day's management actions are used up, compute the named reward
components (a ``RewardComponents`` named tuple), then the end checks. The day itself
lives in ``dynamics.Office``; grading in ``grading``; the observation in ``views``.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from govworkflow.core.errors import EpisodeFinishedError
from govworkflow.core.kernel import ConservationError
from govworkflow.office.models import Action, EpisodeState, Grade, missing_fields
from govworkflow.office.ruleset import OfficeSimulator
from govworkflow.office.rulesets.standard import grading, views
from govworkflow.office.rulesets.standard.cases import BLOCKED, DONE, FV, WAITING, Case
from govworkflow.office.rulesets.standard.dynamics import DayStats, Office
from govworkflow.office.rulesets.standard.tasks import StandardTask
from govworkflow.office.vocab import ActionType

__all__ = ["REWARD_WEIGHTS", "RewardComponents", "StandardSimulator"]


class RewardComponents(NamedTuple):
    """One step's reward, by component (the reward is their sum, rounded to 6 decimals).
    The field names are ``StandardSimulator.REWARD_COMPONENTS``."""

    progress: float
    completions: float
    waiting: float
    sla_breaches: float
    fairness: float
    invalid_action: float
    idle_capacity: float
    wasted_escalation: float
    documents: float


#: Reward weight per unit of each named component (see docs/standard-ruleset.md).
WEIGHTS = RewardComponents(
    progress=0.05,  # per stage advance
    completions=1.0,  # per on-time completion (late ones earn 0.25)
    waiting=-0.01,  # per open case at the end of a day
    sla_breaches=-1.0,  # per new breach
    fairness=-1.0,  # per unit of SLA gap above the task's tolerance, per day
    invalid_action=-0.5,  # per invalid action
    idle_capacity=-0.02,  # per officer-day not spent on cases (reserve, moved, idle)
    wasted_escalation=-0.5,  # per escalation found wasted
    documents=0.1,  # per applicant answer received
)
REWARD_WEIGHTS: dict[str, float] = WEIGHTS._asdict()
_LATE_COMPLETION = 0.25
_W = WEIGHTS
# ``__new__`` with keywords: ``RewardComponents(...)`` would pack them into a dict first.
_components = RewardComponents.__new__

_ADVANCE = ActionType.ADVANCE_TIME
_SET_MODE = ActionType.SET_PRIORITY_MODE
_ASSIGN = ActionType.ASSIGN_CAPACITY
_REQUEST = ActionType.REQUEST_MISSING_DOCUMENTS
_ESCALATE = ActionType.ESCALATE_SERVICE
_REALLOCATE = ActionType.REALLOCATE_OFFICERS


class StandardSimulator(Office, OfficeSimulator):
    """One episode under the standard rules (see ``docs/standard-ruleset.md``)."""

    ruleset: ClassVar[str] = "standard"
    REWARD_COMPONENTS: ClassVar[tuple[str, ...]] = RewardComponents._fields

    def __init__(self, task: StandardTask, seed: int, max_steps: int = 1000) -> None:
        self.task = task
        self.seed = seed
        self.max_steps = max_steps
        self.day = 0
        self.steps = 0
        self.actions_today = 0
        self.terminated = False
        self.truncated = False
        self.last_valid = True
        self.last_message = "reset"
        self._init_office(task, seed)
        self.refresh_views()

    # -- one step --------------------------------------------------------------------
    def step(self, action: Action) -> tuple[float, RewardComponents, bool, bool]:
        if self.consumed:
            raise EpisodeFinishedError(grading.CONSUMED)
        self.steps += 1
        day_stats = None
        wasted_now = 0
        if action.action_type is _ADVANCE:
            day_stats = self._advance()
            self.last_valid = True
            self.last_message = f"day {self.day} simulated"
        else:
            before = self.counters["escalations_wasted"]
            why = self._apply(action)
            wasted_now = self.counters["escalations_wasted"] - before
            self.last_valid = why is None
            if why is not None:
                self.last_message = f"invalid action: {why}"
                self.counters["invalid_actions"] += 1
            self.actions_today += 1
            if self.actions_today >= self.task.actions_per_day:
                self.counters["auto_advances"] += 1
                day_stats = self._advance()
                self.last_message += f"; no actions left today, day {self.day} simulated"
        components = self._reward(day_stats, wasted_now)
        reward = round(sum(components), 6)
        self.terminated = terminated = self.day >= self.task.max_days and self.active == 0
        self.truncated = truncated = not terminated and (self.day >= self.task.max_days or self.steps >= self.max_steps)
        return reward, components, terminated, truncated

    def _advance(self) -> DayStats:
        self.actions_today = 0
        return self._advance_day()

    def _reward(self, stats: DayStats | None, wasted_now: int) -> RewardComponents:
        invalid = 0.0 if self.last_valid else _W.invalid_action
        if stats is None:
            return _components(
                RewardComponents,
                progress=0.0,
                completions=0.0,
                waiting=0.0,
                sla_breaches=0.0,
                fairness=0.0,
                invalid_action=invalid,
                idle_capacity=0.0,
                wasted_escalation=_W.wasted_escalation * wasted_now,
                documents=0.0,
            )
        excess = self.gap - self.task.fairness_tolerance
        return _components(
            RewardComponents,
            progress=_W.progress * stats.advances,
            completions=_W.completions * (stats.on_time + _LATE_COMPLETION * stats.late),
            waiting=_W.waiting * self.active,
            sla_breaches=_W.sla_breaches * stats.breaches,
            fairness=_W.fairness * excess if excess > 0 else 0.0,
            invalid_action=invalid,
            idle_capacity=_W.idle_capacity * stats.idle_units / 100,
            wasted_escalation=_W.wasted_escalation * (stats.wasted + wasted_now),
            documents=_W.documents * stats.received,
        )

    # -- management actions ----------------------------------------------------------
    def _apply(self, a: Action) -> str | None:
        """Apply a management action; return why it is invalid (state unchanged) or None."""
        why, target = self._resolve(a)
        if why is not None:
            return why
        t = a.action_type
        if t is _SET_MODE:
            assert a.priority_mode is not None
            self.mode = a.priority_mode.value
            self.last_message = f"priority mode set to {self.mode}"
        elif t is _ASSIGN:
            assert a.service is not None
            assert a.officer_delta is not None
            i, d = self.index[a.service.value], a.officer_delta
            self.reserve -= d
            self.officers[i] += d
            self.fresh[i] += d
            self.counters["officer_moves"] += d
            self.last_message = f"assigned {d} reserve officer(s) to {a.service.value} (productive tomorrow)"
        elif t is _REQUEST:
            assert isinstance(target, list)
            self._request(target)
        elif t is _ESCALATE:
            assert isinstance(target, Case)
            self._escalate(target)
        elif t is _REALLOCATE:
            assert a.service is not None
            assert a.target_service is not None
            assert a.officer_delta is not None
            s, g, d = self.index[a.service.value], self.index[a.target_service.value], a.officer_delta
            # officers who moved in today leave first: they were already unproductive today,
            # so a same-day round trip costs one officer-day, not two
            self.officers[s] -= d
            self.fresh[s] = max(0, self.fresh[s] - d)
            self.officers[g] += d
            self.fresh[g] += d
            self.counters["officer_moves"] += d
            self.last_message = f"moved {d} officer(s) from {a.service.value} to {a.target_service.value}"
        return None

    def _request(self, cases: list[Case]) -> None:
        self._send_requests(cases)
        for i in {c.svc for c in cases}:
            self.recount_late(i)

    def _send_requests(self, cases: list[Case]) -> None:
        day = self.day
        counters = self.counters
        reminder = self.task.reminder_after_days
        for c in cases:
            c.requests += 1
            c.answers = c.requests > c.ignores
            c.ready = day + (c.answer_delay if c.answers else reminder)
            c.doc = WAITING
            self.doc_due.setdefault(c.ready, []).append(c)
            self.n_requestable[c.svc] -= 1
            self.n_waiting[c.svc] += 1
            counters["documents_requested"] += 1
            if c.requests > 1:
                counters["reminders"] += 1
        self.last_message = f"documents requested for {len(cases)} case(s): " + ", ".join(c.name for c in cases)

    def _escalate(self, c: Case) -> None:
        slack = c.due - self.earliest_finish(c, self.day, False)
        c.esc = True
        c.set_keys()
        c.esc_at_risk = at_risk = not c.breached and slack <= self.task.at_risk_slack_days
        if c.stage == FV:
            c.fast = True
        else:
            c.work = max(1, round(c.work * self.task.escalation_work_factor))
        self.n_escalated[c.svc] += 1
        self.budget -= 1
        self.counters["escalations_used"] += 1
        if not at_risk:
            self.counters["escalations_wasted"] += 1
        self.last_message = f"escalated {c.name} (slack {slack} day(s){'' if at_risk else ', not at risk'})"

    def _service(self, a: Action) -> int | None:
        return None if a.service is None else self.index.get(a.service.value)

    def _resolve(self, a: Action) -> tuple[str | None, Case | list[Case] | None]:
        """Why ``a`` is invalid now (or None), and what it would act on. Pure."""
        # A lacking field: the message names the type's fields (office.models.ACTION_FIELDS;
        # tests/office/standard/test_names.py checks that these checks match that table).
        t = a.action_type
        if t is _ADVANCE:
            return None, None
        if t is _SET_MODE:
            return (missing_fields(a) if a.priority_mode is None else None), None
        if a.service is not None and a.service.value not in self.index:
            return f"{a.service.value} is not a service of this task; valid: {list(self.services)}", None
        if t is _ASSIGN:
            d = a.officer_delta
            if a.service is None or d is None:
                return missing_fields(a), None
            if type(d) is not int or d <= 0:  # exactly an int: not a float, not a subclass
                return f"officer_delta must be a positive integer, got {d}", None
            if d > self.reserve:
                return f"officer_delta {d} exceeds the reserve ({self.reserve})", None
            return None, None
        if t is _REQUEST:
            i = self._service(a)
            if i is None:
                return missing_fields(a), None
            blocked = [c for c in self.queues[i] if c.doc == BLOCKED]
            if not blocked:
                return f"no {self.services[i]} case is blocked waiting for a document request", None
            day, earliest = self.day, self.earliest_finish
            blocked.sort(key=lambda c: (c.due - earliest(c, day, False), -c.urgency, c.id))
            return None, blocked[: self.task.document_batch]
        if t is _ESCALATE:
            if self.budget <= 0:
                return "escalation budget is exhausted", None
            i = self._service(a)
            pool = self.queues[i] if i is not None else [c for q in self.queues for c in q]
            cid = a.case_id
            cases = [c for c in pool if not c.esc and (cid is None or c.name == cid)]
            if not cases:
                if cid is not None and not any(c.name == cid for c in pool):
                    where = f" at {self.services[i]}" if i is not None else ""
                    like = pool[0].name if pool else "case-00001"
                    return f"no open case {cid!r}{where} (open cases are named like {like})", None
                return "no eligible case to escalate (open and not yet escalated)", None
            day, earliest = self.day, self.earliest_finish

            def risk(c: Case) -> tuple[bool, int, int, int]:
                slack = c.due - earliest(c, day, False)
                return (c.breached or slack < 0, slack, -c.urgency, c.id)

            return None, min(cases, key=risk)
        if t is _REALLOCATE:
            if a.service is None or a.target_service is None or a.officer_delta is None:
                return missing_fields(a), None
            if a.target_service.value not in self.index:
                return f"{a.target_service.value} is not a service of this task", None
            d = a.officer_delta
            if type(d) is not int or d <= 0:  # exactly an int: not a float, not a subclass
                return f"officer_delta must be a positive integer, got {d}", None
            if a.service == a.target_service:
                return "service and target_service must differ", None
            i = self.index[a.service.value]
            absent = self.events.absent[i]
            have = max(0, self.officers[i] - absent)  # an absent officer stays where the absence is
            if have < d:
                away = f" ({absent} absent)" if absent else ""
                return f"{a.service.value} has {have} officer(s) present{away}, fewer than {d}", None
            return None, None
        return f"unknown action type {t!r}", None  # pragma: no cover - Action validates types

    def why_invalid(self, action: Action) -> str | None:
        return self._resolve(action)[0]

    def action_facts(self) -> tuple[bool, list[bool], list[bool], list[bool]]:
        """``_resolve``'s verdicts on the one-officer macro-actions, for every service at once:
        whether the reserve has an officer to assign, and per service (task order) whether a
        document request would reach a blocked case, whether a case can be escalated, and
        whether an officer is present to be moved. Mode changes and advancing are always
        valid. ``office.encoding.action_masks`` builds the action mask from these; a test
        checks them against ``why_invalid`` action by action."""
        escalate = self.budget > 0
        queues = self.queues
        absent = self.events.absent
        officers = self.officers
        return (
            self.reserve >= 1,
            [n > 0 for n in self.n_requestable],
            [escalate and len(queues[i]) > self.n_escalated[i] for i in range(self.n)],
            [officers[i] - absent[i] >= 1 for i in range(self.n)],
        )

    # -- views -----------------------------------------------------------------------
    def observe(self) -> views.StandardObservation:
        return views.observe(self)

    def rows(self) -> list[views.QueueRow]:
        """Every service's counts as the observation reports them (``views.rows``)."""
        return views.rows(self)

    def office_row(self) -> views.OfficeRow:
        """The office-wide facts of the observation (``views.office_row``)."""
        return views.office_row(self)

    def state(self) -> EpisodeState:
        return views.state(self)

    def grade(self) -> Grade:
        return grading.grade(self)

    def consume_grade(self) -> Grade:
        """The grade, settling this simulator itself instead of a copy (it cannot be stepped
        or graded afterwards: ``EpisodeFinishedError``)."""
        return grading.grade(self, copy=False)

    def at_risk_cases(self) -> int:
        """The observation's at-risk cases, summed over services: open, not breached, with
        a public slack of at most ``at_risk_slack_days`` (``refresh_views``)."""
        return sum(self.at_risk)

    def at_risk_rule(self) -> str:
        return f"slack of at most {self.task.at_risk_slack_days} days"

    def metrics(self) -> dict[str, float]:
        """The grade components of the settled episode, unrounded (``grading.metrics``)."""
        return grading.metrics(self)

    def check_conservation(self) -> None:
        """Cases: every arrival is completed or open, per service and in total; officers:
        the task's staff and reserve, none negative (``ConservationError`` otherwise)."""
        c = self.counters
        open_by = [sum(1 for x in q if x.stage != DONE) for q in self.queues]
        problems = []
        for i, name in enumerate(self.services):
            if self.arrived[i] != self.completed[i] + open_by[i]:
                problems.append(
                    f"{name}: {self.arrived[i]} arrived != {self.completed[i]} completed + {open_by[i]} open"
                )
        if (c["arrived"], c["completed"], self.active) != (sum(self.arrived), sum(self.completed), sum(open_by)):
            problems.append(
                f"totals: arrived {c['arrived']}, completed {c['completed']}, active {self.active} do not match "
                f"the services' {sum(self.arrived)}, {sum(self.completed)}, {sum(open_by)}"
            )
        staff, start = sum(self.officers) + self.reserve, sum(self.task.officers) + self.task.reserve_officers
        if staff != start or self.reserve < 0 or min(self.officers) < 0:
            problems.append(f"officers: {self.officers} + reserve {self.reserve}, the task has {start}")
        if problems:
            raise ConservationError(f"{self.task.task_id} seed {self.seed} day {self.day}: " + "; ".join(problems))

    def running_score(self) -> float:
        """A cheap, unsettled estimate of the score now (``grading.estimate``, from counts the
        day's bookkeeping keeps): for shaping rewards step by step; the grade itself
        settles (``grade``)."""
        values = grading.estimate(self)
        weights = self.task.grade_weights
        return sum(weights.get(k, 0.0) * v for k, v in values.items())

    def open_cases(self) -> list[Case]:
        """The open cases (privileged; for tests and look-ahead policies)."""
        return [c for q in self.queues for c in q if c.stage != DONE]
