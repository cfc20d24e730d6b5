"""The standard grader, v1: what happened to the citizens, every case's eventual outcome.

Outcomes, never actions: no component credits an action for itself (an escalation, a
request, a move is worth what it changes in the citizens' outcomes and in the office's
use of its officers). Every case's eventual outcome counts: the grade is computed on a
*settled* copy of the episode (``settle``):

1. the rest of the horizon is played with no agent (the office runs as the agent left
   it: staffing, mode, pending requests; arrivals and events as the seed draws them), so
   a grade taken mid-episode, or of an episode cut by a step cap, is the grade of "the
   agent stops acting now", comparable with a final one, and flagged provisional;
2. after the last day the office keeps working, with no agent and no new arrivals, until
   every case that arrived within the horizon is completed or past its due day (at most
   the longest SLA of the task, ``SETTLE_LIMIT_DAYS`` as a guard).

The episode's random generator is drawn only for exogenous things in a fixed order, so
the settled future is the same for every policy on a seed (common random numbers).

Formulas (``docs/standard-ruleset.md`` explains each choice), on the settled copy;
"horizon" counts are those at the end of the last day:

* completion = cases completed by the end of the horizon / cases arrived
* sla_compliance = 1 - cases that eventually breached / cases arrived
* urgent_on_time = urgent cases eventually completed on time / urgent cases arrived (1 when none)
* fairness = 1 - max(0, gap - tolerance) / (1 - tolerance), gap = max - min over services
  (with arrivals) of eventual per-service SLA compliance
* document_turnaround = blocked cases answered within the target days / blocked cases
  decided (answered, or blocked longer than the target), 1 when none
* officer_utilisation = officer-days of work done / officer-days available, over the
  horizon (staff present, reserve included)

``estimate`` is a cheap, unsettled reading of the same components on the current state
(open cases that cannot finish in time count as breached): a shaping signal for rewards
(``StandardSimulator.running_score``), never a reported grade.
"""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING

from govworkflow.core.errors import EpisodeFinishedError
from govworkflow.core.grading import clamp01 as _clip
from govworkflow.core.grading import make_grade
from govworkflow.office.models import Grade
from govworkflow.office.rulesets.standard.cases import DONE

if TYPE_CHECKING:
    from govworkflow.office.rulesets.standard.sim import StandardSimulator

__all__ = ["DESCRIPTIONS", "SETTLE_LIMIT_DAYS", "VERSION", "estimate", "grade", "metrics", "settle"]

#: The grader's version (``docs/standard-ruleset.md``, Version history).
VERSION = 1
#: A guard on the settlement's length after the horizon (it ends by the latest due day).
SETTLE_LIMIT_DAYS = 400
CONSUMED = (
    "this simulator was settled by consume_grade(), which played it past its episode: it cannot be "
    "graded or stepped again (grade() grades a copy and leaves the simulator as it was)"
)

DESCRIPTIONS: dict[str, str] = {
    "completion": "cases completed by the end of the horizon / cases arrived",
    "sla_compliance": "1 - cases that eventually breached their SLA / cases arrived (settled after the horizon)",
    "urgent_on_time": "urgent cases eventually completed on time / urgent cases arrived",
    "fairness": "1 - excess gap in eventual SLA compliance between services over the tolerance",
    "document_turnaround": "blocked cases answered within the target days / blocked cases decided",
    "officer_utilisation": "officer-days of work done / officer-days available, over the horizon",
}


def settle(sim: StandardSimulator, copy: bool = True) -> tuple[StandardSimulator, dict[str, int]]:
    """A settled copy of ``sim`` (``sim`` itself is not touched; with ``copy=False``, ``sim``
    itself is settled: for a simulator nobody reads again) and the counters as they stood
    at the end of the horizon. Nobody observes the settled days, so the day's views are
    recounted once, at the end (``Office.viewing``)."""
    if sim.consumed:
        raise EpisodeFinishedError(CONSUMED)
    s: StandardSimulator = pickle.loads(pickle.dumps(sim, protocol=pickle.HIGHEST_PROTOCOL)) if copy else sim
    s.consumed = not copy
    s.viewing = False
    last = s.task.max_days
    while s.day < last:  # the agent stops acting: the rest of the horizon runs by itself
        s._advance_day()
    horizon = dict(s.counters)
    s.accepting = False  # after the horizon: no new arrivals, the office works off what it has
    latest = max((c.due for q in s.queues for c in q if c.stage != DONE and not c.breached), default=s.day)
    if latest - s.day > SETTLE_LIMIT_DAYS:  # pragma: no cover - due days are arrival + SLA
        raise RuntimeError(f"settlement would run {latest - s.day} days, more than {SETTLE_LIMIT_DAYS}")
    while s.day < latest:
        s._advance_day()
    s.viewing = True
    s.refresh_views()
    return s, horizon


