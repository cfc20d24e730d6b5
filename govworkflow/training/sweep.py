"""Training sweeps: several PPO runs at once, locally or on Ray, the best chosen on development seeds.

    govworkflow sweep --task district_backlog_easy --seeds 1 2 3 --timesteps 200000 --backend ray

Each trial is one ``govworkflow train`` run (``training.ppo.train``) with its own seed and
settings and its own folder, ``<out_dir>/<trial>/`` (``models/`` and ``results/``, exactly
as ``train --out-dir`` writes them). Trials run as jobs of ``evaluation.backends`` (one Ray
task or worker process each, one torch thread). The best trial is the one with the highest
``best_validation_score`` of its record: the mean score on the last development seeds
(``training.ppo.validation_seeds``), never a held-out evaluation seed. The sweep's own
record, ``<out_dir>/sweep-<ruleset>-<task>.json``, lists every trial and names the best; it
is written only when every trial has finished.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govworkflow.core.errors import BadValueError, GovWorkflowError, check_seed
from govworkflow.core.provenance import check_output, check_output_dir, provenance, write_json
from govworkflow.evaluation.backends import Backend, EpisodesFailedError, Job, LocalBackend, run_jobs

if TYPE_CHECKING:
    from govworkflow.training.ppo import TrainArgs

__all__ = ["SweepResult", "Trial", "sweep", "trials"]

#: What the best trial is chosen on (the trials' records' key).
SELECTION = "best_validation_score"


@dataclass(frozen=True)
class Trial:
    """One run of a sweep: its name (its folder under the sweep's), and its arguments."""

    name: str
    args: TrainArgs


@dataclass(frozen=True)
class SweepResult:
    """What a sweep produced: one summary per trial (in trial order), the best one's name,
    and the sweep's record."""

    trials: list[dict[str, Any]]
    best: str
    record_path: Path


def _name(seed: int, setting: Mapping[str, Any]) -> str:
    words = [f"{k}-{'-'.join(map(str, v)) if isinstance(v, list) else v}" for k, v in setting.items()]
    return "_".join([f"seed-{seed}", *words])


def trials(
    base: TrainArgs, seeds: Sequence[int], out_dir: str | Path, settings: Sequence[Mapping[str, Any]] = ({},)
) -> list[Trial]:
    """Every seed x setting: ``base`` with that seed and those fields changed (``settings``:
    field -> value), its output in ``out_dir/<name>`` (``seed-1``, ``seed-1_learning_rate-0.0003``)."""
    from dataclasses import fields

    known = {f.name for f in fields(base)}
    seed_list = list(dict.fromkeys(check_seed(s, "seeds") for s in seeds))  # a seed repeated counts once
    if not seed_list:
        raise BadValueError("seeds: give at least one seed")
    for setting in settings:
        for key in setting:
            if key in ("seed", "out_dir") or key not in known:
                raise BadValueError(f"settings: {key!r} is not a training setting a sweep can vary")
    root = Path(out_dir).resolve()  # workers elsewhere (another node's cwd) write to the same place
    out = []
    for setting in settings:
        for seed in seed_list:
            name = _name(seed, setting)
            args = replace(base, **dict(setting), seed=seed, out_dir=root / name, progress=False)
            args.check()
            out.append(Trial(name, args))
    names = [t.name for t in out]
    if len(set(names)) != len(names):
        raise BadValueError("settings: two trials have the same name; give each setting once")
    return out


def _trainer(args: TrainArgs) -> Callable[[int], dict[str, Any]]:
    """``run(seed)``: one trial, trained in the worker (``training.ppo.train``)."""

    def run(seed: int) -> dict[str, Any]:
        from govworkflow.training.ppo import train

        result = train(replace(args, seed=seed))
        record = json.loads(Path(result.results_path).read_text(encoding="utf-8"))
        return {
            "seed": seed,
            "out_dir": str(args.out_dir),
            "model": str(result.model_path),
            "record": str(result.results_path),
            SELECTION: result.best_validation_score,
            "validation_seeds": record["validation_seeds"],
            "timesteps": record["timesteps"],
            "wall_clock_s": round(result.wall_clock_s, 1),
        }

    return run


def sweep(
    runs: Sequence[Trial],
    out_dir: str | Path,
    backend: Backend | None = None,
    progress: bool = False,
    command: str | None = None,
) -> SweepResult:
    """Train every trial (on ``backend``, entered already; None: one after another here),
    pick the best on development-seed validation, and write the sweep's record."""
    if not runs:
        raise BadValueError("trials: give at least one trial")
    first = runs[0].args
    ruleset = first.ruleset or _default_ruleset()
    if any((t.args.task, t.args.ruleset) != (first.task, first.ruleset) for t in runs):
        raise BadValueError("trials: every trial of a sweep trains on the same task and ruleset")
    root = check_output_dir(Path(out_dir).resolve(), "out_dir")
    record_path = check_output(root / f"sweep-{ruleset}-{first.task}.json", "out_dir")
    for t in runs:
        check_output_dir(Path(str(t.args.out_dir)), "out_dir")
    jobs = [Job(_trainer, (t.args,), (t.args.seed,), f"sweep {ruleset}/{first.task}/{t.name}") for t in runs]
    try:
        done = run_jobs(jobs, backend or LocalBackend(1), f"sweep {first.task}", progress)
    except EpisodesFailedError as err:
        lines = "\n  ".join(str(f) for f in err.failures)
        raise GovWorkflowError(
            f"{len(err.failures)} of {len(runs)} trials failed; no sweep record was written "
            f"(the finished trials' folders are kept):\n  {lines}"
        ) from None
    summaries = [{"trial": t.name, **out[0]} for t, out in zip(runs, done, strict=True)]
    best = max(summaries, key=lambda s: s[SELECTION])  # the first of equals: trial order
    record = {
        "format": "govworkflow-sweep",
        "version": 1,
        "task": first.task,
        "ruleset": ruleset,
        "selection": f"{SELECTION}: mean score on development seeds (never held-out ones)",
        "best": best["trial"],
        "trials": summaries,
        "provenance": provenance(command, backend=(backend.name if backend is not None else "local")),
    }
    write_json(record_path, record)
    return SweepResult(summaries, best["trial"], record_path)


def _default_ruleset() -> str:
    from govworkflow.office.rulesets import get_ruleset

    return get_ruleset(None).name
