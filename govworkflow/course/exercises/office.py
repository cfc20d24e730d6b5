"""Exercises of notebooks 01-03 (the office): held-out evaluation, how episodes end, the
discounted return, an action mask built from the observation, and hand play."""

from __future__ import annotations

import math
import random
from typing import Any

from govworkflow.course.checks import exercise

RULESET, TASK = "standard", "district_backlog_easy"
#: The tasks the mask exercise is checked on (normal scenario: no officer absences).
MASK_TASKS = ("district_backlog_easy", "mixed_urgency_medium")
MEAN_SEEDS = 5


def _mean_scores() -> dict[str, float]:
    """backlog_clearance's mean score on three seed choices (held-out is the right one)."""
    from govworkflow.evaluation import run_episode
    from govworkflow.office.rulesets import get_ruleset
    from govworkflow.viz.results import eval_seeds

    rs = get_ruleset(RULESET)
    task = rs.task(TASK)
    policy = rs.policy("backlog_clearance")
    choices = {
        "held-out": eval_seeds(task, MEAN_SEEDS),
        "development": list(task.seeds.development.seeds()[:MEAN_SEEDS]),
        "default+i": [task.seed + i for i in range(MEAN_SEEDS)],
    }
    return {k: sum(run_episode(rs, TASK, policy, s).score for s in v) / MEAN_SEEDS for k, v in choices.items()}


@exercise(
    "01.held_out_mean",
    "01_quickstart.ipynb",
    f"Compute backlog_clearance's mean score over the first {MEAN_SEEDS} held-out evaluation seeds of "
    f"{TASK} under the {RULESET} rules (a float).",
    "govworkflow.viz.results.eval_seeds(task, n) gives the held-out seeds; evaluate(task_id, policy, seeds, "
    "ruleset=...) plays them.",
    lambda: _mean_scores()["held-out"],
)
def _check_mean(answer: Any) -> tuple[bool, str]:
    if isinstance(answer, bool) or not isinstance(answer, int | float):
        return False, f"expected a number (the mean score), got {answer!r}"
    means = _mean_scores()
    value = float(answer)
    if abs(value - means["held-out"]) < 5e-5:
        return True, f"{means['held-out']:.4f} over the held-out seeds: the seeds no policy was tuned on"
    for name, label in (("development", "the development seeds"), ("default+i", "task.seed + i")):
        if abs(value - means[name]) < 5e-5:
            return False, f"that is the mean over {label}; use the held-out evaluation seeds (eval_seeds)"
    return False, f"{value:.4f} is not the mean over the first {MEAN_SEEDS} held-out seeds"


def _episode_end() -> tuple[str, int]:
    from govworkflow import GovWorkflowEnv

    env = GovWorkflowEnv(TASK, ruleset=RULESET)
    env.reset()
    policy = env.ruleset.policy("advance_only")
    policy.reset(env.simulator.seed)
    result = None
    while not env.done:
        result = env.step(policy.act(env.observe(), env.simulator))
    assert result is not None
    return ("terminated" if result.terminated else "truncated"), env.simulator.steps


@exercise(
    "01.episode_end",
    "01_quickstart.ipynb",
    f"Play advance_only on {TASK} ({RULESET}, default seed) to its end. Answer (how it ended, steps): "
    "('terminated' or 'truncated', the number of steps).",
    "The last step's result says it: terminated (no work left) or truncated (the horizon reached).",
    _episode_end,
)
def _check_end(answer: Any) -> tuple[bool, str]:
    how, steps = _episode_end()
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        return False, f"expected a pair (how, steps), got {answer!r}"
    a_how, a_steps = answer
    if a_how not in ("terminated", "truncated"):
        return False, f"how: expected 'terminated' or 'truncated', got {a_how!r}"
    if a_how != how:
        why = "cases are still open when the horizon is reached" if how == "truncated" else "no work is left"
        return False, f"it was {how}: {why}"
    if a_steps != steps:
        return False, f"{how}, yes; but not after {a_steps} steps"
    return True, f"{how} after {steps} steps: a time limit, so a learner should still bootstrap the value there"


RETURN_CASES: tuple[tuple[tuple[float, ...], float], ...] = (
    ((1.0, 1.0, 1.0), 0.5),
    ((0.0, 0.0, 10.0), 0.9),
    ((2.0, -1.0, 0.5, 3.0), 1.0),
    ((5.0,), 0.0),
    ((), 0.99),
)


def _solution_return() -> Any:
    from govworkflow.course.solutions import discounted_return

    return discounted_return


@exercise(
    "02.discounted_return",
    "02_office_tour.ipynb",
    "Write discounted_return(rewards, gamma): r_0 + gamma r_1 + gamma^2 r_2 + ... of a list of rewards.",
    "Go backwards: G = 0; for r in reversed(rewards): G = r + gamma * G.",
    _solution_return,
)
def _check_return(answer: Any) -> tuple[bool, str]:
    from govworkflow.course.solutions import discounted_return

    if not callable(answer):
        return False, f"expected a function discounted_return(rewards, gamma), got {type(answer).__name__}"
    for rewards, gamma in RETURN_CASES:
        want, got = discounted_return(rewards, gamma), float(answer(list(rewards), gamma))
        if not math.isclose(got, want, abs_tol=1e-9):
            tip = " (the first reward is not discounted)" if math.isclose(got, want * gamma) and want else ""
            return False, f"rewards {list(rewards)}, gamma {gamma}: yours {got:.4f}, expected {want:.4f}{tip}"
    return True, f"right on {len(RETURN_CASES)} cases (gamma 0 keeps only the first reward, gamma 1 adds all)"


