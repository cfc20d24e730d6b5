"""The ``govworkflow`` command line: ``evaluate``, ``tasks``, ``policies`` and more.

Exit status: 0 on success; 2 on bad arguments, with one line naming the bad value and
the valid choices. Each subcommand lives in a small ``_cmd_*`` function registered in
``COMMANDS``; faces with heavy dependencies import them inside their function. The option
grammar (``--task``, ``--policy``, ``--seed``, ``--seed-set``, ``--limit``, ``--output``) is
``cli.options``'s, shared with the triage commands; ``train``'s options are the fields of
``TrainArgs`` (``TRAIN_OPTIONS``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govworkflow.cli.options import (
    BadArgumentError,
    DataclassOptions,
    Names,
    Parser,
    PolicyNames,
    add_command,
    add_output,
    add_renamed,
    add_seed_options,
    chosen_seeds,
    evaluate_episodes,
    output_path,
    run_training,
)
from govworkflow.cli.output import leaderboard_table, played_aside, print_json, print_results, table
from govworkflow.core.errors import (
    MissingExtraError,
    UnknownNameError,
    check_count,
    distinct,
    exit_status,
)
from govworkflow.evaluation.backends import BACKENDS
from govworkflow.office import models
from govworkflow.office.rulesets import DEFAULT_RULESET, RULESETS, get_ruleset, task_rows

if TYPE_CHECKING:
    from govworkflow.evaluation.backends import Backend

__all__ = ["COMMANDS", "TRAIN_OPTIONS", "BadArgumentError", "Names", "add_command", "build_parser", "main"]


# -- subcommands ---------------------------------------------------------------------
#: ``--ruleset`` values.
RULESET_NAMES = Names("ruleset", RULESETS)
#: ``--policy`` values: the policies of any ruleset (each ruleset checks its own).
POLICY_NAMES = PolicyNames("policy", [name for rs in RULESETS.values() for name in rs.policies])
#: The leaderboard also takes the ruleset's analytic bound as a row (``Suite.bound``).
ROW_NAMES = PolicyNames("policy", [*POLICY_NAMES, "upper_bound"])
#: ``train --reward`` values.
REWARD_MODES = Names("reward", models.REWARD_MODES)


#: ``--backend`` values (``evaluation.backends``).
BACKEND_NAMES = Names("backend", BACKENDS)


def _add_backend(p: argparse.ArgumentParser, local: str) -> None:
    p.add_argument(
        "--backend",
        default="local",
        choices=BACKEND_NAMES,
        help=f"where episodes run: {local}, or ray (extra: distributed)",
    )
    p.add_argument(
        "--address",
        default=None,
        metavar="auto|HOST:PORT",
        help="--backend ray: the Ray cluster to join (auto: the one this machine belongs to; "
        "default: start Ray on this machine)",
    )


def _backend(args: argparse.Namespace, workers: int = 1) -> Backend:
    """The backend ``--backend``/``--address`` ask for (not yet connected)."""
    from govworkflow.evaluation.backends import get_backend

    return get_backend(args.backend, workers, args.address)


def _task(rs: Any, task_id: str) -> Any:
    """``rs.task(task_id)``, its unknown name refused as an option's: ``--task: unknown ...``."""
    try:
        return rs.task(task_id)
    except UnknownNameError as err:
        raise BadArgumentError(f"--task: {err}") from None


def _add_evaluate(p: argparse.ArgumentParser) -> None:
    p.add_argument("--task", required=True, help="task id (see `govworkflow tasks`)")
    p.add_argument(
        "--policy",
        required=True,
        choices=POLICY_NAMES,
        metavar="POLICY",
        help="policy name, one of %(choices)s (see `govworkflow policies`), or your own: path/to/file.py:Name "
        "(in this process: trusted code) or isolated:path/to/file.py:Name (a process of its own), "
        "or ppo:DIR (the models a `train --out-dir DIR` run wrote)",
    )
    p.add_argument("--ruleset", default=DEFAULT_RULESET, choices=RULESET_NAMES, help="one of %(choices)s")
    add_seed_options(p, seeds=True)
    p.add_argument("--max-steps", type=int, default=None, help="cut each episode after N steps")
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per episode")
    _add_backend(p, "local (in this process)")


def _cmd_evaluate(args: argparse.Namespace) -> int:
    if args.max_steps is not None:
        check_count(args.max_steps, "--max-steps")
    task = _task(get_ruleset(args.ruleset), args.task)
    seeds = chosen_seeds(args, task.seeds)
    results = evaluate_episodes(_backend(args), args.task, args.policy, seeds, args.ruleset, args.max_steps)
    print_results(results, args.json)
    return 0


