"""Exercises of notebook 00 (ticket triage): the exact optimum by the Bellman equation,
and where earliest-deadline-first stops being optimal."""

from __future__ import annotations

from typing import Any

from govworkflow.course.checks import exercise

NOTEBOOK = "00_triage_warmup.ipynb"
#: (task, development seeds) the value exercise is checked on (one worker, every ticket at time 0).
VALUE_CASES = (("faithful_8", 2), ("overload_12", 3))
EDF_TASK, EDF_SEEDS = "overload_12", 20


def _solution_value() -> Any:
    from govworkflow.course.solutions import optimal_value

    return optimal_value


@exercise(
    "00.optimal_value",
    NOTEBOOK,
    "Write optimal_value(tickets): the best total reward one worker can earn on tickets that are all "
    "there at time 0 (env.instance.tickets), in any order. Use the Bellman equation over the set S of "
    "tickets done: V(S) = max over t not in S of [reward(t, finish) + V(S + {t})], V(all done) = 0.",
    "The clock after S is the sum of the efforts in S, so a ticket t started then finishes at clock + "
    "t.effort; govworkflow.triage.instance.ticket_reward(t, finish) is what it earns. Remember V by S "
    "(functools.cache on a frozenset or a bit mask): without memoisation 12 tickets take 12! orders.",
    _solution_value,
)
def _check_value(answer: Any) -> tuple[bool, str]:
    from govworkflow.triage import TASKS, TriageEnv

    if not callable(answer):
        return False, f"expected a function optimal_value(tickets), got {type(answer).__name__}"
    for task_id, n in VALUE_CASES:
        for seed in TASKS[task_id].seeds.take("development", n):
            env = TriageEnv(task_id, seed=seed)
            env.reset()
            best = env.oracle().value
            yours = float(answer(list(env.instance.tickets)))
            if abs(yours - best) > 1e-6:
                why = (
                    "below the best: is every remaining ticket tried from every set?"
                    if yours < best
                    else "above the best possible: is a reward counted twice, or the clock not moved on?"
                )
                return False, f"{task_id} seed {seed}: yours {yours:.2f}, the exact oracle {best:.2f} ({why})"
    cases = ", ".join(f"{t} ({n} seeds)" for t, n in VALUE_CASES)
    return True, f"equal to the exact oracle on {cases}: this is dynamic programming on the Bellman equation"


def _solution_edf() -> Any:
    from govworkflow.evaluation import evaluate
    from govworkflow.triage import TASKS

    seeds = TASKS[EDF_TASK].seeds.take("development", EDF_SEEDS)
    results = evaluate(EDF_TASK, "edf", seeds, ruleset="triage")
    return sum(r.reward_sum >= r.outcome["oracle"] - 1e-9 for r in results)


@exercise(
    "00.edf_optimal_seeds",
    NOTEBOOK,
    f"On how many of the first {EDF_SEEDS} development seeds of {EDF_TASK} does earliest deadline first "
    "('edf') earn the oracle's reward? Answer a number, computed with govworkflow.evaluation.evaluate.",
    "evaluate(task, 'edf', seeds, ruleset='triage') gives one result per seed; r.outcome['oracle'] is the "
    "oracle's value on it. Count the seeds where r.reward_sum reaches it.",
    _solution_edf,
)
def _check_edf(answer: Any) -> tuple[bool, str]:
    right = int(_solution_edf())
    if not isinstance(answer, int) or isinstance(answer, bool):
        return False, f"expected a whole number of seeds, got {answer!r}"
    if answer == right:
        return True, f"{right} of {EDF_SEEDS}: on a hard task a simple rule leaves reward on the table"
    if answer == EDF_SEEDS:
        return False, f"not all {EDF_SEEDS}: that holds on the faithful tasks; count on {EDF_TASK}"
    return False, f"{answer} is too {'high' if answer > right else 'low'}: count seeds with reward_sum >= the oracle"
