"""Run an LLM agent on every govworkflow task, one episode each, and log in the OpenEnv
community format.

Environment variables:
    API_BASE_URL   OpenAI-compatible endpoint (default: the Hugging Face router)
    MODEL_NAME     model to ask (default below)
    HF_TOKEN       API key (``API_KEY`` is also read); no default
    ENV_URL        optional: a running ``govworkflow serve`` to play on (default: in process)
    GOVWORKFLOW_HEURISTIC  optional: with no API key, run this heuristic instead (labelled)

Standard output has exactly these lines per task (everything else goes to stderr)::

    [START] task=<task> env=govworkflow model=<model>
    [STEP] step=<n> action=<action> reward=<0.00> done=<true|false> error=<msg|null>
    [END] success=<true|false> steps=<n> score=<score> rewards=<r1,r2,...>

``[END]`` is printed even when the episode fails. ``success`` means the episode ran to
its end without an exception and its score reached ``--success-threshold``. Steps are capped
(``--max-steps``) and the whole run keeps to ``--time-budget-s`` (default 19 minutes),
shared evenly between the tasks; a capped episode is scored on its provisional grade.

    python inference.py [--ruleset R] [--tasks T ...] [--seed S] [--max-steps N]
    python inference.py --heuristic backlog_clearance   # no API key: a labelled heuristic
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from govworkflow import GovWorkflowEnv
from govworkflow.core.errors import GovWorkflowError
from govworkflow.office.llm import ChatPolicy, HeuristicAgent
from govworkflow.office.policies import HEURISTICS
from govworkflow.office.rulesets import DEFAULT_RULESET, RULESETS, get_ruleset

BENCHMARK = "govworkflow"
DEFAULT_API_BASE_URL = "https://router.huggingface.co/v1"
DEFAULT_MODEL_NAME = "Qwen/Qwen2.5-72B-Instruct"

# Read when the run starts (see ``parse_args`` and ``make_agent``):
#   API_BASE_URL = os.getenv("API_BASE_URL", DEFAULT_API_BASE_URL)
#   MODEL_NAME = os.getenv("MODEL_NAME", DEFAULT_MODEL_NAME)
#   HF_TOKEN = os.getenv("HF_TOKEN") or os.getenv("API_KEY")   (no default)


def log(message: str) -> None:
    """Diagnostics go to stderr, so stdout holds only the structured lines."""
    print(message, file=sys.stderr, flush=True)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _one_line(text: str) -> str:
    return " ".join(str(text).split()) or "error"


def log_start(task: str, model: str) -> None:
    print(f"[START] task={task} env={BENCHMARK} model={model}", flush=True)


def log_step(step: int, action: str, reward: float, done: bool, error: str | None) -> None:
    err = "null" if error is None else _one_line(error)
    print(f"[STEP] step={step} action={action} reward={reward:.2f} done={_bool(done)} error={err}", flush=True)


def log_end(success: bool, steps: int, score: float, rewards: Sequence[float]) -> None:
    joined = ",".join(f"{r:.2f}" for r in rewards)
    print(f"[END] success={_bool(success)} steps={steps} score={score:.3f} rewards={joined}", flush=True)


def compact(action: Any) -> str:
    """An action as JSON without spaces (one token in the log line)."""
    return json.dumps(action.model_dump(mode="json", exclude_none=True), separators=(",", ":"))


def run_episode(
    env: Any,
    agent: Any,
    task_id: str,
    seed: int | None,
    max_steps: int,
    deadline: float,
    model: str,
    threshold: float,
) -> float:
    """One logged episode; returns its score (0.0 if it failed)."""
    log_start(task_id, model)
    rewards: list[float] = []
    score, success = 0.0, False
    try:
        agent.reset()
        obs = env.reset(task_id=task_id, seed=seed)
        done = False
        while not done and len(rewards) < max_steps:
            if time.monotonic() > deadline:
                log(f"{task_id}: time share used up after {len(rewards)} steps; scoring the provisional grade")
                break
            decision = agent.decide(obs)
            obs, reward, terminated, truncated, info = env.step(decision.action)
            done = terminated or truncated
            rewards.append(reward)
            error = decision.error or (None if info["valid"] else info["message"])
            log_step(len(rewards), compact(decision.action), reward, done, error)
            agent.record(len(rewards), decision.action, reward, info["message"])
        score = float(env.grade().score)
        success = done and score >= threshold
    except Exception as exc:  # the [END] line is printed whatever happened
        log(f"{task_id}: episode failed: {type(exc).__name__}: {exc}")
    finally:
        log_end(success, len(rewards), score, rewards)
    return score


def make_agent(args: argparse.Namespace) -> tuple[Any, str]:
    """The LLM agent, or (only when asked and no key is set) a labelled heuristic."""
    token = os.getenv("HF_TOKEN") or os.getenv("API_KEY")
    if token:
        from openai import OpenAI

        client = OpenAI(base_url=args.api_base_url, api_key=token, timeout=args.request_timeout_s, max_retries=1)
        return ChatPolicy(client, args.model), args.model
    log("No API key: set HF_TOKEN (or API_KEY) to run the LLM agent.")
    name = args.heuristic or os.getenv("GOVWORKFLOW_HEURISTIC")
    if not name:
        names = ", ".join(HEURISTICS)
        log(f"To run a heuristic instead (labelled as such), pass --heuristic NAME; names: {names}")
        raise SystemExit(2)
    if name not in HEURISTICS:
        log(f"unknown heuristic {name!r}; valid choices: {', '.join(HEURISTICS)}")
        raise SystemExit(2)
    log(f"Running the heuristic {name!r} in place of a model (not an LLM result).")
    return HeuristicAgent(name, HEURISTICS[name]), f"heuristic:{name}"


def make_env(args: argparse.Namespace) -> Any:
    if args.env_url:
        from govworkflow.server.client import GovWorkflowClient

        return GovWorkflowClient(args.env_url, ruleset=args.ruleset, timeout_s=args.request_timeout_s).connect()
    return GovWorkflowEnv(ruleset=args.ruleset)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ruleset", default=DEFAULT_RULESET, help=f"one of {', '.join(RULESETS)}")
    p.add_argument("--tasks", nargs="+", default=None, help="task ids (default: every task of the ruleset)")
    p.add_argument("--seed", type=int, default=None, help="episode seed (default: each task's own)")
    p.add_argument("--max-steps", type=int, default=80, help="steps per episode at most (default 80)")
    p.add_argument("--time-budget-s", type=float, default=1140.0, help="whole run, seconds (default 1140)")
    p.add_argument("--success-threshold", type=float, default=0.5, help="score counted as success")
    p.add_argument("--request-timeout-s", type=float, default=30.0, help="per model or env request")
    p.add_argument(
        "--api-base-url",
        default=os.getenv("API_BASE_URL", DEFAULT_API_BASE_URL),
        help="OpenAI-compatible endpoint (API_BASE_URL)",
    )
    p.add_argument("--model", default=os.getenv("MODEL_NAME", DEFAULT_MODEL_NAME), help="model (MODEL_NAME)")
    p.add_argument("--env-url", default=os.getenv("ENV_URL"), help="play on a running server (ENV_URL)")
    p.add_argument("--heuristic", default=None, help="with no API key: run this heuristic, labelled")
    args = p.parse_args(argv)
    if args.seed is not None and args.seed < 0:
        p.error(f"--seed must be a non-negative integer, got {args.seed}")
    if args.max_steps < 1:
        p.error(f"--max-steps must be a positive integer, got {args.max_steps}")
    for name in ("time_budget_s", "request_timeout_s"):
        value = getattr(args, name)
        if not 0 < value < math.inf:  # nan fails too
            p.error(f"--{name.replace('_', '-')} must be a positive number of seconds, got {value}")
    if not 0 <= args.success_threshold <= 1:
        p.error(f"--success-threshold must be a score between 0 and 1, got {args.success_threshold}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        tasks = args.tasks or list(get_ruleset(args.ruleset).tasks)
        for t in tasks:
            get_ruleset(args.ruleset).task(t)
    except GovWorkflowError as err:
        log(f"error: {err}")
        return 2
    agent, label = make_agent(args)
    env = make_env(args)
    start = time.monotonic()
    scores = []
    try:
        for i, task_id in enumerate(tasks):
            share = (args.time_budget_s - (time.monotonic() - start)) / (len(tasks) - i)
            deadline = time.monotonic() + max(share, 0.0)
            scores.append(
                run_episode(env, agent, task_id, args.seed, args.max_steps, deadline, label, args.success_threshold)
            )
    finally:
        close = getattr(env, "close", None)
        if close is not None:
            close()
    log(f"mean score over {len(scores)} tasks: {sum(scores) / max(len(scores), 1):.3f} ({label})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
