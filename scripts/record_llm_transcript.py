#!/usr/bin/env python
"""Record the transcript that ``notebooks/07_llm_agent.ipynb`` shows without credentials.

It runs ``inference.py`` (the real runner, unchanged) against a *test double* of the
chat-completions API: a tiny local app on 127.0.0.1 that answers with a fixed script of
replies (some well formed, one fenced, one unusable so the runner's repair shows, one the
rules refuse), then ``advance_time``. No language model is involved, and the recording
says so.

    python scripts/record_llm_transcript.py            # writes data/episodes/llm-test-double.json
    python scripts/record_llm_transcript.py --check    # exit 1 if the committed file differs

Needs the ``server`` and ``llm`` extras (fastapi, uvicorn, openai).
"""

import argparse
import contextlib
import importlib.util
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "episodes" / "llm-test-double.json"
RULESET, TASK, MAX_STEPS = "standard", "district_backlog_easy", 12
MODEL = "chat-test-double"
LABEL = (
    "Recorded from a local TEST DOUBLE of the chat-completions API (scripted replies), "
    "not from a language model. It shows the runner's log format, prompt and repair logic only."
)
ADVANCE = '{"action_type": "advance_time"}'
#: The double's replies, in order; afterwards it always answers ``ADVANCE``.
SCRIPT = [
    '{"action_type": "set_priority_mode", "priority_mode": "urgent_first"}',
    '```json\n{"action_type": "assign_capacity", "service": "income_certificate", "officer_delta": 1}\n```',
    "Let me look at the queues before I decide.",  # unusable: the runner asks once more
    '{"action_type": "escalate_service", "service": "income_certificate"}',
    ADVANCE,
    '{"action_type": "assign_capacity", "service": "driving_license", "officer_delta": 9}',  # refused: too many
    '{"action_type": "request_missing_documents", "service": "birth_certificate"}',
    ADVANCE,
]


def make_double(replies: list[str], requests: list[dict[str, Any]]) -> Any:
    # (no ``from __future__ import annotations`` in this file: FastAPI reads the
    # ``Request`` annotation of the local route at run time)
    from fastapi import FastAPI, Request

    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def complete(request: Request) -> Any:
        body = await request.json()
        requests.append(body)
        reply = replies.pop(0) if replies else ADVANCE
        return {
            "id": f"cmpl-{len(requests)}",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        }

    return app


def record() -> dict[str, Any]:
    from govworkflow.server.running import BackgroundServer

    spec = importlib.util.spec_from_file_location("inference", ROOT / "inference.py")
    assert spec is not None and spec.loader is not None
    inference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(inference)
    requests: list[dict[str, Any]] = []
    argv = ["--ruleset", RULESET, "--tasks", TASK, "--max-steps", str(MAX_STEPS)]
    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in ("API_BASE_URL", "MODEL_NAME", "HF_TOKEN", "API_KEY", "ENV_URL")}
    with BackgroundServer(app=make_double(list(SCRIPT), requests)) as server:
        try:
            os.environ.update(API_BASE_URL=f"{server.url}/v1", MODEL_NAME=MODEL, HF_TOKEN="test-double")
            os.environ.pop("API_KEY", None)
            os.environ.pop("ENV_URL", None)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                status = inference.main(argv)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    assert status == 0 and requests, err.getvalue()
    return {
        "label": LABEL,
        "source": "test double",
        "command": "python inference.py " + " ".join(argv),
        "model": MODEL,
        "ruleset": RULESET,
        "task_id": TASK,
        "seed": None,
        "double_replies": SCRIPT,
        "first_prompt": requests[0]["messages"],
        "requests": len(requests),
        "stdout": out.getvalue().splitlines(),
        "stderr": err.getvalue().splitlines(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file, write nothing")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    text = json.dumps(record(), indent=1, ensure_ascii=False) + "\n"
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        print("transcript up to date" if same else f"transcript differs from {args.out}: re-record it")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
