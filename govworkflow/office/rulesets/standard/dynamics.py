"""The standard office's state and its day: arrivals, external processes and officer work.

Plain Python on purpose (slotted cases, lists, integer work units): this is the hot
loop. Work is counted in hundredths of an officer-day (``UNIT`` per officer per day),
so every sum is exact and runs are bit-for-bit reproducible.

Randomness: one ``random.Random(seed)`` per episode. It is drawn *only* for exogenous
things (a day's events, a day's arrivals, a new case's attributes, including how its
applicant will answer document requests), in a fixed order that never depends on the
agent's actions. So every policy meets the same cases and events on a given seed
(common random numbers), and a look-ahead policy that restores a snapshot sees the
true future.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from math import exp

from govworkflow.office.rulesets.standard.cases import (
    APP,
    BLOCKED,
    CLEAR,
    DOC,
    DONE,
    FV,
    ISS,
    KEYS,
    STAGES_LEFT,
    SUB,
    UNIT,
    WAITING,
    Case,
)
from govworkflow.office.rulesets.standard.events import Events
from govworkflow.office.rulesets.standard.tasks import StandardTask

__all__ = ["COUNTERS", "DayStats", "Office"]

#: Episode counters (all start at 0 and never decrease).
COUNTERS: tuple[str, ...] = (
    "arrived",
    "completed",
    "completed_on_time",
    "days_in_system",
    "sla_breaches",
    "urgent_arrived",
    "urgent_on_time",
    "stage_advances",
    "documents_blocked",
    "documents_requested",
    "reminders",
    "documents_received",
    "documents_on_time",
    "escalations_used",
    "escalations_saved",
    "escalations_wasted",
    "officer_moves",
    "invalid_actions",
    "auto_advances",
    "events_started",
    "work_units_done",
    "work_units_available",
)


@dataclass(slots=True)
class DayStats:
    """What one simulated day did: the counts the day's reward terms weigh."""

    advances: int
    """Stage advances (completions included)."""
    on_time: int
    """Completions no later than the due day."""
    late: int
    """Completions after the due day."""
    breaches: int
    """Cases that breached today (still open on their due day)."""
    idle_units: int
    """Work units available but not spent on cases (reserve, just moved, idle)."""
    received: int
    """Applicant answers received."""
    wasted: int
    """Escalations found wasted (escalated at risk, breached anyway)."""


