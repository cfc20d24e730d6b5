"""``govworkflow triage ...``: tasks, policies, evaluate, leaderboard and train for ticket triage.

Registered in ``govworkflow.cli.COMMANDS`` as one command with its own subcommands;
imported only when the command line is used.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from govworkflow.cli.main import BadArgumentError, Names, add_command
from govworkflow.cli.output import print_json, table
from govworkflow.core.provenance import check_output, check_output_dir, provenance, write_json
from govworkflow.core.seeds import SEED_SET_CHOICES
from govworkflow.evaluation.triage import leaderboard
from govworkflow.triage.evaluation import evaluate, seed_list
from govworkflow.triage.policies import POLICIES, make_policy
from govworkflow.triage.tasks import TASKS, get_task

__all__ = ["COMMANDS", "add_arguments", "run"]

#: ``--policy`` values.
POLICY_NAMES = Names("triage policy", POLICIES)
#: ``train --network`` values (``govworkflow.training.triage.NETWORKS``, not imported: it needs gymnasium).
NETWORK_NAMES = Names("network", ("slots", "mlp"))


def _add_seeds(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed-set", choices=SEED_SET_CHOICES, default=None, help="use a task seed set")
    p.add_argument("--limit", type=int, default=None, help="only the first N seeds of the seed set")
    p.add_argument("--json", action="store_true", help="print JSON")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the ``triage`` subcommands to ``p``."""
    sub = p.add_subparsers(dest="triage_command", required=True, parser_class=type(p), metavar="SUBCOMMAND")
    tasks = add_command(sub, "tasks", COMMANDS["tasks"])
    tasks.add_argument("--json", action="store_true", help="print JSON")
    pols = add_command(sub, "policies", COMMANDS["policies"])
    pols.add_argument("--json", action="store_true", help="print JSON")
    ev = add_command(sub, "evaluate", COMMANDS["evaluate"])
    ev.add_argument("--task", required=True, help="task id (see `govworkflow triage tasks`)")
    ev.add_argument(
        "--policy",
        required=True,
        choices=POLICY_NAMES,
        metavar="POLICY",
        help="policy name, one of %(choices)s (see `govworkflow triage policies`)",
    )
    ev.add_argument("--seed", type=int, action="append", help="episode seed; repeat for several")
    _add_seeds(ev)
    lb = add_command(sub, "leaderboard", COMMANDS["leaderboard"])
    lb.add_argument("--task", action="append", help="task id; repeat (default: all tasks)")
    lb.add_argument(
        "--policy",
        action="append",
        choices=POLICY_NAMES,
        metavar="POLICY",
        help="policy name, one of %(choices)s; repeat (default: all)",
    )
    _add_seeds(lb)
    lb.add_argument("--out", type=Path, default=None, help="also write the rows with provenance here")
    tr = add_command(sub, "train", COMMANDS["train"])
    tr.add_argument("--task", required=True, help="task id (see `govworkflow triage tasks`)")
    tr.add_argument("--timesteps", type=int, help="environment steps to train for (default: 400000)")
    tr.add_argument("--seed", type=int, default=1, help="seeds everything")
    tr.add_argument("--n-envs", type=int, help="environments stepped together (default: 4)")
    tr.add_argument("--eval-every", type=int, help="validate every N steps, 0: at the end (default: 20000)")
    tr.add_argument(
        "--network",
        choices=NETWORK_NAMES,
        help="slots (one ticket scorer shared across slots, default) or mlp",
    )
    tr.add_argument(
        "--imitate",
        choices=Names("triage policy", [*POLICIES, "none"]),
        metavar="POLICY",
        help="teacher to clone before PPO (a triage policy), or 'none' (default)",
    )
    tr.add_argument("--imitation-episodes", type=int, help="teacher episodes for the warm start (default: 2000)")
    tr.add_argument("--out-dir", type=Path, default=None, help="where models/ and results/ go (default: data/)")
    tr.add_argument("--no-progress", action="store_true", help="no progress bar")


def _check_limit(args: argparse.Namespace) -> None:
    if args.limit is not None and args.limit <= 0:
        raise BadArgumentError(f"--limit must be a positive integer, got {args.limit}")


