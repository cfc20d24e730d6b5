"""Train MaskablePPO on one task (extra ``train``). Read it top to bottom.

    govworkflow train --task district_backlog_easy --timesteps 200000 --seed 1

1. Arguments: one dataclass, every field documented (``training.args``: ``PPOArgs``, the
   hyper-parameters; ``TrainArgs`` adds the office task), checked before any work.
2. Seeding: Python, numpy and torch from ``--seed``; each training env draws its
   episode seeds from the task's development range with its own generator.
3. Environments: the gym adapter with exact action masks, several in a vector env.
4. Model: sb3-contrib's MaskablePPO, CPU, one torch thread.
5. Validation: every ``eval_every`` steps the deterministic policy plays a fixed subset of
   development seeds (never the held-out evaluation seeds); the best model is kept.
6. Outputs: ``<out_dir>/models/<ruleset>-<task>-ppo.zip`` and
   ``<out_dir>/results/training-<ruleset>-<task>.json`` (curve, wall-clock, hyper-parameters).
   Without ``out_dir``, in a repository checkout: the package's own models folder
   (``govworkflow/assets/models``, where the ``ppo`` policies read them) and
   ``data/results/``; an installed package has no checkout, so there ``out_dir`` is required.

``fit(args, target)`` is the loop itself; a ``Target`` says what it trains on (the
environment, its validation and its teacher). ``train`` is ``fit`` on an office task;
``govworkflow.training.triage`` is ``fit`` on a triage task.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import random
import shlex
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from govworkflow.core.errors import BadValueError, MissingExtraError
from govworkflow.core.seeds import SeedSets, development_only

try:
    import gymnasium as gym
    import torch
    from sb3_contrib import MaskablePPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.vec_env import DummyVecEnv
except ImportError as err:  # pragma: no cover - depends on the installation
    raise MissingExtraError(err.name or "stable_baselines3", "train") from err

from govworkflow.core.assets import MODEL_DIR
from govworkflow.core.provenance import check_output, check_output_dir, provenance, write_text
from govworkflow.gym import GovWorkflowGymEnv
from govworkflow.office.rulesets import get_ruleset
from govworkflow.training.args import PPOArgs, TrainArgs

if TYPE_CHECKING:
    from govworkflow.training.imitation import Demonstrations

__all__ = [
    "DevelopmentOnly",
    "PPOArgs",
    "Target",
    "TrainArgs",
    "TrainResult",
    "first_episode",
    "fit",
    "imitation_seeds",
    "model_path",
    "office_target",
    "output_dirs",
    "train",
    "training_env",
    "training_seeds",
    "validate",
    "validation_seeds",
]

#: The repository checkout the package runs from (for an installed package: the folder
#: that holds it, which is no checkout).
REPOSITORY = Path(__file__).resolve().parents[2]
#: The checkout's ``data/``: results (``data/results/``) and recordings, never what the code needs to run.
DATA = REPOSITORY / "data"


@dataclass(frozen=True)
class Target:
    """What a run trains on: the environment, its validation and its teacher.

    ``train`` builds the office's; ``govworkflow.training.triage`` builds triage's. The
    training loop (``fit``) is the same for both.
    """

    name: str
    """File stem: ``models/<name>-ppo.zip`` and ``results/training-<name>.json``."""
    command: str
    """The command line recorded in the provenance."""
    make_env: Callable[[], gym.Env]
    """A fresh training environment (``fit`` seeds it and picks its first episode)."""
    seeds: SeedSets
    """The task's seed sets: every seed ``fit`` uses is checked against the evaluation set."""
    validation_seeds: list[int]
    """Development seeds the deterministic policy is validated on (``validation_seeds``)."""
    imitation_seeds: list[int]
    """Development seeds the teacher plays for the warm start (``imitation_seeds``)."""
    validate: Callable[[MaskablePPO, list[int]], float]
    """Mean final score of a model over seeds."""
    demonstrations: Callable[[str, list[int], float], Demonstrations] | None = None
    """``(teacher, seeds, gamma)`` -> the teacher's play on ``seeds`` (None: no warm start)."""
    record: dict[str, Any] = field(default_factory=dict)
    """Leading keys of the training record (task, ruleset)."""
    policy: str | type = "MlpPolicy"
    """MaskablePPO's policy: ``"MlpPolicy"`` (an MLP of ``net_arch``) or a policy class."""
    policy_kwargs: dict[str, Any] = field(default_factory=dict)
    """Keyword arguments of a policy class (``"MlpPolicy"`` gets ``net_arch`` from the arguments)."""
    reference: Callable[[list[int]], dict[str, float]] | None = None
    """The strongest rules' mean final scores on the validation seeds (by name): the
    record says when PPO's validation score first passed the best of them."""


