"""Exercises of notebook 08 (training an LLM agent with GRPO): ``pass^k``, and the seeds
a training run may never see."""

from __future__ import annotations

from typing import Any

from govworkflow.course.checks import exercise

NOTEBOOK = "08_train_an_llm_agent.ipynb"
TASK = "district_backlog_easy"
CASES: tuple[tuple[list[list[float]], list[float]], ...] = (
    ([[0.5, 0.6], [0.7, 0.2]], [0.5, 0.5]),
    ([[0.4, 0.4, 0.4]], [0.4]),
    ([[0.1], [0.9], [0.5]], [0.2, 0.2, 0.6]),
    ([[0.3, 0.9, 0.9, 0.9], [0.8, 0.8, 0.8, 0.8]], [0.5, 0.7]),
)


def _solution_pass() -> Any:
    from govworkflow.llmtrain.grpo import pass_hat_k

    return pass_hat_k


@exercise(
    "08.pass_hat_k",
    NOTEBOOK,
    "Write pass_hat_k(scores, thresholds) -> float: scores[i] lists the k repeats on seed i; a seed passes "
    "when every repeat scores at least thresholds[i]; return the share of seeds that pass.",
    "all(s >= t for s in repeats) for each seed, then the mean of those booleans.",
    _solution_pass,
)
def _check_pass(answer: Any) -> tuple[bool, str]:
    from govworkflow.llmtrain.grpo import pass_hat_k

    if not callable(answer):
        return False, f"expected a function pass_hat_k(scores, thresholds), got {type(answer).__name__}"
    for scores, thresholds in CASES:
        want, got = pass_hat_k(scores, thresholds), answer(scores, thresholds)
        if not isinstance(got, int | float) or abs(float(got) - want) > 1e-12:
            return False, f"scores {scores}, thresholds {thresholds}: yours {got!r}, expected {want}"
    return True, f"all {len(CASES)} cases agree (a tie with the threshold passes)"


def _solution_seed() -> int:
    from govworkflow.evaluation.run import get_suite

    return get_suite("standard").task(TASK).seeds.evaluation.start


@exercise(
    "08.refused_seed",
    NOTEBOOK,
    f"Give a seed of {TASK} that GovWorkflowToolEnv().reset(task=..., seed=...) refuses because it is "
    "held out for evaluation.",
    "task.seeds.evaluation lists the held-out range: get_suite('standard').task(name).seeds",
    _solution_seed,
)
def _check_seed(answer: Any) -> tuple[bool, str]:
    from govworkflow.core.errors import BadValueError
    from govworkflow.llmtrain.toolenv import GovWorkflowToolEnv

    if not isinstance(answer, int) or isinstance(answer, bool) or answer < 0:
        return False, f"expected a non-negative integer seed, got {answer!r}"
    try:
        GovWorkflowToolEnv().reset(task=TASK, ruleset="standard", seed=answer)
    except BadValueError as err:
        if "held-out" in str(err):
            return True, f"seed {answer} is held out: training never sees it"
        raise
    return False, f"seed {answer} is a development seed: training may use it"
