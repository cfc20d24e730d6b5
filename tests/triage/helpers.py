"""Shared helpers for the triage tests (``from tests.triage.helpers import ...``)."""

from __future__ import annotations

from hypothesis import strategies as st

from govworkflow.evaluation import EpisodeResult, run_episode
from govworkflow.triage import TASKS, TRIAGE, Instance, Ticket, TicketType, TriagePolicy, TriageTask


def make_instance(specs: list[tuple[str, int, int, int, int]], workers: int = 1, max_steps: int = 20) -> Instance:
    """An instance from ``(type, effort, priority, deadline, arrival)`` tuples, ids T01, T02, ..."""
    tickets = tuple(
        Ticket(f"T{i + 1:02d}", TicketType(kind), effort, priority, deadline, arrival)
        for i, (kind, effort, priority, deadline, arrival) in enumerate(specs)
    )
    return Instance("custom", 0, tickets, workers, max_steps)


ticket_specs = st.tuples(
    st.sampled_from([t.value for t in TicketType]),
    st.integers(1, 3),
    st.integers(1, 5),
    st.integers(0, 12),
    st.integers(0, 6),
)


@st.composite
def instances(draw: st.DrawFn, max_tickets: int = 5, max_extra_steps: int = 3) -> Instance:
    """Small random instances: arrivals, one or two workers, tight step limits (some below
    the ticket count, which truncate the episode before every ticket is worked)."""
    specs = draw(st.lists(ticket_specs, min_size=1, max_size=max_tickets))
    workers = draw(st.integers(1, 2))
    max_steps = max(1, len(specs) + draw(st.integers(-2, max_extra_steps)))
    return make_instance(specs, workers, max_steps)


def play_episode(task: str | TriageTask, policy: TriagePolicy, seed: int) -> EpisodeResult:
    """One triage episode through the one episode loop (``govworkflow.evaluation``)."""
    return run_episode(TRIAGE, task, policy, seed)


def dev_seeds(task_id: str, n: int) -> list[int]:
    """The first ``n`` development seeds of a shipped triage task."""
    return TASKS[task_id].seeds.take("development", n)
