"""Training, tested three ways: a smoke run of the real entry point, determinism, and a
probe task whose optimal policy is known."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from sb3_contrib import MaskablePPO

from govworkflow.cli.main import main
from govworkflow.core.assets import MODEL_DIR
from govworkflow.core.errors import GovWorkflowError
from govworkflow.env import GovWorkflowEnv
from govworkflow.evaluation import run_episode
from govworkflow.office.ruleset import Ruleset
from govworkflow.office.rulesets import RULESETS, get_ruleset
from govworkflow.office.rulesets.legacy import LegacySimulator
from govworkflow.office.rulesets.legacy.tasks import LegacyTask
from govworkflow.training.policy import PPOPolicy
from govworkflow.training.ppo import TrainArgs, train

TINY = {"timesteps": 512, "n_envs": 2, "n_steps": 64, "batch_size": 64, "n_epochs": 2, "eval_every": 0,
        "eval_episodes": 2, "imitation_episodes": 2, "imitation_epochs": 2, "progress": False}  # fmt: skip

# Probe: one day long. Four cases wait at birth_certificate (one officer); passport has
# an officer and no cases. Moving that officer to birth_certificate, then advancing the day,
# is the one optimal play under the simulator reward: two stage advances and no idle
# officer (return 1.08), against one advance and an idle officer-day when advancing at
# once (0.49); every other action only adds the waiting cost.
PROBE = LegacyTask(
    task_id="probe", seed=1, max_days=1, arrival_rate_per_day=0.0,
    seeds={"development": {"start": 0, "stop": 1000}, "evaluation": {"start": 1000, "stop": 1100}},
    services=("passport", "birth_certificate"), p_missing_documents=0.0, p_field_verification=0.0,
    escalation_budget=0, officers=(1, 1), reserve_officers=0, initial_cases=(0, 4), sla_days=(30, 30),
    grade_weights={"idle_efficiency": 1.0},
)  # fmt: skip


@pytest.fixture
def probe_ruleset() -> Iterator[str]:
    RULESETS["probe"] = Ruleset("probe", "probe task", {"probe": PROBE}, LegacySimulator, {}, 12)
    try:
        yield "probe"
    finally:
        del RULESETS["probe"]


def test_smoke_run_of_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["train", "--ruleset", "legacy", "--task", "district_backlog_easy", "--timesteps", "256",
                 "--n-envs", "2", "--eval-every", "0", "--imitation-episodes", "2", "--out-dir", str(tmp_path),
                 "--no-progress"])  # fmt: skip
    assert code == 0
    assert "best validation score" in capsys.readouterr().out
    record = json.loads((tmp_path / "results" / "training-legacy-district_backlog_easy.json").read_text())
    assert record["timesteps"] >= 256
    assert record["curve"]
    assert record["warm_start"]["teacher"] == "sla_aware"
    assert record["warm_start"]["samples"] > 0
    assert 0.0 <= record["best_validation_score"] <= 1.0
    assert record["provenance"]["command"].startswith("govworkflow train")
    held_out = get_ruleset("legacy").task("district_backlog_easy").seeds.evaluation
    assert record["validation_seeds"] and not any(s in held_out for s in record["validation_seeds"])
    shipped = tmp_path / "models" / "legacy-district_backlog_easy-ppo.zip"
    assert MaskablePPO.load(shipped, device="cpu")
    assert shipped.stat().st_size < 600_000  # the optimizer state is not shipped
    assert f"--out-dir {tmp_path}" in record["provenance"]["command"]  # a repeat writes there again
    # the run's models play through the one harness, named by their folder
    argv = ["evaluate", "--ruleset", "legacy", "--task", "district_backlog_easy", "--seed", "3", "--json"]
    assert main([*argv, "--policy", f"ppo:{tmp_path}"]) == 0
    (played,) = json.loads(capsys.readouterr().out)
    direct = run_episode("legacy", "district_backlog_easy", PPOPolicy(tmp_path / "models"), 3)
    assert played["policy"] == f"ppo:{tmp_path}" and played["score"] == direct.score


def test_a_folder_of_models_plays_as_ppo_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "models").mkdir()
    name = "standard-district_backlog_easy-ppo.zip"
    (tmp_path / "models" / name).write_bytes(Path(str(MODEL_DIR / name)).read_bytes())
    argv = ["evaluate", "--task", "district_backlog_easy", "--seed", "1", "--seed", "4", "--json"]
    assert main([*argv, "--policy", "ppo"]) == 0
    shipped = json.loads(capsys.readouterr().out)
    for where in (tmp_path, tmp_path / "models"):  # a run's --out-dir, or its models/ folder
        assert main([*argv, "--policy", f"ppo:{where}"]) == 0
        mine = json.loads(capsys.readouterr().out)
        assert [r["policy"] for r in mine] == [f"ppo:{where}"] * 2
        assert [{**r, "policy": "ppo"} for r in mine] == shipped
    assert main(["evaluate", "--task", "mixed_urgency_medium", "--policy", f"ppo:{tmp_path}"]) == 2
    err = capsys.readouterr().err
    assert "no trained model for standard task 'mixed_urgency_medium'" in err
    assert "(models here: district_backlog_easy)" in err
    assert f"--out-dir {tmp_path} (then play it as ppo:{tmp_path})" in err  # never over the shipped models
    assert main([*argv, "--policy", "ppo:"]) == 2
    assert "name the folder of models after the colon: ppo:DIR" in capsys.readouterr().err
    assert main([*argv, "--policy", f"ppo:{tmp_path / 'nope'}"]) == 2
    assert f"no folder {str(tmp_path / 'nope')!r}" in capsys.readouterr().err


def test_the_office_ppo_policy_says_how_to_give_it_the_simulator() -> None:
    env = GovWorkflowEnv("district_backlog_easy")
    with pytest.raises(GovWorkflowError, match=r"call act\(observation, simulator\)"):
        PPOPolicy().act(env.reset())


def test_bad_training_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--ruleset", "legacy", "--task", "nope"]) == 2
    assert main(["train", "--ruleset", "legacy", "--task", "district_backlog_easy", "--timesteps", "0"]) == 2
    err = capsys.readouterr().err
    assert "unknown legacy task 'nope'" in err
    assert "--timesteps: must be a positive integer, got 0" in err


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--reward", "bogus"], "unknown reward 'bogus'; valid choices: grade, simulator"),
        (["--eval-every", "-1"], "--eval-every: must be an integer of at least 0, got -1"),
        (["--imitation-episodes", "0"], "--imitation-episodes: must be a positive integer, got 0"),
        (["--imitation-episodes", "-1"], "--imitation-episodes: must be a positive integer, got -1"),
    ],
)
def test_bad_training_values_are_refused_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: list[str], message: str
) -> None:
    argv = ["train", "--ruleset", "legacy", "--task", "district_backlog_easy", "--out-dir", str(tmp_path / "o")]
    assert main([*argv, *option, "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o" / "models").exists()


def test_a_record_path_in_the_way_is_refused_before_training(tmp_path: Path) -> None:
    (tmp_path / "results" / "training-legacy-district_backlog_easy.json").mkdir(parents=True)
    args = TrainArgs(task="district_backlog_easy", ruleset="legacy", out_dir=tmp_path, **TINY)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"out_dir: .*training-legacy-district_backlog_easy\.json' is a folder"):
        train(args)
    assert list((tmp_path / "models").iterdir()) == []


def test_same_seed_same_parameters_and_actions(tmp_path: Path) -> None:
    def run(out: Path) -> MaskablePPO:
        train(TrainArgs(task="district_backlog_easy", ruleset="legacy", seed=5, out_dir=out, **TINY))  # type: ignore[arg-type]
        return MaskablePPO.load(out / "models" / "legacy-district_backlog_easy-ppo.zip", device="cpu")

    a, b = run(tmp_path / "a"), run(tmp_path / "b")
    for (name, pa), (_, pb) in zip(a.policy.state_dict().items(), b.policy.state_dict().items(), strict=True):
        assert torch.equal(pa, pb), name
    obs = np.random.default_rng(0).random((20, a.observation_space.shape[0])).astype(np.float32)
    assert np.array_equal(a.predict(obs, deterministic=True)[0], b.predict(obs, deterministic=True)[0])


@pytest.mark.slow
def test_probe_task_is_solved(tmp_path: Path, probe_ruleset: str) -> None:
    from govworkflow.gym import GovWorkflowGymEnv, action_table

    args = TrainArgs(task="probe", ruleset=probe_ruleset, timesteps=6_000, seed=0, n_envs=4, n_steps=64,
                     batch_size=128, n_epochs=4, eval_every=0, eval_episodes=2, max_steps=4,
                     reward="simulator", learning_rate=1e-3, ent_coef=0.01, clip_range=0.2, imitate=None,
                     out_dir=tmp_path, progress=False)  # fmt: skip
    result = train(args)
    model = MaskablePPO.load(result.model_path, device="cpu")
    env = GovWorkflowGymEnv("probe", probe_ruleset, reward="simulator", max_steps=4)
    obs, info = env.reset(seed=3)
    played = []
    done = False
    while not done:
        action, _ = model.predict(obs, action_masks=info["action_mask"], deterministic=True)
        played.append(str(action_table()[int(action)]))
        obs, _, terminated, truncated, info = env.step(int(action))
        done = terminated or truncated
    assert played == [
        "reallocate_officers(service=passport, target_service=birth_certificate, officer_delta=1)",
        "advance_time()",
    ]
    counters = env.office.state().counters
    assert (counters["stage_advances"], counters["idle_officer_days"]) == (2, 0)


def test_the_recorded_command_repeats_the_run() -> None:
    """A run's provenance command parses back, through the real command line, to the same
    arguments (every option that differs from its default is in it)."""
    import shlex

    from govworkflow.cli.main import TRAIN_OPTIONS, build_parser
    from govworkflow.training.ppo import command_line

    args = TrainArgs(task="mixed_urgency_medium", imitate="oracle_lookahead", imitation_episodes=96,
                     learning_rate=1e-5, clip_range=0.05, n_epochs=4, ent_coef=0.0, max_wall_s=570.0,
                     timesteps=100_000, use_masking=False, net_arch=[64, 32], out_dir=Path("runs/a b"))  # fmt: skip
    text = command_line(args, "standard")
    assert "--no-use-masking" in text and "--net-arch 64 32" in text and "--max-wall-s 570.0" in text
    assert "--out-dir 'runs/a b'" in text  # a repeat writes where the run wrote, not over the package's models
    parsed = build_parser().parse_args(shlex.split(text)[1:])
    again = TRAIN_OPTIONS.build(TrainArgs, parsed)
    assert again == TrainArgs(**{**args.__dict__, "ruleset": "standard"})
