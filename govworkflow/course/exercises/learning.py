"""Exercises of notebooks 04 (a heuristic that beats the baseline on held-out seeds, a
paired comparison) and 05 (PPO's advantage estimate and clipped objective)."""

from __future__ import annotations

import math
import random
from typing import Any

from govworkflow.course.checks import exercise, learner_policy

RULESET, TASK, RIVAL = "standard", "district_backlog_easy", "backlog_clearance"
HELD_OUT = 10


def _solution_policy() -> Any:
    from govworkflow.course.solutions import beat_backlog_policy

    return beat_backlog_policy


@exercise(
    "04.beat_backlog",
    "04_policies_and_grading.ipynb",
    f"Write a policy (a function obs -> action, or an object with act(obs) and optionally reset(seed), as "
    f"examples/my_policy.py, or a Policy) that beats {RIVAL} on {TASK} ({RULESET}) on "
    f"the first {HELD_OUT} held-out seeds, by a paired difference whose 95% interval is above 0. It is "
    "played through the harness every leaderboard uses (govworkflow.evaluation.run_episode).",
    "Change the priority mode once, chase missing documents, send reserve officers where the work per "
    "officer is largest, and advance the day; obs.actions_left_today says how many actions the day has left.",
    _solution_policy,
)
def _check_policy(answer: Any) -> tuple[bool, str]:
    from govworkflow.evaluation import run_episode
    from govworkflow.evaluation.stats import paired_difference
    from govworkflow.office.policies import FunctionPolicy
    from govworkflow.office.rulesets import get_ruleset
    from govworkflow.viz.results import eval_seeds

    rs = get_ruleset(RULESET)
    if isinstance(answer, type) and callable(getattr(answer, "act", None)):
        answer = answer()  # a class, made with no arguments (as a submitted policy is)
    if hasattr(answer, "act"):
        policy = learner_policy(answer, rs)
    elif callable(answer):
        policy = FunctionPolicy("yours", answer, "the learner's heuristic")
    else:
        return False, f"expected a function obs -> action or a policy with act(obs), got {type(answer).__name__}"
    seeds = eval_seeds(rs.task(TASK), HELD_OUT)
    yours = {s: run_episode(rs, TASK, policy, s).score for s in seeds}
    rival = {s: run_episode(rs, TASK, rs.policy(RIVAL), s).score for s in seeds}
    d = paired_difference(yours, rival)
    line = (
        f"yours - {RIVAL} = {d.mean:+.4f} [{d.low:+.4f}, {d.high:+.4f}] over {d.n} held-out seeds "
        f"({d.wins} wins, {d.losses} losses)"
    )
    if d.a_beats_b:
        return True, line
    if d.mean > 0:
        return False, line + ": ahead on average, but the interval reaches 0: not yet a clear win"
    return False, line + ": behind; read the grade of one episode to see what costs most"


PAIRED_A = (0.61, 0.55, 0.70, 0.48, 0.66, 0.59, 0.62, 0.51)
PAIRED_B = (0.58, 0.50, 0.69, 0.44, 0.60, 0.58, 0.57, 0.49)


def _solution_paired() -> Any:
    from govworkflow.course.solutions import paired_mean_and_sem

    return paired_mean_and_sem


@exercise(
    "04.paired_difference",
    "04_policies_and_grading.ipynb",
    "Write paired_mean_and_sem(a, b): two policies' scores on the same seeds (a[i], b[i] on seed i) -> "
    "(mean of the differences a[i] - b[i], its standard error).",
    "Take the differences first, then their mean and their sample standard deviation / sqrt(n). The seeds "
    "are shared, so their difficulty cancels in each difference.",
    _solution_paired,
)
def _check_paired(answer: Any) -> tuple[bool, str]:
    from govworkflow.course.solutions import paired_mean_and_sem

    if not callable(answer):
        return False, f"expected a function paired_mean_and_sem(a, b), got {type(answer).__name__}"
    mean, sem = paired_mean_and_sem(PAIRED_A, PAIRED_B)
    got_mean, got_sem = (float(x) for x in answer(list(PAIRED_A), list(PAIRED_B)))
    n = len(PAIRED_A)

    def sd(xs: tuple[float, ...]) -> float:
        m = sum(xs) / n
        return math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))

    unpaired = math.sqrt(sd(PAIRED_A) ** 2 / n + sd(PAIRED_B) ** 2 / n)
    if not math.isclose(got_mean, mean, abs_tol=1e-9):
        return False, f"mean {got_mean:.4f}, expected {mean:.4f}"
    if math.isclose(got_sem, unpaired, rel_tol=1e-6):
        return False, (
            f"standard error {got_sem:.4f} is the unpaired one; pairing by seed gives {sem:.4f}, "
            f"{unpaired / sem:.1f}x tighter: take the differences first"
        )
    if not math.isclose(got_sem, sem, rel_tol=1e-6):
        tip = (
            " (divide the variance by n - 1, the sample variance)"
            if math.isclose(got_sem, sem * math.sqrt((n - 1) / n))
            else ""
        )
        return False, f"standard error {got_sem:.4f}, expected {sem:.4f}{tip}"
    return True, f"{mean:+.4f} ± {sem:.4f}: the paired error is {unpaired / sem:.1f}x smaller than the unpaired one"


