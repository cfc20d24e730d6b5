"""The command line: JSON contract, tables, exit status 2 with one-line messages."""

from __future__ import annotations

import argparse
import ast
import dataclasses
import importlib
import inspect
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from govworkflow.cli import triage as triage_cli
from govworkflow.cli.main import COMMANDS, POLICY_NAMES, REWARD_MODES, TRAIN_OPTIONS, build_parser, main
from govworkflow.cli.options import DataclassOptions, dataclass_fields
from govworkflow.office.rulesets import RULESETS
from tests.cli.support import run


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
        "outcome",
        "reward_sum",
        "metrics",
    }
    assert all(required <= set(r) for r in rows)
    assert all(set(r["outcome"]) == {"completed", "backlog"} for r in rows)


def test_evaluate_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["evaluate", "--ruleset", "legacy", "--task", "cross_department_hard", "--policy",
                        "backlog_clearance"], capsys)  # fmt: skip
    assert code == 0
    header, _, row = out.splitlines()
    assert header.split()[:4] == ["task_id", "policy", "seed", "score"]
    assert "0.6522" in row and " 89 " in row
    assert "grade" not in header  # every grade is final


def test_evaluate_flags_a_grade_cut_by_the_step_cap(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["evaluate", "--ruleset", "standard", "--task", "cross_department_hard", "--policy", "advance_only",
            "--seed", "900001", "--max-steps", "4"]  # fmt: skip
    code, out, _ = run(argv, capsys)
    header, _, row = out.splitlines()
    assert code == 0 and header.split()[3:5] == ["score", "grade"] and "0.4922  provisional" in row
    code, out, _ = run([*argv, "--json"], capsys)
    assert code == 0 and json.loads(out)[0]["provisional"] is True


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["evaluate", "--ruleset", "legacy", "--task", "x", "--policy", "oldest_first"], "unknown legacy task 'x'"),
        (["evaluate", "--ruleset", "legacy", "--task", "district_backlog_easy", "--policy", "best"],
         "--policy: unknown policy 'best'; valid choices: stall_attempt, advance_only"),
        (["evaluate", "--ruleset", "new", "--task", "t", "--policy", "p"],
         "--ruleset: unknown ruleset 'new'; valid choices: standard, legacy"),
        (["evaluate", "--task", "district_backlog_easy", "--policy", "oldest_first", "--seed", "one"],
         "--seed: invalid int"),
        (["evaluate", "--ruleset", "legacy", "--task", "district_backlog_easy", "--policy", "oldest_first",
          "--max-steps", "0"], "--max-steps: must be a positive integer, got 0"),
        (["evaluate", "--policy", "oldest_first"], "--task"),
        (["evaluate", "--ruleset", "legacy", "--task", "district_backlog_easy", "--policy", "oldest_first",
          "--seed", "1", "--seed", "-3"], "seed: must be a non-negative integer, got -3"),
        (["leaderboard", "--ruleset", "legacy", "--policy", "sage"],
         "--policy: unknown policy 'sage'; valid choices: stall_attempt"),
        (["evaluate", "--task", "district_backlog_easy", "--policy", "oldest_first", "--limit", "3"],
         "--limit needs --seed-set"),
        (["evaluate", "--task", "district_backlog_easy", "--policy", "oldest_first", "--seed", "1",
          "--seed-set", "dev"], "give --seed or --seed-set, not both"),
        (["leaderboard", "--ruleset", "legacy", "--output", ""], "--output: give a file name"),
        (["tasks", "--ruleset", ""], "unknown ruleset ''; valid choices: standard, legacy"),
        (["policies", "--ruleset", "mars"], "--ruleset: unknown ruleset 'mars'; valid choices: standard, legacy"),
        (["leaderboard", "--ruleset", "mars"], "--ruleset: unknown ruleset 'mars'"),
        (["train", "--task", "t", "--reward", "money"],
         "--reward: unknown reward 'money'; valid choices: grade, simulator"),
        (["train", "--task", "t", "--imitate", "sage"],
         "--imitate: unknown policy 'sage'; valid choices: stall_attempt"),
        (["train", "--task", "t", "--ruleset", "mars"], "--ruleset: unknown ruleset 'mars'"),
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
            "oldest_first",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("govworkflow: error: --task: unknown legacy task 'nope'")


def test_the_default_leaderboard_file_is_checked_before_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from govworkflow.evaluation import leaderboard

    (tmp_path / "data").write_text("a file where the results folder would go")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(leaderboard, "run_leaderboard", lambda *a, **k: pytest.fail("the run started"))
    code, out, err = run(["leaderboard", "--ruleset", "legacy", "--json"], capsys)
    assert (code, out) == (2, "")
    assert "--output: cannot use 'data/results' as a folder: 'data' is a file" in err