@dataclass
class TrainResult:
    """What a run produced."""

    model_path: Path
    results_path: Path
    best_validation_score: float
    curve: list[dict[str, float]]
    wall_clock_s: float


def output_dirs(out_dir: Path | None = None) -> tuple[Path, Path]:
    """(models folder, results folder) of a run: ``out_dir/models`` and ``out_dir/results``;
    without ``out_dir``, the package's models folder (``govworkflow/assets/models``, read by
    the ``ppo`` policies) and ``data/results`` of the repository checkout. An installed
    package has no checkout (and its shipped models are not to be overwritten): there a
    ``BadValueError`` asks for ``out_dir``."""
    if out_dir is not None:
        return Path(out_dir) / "models", Path(out_dir) / "results"
    if not (REPOSITORY / "pyproject.toml").is_file() or not isinstance(MODEL_DIR, Path):
        raise BadValueError(
            f"out_dir: govworkflow is installed in {REPOSITORY}, not run from a repository checkout; "
            "give a folder for models/ and results/ (--out-dir on the command line)"
        )
    return MODEL_DIR, DATA / "results"


def model_path(ruleset: str, task: str, out_dir: Path | None = None) -> Path:
    """Where a run with ``out_dir`` writes the model of ``ruleset``/``task`` (``output_dirs``)."""
    return output_dirs(out_dir)[0] / f"{ruleset}-{task}-ppo.zip"


def validation_seeds(sets: SeedSets, n: int) -> list[int]:
    """The validation subset of every training run: the last ``n`` development seeds."""
    return list(sets.development.seeds()[-n:])


def imitation_seeds(sets: SeedSets, n: int) -> list[int]:
    """The teacher's episodes for a warm start: the first ``n`` development seeds."""
    return list(sets.development.seeds()[:n])


def first_episode(sets: SeedSets, env_seed: int) -> int:
    """The first episode of the training environment seeded with ``env_seed``: the
    development seed at index ``env_seed`` (wrapping), so never a held-out one."""
    dev = sets.development.seeds()
    return dev[env_seed % len(dev)]


def training_seeds(target: Target, args: PPOArgs) -> dict[str, list[int]]:
    """Every seed a run of ``target`` would use, by purpose, each checked by the held-out
    seed rule (``development_only``) before any work. Later training episodes are drawn by
    the gym adapter from the development range (``development_seeds``)."""
    uses = {
        "validation seeds": target.validation_seeds,
        "imitation seeds": target.imitation_seeds if args.imitate else [],
        "first training episodes": [first_episode(target.seeds, _env_seed(args, i)) for i in range(args.n_envs)],
    }
    return {what: development_only(seeds, target.seeds, what) for what, seeds in uses.items()}


def _env_seed(args: PPOArgs, i: int) -> int:
    return args.seed * 1000 + i


def final_scores(model: MaskablePPO, env: gym.Env, seeds: list[int], masked: bool = True) -> list[float]:
    """The final grade of the deterministic ``model`` on each of ``seeds``, played through
    ``env`` (any of the package's gym adapters): the one validation loop of every target."""
    out = []
    for s in seeds:
        obs, info = env.reset(seed=s)
        done = False
        while not done:
            mask = info["action_mask"] if masked else None
            action, _ = model.predict(obs, action_masks=mask, deterministic=True)
            obs, _, terminated, truncated, info = env.step(int(action))
            done = terminated or truncated
        out.append(env.unwrapped.native.grade().score)  # type: ignore[attr-defined]
    return out


