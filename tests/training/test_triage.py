"""Triage training, tested like the office's: a smoke run of the real entry point,
same-seed determinism, and the shipped ``ppo`` policy."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from sb3_contrib import MaskablePPO
from sb3_contrib.common.maskable.policies import MaskableActorCriticPolicy

from govworkflow.cli.main import main
from govworkflow.core.assets import has_model, model_file
from govworkflow.core.errors import GovWorkflowError
from govworkflow.evaluation import table
from govworkflow.evaluation.triage import leaderboard
from govworkflow.training.networks import SlotScorerPolicy
from govworkflow.training.policy import PPOPolicy
from govworkflow.training.ppo import fit
from govworkflow.training.triage import TriageTrainArgs, train_triage, triage_demonstrations, triage_target
from govworkflow.triage import TASKS, TriageEnv, make_policy
from govworkflow.triage.policies import POLICIES, available_policies
from tests.triage.helpers import play_episode

TINY = {"timesteps": 256, "n_envs": 2, "n_steps": 64, "batch_size": 64, "n_epochs": 2, "eval_every": 0,
        "eval_episodes": 4, "imitate": "greedy_rate", "imitation_episodes": 8, "imitation_epochs": 2,
        "progress": False}  # fmt: skip
SHIPPED = [t for t in TASKS if has_model("triage", t)]


@pytest.mark.slow
def test_smoke_run_of_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["triage", "train", "--task", "overload_12", "--timesteps", "256", "--n-envs", "2", "--eval-every",
                 "0", "--imitation-episodes", "4", "--out-dir", str(tmp_path), "--no-progress"])  # fmt: skip
    assert code == 0
    assert "best validation score" in capsys.readouterr().out
    record = json.loads((tmp_path / "results" / "training-triage-overload_12.json").read_text())
    assert record["task_id"] == "overload_12"
    assert record["timesteps"] >= 256
    assert record["warm_start"] == {}  # learns from scratch unless --imitate names a teacher
    assert record["hyperparameters"]["network"] == "slots"
    assert 0.0 <= record["best_validation_score"] <= 1.0
    assert record["provenance"]["command"].startswith("govworkflow triage train --task overload_12")
    assert set(record["validation_seeds"]) <= set(TASKS["overload_12"].seeds.range("dev"))
    shipped = tmp_path / "models" / "triage-overload_12-ppo.zip"
    assert isinstance(MaskablePPO.load(shipped, device="cpu").policy, SlotScorerPolicy)
    assert shipped.stat().st_size < 1_000_000


@pytest.mark.slow  # a short training run, about 4 s
def test_a_flat_network_with_a_teacher(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["triage", "train", "--task", "two_workers_12", "--timesteps", "256", "--n-envs", "2",
                 "--eval-every", "0", "--network", "mlp", "--imitate", "greedy_rate", "--imitation-episodes", "4",
                 "--out-dir", str(tmp_path), "--no-progress"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    record = json.loads((tmp_path / "results" / "training-triage-two_workers_12.json").read_text())
    assert record["warm_start"]["teacher"] == "greedy_rate"
    assert record["warm_start"]["samples"] > 0
    model = MaskablePPO.load(tmp_path / "models" / "triage-two_workers_12-ppo.zip", device="cpu")
    assert type(model.policy) is MaskableActorCriticPolicy


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--task", "nope"], "'nope'; valid choices: faithful_5"),
        (["--task", "overload_12", "--timesteps", "0"], "--timesteps: must be a positive integer, got 0"),
        (["--task", "overload_12", "--imitate", "sage"], "'sage'; valid choices: edf"),
        (["--task", "overload_12", "--network", "cnn"], "--network: unknown network 'cnn'; valid choices: slots, mlp"),
        (["--task", "overload_12", "--eval-every", "-1"], "--eval-every: must be an integer of at least 0, got -1"),
        (["--task", "overload_12", "--seed", "-1"], "--seed: must be a non-negative integer, got -1"),
        (["--task", "overload_12", "--out-dir", __file__], f"--out-dir: cannot use {__file__!r} as a folder"),
    ],
)
def test_bad_training_arguments_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str) -> None:
    assert main(["triage", "train", *argv]) == 2
    assert fragment in capsys.readouterr().err


def test_an_interrupted_run_leaves_the_model_in_place(tmp_path: Path) -> None:
    shipped = tmp_path / "models" / "triage-overload_12-ppo.zip"
    shipped.parent.mkdir()
    shipped.write_bytes(b"the model in place")
    args = TriageTrainArgs(task="overload_12", out_dir=tmp_path, **{**TINY, "imitate": None})  # type: ignore[arg-type]
    calls: list[float] = []

    def validate_then_stop(model: MaskablePPO, seeds: list[int]) -> float:
        calls.append(0.5)
        if len(calls) > 1:
            raise KeyboardInterrupt
        return 0.5  # the first validation saves a best model (to the partial file)

    target = dataclasses.replace(triage_target(args), validate=validate_then_stop)
    args.eval_every = 64
    with pytest.raises(KeyboardInterrupt):
        fit(args, target)
    assert shipped.read_bytes() == b"the model in place"
    assert sorted(p.name for p in shipped.parent.iterdir()) == [shipped.name]  # no partial file left
    assert not (tmp_path / "results" / "training-triage-overload_12.json").exists()


def test_same_seed_same_parameters_and_actions(tmp_path: Path) -> None:
    def run(out: Path) -> MaskablePPO:
        train_triage(TriageTrainArgs(task="arrivals_12", seed=5, out_dir=out, **TINY))  # type: ignore[arg-type]
        return MaskablePPO.load(out / "models" / "triage-arrivals_12-ppo.zip", device="cpu")

    a, b = run(tmp_path / "a"), run(tmp_path / "b")
    for (name, pa), (_, pb) in zip(a.policy.state_dict().items(), b.policy.state_dict().items(), strict=True):
        assert torch.equal(pa, pb), name
    obs = np.random.default_rng(0).random((20, a.observation_space.shape[0])).astype(np.float32)
    assert np.array_equal(a.predict(obs, deterministic=True)[0], b.predict(obs, deterministic=True)[0])


def test_demonstrations_are_the_teachers_play() -> None:
    demos = triage_demonstrations("overload_12", "greedy_rate", [0, 1, 2], gamma=1.0)
    scores = [play_episode("overload_12", make_policy("greedy_rate"), s).score for s in (0, 1, 2)]
    assert demos.mean_score == pytest.approx(np.mean(scores))
    assert demos.skipped == 0
    assert all(demos.masks[np.arange(len(demos.actions)), demos.actions])


def test_ppo_is_listed_only_where_a_model_ships(tmp_path: Path) -> None:
    assert "ppo" not in available_policies("faithful_5")  # no model ships for the faithful tasks
    assert model_file("triage", "overload_12", tmp_path) == tmp_path / "triage-overload_12-ppo.zip"
    policy = PPOPolicy(tmp_path)
    obs = TriageEnv("overload_12").reset(seed=0)
    with pytest.raises(GovWorkflowError, match="govworkflow triage train --task overload_12"):
        policy.act(obs)


def test_a_model_of_another_observation_size_is_refused_clearly(tmp_path: Path) -> None:
    import gymnasium as gym

    class Narrow(gym.Env):  # the shape of an older encoder
        observation_space = gym.spaces.Box(0.0, 1.0, (151,), np.float32)
        action_space = gym.spaces.Discrete(12)

    MaskablePPO("MlpPolicy", Narrow(), device="cpu").save(model_file("triage", "overload_12", tmp_path))
    obs = TriageEnv("overload_12").reset(seed=0)
    with pytest.raises(GovWorkflowError, match=r"reads 151 features but this version encodes 187; retrain it"):
        PPOPolicy(tmp_path).act(obs)


@pytest.mark.skipif(not SHIPPED, reason="no triage model ships")
@pytest.mark.parametrize("task_id", SHIPPED)
def test_shipped_model_plays_valid_actions(task_id: str) -> None:
    result = play_episode(task_id, make_policy("ppo"), 900_000)
    assert result.terminated
    assert result.steps == result.outcome["worked"]  # never an invalid action
    rows = leaderboard([task_id], None, "eval", limit=2)
    assert "ppo" in {r.policy for r in rows}


HARD = ("overload_12", "arrivals_12", "two_workers_12")


def test_committed_ppo_narrows_the_gap_on_every_hard_task() -> None:
    """The target of the triage PPO work: on held-out seeds, PPO's 95% interval lies above
    the best observation-only heuristic's mean (and below the oracle), task by task."""
    doc = table.load(Path(__file__).resolve().parents[2] / "data/results/leaderboard-triage.json")
    assert doc.environment == "triage"
    rows = {(r.task_id, r.policy): r for r in doc.rows}
    heuristics = [p for p in POLICIES if p not in ("ppo", "oracle")]
    for task in HARD:
        best = max(heuristics, key=lambda p: rows[(task, p)].mean)
        ppo = rows[(task, "ppo")]
        assert table.paired(doc.rows, task, "ppo", best).a_beats_b, task  # paired, on the same seeds
        assert ppo.extras["gap"] < min(rows[(task, p)].extras["gap"] for p in heuristics), task
        assert ppo.mean < 1.0 and rows[(task, "oracle")].mean == 1.0