def _add_tasks(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ruleset", default=None, choices=RULESET_NAMES, help="only this ruleset (default: all)")
    p.add_argument("--json", action="store_true", help="print JSON")


def _cmd_tasks(args: argparse.Namespace) -> int:
    rows = task_rows(args.ruleset)
    if args.json:
        print_json(rows)
    else:
        print(table(rows, ["ruleset", "task_id", "default_seed", "max_days", "description"]))
    return 0


def _add_policies(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ruleset", default=None, choices=RULESET_NAMES, help="only this ruleset (default: all)")
    p.add_argument("--json", action="store_true", help="print JSON")


def _cmd_policies(args: argparse.Namespace) -> int:
    names = [get_ruleset(args.ruleset).name] if args.ruleset is not None else list(RULESETS)
    rows = []
    for name in names:
        rs = RULESETS[name]
        for pname in rs.policies:
            rows.append({"policy": pname, "ruleset": name, "description": rs.policy(pname).description})
    if args.json:
        print_json(rows)
    else:
        print(table(rows, ["ruleset", "policy", "description"]))
    return 0


def _add_leaderboard(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ruleset", default=DEFAULT_RULESET, choices=RULESET_NAMES, help="one of %(choices)s")
    task = p.add_argument("--task", action="append", help="task id; repeat for several (default: all)")
    policy = p.add_argument(
        "--policy",
        action="append",
        choices=ROW_NAMES,
        metavar="POLICY",
        help="policy name, one of %(choices)s (upper_bound: the ruleset's analytic bound); "
        "repeat for several (default: the whole ladder and the bound)",
    )
    limit = p.add_argument("--limit", type=int, default=None, help="only the first N held-out seeds (default: all)")
    p.add_argument(
        "--workers",
        type=int,
        default=2,
        help="worker processes (default: 2; --backend ray: CPUs of a Ray started here)",
    )
    _add_backend(p, "local (worker processes)")
    add_output(
        p,
        "JSON file to write (default: data/results/leaderboard-<ruleset>.json, "
        "written only by a full run: all tasks, policies and seeds)",
    )
    p.add_argument("--no-save", action="store_true", help="do not write a file")
    p.add_argument(
        "--no-canaries",
        action="store_true",
        help="standard ruleset: skip the adversarial canaries (run by default with the default policies)",
    )
    p.add_argument("--json", action="store_true", help="print the JSON document instead of the table")
    add_renamed(p, "--tasks", task, "--task T, repeated")
    add_renamed(p, "--policies", policy, "--policy P, repeated")
    add_renamed(p, "--seeds", limit, "--limit N")


def _cmd_leaderboard(args: argparse.Namespace) -> int:
    from govworkflow.core.provenance import check_output, write_json
    from govworkflow.evaluation import leaderboard as lb

    if args.limit is not None:
        check_count(args.limit, "--limit")
    check_count(args.workers, "--workers")
    rs = get_ruleset(args.ruleset)
    tasks = None if args.task is None else distinct(args.task, "--task")
    policies = None if args.policy is None else distinct(args.policy, "--policy")
    for t in tasks or ():
        _task(rs, t)
    if args.limit is not None:  # more seeds than a task holds out is refused, not cut short
        for t in tasks or rs.tasks:
            rs.task(t).seeds.take("evaluation", args.limit, "--limit")
    with played_aside():  # a submitted policy's module may print as it loads
        for p in policies or ():
            if p != lb.UPPER_BOUND:  # the ruleset's bound is a row, not a policy (run_leaderboard checks it)
                rs.policy(p)
    full = tasks is None and policies is None and args.limit is None
    output = output_path(args.output)
    target = output or (Path(f"data/results/leaderboard-{rs.name}.json") if full else None)
    backend = _backend(args, args.workers)
    if target and not args.no_save:
        check_output(target, "--output")  # before the long run
    with played_aside(), backend:  # a cluster that cannot be reached fails here, before any episode
        rows, seconds = lb.timed(
            lambda: lb.run_leaderboard(
                rs.name, tasks, policies, args.limit, args.workers, progress=not args.json, backend=backend
            )
        )
        canaries = None
        if rs.name == "standard" and policies is None and not args.no_canaries:
            from govworkflow.evaluation.canaries import report

            seeds = {r.task_id: r.seeds for r in rows}
            started = time.perf_counter()
            canaries = report(seeds, workers=args.workers, progress=not args.json, backend=backend)
            seconds += time.perf_counter() - started
    command = ["govworkflow", *sys.argv[1:]]
    doc = lb.build_document(rs.name, rows, seconds, args.workers, command, canaries, backend.name)
    if target and not args.no_save:
        write_json(target, doc)
    if args.json:
        print_json(doc)
        return 0
    print(leaderboard_table(rows, ["completed"]))
    if full:  # the calibration targets speak of the whole ladder on every held-out seed
        for c in doc.get("calibration", []):
            mark = "ok  " if c["ok"] else "MISS"
            print(f"{mark} {c['task_id']:<30} {c['check']:<45} {c['value']:>8.4f}  target {c['target']}")
    elif doc.get("calibration"):
        print("calibration: judged on full runs only (every task, policy and held-out seed)")
    print(
        f"{sum(r.n for r in rows)} episodes in {seconds:.1f} s"
        + (f"; wrote {target}" if target and not args.no_save else "")
    )
    return 0


#: uvicorn's log levels.
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
#: ``ServerConfig`` field -> the ``serve`` option that sets it.
SERVE_OPTIONS = {
    "max_sessions_per_client": "--max-sessions-per-client",
    "max_sessions": "--max-sessions",
    "idle_timeout_s": "--idle-timeout",
    "max_body_bytes": "--max-body-bytes",
    "allowed_hosts": "--allow-host",
}


def _add_serve(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--max-sessions", type=int, default=64, help="concurrent sessions (default 64)")
    p.add_argument(
        "--idle-timeout", type=float, default=600.0, help="close sessions idle this long, in s (default 600)"
    )
    p.add_argument("--max-body-bytes", type=int, default=65536, help="largest request or message (default 65536)")
    p.add_argument(
        "--max-sessions-per-client", type=int, default=16, help="sessions one client address may hold (default 16)"
    )
    p.add_argument(
        "--allow-host",
        action="append",
        metavar="HOST",
        help="a Host/Origin name to accept (repeat; *.example.org for subdomains, * for any; "
        "default: localhost, 127.0.0.1, ::1)",
    )
    p.add_argument(
        "--log-level", default="info", choices=LOG_LEVELS, help=f"uvicorn log level, one of {', '.join(LOG_LEVELS)}"
    )


def _cmd_serve(args: argparse.Namespace) -> int:
    """Serve the environment (OpenEnv protocol); needs the ``server`` extra."""
    try:
        from govworkflow.server.running import serve
        from govworkflow.server.sessions import DEFAULT_ALLOWED_HOSTS, ServerConfig
    except ImportError as err:
        raise MissingExtraError(err.name or "fastapi", "server") from None
    if not 0 <= args.port <= 65535:
        raise BadArgumentError(f"--port must be between 0 and 65535, got {args.port}")
    try:
        config = ServerConfig(
            max_sessions=args.max_sessions,
            idle_timeout_s=args.idle_timeout,
            max_body_bytes=args.max_body_bytes,
            max_sessions_per_client=args.max_sessions_per_client,
            allowed_hosts=tuple(args.allow_host) if args.allow_host else DEFAULT_ALLOWED_HOSTS,
        )
    except ValueError as err:  # name the option, not the field: "--max-sessions must ..."
        message = str(err)
        for field, option in SERVE_OPTIONS.items():
            message = message.replace(field, option)
        raise BadArgumentError(message) from None
    _check_bindable(args.host, args.port)
    serve(args.host, args.port, config, args.log_level)
    return 0


def _check_bindable(host: str, port: int) -> None:
    """Refuse, before the server starts, a ``--host`` this machine cannot listen on or a
    ``--port`` already taken (one line, instead of the server's start-up log and exit 3)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as err:
        raise BadArgumentError(f"--host: cannot listen on {host!r}: {err}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            raise BadArgumentError(f"--host {host} --port {port}: cannot listen there: {err.strerror or err}") from None


def _add_triage(p: argparse.ArgumentParser) -> None:
    from govworkflow.cli.triage import add_arguments

    add_arguments(p)


def _cmd_triage(args: argparse.Namespace) -> int:
    from govworkflow.cli.triage import run

    return run(args)


#: ``train``'s options: the fields of ``govworkflow.training.args.TrainArgs``.
TRAIN_OPTIONS = DataclassOptions(
    "govworkflow.training.args",
    "TrainArgs",
    required=("task",),
    choices={"ruleset": RULESET_NAMES, "reward": REWARD_MODES, "imitate": POLICY_NAMES},
    metavars={"task": "TASK", "imitate": "POLICY", "out_dir": "DIR"},
)


def _add_train(p: argparse.ArgumentParser) -> None:
    TRAIN_OPTIONS.add_to(p)


def _cmd_train(args: argparse.Namespace) -> int:
    rs = get_ruleset(args.ruleset)
    _task(rs, args.task)
    if args.imitate is not None:
        rs.policy(args.imitate)  # an unknown teacher fails here, naming the choices
    from govworkflow.training.ppo import TrainArgs, train

    return run_training(TRAIN_OPTIONS, TrainArgs, train, args)


#: ``sweep``'s options: ``train``'s, less the seed and the output folder (one per trial).
SWEEP_OPTIONS = DataclassOptions(
    "govworkflow.training.args",
    "TrainArgs",
    exclude=("seed", "out_dir", "progress"),
    required=("task",),
    choices={"ruleset": RULESET_NAMES, "reward": REWARD_MODES, "imitate": POLICY_NAMES},
    metavars={"task": "TASK", "imitate": "POLICY"},
)


def _add_sweep(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seeds", type=int, nargs="+", required=True, metavar="S", help="one trial per training seed")
    p.add_argument(
        "--out-dir",
        default=None,
        metavar="DIR",
        help="the sweep's folder: one folder per trial and the sweep's record (default: runs/sweep-<ruleset>-<task>)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="trials at once: local processes, or the CPUs of a Ray started here (default: 1)",
    )
    p.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="OPTION=V1,V2",
        help="also try these values of a training option (repeat: every combination, each with every seed), "
        "e.g. --vary learning-rate=1e-4,3e-4",
    )
    _add_backend(p, "local (worker processes)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True, help="show a progress bar")
    SWEEP_OPTIONS.add_to(p)


def _grid(texts: Sequence[str]) -> list[dict[str, object]]:
    """The settings ``--vary OPTION=V1,V2`` asks for: every combination of the values."""
    import itertools

    specs = {f.option[2:]: f for f in SWEEP_OPTIONS.fields() if f.name not in ("task", "ruleset")}
    axes: dict[str, list[object]] = {}
    for text in texts:
        option, _, values = text.partition("=")
        spec = specs.get(option.removeprefix("--"))
        kind = spec.kind() if spec is not None else None
        if spec is None or kind is None or kind[2]:
            allowed = ", ".join(n for n, f in specs.items() if (k := f.kind()) is not None and not k[2])
            raise BadArgumentError(f"--vary: {option!r} is not a training option a sweep can vary; one of: {allowed}")
        base, optional, _ = kind
        parse = (lambda v: v.lower() in ("1", "true", "yes")) if base is bool else base
        try:
            parsed = [None if optional and v == "none" else parse(v) for v in values.split(",") if v]
        except ValueError:
            raise BadArgumentError(f"--vary {text}: expected {base.__name__} values, separated by commas") from None
        if not parsed:
            raise BadArgumentError(f"--vary {text!r}: give OPTION=V1,V2")
        axes[spec.name] = list(dict.fromkeys(parsed))
    return [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())]


def _cmd_sweep(args: argparse.Namespace) -> int:
    rs = get_ruleset(args.ruleset)
    _task(rs, args.task)
    if args.imitate is not None:
        rs.policy(args.imitate)
    check_count(args.workers, "--workers")
    backend = _backend(args, args.workers)
    from govworkflow.training.ppo import TrainArgs
    from govworkflow.training.sweep import sweep, trials

    base = SWEEP_OPTIONS.build(TrainArgs, args)
    out_dir = output_path(args.out_dir) or Path(f"runs/sweep-{rs.name}-{args.task}")
    settings = _grid(args.vary)
    with SWEEP_OPTIONS.naming_options():
        runs = trials(base, args.seeds, out_dir, settings)
    with backend:
        result = sweep(runs, out_dir, backend, args.progress, " ".join(["govworkflow", *sys.argv[1:]]))
    for t in result.trials:
        mark = "best" if t["trial"] == result.best else "    "
        print(f"{mark} {t['trial']:<30} best validation score {t['best_validation_score']:.4f}  {t['out_dir']}")
    print(f"record: {result.record_path}")
    return 0


#: name -> (help, add arguments, run)
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {
    "evaluate": ("run a policy on a task and print scores", _add_evaluate, _cmd_evaluate),
    "tasks": ("list tasks with their rulesets and seeds", _add_tasks, _cmd_tasks),
    "policies": ("list policies by ruleset", _add_policies, _cmd_policies),
    "leaderboard": ("every task x policy x held-out seed, with 95% CIs", _add_leaderboard, _cmd_leaderboard),
    "train": ("train MaskablePPO on a task (extra: train)", _add_train, _cmd_train),
    "sweep": ("train several seeds at once, locally or on Ray (the best on development seeds)", _add_sweep, _cmd_sweep),
    "triage": ("ticket triage: tasks, policies, evaluate, leaderboard, train", _add_triage, _cmd_triage),
    "serve": ("serve the environment over HTTP/WebSocket (OpenEnv)", _add_serve, _cmd_serve),
}


def build_parser() -> argparse.ArgumentParser:
    from govworkflow import __version__

    parser = Parser(prog="govworkflow", description="A government service office for reinforcement learning.")
    parser.add_argument("--version", action="version", version=f"govworkflow {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser, metavar="COMMAND")
    for name, (help_text, add, run) in COMMANDS.items():
        p = add_command(sub, name, help_text)
        add(p)
        p.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    def run() -> int:
        args = build_parser().parse_args(argv)  # a bad name (``Names``) is a GovWorkflowError
        return int(args.run(args))

    return exit_status("govworkflow", run)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
