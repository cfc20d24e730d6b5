"""The one episode loop: run any suite's policies over episodes and collect results.

``run_episode`` plays one episode of any ``Suite`` (the office's rulesets, ticket triage)
on the simulator's fast path, no record kept; ``evaluate`` plays a policy over seeds.
Leaderboards of every environment, the CLI and figures are built on these two.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from govworkflow.core.errors import UnknownNameError, check_seeds
from govworkflow.core.kernel import Policy, PublicView, Suite, is_privileged
from govworkflow.office.rulesets import RULESETS, get_ruleset

#: The triage suite's name (its module is imported on first use: it needs numpy).
TRIAGE_NAME = "triage"

__all__ = ["EpisodeResult", "evaluate", "get_suite", "run_episode", "suite_names"]


def get_suite(name: str | None = None) -> Suite:
    """The suite called ``name``: an office ruleset (default: the package default) or ``triage``."""
    if name == TRIAGE_NAME:
        from govworkflow.triage.suite import TRIAGE

        return TRIAGE
    if name is None or name in RULESETS:
        return get_ruleset(name)
    raise UnknownNameError("ruleset", name, suite_names())


def suite_names() -> list[str]:
    """The names ``get_suite`` accepts (office rulesets registered at run time included)."""
    return [*RULESETS, TRIAGE_NAME]


@dataclass(frozen=True)
class EpisodeResult:
    """One finished episode, as ``govworkflow evaluate --json`` prints it.

    ``outcome`` holds the environment's own counts (``Simulator.outcome``): the office's
    ``completed`` and ``backlog``; triage's ``worked``, ``on_time``, ``oracle``, ``floor``.
    Each is also an attribute (``result.completed``). ``reward_sum`` is rounded to 4
    decimals, as the published tables print it.
    """

    task_id: str
    ruleset: str
    policy: str
    seed: int
    score: float
    steps: int
    reward_sum: float
    metrics: dict[str, float]
    outcome: dict[str, float]
    terminated: bool
    truncated: bool
    faithful: bool = True
    """The episode the policy played matched the replay of its actions (False: something
    changed the simulator it was given; the result is the replay's all the same)."""
    provisional: bool = False
    """The grade was taken before the episode's natural end (a step cap cut it: the
    ``Grade``'s own flag)."""

    def __getattr__(self, name: str) -> float:
        outcome = self.__dict__.get("outcome", {})
        if name in outcome:
            value: float = outcome[name]
            return value
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (``dataclasses.asdict``'s, without its deep copies:
        the two mappings hold numbers, so a copy of each is enough)."""
        out = {f.name: getattr(self, f.name) for f in _FIELDS}
        out["metrics"] = dict(self.metrics)
        out["outcome"] = dict(self.outcome)
        return out


_FIELDS = fields(EpisodeResult)


def run_episode(
    suite: Suite | str,
    task_id: Any,
    policy: Policy,
    seed: int | None = None,
    max_steps: int | None = None,
) -> EpisodeResult:
    """Play one episode of ``policy`` to its end, then grade the replay of its actions.

    The policy gets its observation and a ``PublicView`` of the simulator (the simulator
    itself only if it declares ``privileged``). Its actions are recorded and replayed on a
    fresh simulator of the same task, seed and cap, whose books are checked
    (``Simulator.check_conservation``); the result is the replay's, so nothing a policy
    does to what it was given can change its grade (``faithful`` says whether the two
    episodes agreed). The simulator's fast path, no episode record."""
    suite = get_suite(suite) if isinstance(suite, str) else suite
    sim = suite.make(task_id, seed, max_steps)
    policy.reset(sim.seed)
    given = sim if is_privileged(policy) else PublicView(sim)
    act, step, observe = policy.act, sim.step, sim.observe
    # every action is read again by the environment's parser (an Action is validated anew
    # from its plain form, so one built around the validators is read like any input)
    canonical = suite.parse_action or (lambda action: action)
    actions: list[Any] = []
    played = actions.append
    while True:
        action = canonical(act(observe(), given))
        played(action)
        _, _, terminated, truncated = step(action)
        if terminated or truncated:
            break
    # the grade is the replay's: a fresh simulator, the recorded actions, the books checked
    fresh = suite.make(task_id, seed, max_steps)
    reward_sum = 0.0
    for action in actions:
        reward, _, terminated, truncated = fresh.step(action)
        reward_sum += reward
    fresh.check_conservation()
    faithful = (fresh.steps, fresh.clock, fresh.outcome()) == (sim.steps, sim.clock, sim.outcome())
    sim = fresh
    outcome = sim.outcome()
    grade = sim.consume_grade()  # the replay is not read again
    return EpisodeResult(
        task_id=sim.task.task_id,
        ruleset=suite.name,
        policy=policy.name,
        seed=sim.seed,
        score=grade.score,
        steps=sim.steps,
        reward_sum=round(reward_sum, 4),
        metrics=grade.metrics,
        outcome=outcome,
        terminated=terminated,
        truncated=truncated,
        faithful=faithful,
        provisional=grade.provisional,
    )


def evaluate(
    task_id: Any,
    policy: str,
    seeds: Iterable[int] | None = None,
    ruleset: str | None = None,
    max_steps: int | None = None,
) -> list[EpisodeResult]:
    """One result per seed (default: the task's own seed) of ``policy`` on ``task_id`` of
    suite ``ruleset`` (an office ruleset, default the package's, or ``triage``)."""
    suite = get_suite(ruleset)
    task = suite.task(task_id)
    pol = suite.policy(policy)
    seed_list = check_seeds(seeds) if seeds is not None else [task.seed]
    return [run_episode(suite, task, pol, s, max_steps) for s in seed_list]
