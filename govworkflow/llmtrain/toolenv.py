"""Tool environments for training language-model agents (TRL's ``environment_factory``).

``GovWorkflowToolEnv`` (the office) and ``TriageToolEnv`` (ticket triage) have the shape
TRL's ``GRPOTrainer(environment_factory=...)`` expects:

* a constructor without arguments (the trainer builds a pool of them and reuses each);
* ``reset(**columns) -> str`` receiving one dataset row (``task``, ``seed``, ``ruleset``,
  ``max_steps``; other columns such as ``prompt`` are ignored) and returning the first
  observation as text, which the trainer appends to the prompt;
* one named, typed tool method per action, with an ``Args:`` docstring (the trainer turns
  each into a JSON schema). The office's tools have the names and arguments of the
  server's MCP tools (``docs/server.md``): ``advance_time``, ``set_priority_mode``, …;
* an action that is malformed or not allowed now raises ``InvalidToolCallError`` saying
  why and leaves the episode as it was (the trainer hands the message back to the model
  as the tool's error);
* ``get_reward()``: the grade in [0, 1] (settled once the episode has ended, provisional
  when the rollout stopped before).

Every episode's seed must be a development seed (``govworkflow.core.seeds``): ``reset``
refuses a held-out evaluation seed, and ``build_dataset`` draws development seeds only.
The actions played are kept (``actions``), so ``replay_policy`` can replay them through
the one evaluation harness (``evaluation.run.run_episode``) and give the same grade.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from govworkflow.core.errors import BadValueError, EpisodeFinishedError, GovWorkflowError, NoEpisodeError, check_count
from govworkflow.core.native import EpisodeHolder
from govworkflow.core.seeds import development_only
from govworkflow.evaluation.run import get_suite
from govworkflow.office.env import GovWorkflowEnv
from govworkflow.office.llm import render_observation
from govworkflow.office.models import Action
from govworkflow.triage.env import TriageEnv
from govworkflow.triage.models import TriageAction, TriageObservation

__all__ = [
    "ENVIRONMENTS",
    "GovWorkflowToolEnv",
    "InvalidToolCallError",
    "ReplayPolicy",
    "TriageToolEnv",
    "build_dataset",
    "replay_policy",
]


class InvalidToolCallError(GovWorkflowError, ValueError):
    """A tool call that cannot be played now; the message says why (the model reads it)."""


_OFFICE_INSTRUCTIONS = (
    "You manage a government service office. Citizens' cases queue per service; some lack documents; "
    "officers are scarce; each case has a deadline (SLA). Use the tools to manage the office: several "
    "management actions may be taken on one day, and advance_time simulates one working day (only it moves "
    "the clock). Your score rewards completed cases, met deadlines, few idle officers and fair treatment "
    "of all services. Keep calling tools until the episode ends."
)
_TRIAGE_INSTRUCTIONS = (
    "You triage a queue of tickets. Each call to work_on_ticket names the ticket the next free worker works on; "
    "finishing high-priority tickets (bugs above all) before their deadline scores best. Keep calling "
    "work_on_ticket until no tickets remain."
)


class _ToolEnv:
    """What both tool environments share: the episode, its checks, the reward."""

    SUITE_DEFAULT: str | None = None
    instructions: str = ""

    def __init__(self) -> None:
        self._env: EpisodeHolder[Any, Any] | None = None
        self.actions: list[Any] = []
        """The actions played this episode, in order (invalid calls are not played)."""
        self.tool_calls: int = 0
        """Tool calls this episode, valid or not."""
        self.invalid_calls: int = 0
        """Tool calls this episode that raised ``InvalidToolCallError``."""

    def _make(self, task: str | None, ruleset: str | None, max_steps: int | None) -> EpisodeHolder[Any, Any]:
        raise NotImplementedError

    def _render(self, obs: Any) -> str:
        raise NotImplementedError

    def reset(self, **kwargs: Any) -> str:
        """Start the episode of one dataset row (``task``, ``seed``; ``ruleset`` and
        ``max_steps`` optional; other columns are ignored) and return its observation."""
        task, seed = kwargs.get("task"), kwargs.get("seed")
        ruleset, max_steps = kwargs.get("ruleset"), kwargs.get("max_steps")
        env = self._make(task, ruleset, None if max_steps is None else check_count(max_steps, "max_steps"))
        if seed is None:
            raise BadValueError("seed: every training episode needs a development seed; got none")
        development_only([seed], env.task.seeds, f"tool environment seed of task {env.task_id!r}")
        obs = env.reset(seed=int(seed))
        self._env, self.actions, self.tool_calls, self.invalid_calls = env, [], 0, 0
        return self._render(obs)

    @property
    def env(self) -> EpisodeHolder[Any, Any]:
        """The native environment of the current episode (after ``reset``)."""
        if self._env is None:
            raise NoEpisodeError("no episode yet: call reset(task=..., seed=...) first")
        return self._env

    @property
    def done(self) -> bool:
        """True once the episode has terminated or been truncated."""
        return self._env is not None and self._env.done

    def _play(self, action: Any) -> str:
        """Check ``action``, play it, and describe the new state (or raise saying why not)."""
        self.tool_calls += 1
        env = self.env
        try:
            if env.done:
                raise EpisodeFinishedError("the episode has ended; no more actions can be played")
            why = env.why_invalid(action)
            if why is not None:
                raise InvalidToolCallError(f"{self._describe(action)} is not allowed now: {why}")
            result = env.step(action)
        except GovWorkflowError as err:
            self.invalid_calls += 1
            if isinstance(err, InvalidToolCallError):
                raise
            raise InvalidToolCallError(str(err)) from None
        self.actions.append(env.record.steps[-1].action)
        text = self._render(result.observation)
        if result.terminated or result.truncated:
            grade = env.grade()
            text += f"\nEpisode over. Score {grade.score:.3f}."
        return text

    def _describe(self, action: Any) -> str:
        return str(type(self.env).parse_action(action))

    def get_reward(self) -> float:
        """The episode's grade in [0, 1]: settled once it has ended, provisional before."""
        return float(self.env.grade().score)