def _solution_mask() -> Any:
    from govworkflow.course.solutions import mask_from_observation

    return mask_from_observation


@exercise(
    "02.action_mask",
    "02_office_tour.ipynb",
    f"Write mask_from_observation(obs) -> 85 booleans: which macro-actions of the gym adapter "
    f"(govworkflow.gym.action_table()) are valid, from the observation alone ({RULESET} rules, tasks of "
    "the normal scenario). It is compared with the env's own mask along random episodes.",
    "Advance and mode changes are always valid. Per service: assign needs a reserve officer; a document "
    "request needs a blocked case not already awaiting an answer (missing_docs_cases); an escalation needs "
    "budget and an open case not yet escalated; a move needs an officer there; a service the task does "
    "not run is never valid.",
    _solution_mask,
)
def _check_mask(answer: Any) -> tuple[bool, str]:
    from govworkflow import GovWorkflowEnv
    from govworkflow.office.encoding import action_masks, action_table
    from govworkflow.viz.actions import valid_actions

    if not callable(answer):
        return False, f"expected a function mask_from_observation(obs), got {type(answer).__name__}"
    table = action_table()
    states = 0
    for task_id in MASK_TASKS:
        env = GovWorkflowEnv(task_id, ruleset=RULESET)
        env.reset()
        rng = random.Random(7)
        while not env.done and env.simulator.steps < 80:
            want = [bool(x) for x in action_masks(env.simulator)]
            got = [bool(x) for x in answer(env.observe())]
            if len(got) != len(want):
                return False, f"{len(got)} booleans; the adapter has {len(want)} macro-actions"
            for i, (g, w) in enumerate(zip(got, want, strict=True)):
                if g != w:
                    day = env.observe().day
                    return False, (
                        f"{task_id}, step {env.simulator.steps} (day {day}): action {i} {table[i]}: yours says "
                        f"{'valid' if g else 'invalid'}, the env {'valid' if w else 'invalid'}"
                        + ("" if w else f" ({env.why_invalid(table[i])})")
                    )
            states += 1
            env.step(rng.choice(valid_actions(env.simulator)))
    return True, f"your mask equals the env's on {states} states: MaskablePPO samples only among these actions"


def _solution_play() -> Any:
    from govworkflow.course.solutions import play_by_hand

    return play_by_hand


def _rival_score(player: Any) -> float:
    from govworkflow.evaluation import run_episode

    env = player.env
    rs = env.ruleset
    return run_episode(rs, env.task_id, rs.policy("backlog_clearance"), env.simulator.seed).score


@exercise(
    "03.beat_by_hand",
    "03_play_an_episode.ipynb",
    "Play the player's episode to its end yourself and beat backlog_clearance on the same task and seed. "
    "Answer the player: check('03.beat_by_hand', player). Auto-play steps do not count.",
    "Set a better priority mode first, chase missing documents, send the reserve where the queues are, "
    "and read the grade chart for what costs most. solution('03.beat_by_hand')(player) plays it for you.",
    _solution_play,
)
def _check_play(player: Any) -> tuple[bool, str]:
    if not hasattr(player, "auto_steps") or not hasattr(player, "env"):
        return False, f"expected the EpisodePlayer you played, got {type(player).__name__}"
    if not player.env.done:
        return False, f"the episode is not over yet (day {player.env.observe().day}): play it to its end"
    if player.auto_steps:
        return False, f"auto-play took {player.auto_steps} of the steps: only an episode you play yourself counts"
    score, rival = player.env.grade().score, _rival_score(player)
    if score <= rival:
        return False, f"{score:.4f} against backlog_clearance's {rival:.4f}: not beaten yet (Reset and try again)"
    return True, f"{score:.4f} against backlog_clearance's {rival:.4f}, every step your own"


COSTLY = frozenset({"assign_capacity", "reallocate_officers"})


@exercise(
    "03.unproductive_moves",
    "03_play_an_episode.ipynb",
    f"Under the {RULESET} rules, which action types leave an officer unproductive on the day they are "
    "taken? Answer a set of action type names (read the player's description of each action).",
    "Pick each action in the player and read the line under the picker.",
    lambda: set(COSTLY),
)
def _check_costly(answer: Any) -> tuple[bool, str]:
    from govworkflow.office.vocab import ActionType

    names = {getattr(a, "value", a) for a in answer}
    unknown = sorted(str(n) for n in names - {a.value for a in ActionType})
    if unknown:
        return False, f"not action types: {unknown}; the action types are {[a.value for a in ActionType]}"
    if names == COSTLY:
        return True, "both moves: an officer who changes desk works from the next day on"
    missing, extra = sorted(COSTLY - names), sorted(names - COSTLY)
    parts = [f"missing {missing}" if missing else "", f"{extra} cost no officer-day" if extra else ""]
    return False, "; ".join(p for p in parts if p)
