"""OpenEnv's Task API over each ruleset's seed splits (pure functions; the routes are in
``routes``).

An *environment* of the Task API is a ruleset name (what ``reset`` takes as ``ruleset``).
Its two splits are the held-out seed rule's sets, read from the task files
(``task.seeds``): ``development`` (type ``train``: training, tuning) and ``evaluation``
(type ``test``: the held-out seeds published numbers use). A *task* is one episode to
play: a task of the ruleset and a seed of that split, with the ``reset`` parameters that
play it. Tasks are numbered task by task, in the ruleset's order, seeds ascending.

Development splits are large (100,000 seeds per task), so ``tasks`` lists the first
``MAX_LISTED`` and says ``truncated``, and ``task_range`` returns at most ``MAX_RANGE``
(``num_tasks`` and ``task`` always cover the whole split).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from govworkflow.core.errors import UnknownNameError
from govworkflow.core.seeds import SEED_SETS
from govworkflow.server.adapters import adapter_for, ruleset_names
from govworkflow.server.protocol import JSONInt, NotFoundError

__all__ = [
    "MAX_LISTED",
    "MAX_RANGE",
    "SPLIT_TYPES",
    "RangeRequest",
    "SplitRequest",
    "TaskRequest",
    "environments",
    "get_task",
    "list_tasks",
    "num_tasks",
    "splits",
    "task_range",
]

#: The most tasks ``tasks`` lists; the most ``task_range`` returns.
MAX_LISTED = 1000
MAX_RANGE = 1000
#: OpenEnv's split type of each seed set.
SPLIT_TYPES: dict[str, str] = {"development": "train", "evaluation": "test"}

Split = Literal["development", "evaluation"]


class SplitRequest(BaseModel):
    """``POST /{env}/tasks`` and ``/{env}/num_tasks``."""

    model_config = ConfigDict(extra="forbid")

    split: Split = Field(description="development (training, tuning) or evaluation (held-out seeds).")


class TaskRequest(SplitRequest):
    """``POST /{env}/task``."""

    index: JSONInt = Field(ge=0, description="The task's position in the split (0-based).")


class RangeRequest(SplitRequest):
    """``POST /{env}/task_range``: Python slice bounds (negative counts from the end)."""

    start: JSONInt | None = Field(None, description="First index (inclusive; default 0).")
    stop: JSONInt | None = Field(None, description="Last index (exclusive; default the end).")


def environments() -> list[str]:
    """The Task API's environments: every ruleset name."""
    return ruleset_names()


def _blocks(env: str, split: str) -> list[tuple[str, range]]:
    """(task id, its seeds of ``split``) for each task of ruleset ``env``, in order."""
    if env not in ruleset_names():
        raise NotFoundError(f"unknown environment {env!r}; environments: {', '.join(ruleset_names())}")
    if split not in SEED_SETS:
        raise UnknownNameError("split", split, SEED_SETS)
    adapter, name = adapter_for(env)
    out = []
    for row in adapter.tasks(name):
        seeds = row["seed_sets"][split]
        out.append((str(row["task_id"]), range(int(seeds["start"]), int(seeds["stop"]))))
    return out


def _spec(env: str, split: str, index: int, task_id: str, seed: int) -> dict[str, Any]:
    return {
        "index": index,
        "id": f"{env}/{task_id}/{seed}",
        "ruleset": env,
        "task_id": task_id,
        "seed": seed,
        "split": split,
        "reset": {"ruleset": env, "task_id": task_id, "seed": seed},
    }


def splits(env: str) -> list[dict[str, Any]]:
    """The two splits of ``env`` with their sizes."""
    return [{"name": s, "type": SPLIT_TYPES[s], "num_tasks": num_tasks(env, s)} for s in SEED_SETS]


def num_tasks(env: str, split: str) -> int:
    """How many tasks (task x seed) the split has."""
    return sum(len(seeds) for _, seeds in _blocks(env, split))


def _slice(env: str, split: str, start: int, stop: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    offset = 0
    for task_id, seeds in _blocks(env, split):
        lo, hi = max(start - offset, 0), min(stop - offset, len(seeds))
        out.extend(_spec(env, split, offset + i, task_id, seeds[i]) for i in range(lo, hi))
        offset += len(seeds)
        if offset >= stop:
            break
    return out


def get_task(env: str, split: str, index: int) -> dict[str, Any]:
    """The task at ``index`` of the split, or ``NotFoundError``."""
    total = num_tasks(env, split)
    if not 0 <= index < total:
        raise NotFoundError(f"index: no task {index} in {env}'s {split} split, which has tasks 0..{total - 1}")
    return _slice(env, split, index, index + 1)[0]


def list_tasks(env: str, split: str) -> dict[str, Any]:
    """The first ``MAX_LISTED`` tasks of the split, its size and whether the list is cut."""
    total = num_tasks(env, split)
    return {
        "tasks": _slice(env, split, 0, min(total, MAX_LISTED)),
        "env_name": env,
        "num_tasks": total,
        "truncated": total > MAX_LISTED,
    }


def task_range(env: str, split: str, start: int | None, stop: int | None) -> dict[str, Any]:
    """Tasks ``[start, stop)`` (slice rules), at most ``MAX_RANGE`` of them."""
    total = num_tasks(env, split)
    lo, hi, _ = slice(start, stop).indices(total)
    hi = max(lo, hi)
    end = min(hi, lo + MAX_RANGE)
    return {
        "tasks": _slice(env, split, lo, end),
        "start": lo,
        "stop": end,
        "num_tasks": total,
        "truncated": end < hi,
    }