def test_train_help_states_the_defaults_the_run_uses(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["triage", "train", "--help"])
    text = " ".join(capsys.readouterr().out.split("options:", 1)[1].split())
    default = TriageTrainArgs()
    options = {"timesteps": default.timesteps, "n-envs": default.n_envs, "eval-every": default.eval_every,
               "imitation-episodes": default.imitation_episodes}  # fmt: skip
    options["network"] = default.network

    def help_of(option: str) -> str:
        found = re.search(rf"--{option} \S+ (.*?)(?= --[a-z]|$)", text)
        assert found, option
        return found.group(1)

    for option, value in options.items():
        assert f"(default: {value})" in help_of(option), option
    assert default.network == "slots" and "`slots`: one ticket scorer shared across slots" in help_of("network")
    assert default.imitate is None and "`none` (None, the default) learns from scratch" in help_of("imitate")


def test_recorded_command_repeats_the_options_that_differ() -> None:
    from govworkflow.training.triage import triage_target

    plain = triage_target(TriageTrainArgs(task="arrivals_12")).command
    assert plain == "govworkflow triage train --task arrivals_12 --timesteps 400000 --seed 1"
    args = TriageTrainArgs(task="overload_12", network="mlp", imitate="greedy_rate", n_envs=2)
    assert triage_target(args).command.endswith("--n-envs 2 --network mlp --imitate greedy_rate")


