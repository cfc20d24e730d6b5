"""Per-step traces of an episode: what the charts and the episode player plot.

An ``EpisodeRecord`` keeps the actions, rewards and messages of an episode; a ``Trace``
adds what the office looked like after each step (the observation and the number of
cases at risk of missing their deadline, as the ruleset defines it:
``Simulator.at_risk_cases``). Traces are built two ways:

* ``trace(record)`` replays the record's actions from a reset with the same ruleset,
  task and seed. Replay is exact, and it is checked: a reward that differs from the
  recorded one raises ``ValueError``.
* ``Trace.start(sim)`` / ``Trace.add(sim, step)`` follow a running episode (the player
  does this), at no extra simulation cost.

Nothing here imports plotly or widgets; the simulator's fast path
(``govworkflow.evaluation.run_episode``) is not involved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from govworkflow.core.kernel import Simulator
from govworkflow.core.record import replay
from govworkflow.office.models import Action, Observation
from govworkflow.office.record import EpisodeRecord, StepRecord
from govworkflow.office.rulesets import get_ruleset
from govworkflow.office.vocab import STAGE_ORDER

__all__ = ["Trace", "TracePoint", "trace"]


@dataclass(frozen=True, slots=True)
class TracePoint:
    """The office after one step (``step == 0``: right after ``reset``)."""

    step: int
    day: int
    observation: Observation
    at_risk: int
    reward: float = 0.0
    components: tuple[float, ...] = ()
    action: Action | None = None
    valid: bool = True
    message: str = "reset"


@dataclass
class Trace:
    """An episode as a list of ``TracePoint`` (one per step, plus the reset)."""

    ruleset: str
    task_id: str
    seed: int
    component_names: tuple[str, ...]
    at_risk_rule: str = ""
    """What "at risk" means under the episode's ruleset (``Simulator.at_risk_rule``)."""
    points: list[TracePoint] = field(default_factory=list)

    # -- building ----------------------------------------------------------------------
    @classmethod
    def start(cls, sim: Simulator) -> Trace:
        """A trace whose first point is ``sim`` as it is now (normally just reset)."""
        tr = cls(sim.ruleset, sim.task.task_id, sim.seed, sim.REWARD_COMPONENTS, sim.at_risk_rule())
        tr.points.append(TracePoint(sim.steps, sim.clock, sim.observe(), sim.at_risk_cases()))
        return tr

    def add(self, sim: Simulator, step: StepRecord) -> TracePoint:
        """Append the state of ``sim`` after ``step`` (the step just taken)."""
        point = TracePoint(
            step.step,
            step.clock,
            sim.observe(),
            sim.at_risk_cases(),
            step.reward,
            step.components,
            step.action,
            step.valid,
            step.message,
        )
        self.points.append(point)
        return point

    def truncate(self, steps: int) -> None:
        """Keep the reset point and the first ``steps`` steps (after an undo)."""
        del self.points[steps + 1 :]

    # -- reading -----------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.points)

    @property
    def last(self) -> TracePoint:
        return self.points[-1]

    @property
    def services(self) -> tuple[str, ...]:
        """The task's services, in task order."""
        return tuple(q.service for q in self.points[0].observation.queues)

    @property
    def stages(self) -> tuple[str, ...]:
        """Stage names in pipeline order (ruleset-specific stages after the common ones)."""
        seen = [s.value for s in STAGE_ORDER]
        for q in self.points[0].observation.queues:
            seen += [s for s in q.stage_counts if s not in seen]
        return tuple(seen)

    def daily(self) -> list[TracePoint]:
        """The last point of each day, in day order (what day-based charts plot)."""
        by_day: dict[int, TracePoint] = {}
        for p in self.points:
            by_day[p.day] = p
        return [by_day[d] for d in sorted(by_day)]

    def steps(self) -> list[TracePoint]:
        """The points that follow a step (the reset point left out)."""
        return self.points[1:]


def trace(record: EpisodeRecord) -> Trace:
    """Replay ``record`` from a reset (``core.record.replay``) and collect a ``TracePoint``
    per step.

    Raises ``ValueError`` when a replayed reward differs from the recorded one (the
    record belongs to other rules or was edited).
    """
    traces: list[Trace] = []
    replay(
        record,
        get_ruleset(record.ruleset),
        on_start=lambda sim: traces.append(Trace.start(sim)),
        on_step=lambda sim, step: traces[0].add(sim, step),
    )
    return traces[0]