def test_evaluate_on_a_seed_set(capsys: pytest.CaptureFixture[str]) -> None:
    """``--seed-set``/``--limit``, as in ``triage evaluate``: the first N seeds of the set."""
    argv = ["evaluate", "--ruleset", "legacy", "--task", "district_backlog_easy", "--policy", "oldest_first",
            "--seed-set", "evaluation", "--limit", "2", "--max-steps", "5", "--json"]  # fmt: skip
    code, out, _ = run(argv, capsys)
    assert code == 0
    assert [r["seed"] for r in json.loads(out)] == [100_000, 100_001]


def test_repeated_leaderboard_names_count_once(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["leaderboard", "--ruleset", "legacy", "--task", "district_backlog_easy", "--task",
            "district_backlog_easy", "--policy", "oldest_first", "--policy", "oldest_first", "--limit", "1",
            "--workers", "1", "--json"]  # fmt: skip
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


# -- help ----------------------------------------------------------------------------
def subcommands(parser: argparse.ArgumentParser) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """``(path, parser)`` for ``parser`` and every subcommand below it, nested ones too,
    found in argparse's own subparser actions (so a new subcommand is covered without a
    test change)."""
    found: list[tuple[tuple[str, ...], argparse.ArgumentParser]] = [((), parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += [((name, *path), p) for path, p in subcommands(sub)]
    return found


def test_the_walk_finds_every_command() -> None:
    from govworkflow.cli.triage import COMMANDS as TRIAGE_COMMANDS

    paths = {path for path, _ in subcommands(build_parser())}
    assert {path for path in paths if len(path) == 1} == {(name,) for name in COMMANDS}
    assert {path[1] for path in paths if path[:1] == ("triage",) and len(path) == 2} == set(TRIAGE_COMMANDS)
    assert ("triage", "leaderboard") in paths  # its help holds a literal "95%"


def test_every_command_and_subcommand_prints_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    """``--help`` and ``-h`` at every level exit 0 with a usage line (argparse %-formats help
    strings, so a bare ``%`` in one of them used to crash ``govworkflow --help``)."""
    parser = build_parser()
    for path, _ in subcommands(parser):
        for flag in ("--help", "-h"):
            with pytest.raises(SystemExit) as exc:
                parser.parse_args([*path, flag])
            out, err = capsys.readouterr()
            assert exc.value.code == 0, (path, flag, err)
            assert out.startswith(f"usage: {' '.join(('govworkflow', *path))} "), (path, flag, out)
            assert err == "", (path, flag)


def test_every_command_and_subcommand_has_a_one_line_description() -> None:
    for path, parser in subcommands(build_parser()):
        assert parser.description, path
        assert parser.description.strip() == parser.description and "\n" not in parser.description, path
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helps = {a.dest: a.help for a in action._choices_actions}
                assert set(helps) == set(action.choices), path
                for name, text in helps.items():
                    assert text and text.strip() and "\n" not in text, (*path, name)


#: Options whose values come from a closed set of names.
CLOSED_SETS = {"--ruleset", "--policy", "--reward", "--imitate", "--network", "--seed-set", "--log-level"}


def test_options_with_a_closed_set_of_values_list_their_choices() -> None:
    seen = set()
    for path, parser in subcommands(build_parser()):
        for action in parser._actions:
            for option in CLOSED_SETS & set(action.option_strings):
                seen.add(option)
                assert action.choices, (*path, option)
                if action.default is not None:
                    assert action.default in action.choices, (*path, option)
    assert seen == CLOSED_SETS


def test_the_policy_choices_are_the_policies_of_the_rulesets() -> None:
    assert set(POLICY_NAMES) == {name for rs in RULESETS.values() for name in rs.policies}


def test_the_reward_choices_are_the_reward_modes() -> None:
    pytest.importorskip("gymnasium")
    from govworkflow.gym.office import REWARD_MODES as MODES

    assert tuple(REWARD_MODES) == MODES


def console_script() -> str:
    """The ``govworkflow`` console script installed next to this Python."""
    found = shutil.which("govworkflow", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("the govworkflow console script is not installed next to sys.executable")
    return found


@pytest.mark.parametrize(
    ("how", "argv"),
    [
        ("module", ["-h"]),
        ("module", ["--help"]),
        ("module", ["triage", "leaderboard", "--help"]),
        ("script", ["--help"]),
        ("script", ["leaderboard", "-h"]),
    ],
)
def test_help_runs_in_a_fresh_process(how: str, argv: list[str]) -> None:
    """``python -m govworkflow -h`` and the installed ``govworkflow --help``, as a user runs them."""
    cmd = [sys.executable, "-m", "govworkflow", *argv] if how == "module" else [console_script(), *argv]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"usage: {' '.join(['govworkflow', *argv[:-1]])} ")
    assert "Traceback" not in proc.stderr and proc.stderr == ""
    assert "95% " in proc.stdout and "95%%" not in proc.stdout  # a literal percent, not its escape


@pytest.mark.parametrize(
    ("module", "argv", "message"),
    [
        ("govworkflow.evaluation.canaries", ["--canary", "nope", "--seeds", "2"], "unknown canary 'nope'; valid"),
        ("govworkflow.evaluation.canaries", ["--task", "nope", "--seeds", "2"], "unknown standard task 'nope'"),
        ("govworkflow.training.analysis", ["--task", "nope", "--seeds", "1"], "unknown standard task 'nope'"),
        ("govworkflow.evaluation.claims", ["--policy", "nope"], "no rows for 'nope' in this leaderboard"),
        ("govworkflow.evaluation.tuning", ["--seeds", "0"], "seeds: must be a positive integer, got 0"),
    ],
)
def test_module_commands_report_bad_names_in_one_line(module: str, argv: list[str], message: str) -> None:
    """``python -m govworkflow.…`` commands answer a bad name as ``govworkflow`` does: one line, exit 2."""
    proc = subprocess.run([sys.executable, "-m", module, *argv], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"python -m {module}: error: ") and message in proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


# -- one grammar: old spellings ------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new"),
    [
        (["leaderboard", "--tasks", "district_backlog_easy", "mixed_urgency_medium"],
         ["leaderboard", "--task", "district_backlog_easy", "--task", "mixed_urgency_medium"]),
        (["leaderboard", "--tasks", "district_backlog_easy,mixed_urgency_medium"],
         ["leaderboard", "--task", "district_backlog_easy", "--task", "mixed_urgency_medium"]),
        (["leaderboard", "--policies", "oldest_first", "urgent_first"],
         ["leaderboard", "--policy", "oldest_first", "--policy", "urgent_first"]),
        (["leaderboard", "--seeds", "3"], ["leaderboard", "--limit", "3"]),
        (["triage", "leaderboard", "--out", "lb.json"], ["triage", "leaderboard", "--output", "lb.json"]),
    ],
)  # fmt: skip
def test_an_old_spelling_parses_as_the_new_one_with_a_note(
    old: list[str], new: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    parser = build_parser()
    assert parser.parse_args(old) == parser.parse_args(new)
    option = next(word for word in old if word.startswith("--"))
    err = capsys.readouterr().err
    assert err.startswith(f"govworkflow: warning: {option} is deprecated") and err.count("\n") == 1
    assert f"use {new[-2]}" in err


def test_old_and_new_spellings_give_the_same_leaderboard(capsys: pytest.CaptureFixture[str]) -> None:
    common = ["leaderboard", "--ruleset", "legacy", "--workers", "1", "--no-save", "--json"]
    old = [*common, "--tasks", "district_backlog_easy", "--policies", "oldest_first", "--seeds", "2"]
    new = [*common, "--task", "district_backlog_easy", "--policy", "oldest_first", "--limit", "2"]
    code, out_old, err_old = run(old, capsys)
    assert code == 0 and err_old.count("deprecated") == 3
    code, out_new, err_new = run(new, capsys)
    assert code == 0 and err_new == ""
    assert json.loads(out_old)["rows"] == json.loads(out_new)["rows"]


def test_old_and_new_output_spellings_write_the_same_triage_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["triage", "leaderboard", "--task", "faithful_5", "--policy", "edf", "--limit", "3"]
    assert run([*common, "--out", str(tmp_path / "old.json")], capsys)[0] == 0
    assert run([*common, "--output", str(tmp_path / "new.json")], capsys)[0] == 0
    old, new = (json.loads((tmp_path / f"{n}.json").read_text()) for n in ("old", "new"))
    assert old["rows"] == new["rows"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["leaderboard", "--tasks", ","], "--tasks: give at least one name, omit the option for all"),
        (["leaderboard", "--policies", "oldest_first,sage"], "--policies: unknown policy 'sage'; valid choices: "),
        (["leaderboard", "--seeds", "x"], "argument --seeds: invalid int value: 'x'"),
    ],
)
def test_a_bad_value_in_an_old_spelling_is_one_error_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(argv, capsys)
    assert (code, out) == (2, "")
    note, error = err.strip().splitlines()  # the deprecation note, then the error
    assert "deprecated" in note and message in error


def test_old_spellings_are_hidden_from_help(capsys: pytest.CaptureFixture[str]) -> None:
    for path in (["leaderboard"], ["triage", "leaderboard"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args([*path, "--help"])
        words = set(capsys.readouterr().out.split())
        assert {"--task", "--policy", "--limit", "--output"} <= words
        assert not {"--tasks", "--policies", "--seeds", "--out"} & words


# -- train: options generated from the arguments dataclasses -------------------------
OPTIONS: dict[tuple[str, ...], DataclassOptions] = {
    ("train",): TRAIN_OPTIONS,
    ("triage", "train"): triage_cli.TRAIN_OPTIONS,
}
TRAIN_COMMANDS = [
    (("train",), "govworkflow.training.args", "TrainArgs"),
    (("triage", "train"), "govworkflow.training.triage", "TriageTrainArgs"),
]


def attribute_docstrings(cls: type) -> dict[str, str]:
    """``{field: docstring}`` of a dataclass and its bases, read with ``ast`` from
    ``inspect.getsource`` (the string right after each annotated field)."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not dataclasses.is_dataclass(klass):
            continue
        body = ast.parse(textwrap.dedent(inspect.getsource(klass))).body[0]
        assert isinstance(body, ast.ClassDef)
        for node, after in zip(body.body, body.body[1:], strict=False):
            documented = isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and documented:
                text = after.value.value  # type: ignore[union-attr]
                if isinstance(text, str):
                    docs[node.target.id] = " ".join(text.split())
    return docs


def parser_at(path: tuple[str, ...]) -> argparse.ArgumentParser:
    return dict(subcommands(build_parser()))[path]


@pytest.mark.parametrize(("path", "module", "name"), TRAIN_COMMANDS)
def test_every_train_option_is_a_dataclass_field_with_its_default_and_docstring(
    path: tuple[str, ...], module: str, name: str
) -> None:
    pytest.importorskip("sb3_contrib")
    cls = getattr(importlib.import_module(module), name)
    spec = OPTIONS[path]
    docs = attribute_docstrings(cls)
    actions = {a.dest: a for a in parser_at(path)._actions if a.option_strings and a.dest != "help"}
    fields = dataclasses.fields(cls)
    assert set(actions) == {f.name for f in fields} - set(spec.exclude)  # no option without a field
    for f in fields:
        if f.name in spec.exclude:
            continue
        action = actions[f.name]
        assert f"--{f.name.replace('_', '-')}" in action.option_strings, f.name
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
        if f.name in spec.required:
            assert action.required, f.name
        else:
            assert action.default == default, f.name
            assert type(action.default) is type(default), f.name
        first = docs[f.name].split(". ")[0].replace("``", "`")
        assert action.help and first in action.help, f.name


@pytest.mark.parametrize(("path", "module", "name"), TRAIN_COMMANDS)
def test_train_without_options_runs_the_dataclass_defaults(
    path: tuple[str, ...], module: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sb3_contrib")
    target = importlib.import_module(module)
    cls = getattr(target, name)
    task = cls().task
    seen: list[object] = []

    class StopError(Exception):
        pass

    def capture(args: object) -> None:
        seen.append(args)
        raise StopError

    trainer = importlib.import_module("govworkflow.training.ppo") if name == "TrainArgs" else target
    monkeypatch.setattr(trainer, "train" if name == "TrainArgs" else "train_triage", capture)
    with pytest.raises(StopError):
        main([*path, "--task", task])
    assert seen == [cls(task=task)]
    with pytest.raises(StopError):
        main([*path, "--task", task, "--timesteps", "512", "--net-arch", "8", "8", "--no-progress", "--imitate",
              "none", "--learning-rate", "0.5"])  # fmt: skip
    assert seen[1] == cls(task=task, timesteps=512, net_arch=[8, 8], progress=False, imitate=None, learning_rate=0.5)


def test_a_bad_training_value_names_its_option(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sb3_contrib")
    assert main(["train", "--task", "district_backlog_easy", "--n-steps", "0"]) == 2
    assert main(["triage", "train", "--task", "overload_12", "--clip-range", "-1"]) == 2
    first, second = capsys.readouterr().err.strip().splitlines()
    assert first == "govworkflow: error: --n-steps: must be a positive integer, got 0"
    assert second.startswith("govworkflow: error: --clip-range: must be a positive finite number")


def test_the_dataclass_reader_follows_bases_and_overrides() -> None:
    office = {f.name: f for f in dataclass_fields("govworkflow.training.args", "TrainArgs")}
    triage = {f.name: f for f in dataclass_fields("govworkflow.training.triage", "TriageTrainArgs")}
    assert list(office)[:3] == ["timesteps", "seed", "n_envs"]  # the base's fields first, in order
    assert office["imitate"].default == "sla_aware" and triage["imitate"].default is None  # overridden
    assert office["net_arch"].default == [128, 128]  # a default_factory
    assert "COUNTS" not in office  # a ClassVar is no field
    assert OPTIONS[("train",)].option_message("n_envs: must be a positive integer") == (
        "--n-envs: must be a positive integer"
    )