def validate(
    model: MaskablePPO, ruleset: str, task: str, seeds: list[int], max_steps: int | None = None, masked: bool = True
) -> float:
    """Mean final score of the deterministic policy over ``seeds`` (an office task)."""
    env = GovWorkflowGymEnv(task, ruleset, max_steps=max_steps)
    return float(np.mean(final_scores(model, env, seeds, masked)))


class _Validation(BaseCallback):
    """Validate periodically; keep the best parameters; record the curve."""

    def __init__(self, args: PPOArgs, target: Target, path: Path) -> None:
        super().__init__()
        self.args, self.target, self.path = args, target, path
        self.seeds = target.validation_seeds
        self.best = -1.0
        self.next_eval = args.eval_every or args.timesteps
        self.curve: list[dict[str, float]] = []
        self.start = time.perf_counter()
        self.reference = target.reference(self.seeds) if target.reference is not None else {}
        self.passed: dict[str, float] | None = None

    def _evaluate(self) -> None:
        score = self.target.validate(cast(MaskablePPO, self.model), self.seeds)
        self.curve.append(
            {"timesteps": float(self.num_timesteps), "validation_score": score,
             "wall_clock_s": round(time.perf_counter() - self.start, 2)}
        )  # fmt: skip
        if self.passed is None and self.reference and score > max(self.reference.values()):
            self.passed = dict(self.curve[-1])
        if score > self.best:
            self.best = score
            self.model.save(self.path)

    def _on_step(self) -> bool:
        if self.num_timesteps >= self.next_eval:
            self._evaluate()
            self.next_eval += self.args.eval_every or self.args.timesteps
        limit = self.args.max_wall_s
        return limit is None or time.perf_counter() - self.start < limit

    def _on_training_end(self) -> None:
        if not self.curve or self.curve[-1]["timesteps"] < self.num_timesteps:
            self._evaluate()


class DevelopmentOnly(gym.Wrapper):
    """A training environment that can only play development episodes.

    The adapters read ``reset(seed=s)`` as "play episode ``s``"; SB3 seeds its vectorised
    envs that way (``VecEnv.seed`` then ``reset(seed=seed + i)``). Here ``reset(seed=s)``
    seeds the env's generator with ``s`` and plays ``first_episode(sets, s)``, a development
    seed; an explicit ``options["episode_seed"]`` must be a development seed
    (``development_only``); a reset without either draws a development seed as usual."""

    def __init__(self, env: gym.Env, sets: SeedSets) -> None:
        super().__init__(env)
        self.sets = sets

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        options = dict(options or {})
        if "episode_seed" in options:
            development_only([options["episode_seed"]], self.sets, "a training episode")
        elif seed is not None:
            options["episode_seed"] = first_episode(self.sets, seed)
        return self.env.reset(seed=seed, options=options)

    def action_masks(self) -> np.ndarray:
        """The wrapped env's action mask (MaskablePPO asks every env for it)."""
        return cast(np.ndarray, self.env.unwrapped.action_masks())  # type: ignore[attr-defined]


def training_env(target: Target, env_seed: int) -> gym.Env:
    """One training environment of ``target``: development episodes only, generator
    seeded with ``env_seed``."""
    env = DevelopmentOnly(target.make_env(), target.seeds)
    env.reset(seed=env_seed)
    return env


def _seeded(target: Target, env_seed: int) -> Callable[[], gym.Env]:
    return lambda: training_env(target, env_seed)


def _slim(path: Path) -> None:
    """Re-save the kept model with a fresh optimizer: the shipped file holds the policy
    (about a third of the size) and still loads and plays exactly the same."""
    model = MaskablePPO.load(path, device="cpu")
    policy = model.policy
    optimizer_class: Any = policy.optimizer_class  # typed as the base Optimizer, which takes no lr
    policy.optimizer = optimizer_class(policy.parameters(), lr=1e-4, **policy.optimizer_kwargs)
    model.save(path)


