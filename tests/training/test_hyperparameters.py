"""Hyper-parameters a run cannot use are refused before any work, naming the option:
``train``, ``sweep`` and ``triage train`` on the command line, ``train`` from Python."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from govworkflow.cli.main import main
from govworkflow.core.errors import BadValueError
from govworkflow.training import ppo
from govworkflow.training.ppo import PPOArgs, TrainArgs, train
from govworkflow.training.triage import TriageTrainArgs

#: Small enough that a check that let a bad value through would still end quickly.
TINY = ["--timesteps", "64", "--n-envs", "1", "--n-steps", "64", "--batch-size", "64", "--n-epochs", "1",
        "--eval-every", "0", "--eval-episodes", "1", "--imitation-episodes", "1",
        "--imitation-epochs", "1"]  # fmt: skip

#: (option, value(s), the message's text after the option) of both ``train`` and ``triage train``.
SHARED = [
    ("--gamma", ["2"], "must be a number in [0, 1], got 2.0"),
    ("--gamma", ["-1"], "must be a number in [0, 1], got -1.0"),
    ("--gamma", ["nan"], "must be a number in [0, 1], got nan"),
    ("--gamma", ["inf"], "must be a number in [0, 1], got inf"),
    ("--gae-lambda", ["2"], "must be a number in [0, 1], got 2.0"),
    ("--gae-lambda", ["-0.1"], "must be a number in [0, 1], got -0.1"),
    ("--gae-lambda", ["nan"], "must be a number in [0, 1], got nan"),
    ("--ent-coef", ["-1"], "must be a non-negative finite number, got -1.0"),
    ("--ent-coef", ["nan"], "must be a non-negative finite number, got nan"),
    ("--ent-coef", ["inf"], "must be a non-negative finite number, got inf"),
    ("--learning-rate", ["0"], "must be a positive finite number, got 0.0"),
    ("--learning-rate", ["nan"], "must be a positive finite number, got nan"),
    ("--learning-rate", ["inf"], "must be a positive finite number, got inf"),
    ("--clip-range", ["nan"], "must be a positive finite number, got nan"),
    ("--clip-range", ["-0.2"], "must be a positive finite number, got -0.2"),
    ("--max-wall-s", ["nan"], "must be a positive finite number, got nan"),
    ("--max-wall-s", ["-inf"], "must be a positive finite number, got -inf"),
    ("--net-arch", ["0"], "every width must be a positive integer, got [0]"),
    ("--net-arch", ["-4"], "every width must be a positive integer, got [-4]"),
    ("--net-arch", ["64", "-4"], "every width must be a positive integer, got [64, -4]"),
]
#: Only ``triage train``'s.
TRIAGE_ONLY = [
    ("--reward-scale", ["0"], "must be a positive finite number, got 0.0"),
    ("--reward-scale", ["nan"], "must be a positive finite number, got nan"),
    ("--reward-scale", ["-1"], "must be a positive finite number, got -1.0"),
    ("--hidden", ["0"], "must be a positive integer, got 0"),
]


def _ids(cases: list[tuple[str, list[str], str]]) -> list[str]:
    return [f"{option}={' '.join(values)}" for option, values, _ in cases]


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any training environment or model built here fails the test: the refusal comes first."""

    def started(*args: object, **kwargs: object) -> None:
        raise AssertionError("training started")

    monkeypatch.setattr(ppo, "DummyVecEnv", started)
    monkeypatch.setattr(ppo, "MaskablePPO", started)


def _given(option: str, values: list[str]) -> list[str]:
    """``--option=V`` (argparse would read ``--option -inf`` as two options), or
    ``--option V1 V2`` for several values."""
    return [f"{option}={values[0]}"] if len(values) == 1 else [option, *values]


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str], message: str, out: Path) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == f"govworkflow: error: {message}\n"
    assert not out.exists()


#: The command lines that take the hyper-parameters, before them.
COMMAND_LINES = {
    "train": ["train", "--ruleset", "legacy", "--task", "district_backlog_easy"],
    "sweep": ["sweep", "--ruleset", "legacy", "--task", "district_backlog_easy", "--seeds", "1"],
    "triage train": ["triage", "train", "--task", "overload_12"],
}
CASES = [
    (command, *case) for command in COMMAND_LINES for case in SHARED + (TRIAGE_ONLY if "triage" in command else [])
]


