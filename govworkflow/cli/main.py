"""The ``govworkflow`` command line: ``evaluate``, ``tasks``, ``policies`` and more.

Exit status: 0 on success; 2 on bad arguments, with one line naming the bad value and
the valid choices. Each subcommand lives in a small ``_cmd_*`` function registered in
``COMMANDS``; faces with heavy dependencies import them inside their function.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from govworkflow.cli.output import print_json, table
from govworkflow.core.errors import BadValueError, GovWorkflowError, MissingExtraError, choices_message, distinct
from govworkflow.evaluation import evaluate
from govworkflow.office.rulesets import DEFAULT_RULESET, RULESETS, get_ruleset, task_rows

__all__ = ["COMMANDS", "Names", "add_command", "build_parser", "main"]


class Names(tuple[str, ...]):
    """The ``choices=`` of an option whose values are names of one kind (rulesets, policies):
    a value outside them is refused in the package's own words, ``--policy: unknown policy
    'x'; valid choices: a, b``, with exit status 2 from ``main`` (not argparse's ``invalid
    choice``)."""

    kind: str

    def __new__(cls, kind: str, names: Iterable[str]) -> Names:
        self = super().__new__(cls, dict.fromkeys(names))
        self.kind = kind
        return self


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"govworkflow: error: {message}\n")
        raise SystemExit(2)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        choices = action.choices
        if isinstance(choices, Names) and value not in choices:
            option = action.option_strings[-1] if action.option_strings else action.dest
            raise BadArgumentError(f"{option}: {choices_message(choices.kind, value, choices)}")
        super()._check_value(action, value)


def add_command(sub: Any, name: str, text: str) -> argparse.ArgumentParser:
    """``sub.add_parser(name)`` with ``text`` as its one-line help and its description.

    argparse %-formats help strings (``%(default)s``), so a literal ``%`` in ``text`` (``95%
    CIs``) is escaped for the help; the description is printed as it is."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=text.replace("%", "%%"), description=text)
    return parser


# -- subcommands ---------------------------------------------------------------------
#: ``--ruleset`` values.
RULESET_NAMES = Names("ruleset", RULESETS)
#: ``--policy`` values: the policies of any ruleset (each ruleset checks its own).
POLICY_NAMES = Names("policy", [name for rs in RULESETS.values() for name in rs.policies])
#: ``train --reward`` values (``govworkflow.gym.REWARD_MODES``, not imported: it needs gymnasium).
REWARD_MODES = Names("reward", ("grade", "simulator"))


def _add_evaluate(p: argparse.ArgumentParser) -> None:
    p.add_argument("--task", required=True, help="task id (see `govworkflow tasks`)")
    p.add_argument(
        "--policy",
        required=True,
        choices=POLICY_NAMES,
        metavar="POLICY",
        help="policy name, one of %(choices)s (see `govworkflow policies`)",
    )
    p.add_argument("--seed", type=int, action="append", help="episode seed; repeat for several")
    p.add_argument("--ruleset", default=DEFAULT_RULESET, choices=RULESET_NAMES, help="one of %(choices)s")
    p.add_argument("--max-steps", type=int, default=None, help="cut each episode after N steps")
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per episode")


def _cmd_evaluate(args: argparse.Namespace) -> int:
    if args.max_steps is not None and args.max_steps <= 0:
        raise BadArgumentError(f"--max-steps must be a positive integer, got {args.max_steps}")
    results = evaluate(args.task, args.policy, args.seed, args.ruleset, args.max_steps)
    rows = [r.to_dict() for r in results]
    if args.json:
        print_json(rows)
    else:
        print(table(rows, ["task_id", "policy", "seed", "score", "steps", "completed", "backlog", "reward_sum"]))
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


def _names(values: list[str] | None, option: str = "--tasks") -> list[str] | None:
    """``--tasks a,b c`` -> ``[a, b, c]`` (repeats dropped); not given: None (all)."""
    if values is None:
        return None
    return distinct([v for value in values for v in value.split(",") if v], option)