class GovWorkflowToolEnv(_ToolEnv):
    """The office as tools for a language model (one episode per dataset row).

    Tools: ``advance_time``, ``set_priority_mode``, ``assign_capacity``,
    ``reallocate_officers``, ``request_missing_documents``, ``escalate_service`` — the
    office's six actions, with the MCP tools' names and arguments. Each returns the new
    observation as text; an action not allowed now raises ``InvalidToolCallError``.
    """

    instructions = _OFFICE_INSTRUCTIONS

    def _make(self, task: str | None, ruleset: str | None, max_steps: int | None) -> GovWorkflowEnv:
        return GovWorkflowEnv(task, ruleset=ruleset, max_steps=max_steps)

    def _render(self, obs: Any) -> str:
        return render_observation(obs)

    def _describe(self, action: Any) -> str:
        fields = {k: v for k, v in action.items() if v is not None}
        return f"{fields.pop('action_type')}({', '.join(f'{k}={v}' for k, v in fields.items())})"

    def advance_time(self) -> str:
        """Simulate one working day: officers work their queues, new cases arrive, deadlines pass.

        Returns:
            The office after the day, as text.
        """
        return self._play({"action_type": "advance_time"})

    def set_priority_mode(self, priority_mode: str) -> str:
        """Choose how officers pick the cases they work on each day.

        Args:
            priority_mode: One of urgent_first, oldest_first, balanced, backlog_clearance.

        Returns:
            The office after the change, as text.
        """
        return self._play({"action_type": "set_priority_mode", "priority_mode": priority_mode})

    def assign_capacity(self, service: str, officer_delta: int) -> str:
        """Move officers from the reserve to a service's queue.

        Args:
            service: The service that gets the officers (one of the services in the observation).
            officer_delta: How many reserve officers to move (at least 1, at most the reserve).

        Returns:
            The office after the move, as text.
        """
        return self._play({"action_type": "assign_capacity", "service": service, "officer_delta": officer_delta})

    def reallocate_officers(self, service: str, target_service: str, officer_delta: int) -> str:
        """Move officers from one service's queue to another's.

        Args:
            service: The service the officers leave.
            target_service: The service the officers join.
            officer_delta: How many officers to move (at least 1).

        Returns:
            The office after the move, as text.
        """
        return self._play(
            {
                "action_type": "reallocate_officers",
                "service": service,
                "target_service": target_service,
                "officer_delta": officer_delta,
            }
        )

    def request_missing_documents(self, service: str) -> str:
        """Ask the citizens of a service whose cases lack documents to send them.

        Args:
            service: The service whose missing documents are requested.

        Returns:
            The office after the request, as text.
        """
        return self._play({"action_type": "request_missing_documents", "service": service})

    def escalate_service(self, service: str) -> str:
        """Escalate a service's most pressing case (uses one of the limited escalations).

        Args:
            service: The service whose case is escalated.

        Returns:
            The office after the escalation, as text.
        """
        return self._play({"action_type": "escalate_service", "service": service})