def _tasks(args: argparse.Namespace) -> int:
    rows = [
        {
            "task_id": t.task_id,
            "n_tickets": t.n_tickets,
            "workers": t.workers,
            "arrivals": t.arrivals,
            "default_seed": t.seed,
            "seed_sets": t.seeds.model_dump(),
            "description": t.description,
        }
        for t in TASKS.values()
    ]
    if args.json:
        print_json(rows)
    else:
        print(table(rows, ["task_id", "n_tickets", "workers", "arrivals", "default_seed", "description"]))
    return 0


def _policies(args: argparse.Namespace) -> int:
    rows = [{"policy": name, "description": make_policy(name).description} for name in POLICIES]
    if args.json:
        print_json(rows)
    else:
        print(table(rows, ["policy", "description"]))
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    _check_limit(args)
    task = get_task(args.task)
    make_policy(args.policy)
    if args.seed and args.seed_set:
        raise BadArgumentError("give --seed or --seed-set, not both")
    if args.limit is not None and not args.seed_set:
        raise BadArgumentError("--limit needs --seed-set (dev or eval)")
    if any(s < 0 for s in args.seed or []):
        raise BadArgumentError(f"--seed must be non-negative, got {[s for s in args.seed if s < 0]}")
    seeds = args.seed or (seed_list(task, args.seed_set, args.limit) if args.seed_set else [task.seed])
    rows = [r.to_dict() for r in evaluate(task.task_id, args.policy, seeds)]
    if args.json:
        print_json(rows)
    else:
        print(table(rows, ["task_id", "policy", "seed", "score", "reward", "oracle", "floor", "on_time"]))
    return 0


def _seed_summary(seeds: list[int]) -> dict[str, int]:
    return {"first": seeds[0], "last": seeds[-1], "count": len(seeds)}


def _leaderboard(args: argparse.Namespace) -> int:
    _check_limit(args)
    seed_set = args.seed_set or "eval"
    if args.out is not None:
        check_output(args.out, "--out")  # before the work
    rows = leaderboard(args.task, args.policy, seed_set, args.limit)
    if args.out is not None:
        tasks = sorted({r["task_id"] for r in rows})
        prov = provenance(
            seed_set=seed_set, seeds={t: _seed_summary(seed_list(t, seed_set, args.limit)) for t in tasks}
        )
        write_json(args.out, {"provenance": prov, "rows": rows})
    if args.json:
        print_json(rows)
    else:
        cols = ["task_id", "policy", "episodes", "score", "ci_low", "ci_high", "reward", "oracle", "gap"]
        print(table(rows, cols))
    return 0


def _train(args: argparse.Namespace) -> int:
    for name in ("timesteps", "n_envs", "imitation_episodes"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            raise BadArgumentError(f"--{name.replace('_', '-')} must be a positive integer, got {value}")
    if args.eval_every is not None and args.eval_every < 0:
        raise BadArgumentError(f"--eval-every must be 0 or positive, got {args.eval_every}")
    task = get_task(args.task)
    imitate = None if args.imitate in (None, "none") else args.imitate
    if imitate is not None:
        make_policy(imitate)  # an unknown teacher fails here, naming the choices
    from govworkflow.training.triage import OPTIONS, TriageTrainArgs, train_triage

    given = {name: getattr(args, name) for name in ("timesteps", *OPTIONS)}
    targs = TriageTrainArgs(
        task=task.task_id, seed=args.seed, imitate=imitate, progress=not args.no_progress,
        **{name: value for name, value in given.items() if value is not None},
    )  # fmt: skip
    if args.out_dir is not None:
        targs.out_dir = check_output_dir(args.out_dir, "--out-dir")
    result = train_triage(targs)
    print(f"best validation score {result.best_validation_score:.4f} in {result.wall_clock_s:.0f} s")
    print(f"model: {result.model_path}\nrecord: {result.results_path}")
    return 0


#: subcommand -> its one-line help and description.
COMMANDS = {
    "tasks": "list triage tasks with their seed sets",
    "policies": "list triage policies",
    "evaluate": "run a policy on a task; one result per seed",
    "leaderboard": "mean score with 95% bootstrap CI over a seed set",
    "train": "train MaskablePPO on a triage task (extra: train)",
}

_RUN = {
    "tasks": _tasks,
    "policies": _policies,
    "evaluate": _evaluate,
    "leaderboard": _leaderboard,
    "train": _train,
}


def run(args: argparse.Namespace) -> int:
    """Run the ``triage`` subcommand chosen in ``args``."""
    return _RUN[args.triage_command](args)