def _gae_cases() -> list[tuple[list[float], list[float], float, float, float]]:
    rng = random.Random(5)
    cases = []
    for n, gamma, lam in ((5, 0.99, 0.95), (8, 0.9, 0.0), (6, 0.995, 1.0), (1, 0.99, 0.95)):
        rewards = [round(rng.uniform(-1, 1), 3) for _ in range(n)]
        values = [round(rng.uniform(-1, 1), 3) for _ in range(n)]
        cases.append((rewards, values, round(rng.uniform(-1, 1), 3), gamma, lam))
    return cases


def _solution_gae() -> Any:
    from govworkflow.course.solutions import gae

    return gae


@exercise(
    "05.gae",
    "05_train_ppo.ipynb",
    "Write gae(rewards, values, last_value, gamma, lam) -> advantages: the generalised advantage "
    "estimate PPO uses, for one stretch of an episode (no episode end inside; last_value is V of the "
    "state after it).",
    "delta_t = r_t + gamma V(s_{t+1}) - V(s_t), then backwards A_t = delta_t + gamma lam A_{t+1}. "
    "lam = 0 gives the one-step TD error; lam = 1 the discounted return minus V.",
    _solution_gae,
)
def _check_gae(answer: Any) -> tuple[bool, str]:
    from govworkflow.course.solutions import gae

    if not callable(answer):
        return False, f"expected a function gae(rewards, values, last_value, gamma, lam), got {type(answer).__name__}"
    for rewards, values, last, gamma, lam in _gae_cases():
        want = gae(rewards, values, last, gamma, lam)
        got = [float(x) for x in answer(list(rewards), list(values), last, gamma, lam)]
        if len(got) != len(want):
            return False, f"{len(got)} advantages for {len(want)} steps"
        for t, (g, w) in enumerate(zip(got, want, strict=True)):
            if not math.isclose(g, w, abs_tol=1e-6):
                return False, f"gamma {gamma}, lambda {lam}, step {t} of {len(want)}: yours {g:.4f}, expected {w:.4f}"
    return True, "right for lambda 0 (TD error), 0.95 and 1 (return minus value)"


def _solution_clip() -> Any:
    from govworkflow.course.solutions import clipped_objective

    return clipped_objective


@exercise(
    "05.clipped_objective",
    "05_train_ppo.ipynb",
    "Write clipped_objective(ratio, advantage, clip) -> PPO's clipped surrogate for one sample, where "
    "ratio = pi_new(a|s) / pi_old(a|s).",
    "min(ratio * A, clip(ratio, 1 - clip, 1 + clip) * A): the min makes the clip bite only where it would "
    "help the objective, for a positive and for a negative advantage alike.",
    _solution_clip,
)
def _check_clip(answer: Any) -> tuple[bool, str]:
    from govworkflow.course.solutions import clipped_objective

    if not callable(answer):
        return False, f"expected a function clipped_objective(ratio, advantage, clip), got {type(answer).__name__}"
    for ratio in (0.5, 0.85, 1.0, 1.05, 1.3, 2.0):
        for adv in (1.5, -1.5):
            want, got = clipped_objective(ratio, adv, 0.2), float(answer(ratio, adv, 0.2))
            if not math.isclose(got, want, abs_tol=1e-9):
                tip = " (a negative advantage: the min picks the unclipped, more pessimistic term)" if adv < 0 else ""
                return False, f"ratio {ratio}, advantage {adv}, clip 0.2: yours {got:.4f}, expected {want:.4f}{tip}"
    return True, "right for ratios inside and outside [0.8, 1.2], positive and negative advantages"