def _render_triage(obs: TriageObservation) -> str:
    lines = [
        f"Triage task {obs.task_id}. Time {obs.time}; {obs.steps_left} steps left; "
        f"worker {obs.acting_worker} acts next; {obs.tickets_to_come} tickets still to come.",
        "Tickets (id: type, effort, priority, deadline):",
    ]
    lines += [f"  {t.ticket_id}: {t.type.value}, {t.effort}, {t.priority}, {t.deadline}" for t in obs.tickets]
    if not obs.tickets:
        lines.append("  (none waiting)")
    lines.append(f"Last action: {obs.last_action_message}")
    return "\n".join(lines)


class TriageToolEnv(_ToolEnv):
    """Ticket triage as one tool, ``work_on_ticket(ticket_id)``, for a language model.

    An id that is not among the waiting tickets raises ``InvalidToolCallError`` naming the
    valid ids (the published rules would charge it -1; here nothing is played).
    """

    instructions = _TRIAGE_INSTRUCTIONS

    def _make(self, task: str | None, ruleset: str | None, max_steps: int | None) -> TriageEnv:
        if ruleset not in (None, "triage"):
            raise BadValueError(f"ruleset: triage tasks have no ruleset {ruleset!r}; leave it out or use 'triage'")
        return TriageEnv(task, max_steps=max_steps)

    def _render(self, obs: Any) -> str:
        return _render_triage(obs)

    def work_on_ticket(self, ticket_id: str) -> str:
        """Have the next free worker work on one waiting ticket.

        Args:
            ticket_id: The id of a waiting ticket, e.g. T03.

        Returns:
            The queue after the choice, as text.
        """
        return self._play({"ticket_id": ticket_id})


#: The tool environments by name (``build_dataset(environment=...)``).
ENVIRONMENTS: dict[str, type[_ToolEnv]] = {"office": GovWorkflowToolEnv, "triage": TriageToolEnv}


def build_dataset(
    task: str | None = None,
    n_episodes: int = 64,
    *,
    environment: str = "office",
    ruleset: str | None = None,
    max_steps: int | None = None,
    first_seed: int | None = None,
) -> list[dict[str, Any]]:
    """Training rows for ``GRPOTrainer``: one per episode, each with a chat ``prompt``
    (the instructions; ``reset`` appends the first observation) and the columns ``reset``
    reads (``task``, ``seed``, ``ruleset``, ``max_steps``).

    The seeds are ``n_episodes`` consecutive development seeds of the task, from
    ``first_seed`` (default: the start of the development range); a range that reaches
    the held-out evaluation seeds is refused (``development_only``)."""
    if environment not in ENVIRONMENTS:
        raise BadValueError(f"environment: {environment!r} is not one of {sorted(ENVIRONMENTS)}")
    suite = get_suite("triage" if environment == "triage" else ruleset)
    spec = suite.task(task if task is not None else next(iter(suite.tasks)))
    n = check_count(n_episodes, "n_episodes")
    dev = spec.seeds.development
    start = dev.start if first_seed is None else int(first_seed)
    seeds = development_only(range(start, start + n), spec.seeds, "training dataset seeds")
    outside = [s for s in seeds if s not in dev]
    if outside:
        raise BadValueError(
            f"first_seed: seeds {outside[0]}..{outside[-1]} lie outside the development range "
            f"{dev.start}..{dev.stop - 1} of task {spec.task_id!r}"
        )
    prompt = [{"role": "user", "content": ENVIRONMENTS[environment].instructions + "\n\n"}]
    name = suite.name
    return [
        {"prompt": prompt, "task": str(spec.task_id), "seed": s, "ruleset": name, "max_steps": max_steps} for s in seeds
    ]


@dataclass
class ReplayPolicy:
    """A policy that plays a fixed list of actions, then ``advance_time`` (the office) or
    the first waiting ticket (triage): how a tool episode is graded by the one harness."""

    actions: Sequence[Any]
    name: str = "replay"
    description: str = "replays recorded actions"
    _next: int = field(default=0, repr=False)

    def reset(self, seed: int | None = None) -> None:
        self._next = 0

    def act(self, observation: Any, simulator: Any = None) -> Any:
        if self._next < len(self.actions):
            self._next += 1
            return self.actions[self._next - 1]
        if isinstance(observation, TriageObservation):
            return TriageAction(ticket_id=observation.tickets[0].ticket_id)
        return Action(action_type="advance_time")


def replay_policy(env: _ToolEnv) -> ReplayPolicy:
    """The actions ``env`` played this episode, as a policy for ``evaluation.run.run_episode``."""
    return ReplayPolicy(list(env.actions))