def test_docs_tables_quote_the_committed_leaderboard() -> None:
    root = Path(__file__).resolve().parents[2]
    rows = {(r.task_id, r.policy): r for r in table.load(root / "data/results/leaderboard-triage.json").rows}

    def cell(r: table.Row) -> str:
        return f"{r.mean:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}]"

    docs = (root / "docs" / "triage.md").read_text()
    quoted = re.findall(
        r"\| `(\w+)` \| `(\w+)` \| ([0-9.]+ \[[^\]]+\]) \| ([0-9.]+) \| ([0-9.]+) \| ([0-9.]+) \|", docs
    )
    assert len(quoted) >= 16
    for task, policy, score, reward, oracle, gap in quoted:
        r = rows[(task, policy)]
        e = r.extras
        assert (score, reward, oracle, gap) == (cell(r), f"{e['reward']:.2f}", f"{e['oracle']:.2f}", f"{e['gap']:.2f}")
    readme = (root / "README.md").read_text()
    for task in HARD:
        assert f"| {task} | {cell(rows[(task, 'greedy_rate')])} | **{cell(rows[(task, 'ppo')])}** |" in readme
        assert f"| `{task}` | {cell(rows[(task, 'greedy_rate')])} | **{cell(rows[(task, 'ppo')])}** |" in docs


def test_numpy_numbers_are_accepted_and_recorded_as_plain_ones() -> None:
    args = TriageTrainArgs(timesteps=np.int64(128), seed=np.int32(2), learning_rate=np.float32(3e-4))  # type: ignore[arg-type]
    args.check()
    assert (type(args.timesteps), type(args.seed), type(args.learning_rate)) == (int, int, float)
    assert json.dumps(dataclasses.asdict(args), default=str)  # the record can be written
