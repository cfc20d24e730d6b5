"""Exercises of notebook 07 (the LLM runner's log): parse a step line, and read the
recorded episode against the ladder."""

from __future__ import annotations

import json
from typing import Any

from govworkflow.course.checks import exercise

NOTEBOOK = "07_llm_agent.ipynb"
LADDER = ("advance_only", "backlog_clearance", "sla_aware")
EXTRA_LINES = (
    '[STEP] step=3 action={"action_type":"advance_time"} reward=-0.25 done=false error=null',
    '[STEP] step=9 action={"action_type":"escalate_service","service":"passport"} reward=-1.00 done=true '
    "error=no budget left",
)


def _transcript() -> dict[str, Any]:
    from govworkflow.course.data import transcript_file

    data: dict[str, Any] = json.loads(transcript_file().read_text(encoding="utf-8"))
    return data


def _solution_parse() -> Any:
    from govworkflow.course.solutions import parse_step_line

    return parse_step_line


@exercise(
    "07.parse_step",
    NOTEBOOK,
    "Write parse_step_line(line) -> {'step': int, 'action': dict, 'reward': float, 'done': bool, "
    "'error': str or None} for one [STEP] line of the runner's log.",
    "A regular expression over 'step=(\\d+) action=(\\S+) reward=(...) done=(true|false) error=(.+)'; the "
    "action is JSON; error=null means no error.",
    _solution_parse,
)
def _check_parse(answer: Any) -> tuple[bool, str]:
    from govworkflow.course.solutions import parse_step_line

    if not callable(answer):
        return False, f"expected a function parse_step_line(line), got {type(answer).__name__}"
    lines = [line for line in _transcript()["stdout"] if line.startswith("[STEP]")] + list(EXTRA_LINES)
    for line in lines:
        want, got = parse_step_line(line), answer(line)
        if not isinstance(got, dict):
            return False, f"expected a dict, got {type(got).__name__} for {line!r}"
        for key, value in want.items():
            if got.get(key) != value or type(got.get(key)) is not type(value):
                return False, f"{key} of {line!r}: yours {got.get(key)!r}, expected {value!r}"
    return True, f"all {len(lines)} lines parsed (the recorded log and two more)"


def _best_baseline() -> str:
    from govworkflow.evaluation import run_episode
    from govworkflow.office.rulesets import get_ruleset

    source = _transcript()
    rs = get_ruleset(source["ruleset"])
    n = sum(line.startswith("[STEP]") for line in source["stdout"])
    scores = {p: run_episode(rs, source["task_id"], rs.policy(p), source["seed"], max_steps=n).score for p in LADDER}
    return max(scores, key=lambda p: (scores[p], p))


@exercise(
    "07.best_baseline",
    NOTEBOOK,
    f"Of {', '.join(LADDER)}: which scores highest on the recording's task and seed after the same number "
    "of steps as the recorded log? Answer its name.",
    "run_episode(rs, task_id, rs.policy(name), seed, max_steps=n) caps an episode at n steps.",
    _best_baseline,
)
def _check_best(answer: Any) -> tuple[bool, str]:
    if answer not in LADDER:
        return False, f"expected one of {list(LADDER)}, got {answer!r}"
    best = _best_baseline()
    if answer == best:
        return True, f"{best}: the bar a model must clear at this budget"
    return False, f"{answer} is not the highest after the log's number of steps"