CASE_IDS = [f"{case[0]}:{name}" for case, name in zip(CASES, _ids([case[1:] for case in CASES]), strict=True)]


@pytest.mark.parametrize(("command", "option", "values", "text"), CASES, ids=CASE_IDS)
@pytest.mark.usefixtures("no_work")
def test_a_bad_value_is_refused_naming_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, option: str, values: list[str], text: str
) -> None:
    out = tmp_path / "out"
    argv = [*COMMAND_LINES[command], *TINY, "--no-progress", "--out-dir", str(out), *_given(option, values)]
    _refused(argv, capsys, f"{option}: {text}", out)


@pytest.mark.parametrize(
    ("option", "values", "text"),
    [case for case in SHARED if case[0] != "--net-arch"],  # net_arch cannot be varied (a list)
    ids=_ids([case for case in SHARED if case[0] != "--net-arch"]),
)
@pytest.mark.usefixtures("no_work")
def test_a_sweep_setting_with_a_bad_value_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, values: list[str], text: str
) -> None:
    out = tmp_path / "out"
    argv = ["sweep", "--ruleset", "legacy", "--task", "district_backlog_easy", "--seeds", "1", *TINY,
            "--no-progress", "--out-dir", str(out), "--vary", f"{option[2:]}=0.5,{values[0]}"]  # fmt: skip
    _refused(argv, capsys, f"{option}: {text}", out)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("gamma", 1.5, "gamma: must be a number in [0, 1], got 1.5"),
        ("gamma", math.nan, "gamma: must be a number in [0, 1], got nan"),
        ("gamma", "0.9", "gamma: must be a number in [0, 1], got '0.9'"),
        ("gamma", True, "gamma: must be a number in [0, 1], got True"),
        ("gae_lambda", -0.5, "gae_lambda: must be a number in [0, 1], got -0.5"),
        ("ent_coef", -1e-3, "ent_coef: must be a non-negative finite number, got -0.001"),
        ("ent_coef", math.inf, "ent_coef: must be a non-negative finite number, got inf"),
        ("learning_rate", math.nan, "learning_rate: must be a positive finite number, got nan"),
        ("net_arch", [0], "net_arch: every width must be a positive integer, got [0]"),
        ("net_arch", [64, 2.5], "net_arch: every width must be a positive integer, got [64, 2.5]"),
        ("net_arch", 64, "net_arch: every width must be a positive integer, got 64"),
    ],
)
@pytest.mark.usefixtures("no_work")
def test_train_from_python_refuses_a_bad_value_naming_the_field(
    tmp_path: Path, field: str, value: object, message: str
) -> None:
    args = TrainArgs(task="district_backlog_easy", ruleset="legacy", out_dir=tmp_path / "out", progress=False)
    setattr(args, field, value)
    with pytest.raises(BadValueError) as err:
        train(args)
    assert str(err.value) == message
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("cls", [PPOArgs, TrainArgs, TriageTrainArgs])
def test_the_edges_that_make_sense_are_accepted(cls: type[PPOArgs]) -> None:
    args = cls(gamma=1, gae_lambda=np.float64(1.0), ent_coef=0, net_arch=[np.int64(8), 8])
    args.check()
    assert (args.gamma, args.gae_lambda, args.ent_coef, args.net_arch) == (1.0, 1.0, 0.0, [8, 8])
    assert all(type(v) is float for v in (args.gamma, args.gae_lambda, args.ent_coef))
    assert all(type(w) is int for w in args.net_arch)  # the training record is JSON
    assert cls().check() is None  # every default passes


@pytest.mark.parametrize("cls", [PPOArgs, TrainArgs, TriageTrainArgs])
def test_what_stable_baselines_accepts_is_accepted(cls: type[PPOArgs]) -> None:
    """A discount of 0 and GAE's lambda 0 (one-step TD) are legal; widths may come as an array."""
    args = cls(gamma=0, gae_lambda=0.0, net_arch=np.array([16, 16]))  # type: ignore[arg-type]
    args.check()
    assert (args.gamma, args.gae_lambda, args.net_arch) == (0.0, 0.0, [16, 16])
    assert all(type(w) is int for w in args.net_arch)