def office_target(args: TrainArgs) -> Target:
    """The office task of ``args`` as a training target."""
    rs = get_ruleset(args.ruleset)
    task = rs.task(args.task)  # fail early on an unknown task or teacher (``fit`` builds one env first)
    ruleset = rs.name
    if args.imitate:
        rs.policy(args.imitate)

    def demos(teacher: str, seeds: list[int], gamma: float) -> Demonstrations:
        from govworkflow.training.imitation import demonstrations

        return demonstrations(args.task, ruleset, teacher, seeds, gamma, args.max_steps)

    return Target(
        name=f"{ruleset}-{args.task}",
        command=command_line(args, ruleset),
        make_env=lambda: GovWorkflowGymEnv(args.task, ruleset, reward=args.reward, max_steps=args.max_steps),
        seeds=task.seeds,
        validation_seeds=validation_seeds(task.seeds, args.eval_episodes),
        imitation_seeds=imitation_seeds(task.seeds, args.imitation_episodes),
        validate=lambda model, seeds: validate(model, ruleset, args.task, seeds, args.max_steps, args.use_masking),
        demonstrations=demos,
        record={"task_id": args.task, "ruleset": ruleset},
        reference=lambda seeds: rule_scores(ruleset, args.task, seeds, args.max_steps),
    )


def command_line(args: TrainArgs, ruleset: str) -> str:
    """The ``govworkflow train`` command that repeats ``args``: task, ruleset, time steps,
    seed, and every other option that differs from its default (the folder written to
    included, so that a repeat does not write over the package's models; the progress bar
    left out)."""
    default = TrainArgs()
    words = ["govworkflow train", f"--task {args.task}", f"--ruleset {ruleset}", f"--timesteps {args.timesteps}",
             f"--seed {args.seed}"]  # fmt: skip
    if args.out_dir is not None:
        words.append(f"--out-dir {shlex.quote(str(args.out_dir))}")
    for f in fields(TrainArgs):
        value = getattr(args, f.name)
        if f.name in ("task", "ruleset", "timesteps", "seed", "out_dir", "progress") or value == getattr(
            default, f.name
        ):
            continue
        flag = "--" + f.name.replace("_", "-")
        if isinstance(value, bool):
            words.append(flag if value else "--no-" + f.name.replace("_", "-"))
        elif isinstance(value, list):
            words.append(f"{flag} " + " ".join(str(v) for v in value))
        else:
            words.append(f"{flag} {'none' if value is None else value}")
    return " ".join(words)


#: The rules a run's validation is compared with: the strongest heuristics of the ladder.
REFERENCE_RULES = ("sla_aware", "c_mu")


def rule_scores(ruleset: str, task: str, seeds: list[int], max_steps: int | None = None) -> dict[str, float]:
    """Mean final score of each ``REFERENCE_RULES`` policy over ``seeds`` (the validation
    seeds: development ones), through the evaluation harness."""
    from govworkflow.evaluation.run import run_episode

    rs = get_ruleset(ruleset)
    return {
        name: float(np.mean([run_episode(rs, task, rs.policy(name), s, max_steps).score for s in seeds]))
        for name in REFERENCE_RULES
        if name in rs.policies
    }


def train(args: TrainArgs) -> TrainResult:
    """Train on an office task: validate, keep the best model, write the model and the record."""
    return fit(args, office_target(args))


