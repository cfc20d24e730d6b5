"""Training sweeps (``training.sweep``) on the local backend: each trial recorded like a
``train`` run in its own folder, the best chosen on development-seed validation only, the
same seed giving the same trial as ``train``; bad sweeps refused before any work. The same
sweep on a real Ray instance is in ``tests/evaluation/test_ray_backend.py``."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from govworkflow.cli.main import main
from govworkflow.core.errors import BadValueError
from govworkflow.office.rulesets import get_ruleset
from govworkflow.training.ppo import TrainArgs, train
from govworkflow.training.sweep import sweep, trials

#: A sweep's tiny budget (seconds per trial on this machine).
TINY = ["--timesteps", "128", "--n-envs", "2", "--n-steps", "64", "--batch-size", "64", "--n-epochs", "1",
        "--eval-every", "0", "--eval-episodes", "2", "--imitation-episodes", "2",
        "--imitation-epochs", "1"]  # fmt: skip
BASE = TrainArgs(task="district_backlog_easy", ruleset="legacy", timesteps=128, n_envs=2, n_steps=64, batch_size=64,
                 n_epochs=1, eval_every=0, eval_episodes=2, imitation_episodes=2, imitation_epochs=1,
                 progress=False)  # fmt: skip


def check_sweep_record(root: Path, seeds: list[int]) -> dict[str, object]:
    """The sweep's record: one trial per seed, each with its own train record, the best the
    highest development-seed validation score; returns the record."""
    record = json.loads((root / "sweep-legacy-district_backlog_easy.json").read_text())
    assert [t["seed"] for t in record["trials"]] == seeds
    held_out = get_ruleset("legacy").task("district_backlog_easy").seeds.evaluation
    for t in record["trials"]:
        own = json.loads(Path(t["record"]).read_text())
        assert Path(t["record"]).parent.parent == root / t["trial"]
        assert (root / t["trial"] / "models" / "legacy-district_backlog_easy-ppo.zip").is_file()
        assert own["best_validation_score"] == t["best_validation_score"]
        assert own["provenance"]["command"].startswith("govworkflow train") and f"--seed {t['seed']}" in own[
            "provenance"]["command"]  # fmt: skip
        assert own["validation_seeds"] and not any(s in held_out for s in own["validation_seeds"])
    best = max(record["trials"], key=lambda t: t["best_validation_score"])
    assert record["best"] == best["trial"]
    return record


def test_a_two_trial_sweep_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sweep", "--ruleset", "legacy", "--task", "district_backlog_easy", "--seeds", "1", "2", *TINY,
            "--out-dir", str(tmp_path), "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    record = check_sweep_record(tmp_path, [1, 2])
    assert f"best {record['best']}" in out and "record:" in out
    # a trial is the train run of its seed: the same validation score
    alone = train(replace(BASE, seed=2, out_dir=tmp_path / "alone"))
    trial = next(t for t in record["trials"] if t["seed"] == 2)  # type: ignore[attr-defined]
    assert trial["best_validation_score"] == alone.best_validation_score


def test_a_sweep_over_settings_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sweep", "--ruleset", "legacy", "--task", "district_backlog_easy", "--seeds", "4", *TINY,
            "--vary", "learning-rate=1e-4,0.001", "--out-dir", str(tmp_path), "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    capsys.readouterr()
    record = json.loads((tmp_path / "sweep-legacy-district_backlog_easy.json").read_text())
    assert [t["trial"] for t in record["trials"]] == ["seed-4_learning_rate-0.0001", "seed-4_learning_rate-0.001"]
    rates = [json.loads(Path(t["record"]).read_text())["hyperparameters"]["learning_rate"] for t in record["trials"]]
    assert rates == [1e-4, 1e-3]


def test_settings_are_crossed_with_seeds_and_named(tmp_path: Path) -> None:
    runs = trials(BASE, [3, 1, 3], tmp_path, [{}, {"learning_rate": 3e-4}])
    assert [t.name for t in runs] == ["seed-3", "seed-1", "seed-3_learning_rate-0.0003", "seed-1_learning_rate-0.0003"]
    assert runs[2].args.learning_rate == 3e-4 and runs[0].args.learning_rate == BASE.learning_rate
    assert all(t.args.out_dir == tmp_path.resolve() / t.name for t in runs)


@pytest.mark.parametrize(
    ("seeds", "settings", "message"),
    [
        ([], [{}], "seeds: give at least one seed"),
        ([-1], [{}], "seeds: must be a non-negative integer"),
        ([1], [{"seed": 2}], "settings: 'seed' is not a training setting a sweep can vary"),
        ([1], [{"nope": 2}], "settings: 'nope' is not a training setting"),
        ([1], [{"timesteps": 0}], "timesteps: must be a positive integer, got 0"),
    ],
)
def test_bad_sweeps_are_refused_before_any_work(
    seeds: list[int], settings: list[dict[str, object]], message: str, tmp_path: Path
) -> None:
    with pytest.raises(BadValueError, match=message):
        trials(BASE, seeds, tmp_path, settings)
    assert not any(tmp_path.iterdir())


def test_a_failed_trial_writes_no_sweep_record(tmp_path: Path) -> None:
    from govworkflow.core.errors import GovWorkflowError

    runs = trials(BASE, [1], tmp_path)
    broken = [replace(runs[0], args=replace(runs[0].args, reward="nope"))]
    failed = r"(?s)1 of 1 trials failed; no sweep record was written.*seed-1 seed 1: unknown reward .nope."
    with pytest.raises(GovWorkflowError, match=failed):
        sweep(broken, tmp_path)
    assert not (tmp_path / "sweep-legacy-district_backlog_easy.json").exists()


def test_bad_sweep_options_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["sweep", "--ruleset", "legacy", "--task", "district_backlog_easy", "--out-dir", str(tmp_path / "s")]
    for extra, message in [
        (["--seeds", "1", "--backend", "nope"], "--backend: unknown backend 'nope'; valid choices: local, ray"),
        (["--seeds", "1", "--timesteps", "0"], "--timesteps: must be a positive integer"),
        (["--seeds", "1", "--workers", "0"], "--workers: must be a positive integer"),
        (["--seeds", "1", "--address", "auto"], "--address 'auto' needs --backend ray"),
        (["--seeds", "1", "--vary", "nope=1,2"], "--vary: 'nope' is not a training option a sweep can vary; one of:"),
        (["--seeds", "1", "--vary", "net-arch=8"], "--vary: 'net-arch' is not a training option a sweep can vary"),
        (["--seeds", "1", "--vary", "n-envs=2,x"], "--vary n-envs=2,x: expected int values, separated by commas"),
        (["--seeds", "1", "--vary", "n-envs="], "--vary 'n-envs=': give OPTION=V1,V2"),
        (["--seeds", "1", "--vary", "learning-rate=-1"], "--learning-rate: must be"),
    ]:
        assert main([*base, *extra]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and message in err[0], err
    assert not (tmp_path / "s").exists()
