"""The option grammar: whole option names only, seed limits that fit their set, an
interrupt in one line, and calibration verdicts only where they mean something."""

from __future__ import annotations

import argparse

import pytest

from govworkflow.cli.main import COMMANDS
from tests.cli.support import run


@pytest.mark.parametrize(
    "argv",
    [
        ["leaderboard", "--ruleset", "legacy", "--task", "district_backlog_easy", "--seed", "5"],  # not --seeds
        ["sweep", "--task", "district_backlog_easy", "--seed", "1", "--seed", "2"],  # not --seeds
        ["evaluate", "--task", "district_backlog_easy", "--policy", "sla_aware", "--se", "1"],  # not --seed
        ["triage", "leaderboard", "--seed", "5"],
    ],
)
def test_an_option_is_its_whole_name(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(argv, capsys)
    assert (code, out) == (2, "")
    assert err.startswith("govworkflow: error: ") and len(err.strip().splitlines()) == 1, err
    assert "deprecated" not in err  # no old spelling was read into it


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["evaluate", "--ruleset", "legacy", "--task", "district_backlog_easy", "--policy", "sla_aware",
          "--seed-set", "evaluation", "--limit", "101"],
         "--limit: 101 is more than the 100 seeds of the evaluation set (100000..100099)"),
        (["leaderboard", "--ruleset", "legacy", "--task", "district_backlog_easy", "--limit", "500", "--no-save"],
         "--limit: 500 is more than the 100 seeds of the evaluation set (100000..100099)"),
        (["triage", "leaderboard", "--task", "faithful_5", "--seed-set", "evaluation", "--limit", "1000"],
         "--limit: 1000 is more than the"),
    ],
)  # fmt: skip
def test_a_limit_beyond_the_seed_set_is_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(argv, capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"govworkflow: error: {message}"), err


def test_an_interrupt_is_one_line_and_status_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    help_text, add, _ = COMMANDS["tasks"]
    monkeypatch.setitem(COMMANDS, "tasks", (help_text, add, interrupted))
    assert run(["tasks"], capsys) == (130, "", "govworkflow: interrupted\n")


def test_a_partial_leaderboard_prints_no_calibration_verdicts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["leaderboard", "--ruleset", "standard", "--task", "district_backlog_easy", "--policy",
                        "sla_aware", "--limit", "2", "--no-save", "--workers", "1"], capsys)  # fmt: skip
    assert code == 0
    assert "MISS" not in out and "ok  " not in out
    assert "calibration: judged on full runs only" in out


def test_the_office_commands_point_to_triage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["tasks", "--ruleset", "triage"], capsys)
    assert (code, out) == (2, "")
    assert err.strip().endswith("ticket triage has its own commands: govworkflow triage --help")


def test_serve_refuses_an_address_it_cannot_listen_on(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("fastapi")
    import socket

    code, out, err = run(["serve", "--host", "999.1.1.1", "--port", "8000"], capsys)
    assert (code, out) == (2, "") and err.startswith("govworkflow: error: --host: cannot listen on '999.1.1.1'")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = run(["serve", "--host", "127.0.0.1", "--port", str(port)], capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"govworkflow: error: --host 127.0.0.1 --port {port}: cannot listen there"), err