def _learn(args: PPOArgs, target: Target, model: MaskablePPO, callback: _Validation) -> dict[str, Any]:
    """Warm start (if asked), then PPO with validation; returns the warm start's summary."""
    warm_start: dict[str, Any] = {}
    if args.imitate and target.demonstrations is not None:
        from govworkflow.training.imitation import clone

        demos = target.demonstrations(args.imitate, target.imitation_seeds, args.gamma)
        accuracy = clone(model.policy, demos, epochs=args.imitation_epochs, seed=args.seed)
        warm_start = {
            "teacher": args.imitate,
            "teacher_mean_score": round(demos.mean_score, 4),
            "samples": len(demos.actions),
            "skipped": demos.skipped,
            "accuracy": round(accuracy, 4),
        }
        callback.init_callback(model)
        callback._evaluate()  # the cloned policy is the first candidate for "best"
    model.learn(
        total_timesteps=args.timesteps, callback=callback, progress_bar=args.progress, use_masking=args.use_masking
    )
    return warm_start


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (what ``timeout`` and job schedulers send) interrupts the block as Ctrl-C
    does, a ``KeyboardInterrupt``, so the block's clean-up runs; the previous handler is
    back afterwards. Only the main thread can set a handler: elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread() or multiprocessing.parent_process() is not None:
        yield  # a worker's SIGTERM (a pool shutting down) keeps its default: the worker ends
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:  # None: a handler not set from Python; the default is the nearest we can restore
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


@contextlib.contextmanager
def _removed_on_failure(path: Path) -> Iterator[None]:
    """Remove ``path`` when the block fails or is interrupted (Ctrl-C, SIGTERM under
    ``_sigterm_interrupts``), then let the error or the interrupt go on."""
    try:
        yield
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def fit(args: PPOArgs, target: Target) -> TrainResult:
    """The training loop: seed, warm-start, PPO with validation, keep the best, write the record."""
    args.check()  # before the long run: the arguments, one environment, then where the outputs go
    target.make_env().close()  # an unknown task, reward, step cap or scale fails here, in the env's own words
    training_seeds(target, args)  # refuses, before any work, a held-out seed (govworkflow.core.seeds)
    models_dir, results_dir = output_dirs(args.out_dir)
    models = check_output_dir(models_dir, "out_dir")
    results = check_output(results_dir / f"training-{target.name}.json", "out_dir")
    # -- seeding: the one place --------------------------------------------------------
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)

    # every env plays seeds["first training episodes"] first, then development draws only
    env = DummyVecEnv([_seeded(target, _env_seed(args, i)) for i in range(args.n_envs)])
    model = MaskablePPO(
        target.policy,
        env,
        learning_rate=args.learning_rate,
        n_steps=args.n_steps,
        batch_size=args.batch_size,
        n_epochs=args.n_epochs,
        gamma=args.gamma,
        gae_lambda=args.gae_lambda,
        ent_coef=args.ent_coef,
        clip_range=args.clip_range,
        policy_kwargs=target.policy_kwargs if target.policy != "MlpPolicy" else {"net_arch": list(args.net_arch)},
        seed=args.seed,
        device="cpu",
        verbose=0,
    )
    path = models / f"{target.name}-ppo.zip"
    # the best model so far goes to a partial file: the model in place (a shipped one)
    # stays until the run ends, and then it is replaced together with its record
    partial = path.with_name(path.stem + ".partial.zip")
    callback = _Validation(args, target, partial)
    start = time.perf_counter()
    with _sigterm_interrupts(), _removed_on_failure(partial):
        warm_start = _learn(args, target, model, callback)
        wall = time.perf_counter() - start
        _slim(partial)
        hyper = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(args).items()}
        record = {
            **target.record,
            "timesteps": int(model.num_timesteps),
            "wall_clock_s": round(wall, 1),
            "best_validation_score": callback.best,
            "warm_start": warm_start,
            "validation_seeds": callback.seeds,
            "reference": {k: round(v, 4) for k, v in callback.reference.items()},
            "first_passed_reference": callback.passed,
            "curve": callback.curve,
            "hyperparameters": hyper,
            "provenance": provenance(target.command),
        }
        text = json.dumps(record, indent=1) + "\n"  # fails here, not after the model is replaced
    partial.replace(path)  # the model and its record, one right after the other
    write_text(results, text)
    return TrainResult(path, results, callback.best, callback.curve, wall)
