"""The command line: JSON contract, tables, exit status 2 with one-line messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from govworkflow.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_evaluate_several_seeds_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["evaluate", "--ruleset", "legacy", "--task", "district_backlog_easy", "--policy", "oldest_first",
         "--seed", "1", "--seed", "2", "--max-steps", "10", "--json"],
        capsys,
    )  # fmt: skip
    rows = json.loads(out)
    assert code == 0
    assert [r["seed"] for r in rows] == [1, 2]
    assert all(r["steps"] <= 10 for r in rows)
    required = {
        "task_id",
        "ruleset",
        "policy",
        "seed",
        "score",
        "steps",
        "completed",
        "backlog",
        "reward_sum",
        "metrics",
    }
    assert all(required <= set(r) for r in rows)


def test_evaluate_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["evaluate", "--ruleset", "legacy", "--task", "cross_department_hard", "--policy",
                        "backlog_clearance"], capsys)  # fmt: skip
    assert code == 0
    header, _, row = out.splitlines()
    assert header.split()[:4] == ["task_id", "policy", "seed", "score"]
    assert "0.6522" in row and " 89 " in row


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["evaluate", "--ruleset", "legacy", "--task", "x", "--policy", "oldest_first"], "unknown legacy task 'x'"),
        (["evaluate", "--ruleset", "legacy", "--task", "district_backlog_easy", "--policy", "best"],
         "unknown legacy policy 'best'; valid choices: backlog_clearance"),
        (["evaluate", "--ruleset", "new", "--task", "t", "--policy", "p"], "unknown ruleset 'new'"),
        (["evaluate", "--task", "district_backlog_easy", "--policy", "p", "--seed", "one"], "--seed: invalid int"),
        (["evaluate", "--ruleset", "legacy", "--task", "district_backlog_easy", "--policy", "oldest_first",
          "--max-steps", "0"], "--max-steps must be a positive integer, got 0"),
        (["evaluate", "--policy", "oldest_first"], "--task"),
        (["evaluate", "--ruleset", "legacy", "--task", "district_backlog_easy", "--policy", "oldest_first",
          "--seed", "1", "--seed", "-3"], "seed: must be a non-negative integer, got -3"),
        (["leaderboard", "--ruleset", "legacy", "--tasks", ","], "give at least one name, omit the option for all"),
        (["leaderboard", "--ruleset", "legacy", "--output", ""], "--output: give a file name"),
        (["tasks", "--ruleset", ""], "unknown ruleset ''; valid choices: standard, legacy"),
        (["fly"], "invalid choice: 'fly'"),
    ],
)  # fmt: skip
def test_bad_arguments_exit_2_with_one_line(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert message in err


def test_tasks_json_lists_rulesets_and_seeds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["tasks", "--json"], capsys)
    rows = json.loads(out)
    assert code == 0
    legacy = {r["task_id"]: r for r in rows if r["ruleset"] == "legacy"}
    assert set(legacy) == {"district_backlog_easy", "mixed_urgency_medium", "cross_department_hard"}
    assert legacy["cross_department_hard"]["default_seed"] == 33
    assert all(r["seed_sets"] for r in rows)


def test_policies_lists_the_legacy_heuristics(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["policies", "--ruleset", "legacy", "--json"], capsys)
    names = [r["policy"] for r in json.loads(out)]
    assert code == 0
    assert {"backlog_clearance", "urgent_first", "oldest_first"} <= set(names)


def test_console_script_runs_as_a_module() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "govworkflow",
            "evaluate",
            "--ruleset",
            "legacy",
            "--task",
            "nope",
            "--policy",
            "x",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("govworkflow: error: unknown legacy task 'nope'")


def test_the_default_leaderboard_file_is_checked_before_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from govworkflow import leaderboard

    (tmp_path / "data").write_text("a file where the results folder would go")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(leaderboard, "run_leaderboard", lambda *a, **k: pytest.fail("the run started"))
    code, out, err = run(["leaderboard", "--ruleset", "legacy", "--json"], capsys)
    assert (code, out) == (2, "")
    assert "--output: cannot use 'data/results' as a folder: 'data' is a file" in err


def test_repeated_leaderboard_names_count_once(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["leaderboard", "--ruleset", "legacy", "--tasks", "district_backlog_easy,district_backlog_easy",
            "--policies", "oldest_first", "oldest_first", "--seeds", "1", "--workers", "1", "--json"]  # fmt: skip
    code, out, _ = run(argv, capsys)
    rows = json.loads(out)["rows"]
    assert code == 0
    assert [(r["task_id"], r["policy"], r["n"]) for r in rows] == [("district_backlog_easy", "oldest_first", 1)]


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_a_reader_that_leaves_early_gets_no_traceback(unbuffered: str) -> None:
    """``govworkflow tasks | head -1``: the pipe closes before the table is written, whether
    stdout is block-buffered (the default for a pipe) or not."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = unbuffered
    proc = subprocess.Popen(
        [sys.executable, "-m", "govworkflow", "tasks", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the command writes
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert "Traceback" not in err and "BrokenPipeError" not in err