def _poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method (fine for the small daily rates used here)."""
    if lam <= 0:
        return 0
    limit = exp(-lam)
    k = 0
    p = rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


class Office:
    """The office's state and its day. ``StandardSimulator`` adds actions and views."""

    task: StandardTask
    day: int
    #: New cases arrive (the settlement after the horizon turns arrivals off).
    accepting: bool = True
    #: The day ends by recounting the views (``refresh_views``); the settlement, which
    #: nobody observes, turns this off and recounts once at its end.
    viewing: bool = True
    #: Settled in place by ``consume_grade``: past its episode, it cannot be stepped or graded again.
    consumed: bool = False

    def _init_office(self, task: StandardTask, seed: int) -> None:
        self.rng = rng = random.Random(seed)
        self.services: tuple[str, ...] = tuple(s.value for s in task.services)
        self.index = {s: i for i, s in enumerate(self.services)}
        self.n = n = len(self.services)
        self.sla = [p.sla_days for p in task.profiles]
        self.fv_days = [p.field_verification_days for p in task.profiles]
        self.p_fv = [p.p_field_verification for p in task.profiles]
        self.defect = [(p.defect_paper, p.defect_digital) for p in task.profiles]
        self.urgency_cdf = [(u[0], u[0] + u[1]) for u in task.urgency_probabilities]
        # work units per stage (field verification holds no officer)
        self.work = [
            [round(w[0] * UNIT), round(w[1] * UNIT), 0, round(w[2] * UNIT), round(w[3] * UNIT), 0]
            for w in (p.work_days for p in task.profiles)
        ]
        self.tail = [[sum(w[s + 1 :]) for s in range(6)] for w in self.work]
        self.rates = task.arrival_rate_per_day
        self.events = Events(task.events, n)
        self.officers = list(task.officers)
        self.reserve = task.reserve_officers
        self.fresh = [0] * n  # officers moved in before today's work: unproductive today
        self.budget = task.escalation_budget
        self.mode = "balanced"
        self.counters = dict.fromkeys(COUNTERS, 0)
        self.next_id = 0
        self.queues: list[list[Case]] = [[] for _ in range(n)]
        self.fv_due: dict[int, list[Case]] = {}
        self.doc_due: dict[int, list[Case]] = {}
        self.due_on: dict[int, list[Case]] = {}
        self.stage_counts = [[0] * 6 for _ in range(n)]
        self.n_requestable = [0] * n
        self.n_waiting = [0] * n
        self.n_escalated = [0] * n
        self.n_urgent = [0] * n
        self.n_breached = [0] * n
        self.arrival_sum = [0] * n
        self.arrived = [0] * n
        self.completed = [0] * n
        self.breaches = [0] * n
        self.at_risk = [0] * n
        self.backlog_units = [0] * n
        #: Open, not yet breached cases that cannot finish by their due day (privileged).
        self.late = [0] * n
        #: Open urgent cases breached or unable to finish in time (privileged).
        self.urgent_late = [0] * n
        #: Blocked cases whose turnaround is not decided yet (blocked within the target days).
        self.documents_pending = 0
        self.active = 0
        self.gap = 0.0
        for i, count in enumerate(task.initial_cases):
            oldest = int(self.sla[i] * task.initial_age_share)
            for _ in range(count):
                self._new_case(i, -rng.randint(0, oldest))

    # -- cases -----------------------------------------------------------------------
    def _new_case(self, i: int, arrival: int) -> None:
        """Create a case of service ``i``; draws a fixed pattern from the generator."""
        rng = self.rng
        task = self.task
        u = rng.random()
        lo, mid = self.urgency_cdf[i]
        urgency = 1 if u < lo else (2 if u < mid else 3)
        digital = rng.random() < task.digital_share
        p_missing = min(0.95, self.defect[i][digital] * self.events.defect_factor)
        missing = rng.random() < p_missing
        fv = rng.random() < self.p_fv[i]
        fastest, slowest = task.answer_delay_days
        delay = fastest + rng._randbelow(slowest - fastest + 1)  # type: ignore[attr-defined]  # = randint, unchecked
        ignores = 0
        while ignores < task.max_ignored_requests and rng.random() < task.p_no_answer:
            ignores += 1
        self.next_id += 1
        due = arrival + max(1, self.sla[i] - self.events.sla_cut[i])
        case = Case(self.next_id, i, arrival, due, urgency, digital, missing, fv, delay, ignores,
                    self.work[i][SUB])  # fmt: skip
        self.queues[i].append(case)
        self.due_on.setdefault(due, []).append(case)
        self.stage_counts[i][SUB] += 1
        self.arrival_sum[i] += arrival
        self.arrived[i] += 1
        self.active += 1
        c = self.counters
        c["arrived"] += 1
        if urgency == 3:
            self.n_urgent[i] += 1
            c["urgent_arrived"] += 1

    def earliest_finish(self, c: Case, day: int, privileged: bool = True) -> int:
        """The earliest day ``c`` can complete, seen at the end of ``day``.

        The public estimate (``privileged=False``, what the agent's at-risk counts use)
        assumes a blocked applicant answers as fast as possible; the privileged one (the
        grader's) knows when the answer, or the need for a reminder, will come.
        """
        st = c.stage
        e = day + STAGES_LEFT[st]
        if st == FV:
            if c.fv_ready > day + 1:
                e += c.fv_ready - day - 1
        elif c.fv and st < FV:
            e += self.fv_days[c.svc]
        if c.doc != CLEAR:
            fastest = self.task.answer_delay_days[0]
            if privileged and c.doc == WAITING:
                ready = c.ready if c.answers else c.ready + fastest
                if ready > day + 1:
                    e += ready - day - 1
            else:
                e += fastest - 1
        return e

    # -- one day ---------------------------------------------------------------------
    def _advance_day(self) -> DayStats:
        """Simulate the next day and say what it did."""
        self.day = day = self.day + 1
        rng = self.rng
        task = self.task
        counters = self.counters
        ev = self.events
        counters["events_started"] += ev.start_day(day, rng)
        # external processes: field visits end, applicants answer
        for c in self.fv_due.pop(day, ()):
            self.stage_counts[c.svc][FV] -= 1
            self.stage_counts[c.svc][APP] += 1
            c.stage = APP
            c.since = day
            self._set_work(c)
        received = 0
        target = task.document_target_days
        for c in self.doc_due.pop(day, ()):
            if c.doc != WAITING or c.ready != day:
                continue
            self.n_waiting[c.svc] -= 1
            if c.answers:
                c.doc = CLEAR
                received += 1
                if day - c.blocked_day <= target:
                    counters["documents_on_time"] += 1
            else:
                c.doc = BLOCKED
                self.n_requestable[c.svc] += 1
        counters["documents_received"] += received
        # arrivals
        if self.accepting:
            factor = ev.arrival_factor
            for i in range(self.n):
                for _ in range(_poisson(rng, self.rates[i] * factor)):
                    self._new_case(i, day)
        # officer work
        advances = on_time = late = 0
        key = KEYS[self.mode]
        absent = ev.absent
        units_done = units_available = 0
        for i in range(self.n):
            staff = self.officers[i] - absent[i]
            if staff < 0:
                staff = 0
            units_available += staff * UNIT
            cap = (staff - self.fresh[i]) * UNIT
            if cap <= 0:
                continue
            queue = self.queues[i]
            workable = [c for c in queue if c.doc == CLEAR and c.stage != FV]
            if len(workable) > 1:
                workable.sort(key=key)
            done_here = 0
            for c in workable:
                w = c.work
                if w > cap:
                    c.work = w - cap
                    units_done += cap
                    cap = 0
                    break
                cap -= w
                units_done += w
                advances += 1
                if c.stage == ISS:
                    done_here += 1
                    if self._complete(c, day):
                        on_time += 1
                    else:
                        late += 1
                else:
                    self._next_stage(c, day)
                if cap == 0:
                    break
            if done_here:
                self.queues[i] = [c for c in queue if c.stage != DONE]
        units_available += self.reserve * UNIT
        counters["work_units_done"] += units_done
        counters["work_units_available"] += units_available
        counters["stage_advances"] += advances
        # the day ends: cases still open on their due day have breached
        new_breaches = wasted = 0
        for c in self.due_on.pop(day, ()):
            if c.stage != DONE and not c.breached:
                c.breached = True
                self.n_breached[c.svc] += 1
                self.breaches[c.svc] += 1
                new_breaches += 1
                if c.esc and c.esc_at_risk:
                    wasted += 1
        counters["sla_breaches"] += new_breaches
        counters["escalations_wasted"] += wasted
        self.fresh = [0] * self.n
        if self.viewing:
            self.refresh_views()
        return DayStats(
            advances=advances,
            on_time=on_time,
            late=late,
            breaches=new_breaches,
            idle_units=units_available - units_done,
            received=received,
            wasted=wasted,
        )

    def _set_work(self, c: Case) -> None:
        w = self.work[c.svc][c.stage]
        if c.fast:
            w = max(1, round(w * self.task.escalation_work_factor))
            c.fast = False
        c.work = w

    def _next_stage(self, c: Case, day: int) -> None:
        i = c.svc
        counts = self.stage_counts[i]
        st = c.stage
        counts[st] -= 1
        if st == SUB:
            st = DOC
            if c.missing:
                c.doc = BLOCKED
                c.blocked_day = day
                self.n_requestable[i] += 1
                self.counters["documents_blocked"] += 1
        elif st == DOC:
            st = FV if c.fv else APP
        else:  # approval
            st = ISS
        c.stage = st
        c.since = day
        counts[st] += 1
        if st == FV:
            c.work = 0
            c.fv_ready = ready = day + self.fv_days[i] + 1
            self.fv_due.setdefault(ready, []).append(c)
        else:
            self._set_work(c)

    def _complete(self, c: Case, day: int) -> bool:
        """Close ``c``; True when on time (completed no later than its due day)."""
        i = c.svc
        self.stage_counts[i][ISS] -= 1
        c.stage = DONE
        self.active -= 1
        self.completed[i] += 1
        self.arrival_sum[i] -= c.arrival
        self.n_escalated[i] -= c.esc
        self.n_breached[i] -= c.breached
        counters = self.counters
        counters["completed"] += 1
        counters["days_in_system"] += day - c.arrival
        on_time = day <= c.due
        if c.urgency == 3:
            self.n_urgent[i] -= 1
            if on_time:
                counters["urgent_on_time"] += 1
        if on_time:
            counters["completed_on_time"] += 1
            if c.esc and c.esc_at_risk:
                counters["escalations_saved"] += 1
        return on_time

    def refresh_views(self) -> None:
        """Recount, in one pass over the open cases, the per-service at-risk cases (public
        slack), remaining work, cases that cannot finish in time (privileged: the grade's
        estimate) and blocked cases not yet past the document target, then the fairness
        gap. ``earliest_finish`` is inlined here, both readings at once (a test checks the
        counts against it)."""
        day = self.day
        risk = self.task.at_risk_slack_days
        fastest = self.task.answer_delay_days[0]
        target = day - self.task.document_target_days
        fv_days = self.fv_days
        pending = 0
        for i, queue in enumerate(self.queues):
            tail = self.tail[i]
            n_risk = units = late = urgent_late = 0
            for c in queue:
                st = c.stage
                units += c.work + tail[st]
                e = day + STAGES_LEFT[st]
                if st == FV:
                    if c.fv_ready > day + 1:
                        e += c.fv_ready - day - 1
                elif c.fv and st < FV:
                    e += fv_days[i]
                public = private = e
                if c.doc != CLEAR:
                    if c.blocked_day >= target:
                        pending += 1
                    public += fastest - 1
                    if c.doc == WAITING:
                        ready = c.ready if c.answers else c.ready + fastest
                        if ready > day + 1:
                            private += ready - day - 1
                    else:
                        private += fastest - 1
                if c.breached:
                    if c.urgency == 3:
                        urgent_late += 1
                    continue
                if 0 <= c.due - public <= risk:
                    n_risk += 1
                if private > c.due:
                    late += 1
                    if c.urgency == 3:
                        urgent_late += 1
            self.at_risk[i] = n_risk
            self.backlog_units[i] = units
            self.late[i] = late
            self.urgent_late[i] = urgent_late
        self.documents_pending = pending
        rates = [1 - b / a for a, b in zip(self.arrived, self.breaches, strict=True) if a > 0]
        self.gap = max(rates) - min(rates) if len(rates) >= 2 else 0.0

    def recount_late(self, i: int) -> None:
        """``late`` and ``urgent_late`` of service ``i`` again (a document request moves its
        cases' earliest finish within the day)."""
        day = self.day
        late = urgent_late = 0
        for c in self.queues[i]:
            if c.breached or self.earliest_finish(c, day) > c.due:
                late += not c.breached
                urgent_late += c.urgency == 3
        self.late[i] = late
        self.urgent_late[i] = urgent_late