def _add_leaderboard(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ruleset", default=DEFAULT_RULESET, choices=RULESET_NAMES, help="one of %(choices)s")
    p.add_argument("--tasks", nargs="+", help="task ids, space or comma separated (default: all)")
    p.add_argument("--policies", nargs="+", help="policy names (default: the whole ladder)")
    p.add_argument("--seeds", type=int, default=None, help="use the first N held-out seeds (default: all)")
    p.add_argument("--workers", type=int, default=2, help="worker processes (default: 2)")
    p.add_argument(
        "--output",
        default=None,
        help="JSON file to write (default: data/results/leaderboard-<ruleset>.json, "
        "written only by a full run: all tasks, policies and seeds)",
    )
    p.add_argument("--no-save", action="store_true", help="do not write a file")
    p.add_argument("--json", action="store_true", help="print the JSON document instead of the table")


def _cmd_leaderboard(args: argparse.Namespace) -> int:
    from govworkflow.core.provenance import check_output, write_json
    from govworkflow.evaluation import leaderboard as lb

    if args.seeds is not None and args.seeds <= 0:
        raise BadArgumentError(f"--seeds must be a positive integer, got {args.seeds}")
    if args.workers <= 0:
        raise BadArgumentError(f"--workers must be a positive integer, got {args.workers}")
    rs = get_ruleset(args.ruleset)
    tasks, policies = _names(args.tasks), _names(args.policies, "--policies")
    for t in tasks or ():
        rs.task(t)
    for p in policies or ():
        rs.policy(p)
    full = tasks is None and policies is None and args.seeds is None
    if args.output == "":
        raise BadArgumentError("--output: give a file name (or --no-save to write nothing)")
    target = args.output or (f"data/results/leaderboard-{rs.name}.json" if full else None)
    if target and not args.no_save:
        check_output(target, "--output")  # before the long run
    rows, seconds = lb.timed(
        lambda: lb.run_leaderboard(rs.name, tasks, policies, args.seeds, args.workers, progress=not args.json)
    )
    doc = lb.build_document(rs.name, rows, seconds, args.workers, ["govworkflow", *sys.argv[1:]])
    if target and not args.no_save:
        write_json(target, doc)
    if args.json:
        print_json(doc)
        return 0
    cells = [
        {
            "task_id": r.task_id,
            "policy": r.policy,
            "n": r.n,
            "mean": r.mean,
            "ci95": f"[{r.ci_low:.4f}, {r.ci_high:.4f}]",
            "completed": r.mean_completed,
        }
        for r in rows
    ]
    print(table(cells, ["task_id", "policy", "n", "mean", "ci95", "completed"]))
    for c in doc.get("calibration", []):
        mark = "ok  " if c["ok"] else "MISS"
        print(f"{mark} {c['task_id']:<30} {c['check']:<45} {c['value']:>8.4f}  target {c['target']}")
    print(
        f"{sum(r.n for r in rows)} episodes in {seconds:.1f} s"
        + (f"; wrote {target}" if target and not args.no_save else "")
    )
    return 0


#: uvicorn's log levels.
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
#: ``ServerConfig`` field -> the ``serve`` option that sets it.
SERVE_OPTIONS = {
    "max_sessions": "--max-sessions",
    "idle_timeout_s": "--idle-timeout",
    "max_body_bytes": "--max-body-bytes",
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
        "--log-level", default="info", choices=LOG_LEVELS, help=f"uvicorn log level, one of {', '.join(LOG_LEVELS)}"
    )


def _cmd_serve(args: argparse.Namespace) -> int:
    """Serve the environment (OpenEnv protocol); needs the ``server`` extra."""
    try:
        from govworkflow.server.running import serve
        from govworkflow.server.sessions import ServerConfig
    except ImportError as err:
        raise MissingExtraError(err.name or "fastapi", "server") from None
    if not 0 <= args.port <= 65535:
        raise BadArgumentError(f"--port must be between 0 and 65535, got {args.port}")
    try:
        config = ServerConfig(
            max_sessions=args.max_sessions,
            idle_timeout_s=args.idle_timeout,
            max_body_bytes=args.max_body_bytes,
        )
    except ValueError as err:  # name the option, not the field: "--max-sessions must ..."
        message = str(err)
        for field, option in SERVE_OPTIONS.items():
            message = message.replace(field, option)
        raise BadArgumentError(message) from None
    serve(args.host, args.port, config, args.log_level)
    return 0


class BadArgumentError(BadValueError):
    """A command-line value outside what is allowed."""


def _add_triage(p: argparse.ArgumentParser) -> None:
    from govworkflow.cli.triage import add_arguments

    add_arguments(p)


def _cmd_triage(args: argparse.Namespace) -> int:
    from govworkflow.cli.triage import run

    return run(args)


def _add_train(p: argparse.ArgumentParser) -> None:
    p.add_argument("--task", required=True, help="task id (see `govworkflow tasks`)")
    p.add_argument("--ruleset", default=DEFAULT_RULESET, choices=RULESET_NAMES, help="one of %(choices)s")
    p.add_argument("--timesteps", type=int, default=250_000, help="environment steps to train for")
    p.add_argument("--seed", type=int, default=1, help="seeds everything")
    p.add_argument("--n-envs", type=int, default=4, help="environments stepped together")
    p.add_argument("--reward", default="grade", choices=REWARD_MODES, help="grade (default) or simulator")
    p.add_argument("--eval-every", type=int, default=25_000, help="validate every N steps (0: at the end)")
    p.add_argument(
        "--imitate",
        default="sla_aware",
        choices=Names("policy", [*POLICY_NAMES, "none"]),
        metavar="POLICY",
        help="teacher to clone first, or 'none' (default: sla_aware)",
    )
    p.add_argument("--imitation-episodes", type=int, default=64, help="teacher episodes for the warm start")
    p.add_argument("--out-dir", default=None, help="where models/ and results/ go (default: data/)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def _cmd_train(args: argparse.Namespace) -> int:
    for name in ("timesteps", "n_envs"):
        if getattr(args, name) <= 0:
            raise BadArgumentError(f"--{name.replace('_', '-')} must be a positive integer, got {getattr(args, name)}")
    rs = get_ruleset(args.ruleset)
    rs.task(args.task)
    if args.imitate != "none":
        rs.policy(args.imitate)  # an unknown teacher fails here, naming the choices
    from govworkflow.training.ppo import TrainArgs, train

    targs = TrainArgs(
        task=args.task, ruleset=args.ruleset, timesteps=args.timesteps, seed=args.seed, n_envs=args.n_envs,
        reward=args.reward, eval_every=args.eval_every, progress=not args.no_progress,
        imitate=None if args.imitate == "none" else args.imitate, imitation_episodes=args.imitation_episodes,
    )  # fmt: skip
    if args.out_dir is not None:
        from govworkflow.core.provenance import check_output_dir

        targs.out_dir = check_output_dir(args.out_dir, "--out-dir")
    result = train(targs)
    print(f"best validation score {result.best_validation_score:.4f} in {result.wall_clock_s:.0f} s")
    print(f"model: {result.model_path}\nrecord: {result.results_path}")
    return 0


#: name -> (help, add arguments, run)
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {
    "evaluate": ("run a policy on a task and print scores", _add_evaluate, _cmd_evaluate),
    "tasks": ("list tasks with their rulesets and seeds", _add_tasks, _cmd_tasks),
    "policies": ("list policies by ruleset", _add_policies, _cmd_policies),
    "leaderboard": ("every task x policy x held-out seed, with 95% CIs", _add_leaderboard, _cmd_leaderboard),
    "train": ("train MaskablePPO on a task (extra: train)", _add_train, _cmd_train),
    "triage": ("ticket triage: tasks, policies, evaluate, leaderboard, train", _add_triage, _cmd_triage),
    "serve": ("serve the environment over HTTP/WebSocket (OpenEnv)", _add_serve, _cmd_serve),
}


def build_parser() -> argparse.ArgumentParser:
    from govworkflow import __version__

    parser = _Parser(prog="govworkflow", description="A government service office for reinforcement learning.")
    parser.add_argument("--version", action="version", version=f"govworkflow {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    for name, (help_text, add, run) in COMMANDS.items():
        p = add_command(sub, name, help_text)
        add(p)
        p.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)  # a bad name (``Names``) is a GovWorkflowError
        code = int(args.run(args))
        sys.stdout.flush()  # a reader that left shows here, not in the flush at exit
        return code
    except MissingExtraError as err:
        sys.stderr.write(f"govworkflow: error: {err}\n")
        return 1
    except GovWorkflowError as err:  # bad names and values, a missing model: one line each
        sys.stderr.write(f"govworkflow: error: {err}\n")
        return 2
    except BrokenPipeError:  # `govworkflow tasks | head`: the reader left; stop without a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the final flush cannot fail
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