def metrics(sim: StandardSimulator, copy: bool = True) -> dict[str, float]:
    """The six components of the settled episode, unrounded, each in [0, 1] (``copy``:
    as ``settle``'s)."""
    s, horizon = settle(sim, copy)
    task = s.task
    c = s.counters
    arrived = c["arrived"]
    completion = horizon["completed"] / arrived if arrived else 0.0
    sla = 1 - c["sla_breaches"] / arrived if arrived else 0.0
    urgent = c["urgent_on_time"] / c["urgent_arrived"] if c["urgent_arrived"] else 1.0
    rates = [1 - b / a for a, b in zip(s.arrived, s.breaches, strict=True) if a > 0]
    fairness = _fairness(rates, task.fairness_tolerance)
    documents = _documents(s)
    available = horizon["work_units_available"]
    utilisation = horizon["work_units_done"] / available if available else 0.0
    return {  # in COMPONENTS order: the order the score sums them in
        "completion": _clip(completion),
        "sla_compliance": _clip(sla),
        "urgent_on_time": _clip(urgent),
        "fairness": _clip(fairness),
        "document_turnaround": _clip(documents),
        "officer_utilisation": _clip(utilisation),
    }


def _fairness(rates: list[float], tol: float) -> float:
    gap = max(rates) - min(rates) if len(rates) >= 2 else 0.0
    return 1 - max(0.0, gap - tol) / (1 - tol)


def _documents(s: StandardSimulator) -> float:
    """Blocked cases answered within the target / blocked cases decided (1 when none);
    undecided: still blocked, blocked within the target days (``documents_pending``)."""
    c = s.counters
    decided = c["documents_blocked"] - s.documents_pending
    return c["documents_on_time"] / decided if decided > 0 else 1.0


def estimate(sim: StandardSimulator) -> dict[str, float]:
    """The components read on the current state, unsettled and cheap (open cases that
    cannot finish by their due day count as breached, from the simulator's ``late`` and
    ``urgent_late`` counts): for shaping rewards only."""
    task = sim.task
    c = sim.counters
    doomed = sim.late
    arrived = c["arrived"]
    breached = c["sla_breaches"] + sum(doomed)
    urgent_completed_late = c["urgent_arrived"] - c["urgent_on_time"] - sum(sim.n_urgent)
    urgent_lost = urgent_completed_late + sum(sim.urgent_late)
    available = c["work_units_available"]
    rates = [1 - (b + d) / a for a, b, d in zip(sim.arrived, sim.breaches, doomed, strict=True) if a > 0]
    return {
        "completion": _clip(c["completed"] / arrived if arrived else 0.0),
        "sla_compliance": _clip(1 - breached / arrived if arrived else 0.0),
        "urgent_on_time": _clip(1 - urgent_lost / c["urgent_arrived"] if c["urgent_arrived"] else 1.0),
        "fairness": _clip(_fairness(rates, task.fairness_tolerance)),
        "document_turnaround": _clip(_documents(sim)),
        "officer_utilisation": _clip(c["work_units_done"] / available if available else 0.0),
    }


def grade(sim: StandardSimulator, copy: bool = True) -> Grade:
    """The grade of the settled episode: score, breakdown; provisional before the horizon's
    end (a grade taken mid-episode, or of an episode cut by a step cap). ``copy=False``
    settles ``sim`` itself (``Simulator.consume_grade``)."""
    provisional = sim.day < sim.task.max_days
    return make_grade(
        "standard", sim.task.task_id, metrics(sim, copy), sim.task.grade_weights, DESCRIPTIONS, provisional=provisional
    )
