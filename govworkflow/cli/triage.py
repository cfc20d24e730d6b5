"""``govworkflow triage ...``: tasks, policies, evaluate, leaderboard and train for ticket triage.

Registered in ``govworkflow.cli.COMMANDS`` as one command with its own subcommands;
imported only when the command line is used.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from govworkflow.cli.options import (
    DataclassOptions,
    Names,
    PolicyNames,
    add_command,
    add_output,
    add_seed_options,
    chosen_seeds,
    evaluate_episodes,
    output_path,
    run_training,
)
from govworkflow.cli.output import leaderboard_table, played_aside, print_json, print_results, table
from govworkflow.core.errors import check_count
from govworkflow.core.provenance import check_output
from govworkflow.evaluation.backends import LocalBackend
from govworkflow.evaluation.table import save
from govworkflow.evaluation.triage import document, leaderboard
from govworkflow.triage.encoding import NETWORKS
from govworkflow.triage.policies import POLICIES
from govworkflow.triage.suite import TRIAGE, make_policy
from govworkflow.triage.tasks import TASKS, get_task

__all__ = ["COMMANDS", "TRAIN_OPTIONS", "add_arguments", "run"]

#: ``--task`` values.
TASK_NAMES = Names("triage task", TASKS)
#: ``--policy`` values.
POLICY_NAMES = PolicyNames("triage policy", POLICIES)
#: ``train --network`` values.
NETWORK_NAMES = Names("network", NETWORKS)
#: ``triage train``'s options: the fields of ``govworkflow.training.triage.TriageTrainArgs``.
TRAIN_OPTIONS = DataclassOptions(
    "govworkflow.training.triage",
    "TriageTrainArgs",
    required=("task",),
    choices={"task": TASK_NAMES, "network": NETWORK_NAMES, "imitate": POLICY_NAMES},
    metavars={"task": "TASK", "imitate": "POLICY", "out_dir": "DIR"},
)


def _add_task(p: argparse.ArgumentParser, **kw: Any) -> argparse.Action:
    return p.add_argument("--task", choices=TASK_NAMES, metavar="TASK", help="task id, one of %(choices)s", **kw)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the ``triage`` subcommands to ``p``."""
    sub = p.add_subparsers(dest="triage_command", required=True, parser_class=type(p), metavar="SUBCOMMAND")
    tasks = add_command(sub, "tasks", COMMANDS["tasks"])
    tasks.add_argument("--json", action="store_true", help="print JSON")
    pols = add_command(sub, "policies", COMMANDS["policies"])
    pols.add_argument("--json", action="store_true", help="print JSON")
    ev = add_command(sub, "evaluate", COMMANDS["evaluate"])
    _add_task(ev, required=True)
    ev.add_argument(
        "--policy",
        required=True,
        choices=POLICY_NAMES,
        metavar="POLICY",
        help="policy name, one of %(choices)s (see `govworkflow triage policies`)",
    )
    add_seed_options(ev, seeds=True)
    ev.add_argument("--json", action="store_true", help="print a JSON list, one object per episode")
    lb = add_command(sub, "leaderboard", COMMANDS["leaderboard"])
    _add_task(lb, action="append").help = "task id, one of %(choices)s; repeat for several (default: all)"
    lb.add_argument(
        "--policy",
        action="append",
        choices=POLICY_NAMES,
        metavar="POLICY",
        help="policy name, one of %(choices)s; repeat for several (default: all)",
    )
    add_seed_options(lb, seeds=False)
    add_output(lb, "also write the rows with their provenance to this JSON file", old="--out")
    lb.add_argument("--json", action="store_true", help="print JSON")
    lb.set_defaults(seed_set="evaluation")  # the held-out seeds
    tr = add_command(sub, "train", COMMANDS["train"])
    TRAIN_OPTIONS.add_to(tr)


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
    task = get_task(args.task)
    seeds = chosen_seeds(args, task.seeds)
    print_results(evaluate_episodes(LocalBackend(), task.task_id, args.policy, seeds, TRIAGE.name), args.json)
    return 0


def _leaderboard(args: argparse.Namespace) -> int:
    if args.limit is not None:
        check_count(args.limit, "--limit")
        for task_id in args.task or TASKS:  # more seeds than the set holds is refused, not cut short
            get_task(task_id).seeds.take(args.seed_set, args.limit, "--limit")
    output = output_path(args.output)
    if output is not None:
        check_output(output, "--output")  # before the work
    with played_aside():
        rows = leaderboard(args.task, args.policy, args.seed_set, args.limit)
    if output is not None:
        save(document(rows, args.seed_set, " ".join(["govworkflow", *sys.argv[1:]])), output)
    if args.json:
        print_json([r.to_dict() for r in rows])
    else:
        print(leaderboard_table(rows, ["reward", "oracle", "gap"]))
    return 0


def _train(args: argparse.Namespace) -> int:
    if args.imitate is not None:
        make_policy(args.imitate)  # an unknown teacher fails here, naming the choices
    from govworkflow.training.triage import TriageTrainArgs, train_triage

    return run_training(TRAIN_OPTIONS, TriageTrainArgs, train_triage, args)


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
