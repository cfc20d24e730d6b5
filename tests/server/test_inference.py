"""The LLM runner ``inference.py`` against a local test double of the chat-completions
API (a tiny FastAPI app served by uvicorn on 127.0.0.1): log format, prompt, parsing with
one repair, errors, and the labelled heuristic when there is no key."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from govworkflow import GovWorkflowEnv, InvalidActionError
from govworkflow.office.llm import extract_action, render_observation
from govworkflow.server.running import BackgroundServer

pytest.importorskip("openai")

ROOT = Path(__file__).resolve().parents[2]
START = re.compile(r"^\[START\] task=(\S+) env=govworkflow model=(\S+)$")
STEP = re.compile(r"^\[STEP\] step=(\d+) action=(\S+) reward=(-?\d+\.\d\d) done=(true|false) error=(.+)$")
END = re.compile(
    r"^\[END\] success=(true|false) steps=(\d+) score=(\d\.\d{3}) rewards=((-?\d+\.\d\d)(,-?\d+\.\d\d)*)?$"
)
ADVANCE = '{"action_type": "advance_time"}'


class ChatDouble:
    """Canned chat completions: ``replies`` in order (then ``advance_time``); a reply of
    ``500`` answers HTTP 500. Every request body is kept in ``requests``."""

    def __init__(self) -> None:
        self.replies: list[Any] = []
        self.requests: list[dict[str, Any]] = []
        self.app = FastAPI()

        @self.app.post("/v1/chat/completions")
        async def complete(request: Request) -> Any:
            body = await request.json()
            self.requests.append(body)
            reply = self.replies.pop(0) if self.replies else ADVANCE
            if reply == 500:
                return JSONResponse({"error": {"message": "test double: server error"}}, status_code=500)
            return {
                "id": f"cmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }


@pytest.fixture(scope="module")
def double_server() -> Iterator[tuple[ChatDouble, str]]:
    double = ChatDouble()
    with BackgroundServer(app=double.app) as server:
        yield double, f"{server.url}/v1"


@pytest.fixture
def chat(double_server: tuple[ChatDouble, str], monkeypatch: pytest.MonkeyPatch) -> ChatDouble:
    double, url = double_server
    double.replies.clear()
    double.requests.clear()
    monkeypatch.setenv("API_BASE_URL", url)
    monkeypatch.setenv("MODEL_NAME", "test-double-model")
    monkeypatch.setenv("HF_TOKEN", "test-token")
    monkeypatch.delenv("ENV_URL", raising=False)
    return double


@pytest.fixture(scope="module")
def inference() -> Any:
    spec = importlib.util.spec_from_file_location("inference", ROOT / "inference.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def first_task() -> tuple[str, str]:
    env = GovWorkflowEnv()
    return env.task_id, env.reset().queues[0].service


def parse(stdout: str) -> list[tuple[str, re.Match[str]]]:
    """Every stdout line, matched to its format (fails on any other line)."""
    out = []
    for line in stdout.splitlines():
        for name, pattern in (("START", START), ("STEP", STEP), ("END", END)):
            m = pattern.match(line)
            if m:
                out.append((name, m))
                break
        else:
            pytest.fail(f"unexpected stdout line: {line!r}")
    return out


def test_extract_action() -> None:
    assert extract_action(ADVANCE).action_type == "advance_time"
    fenced = 'Sure.\n```json\n{"action_type": "set_priority_mode", "priority_mode": "urgent_first"}\n```'
    assert extract_action(fenced).priority_mode == "urgent_first"
    assert extract_action('I pick {"action_type": "advance_time"} because.').action_type == "advance_time"
    for bad, why in [
        ("", "empty"),
        ("wait a day", "no JSON object"),
        ('{"action_type": ', "does not parse"),
        ('{"action_type": "nap"}', "action_type"),
        ('{"action_type": "advance_time", "why": "x"}', "why"),
    ]:
        with pytest.raises(InvalidActionError, match=why):
            extract_action(bad)


def test_runner_logs_and_parses_with_one_repair(chat: ChatDouble, inference: Any, capsys: Any) -> None:
    task, service = first_task()
    chat.replies = [
        '{"action_type": "set_priority_mode", "priority_mode": "urgent_first"}',
        "```json\n" + ADVANCE + "\n```",
        "Let me think about the queues.",  # unusable: repaired by the next reply
        ADVANCE,
        "still thinking",  # unusable twice: the step falls back to advance_time, with the error
        '{"action_type": "fly"}',
        # well formed but refused by the rules (not that many reserve officers):
        f'{{"action_type": "assign_capacity", "service": "{service}", "officer_delta": 99}}',
    ]
    assert inference.main(["--tasks", task, "--max-steps", "6"]) == 0
    lines = parse(capsys.readouterr().out)
    assert [k for k, _ in lines] == ["START"] + ["STEP"] * 6 + ["END"]
    assert lines[0][1].groups() == (task, "test-double-model")
    steps = [m for k, m in lines if k == "STEP"]
    assert [int(m.group(1)) for m in steps] == [1, 2, 3, 4, 5, 6]
    assert steps[0].group(2) == '{"action_type":"set_priority_mode","priority_mode":"urgent_first"}'
    assert [m.group(5) for m in steps[:3]] == ["null"] * 3
    assert steps[3].group(2) == '{"action_type":"advance_time"}'
    assert steps[3].group(5).startswith("unusable reply after one repair attempt")
    assert steps[4].group(5) != "null"  # the simulator refused 99 officers and said why
    end = lines[-1][1]
    assert end.group(2) == "6"
    assert end.group(4).split(",") == [m.group(3) for m in steps]
    assert end.group(1) == "false"  # capped before the end of the episode: not a success
    # 8 calls: 6 steps + 2 repair attempts; the prompt is built from the observation
    assert len(chat.requests) == 8
    first_prompt = chat.requests[0]["messages"][-1]["content"]
    assert render_observation(GovWorkflowEnv(task).reset()) in first_prompt
    repair = chat.requests[3]["messages"]
    assert repair[-2] == {"role": "assistant", "content": "Let me think about the queues."}
    assert "could not be used" in repair[-1]["content"]
    assert all(r["model"] == "test-double-model" for r in chat.requests)


def test_end_is_printed_after_an_exception(chat: ChatDouble, inference: Any, capsys: Any) -> None:
    task, _ = first_task()
    chat.replies = [ADVANCE, 500, 500]  # the client retries once, then gives up
    assert inference.main(["--tasks", task, task, "--max-steps", "3"]) == 0
    captured = capsys.readouterr()
    lines = parse(captured.out)
    assert [k for k, _ in lines] == ["START", "STEP", "END", "START", "STEP", "STEP", "STEP", "END"]
    failed = lines[2][1]
    assert failed.groups()[:2] == ("false", "1")
    assert "episode failed" in captured.err


def test_no_key_says_so_and_runs_a_heuristic_only_when_asked(
    chat: ChatDouble, inference: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_TOKEN")
    monkeypatch.delenv("API_KEY", raising=False)
    task, _ = first_task()
    with pytest.raises(SystemExit) as exit_info:
        inference.main(["--tasks", task])
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "HF_TOKEN" in captured.err
    assert "--heuristic" in captured.err
    assert inference.main(["--tasks", task, "--max-steps", "200", "--heuristic", "backlog_clearance"]) == 0
    captured = capsys.readouterr()
    lines = parse(captured.out)
    assert lines[0][1].group(2) == "heuristic:backlog_clearance"
    assert lines[-1][1].group(1) in ("true", "false")
    assert "not an LLM result" in captured.err
    assert not chat.requests  # no model was asked


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--seed", "-1"], "--seed must be a non-negative integer, got -1"),
        (["--max-steps", "0"], "--max-steps must be a positive integer, got 0"),
        (["--time-budget-s", "nan"], "--time-budget-s must be a positive number of seconds, got nan"),
        (["--request-timeout-s", "0"], "--request-timeout-s must be a positive number of seconds, got 0.0"),
        (["--success-threshold", "7"], "--success-threshold must be a score between 0 and 1, got 7.0"),
    ],
)
def test_bad_values_exit_2_before_any_episode(
    chat: ChatDouble, inference: Any, capsys: Any, argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        inference.main(argv)
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err
    assert not chat.requests


def test_runner_plays_on_a_served_env(chat: ChatDouble, inference: Any, capsys: Any, live_server: Any) -> None:
    task, _ = first_task()
    assert inference.main(["--tasks", task, "--max-steps", "2", "--env-url", live_server.url]) == 0
    kinds = [k for k, _ in parse(capsys.readouterr().out)]
    assert kinds == ["START", "STEP", "STEP", "END"]


def test_runner_command_line(chat: ChatDouble) -> None:
    task, _ = first_task()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, str(ROOT / "inference.py"), "--tasks", task, "--max-steps", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert [k for k, _ in parse(out.stdout)] == ["START", "STEP", "STEP", "STEP", "END"]
