"""The option grammar every ``govworkflow`` command shares, office and triage alike.

One spelling per thing:

==================================  ==========================================================
``--task T``                        a task; repeat it where several are allowed (leaderboards)
``--policy P``                      a policy; repeat it where several are allowed
``--seed S``                        an episode seed; repeat it for several (``evaluate``)
``--seed-set development|evaluation``  a task's seed set (``dev`` and ``eval`` for short)
``--limit N``                       only the first N seeds of the seed set
``--output PATH``                   a file to write; ``--out-dir DIR`` a folder (``train``)
``--json``                          print JSON instead of a table
==================================  ==========================================================

* Names from a closed set (rulesets, policies, ...) are ``choices=Names(kind, names)``: a value
  outside them is one line, ``--policy: unknown policy 'x'; valid choices: a, b``, exit 2.
* Old spellings (``--tasks``, ``--policies``, ``--seeds``, ``--out``) still work for one
  release (``add_renamed``): hidden from ``--help``, one line on stderr, same result.
* ``train`` options are generated from the arguments dataclass (``DataclassOptions``): each
  field ``name`` is ``--name-with-dashes``, typed by its annotation, defaulting to the
  field's default, helped by the field's docstring. The dataclass's module is read with
  ``ast``, not imported, so the command line stays light (training needs torch).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import functools
import importlib.util
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govworkflow.cli.output import played_aside
from govworkflow.core.errors import BadValueError, check_count, check_seed, choices_message, distinct
from govworkflow.core.seeds import SEED_SET_CHOICES, SeedSets
from govworkflow.core.submitted import is_spec

if TYPE_CHECKING:
    from govworkflow.evaluation.backends import Backend
    from govworkflow.evaluation.run import EpisodeResult

__all__ = [
    "BadArgumentError",
    "DataclassOptions",
    "FieldSpec",
    "Names",
    "NoneOr",
    "Parser",
    "add_command",
    "add_output",
    "add_renamed",
    "add_seed_options",
    "chosen_seeds",
    "dataclass_fields",
    "evaluate_episodes",
    "first_sentence",
    "output_path",
    "run_training",
]


class BadArgumentError(BadValueError):
    """A command-line value outside what is allowed."""


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

    def check(self, option: str, value: object) -> None:
        """Refuse ``value`` unless it is one of these names (one line naming ``option``)."""
        if value not in self:
            hint = "; ticket triage has its own commands: govworkflow triage --help" if value == "triage" else ""
            raise BadArgumentError(f"{option}: {choices_message(self.kind, value, self)}{hint}")


class PolicyNames(Names):
    """Policy names, or a submitted policy: ``path/to/file.py:Name`` or ``module:Name``
    (``core.submitted``; loaded, and checked, when it is played)."""

    def __contains__(self, value: object) -> bool:
        return is_spec(value) or super().__contains__(value)

    def check(self, option: str, value: object) -> None:
        if value not in self:
            listed = ", ".join(self)
            raise BadArgumentError(
                f"{option}: unknown {self.kind} {value!r}; valid choices: {listed}, or path/to/file.py:Name"
            )


class NoneOr:
    """An option's ``type=`` for a field that may be None: ``none`` gives None, anything else
    ``kind(text)`` (argparse names ``kind`` in its ``invalid int value`` message)."""

    def __init__(self, kind: Callable[[str], Any]) -> None:
        self.kind = kind
        self.__name__ = getattr(kind, "__name__", "value")

    def __call__(self, text: str) -> Any:
        return None if text == "none" else self.kind(text)


class Parser(argparse.ArgumentParser):
    """argparse, but errors are one line on stderr and exit status 2, and an option is
    only its whole name (no prefixes: ``--seed`` must never be read as ``--seeds``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"govworkflow: error: {message}\n")
        raise SystemExit(2)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if value is None and isinstance(action.type, NoneOr):
            return  # ``--imitate none``
        choices = action.choices
        if isinstance(choices, Names):
            choices.check(action.option_strings[-1] if action.option_strings else action.dest, value)
        super()._check_value(action, value)


def add_command(sub: Any, name: str, text: str) -> argparse.ArgumentParser:
    """``sub.add_parser(name)`` with ``text`` as its one-line help and its description.

    argparse %-formats help strings (``%(default)s``), so a literal ``%`` in ``text`` (``95%
    CIs``) is escaped for the help; the description is printed as it is."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=text.replace("%", "%%"), description=text)
    return parser


# -- old spellings -------------------------------------------------------------------
class _Renamed(argparse.Action):
    """An old option string kept for one release: hidden from ``--help``, a one-line note on
    stderr, and its values stored where the new option stores them (``add_renamed``)."""

    def __init__(self, option_strings: Sequence[str], dest: str, *, new: argparse.Action, use: str, **kw: Any) -> None:
        super().__init__(option_strings, dest, **kw)
        self.new, self.use = new, use

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option: str | None = None
    ) -> None:
        old = option or self.option_strings[0]
        sys.stderr.write(f"govworkflow: warning: {old} is deprecated and goes in the next release; use {self.use}\n")
        new = self.new
        if isinstance(new, argparse._AppendAction):  # ``--tasks a,b c`` -> ``--task a --task b --task c``
            names = distinct([v for value in values for v in value.split(",") if v], old)
            for name in names:
                if isinstance(new.choices, Names):
                    new.choices.check(old, name)
            setattr(namespace, new.dest, [*(getattr(namespace, new.dest, None) or []), *names])
        else:
            try:
                value = new.type(values) if callable(new.type) else values
            except (TypeError, ValueError):
                kind = getattr(new.type, "__name__", "")
                raise argparse.ArgumentError(self, f"invalid {kind} value: {values!r}") from None
            if isinstance(new.choices, Names):
                new.choices.check(old, value)
            setattr(namespace, new.dest, value)


def add_renamed(p: argparse.ArgumentParser, old: str, new: argparse.Action, use: str) -> None:
    """Let ``old`` (``--tasks``) set what ``new`` (the ``--task`` action) sets, for one release.

    An old option that took several values (``--tasks a b``, ``--tasks a,b``) adds them to a
    repeatable new one; ``use`` is what the deprecation note tells the user to write instead."""
    many = isinstance(new, argparse._AppendAction)
    p.add_argument(
        old, action=_Renamed, new=new, use=use, dest=new.dest, nargs="+" if many else None,
        default=argparse.SUPPRESS, help=argparse.SUPPRESS,
    )  # fmt: skip


# -- seeds and outputs ---------------------------------------------------------------
def add_seed_options(p: argparse.ArgumentParser, *, seeds: bool) -> None:
    """``--seed S`` (repeat it; when ``seeds``), ``--seed-set`` and ``--limit N``."""
    if seeds:
        p.add_argument("--seed", type=int, action="append", help="episode seed; repeat for several")
    p.add_argument(
        "--seed-set", choices=SEED_SET_CHOICES, default=None, help="play a seed set of the task: %(choices)s"
    )
    p.add_argument("--limit", type=int, default=None, help="only the first N seeds of the seed set")


def chosen_seeds(args: argparse.Namespace, sets: SeedSets) -> list[int] | None:
    """The seeds ``--seed`` / ``--seed-set`` / ``--limit`` ask for (None: the task's default seed)."""
    if args.limit is not None:
        check_count(args.limit, "--limit")
    if args.seed and args.seed_set:
        raise BadArgumentError("give --seed or --seed-set, not both")
    if args.limit is not None and not args.seed_set:
        raise BadArgumentError("--limit needs --seed-set (development or evaluation)")
    if args.seed:
        return [check_seed(s, "--seed") for s in args.seed]
    if args.seed_set:
        return sets.take(args.seed_set, args.limit, "--limit")
    return None


def add_output(p: argparse.ArgumentParser, text: str, *, old: str | None = None) -> argparse.Action:
    """``--output PATH``, with the ``old`` spelling (``--out``) kept one release."""
    action = p.add_argument("--output", default=None, metavar="PATH", help=text)
    if old is not None:
        add_renamed(p, old, action, "--output PATH")
    return action


def output_path(value: str | None) -> Path | None:
    """``--output``'s file (None when not given); an empty name is refused."""
    if value is None:
        return None
    if value == "":
        raise BadArgumentError("--output: give a file name")
    return Path(value)


# -- options from an arguments dataclass ---------------------------------------------
class _Marker:
    """A field default the source does not give as a value."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __repr__(self) -> str:
        return f"<{self.what}>"


#: The default of a field whose default expression is not a literal (``out_dir: Path = DATA``).
UNREADABLE: Any = _Marker("not a literal")
#: The default of a field without one.
NO_DEFAULT: Any = _Marker("no default")
#: Annotation name -> the option's type (``bool`` fields are ``--x/--no-x`` flags).
TYPES: dict[str, Callable[[str], Any]] = {"int": int, "float": float, "str": str, "Path": Path, "bool": bool}
#: The option's metavar by type (a field can name its own in ``DataclassOptions.metavars``).
METAVARS: dict[Callable[[str], Any], str] = {int: "N", float: "X", str: "NAME", Path: "PATH"}


@dataclass(frozen=True)
class FieldSpec:
    """One field of an arguments dataclass, as its source says."""

    name: str
    annotation: str
    default: Any
    doc: str

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")

    def kind(self) -> tuple[Callable[[str], Any], bool, bool] | None:
        """``(type, optional, many)`` from the annotation (``int | None``: optional; ``list[int]``:
        many); None when the annotation is not one the command line can take."""
        node = ast.parse(self.annotation, mode="eval").body
        optional = many = False
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            sides = [node.left, node.right]
            rest = [s for s in sides if not (isinstance(s, ast.Constant) and s.value is None)]
            if len(rest) != 1:
                return None
            optional, node = True, rest[0]
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "list":
            many, node = True, node.slice
        if not isinstance(node, ast.Name) or node.id not in TYPES:
            return None
        return TYPES[node.id], optional, many


def first_sentence(text: str) -> str:
    """``text`` up to its first full stop followed by a space (all of it when there is none)."""
    head, dot, _ = text.partition(". ")
    return head + "." if dot else text


def _module_tree(module: str) -> ast.Module:
    """The parsed source of ``module``, found without importing it (nor its package)."""
    package, _, leaf = module.rpartition(".")
    spec = importlib.util.find_spec(package)  # imports the package's parents, not the package
    if spec is None or not spec.submodule_search_locations:
        raise LookupError(f"cannot find the package {package!r}")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / f"{leaf}.py"
        if path.is_file():
            return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    raise LookupError(f"cannot find the module {module!r}")


def _default(value: ast.expr | None) -> Any:
    if value is None:
        return NO_DEFAULT
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "field":
        keywords = {k.arg: k.value for k in value.keywords}
        if "default" in keywords:
            return _default(keywords["default"])
        factory = keywords.get("default_factory")
        if isinstance(factory, ast.Lambda):
            return _default(factory.body)
        if isinstance(factory, ast.Name) and factory.id in ("list", "dict", "tuple"):
            return {"list": [], "dict": {}, "tuple": ()}[factory.id]
        return UNREADABLE
    try:
        return ast.literal_eval(value)
    except ValueError:
        return UNREADABLE


@functools.cache
def dataclass_fields(module: str, name: str) -> tuple[FieldSpec, ...]:
    """The fields of the dataclass ``module.name`` in dataclass order (bases first, a field
    redefined keeps its place), each with its default and attribute docstring, read from the
    source with ``ast``: the same class ``inspect.getsource`` shows, without importing it."""
    tree = _module_tree(module)
    cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name), None)
    if cls is None:
        raise LookupError(f"no class {name!r} in {module}")
    imported = {
        alias.asname or alias.name: (node.module, alias.name)
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module and not node.level
        for alias in node.names
    }
    fields: dict[str, FieldSpec] = {}
    for base in cls.bases:
        if isinstance(base, ast.Name):
            where, real = imported.get(base.id, (module, base.id))
            fields.update({f.name: f for f in dataclass_fields(where, real)})
    for node, after in zip(cls.body, [*cls.body[1:], None], strict=True):
        if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name):
            continue
        annotation = ast.unparse(node.annotation)
        if annotation.startswith(("ClassVar", "typing.ClassVar")):
            continue
        doc = ""
        if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str):
            doc = " ".join(after.value.value.split())
        elif node.target.id in fields:
            doc = fields[node.target.id].doc
        fields[node.target.id] = FieldSpec(node.target.id, annotation, _default(node.value), doc)
    return tuple(fields.values())


def _help(text: str) -> str:
    return text.replace("``", "`").replace("%", "%%")


@dataclass(frozen=True)
class DataclassOptions:
    """The options of an arguments dataclass (``TrainArgs``), one per field.

    ``--name-with-dashes`` per field, its type from the annotation (``X | None`` also takes
    ``none``; ``list[X]`` takes several values; ``bool`` is ``--x/--no-x``), its default the
    field's, its help the field's docstring. ``exclude`` lists fields the command line does
    not set; ``required`` fields must be given (no default); ``choices`` closes a field's
    values; ``default_text`` shows a default that is not a literal (such a field is passed to
    the dataclass only when given, so the dataclass's own default applies)."""

    module: str
    cls: str
    exclude: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    choices: Mapping[str, Names] = field(default_factory=dict)
    metavars: Mapping[str, str] = field(default_factory=dict)
    default_text: Mapping[str, str] = field(default_factory=dict)

    def fields(self) -> list[FieldSpec]:
        """The fields with an option: required ones first, then in dataclass order."""
        exposed = [
            f for f in dataclass_fields(self.module, self.cls) if f.name not in self.exclude and f.kind() is not None
        ]
        return sorted(exposed, key=lambda f: f.name not in self.required)

    def add_to(self, p: argparse.ArgumentParser) -> None:
        """Add one option per field to ``p``."""
        for f in self.fields():
            kind = f.kind()
            assert kind is not None
            base, optional, many = kind
            text, kw = _help(f.doc), dict[str, Any](dest=f.name)
            names = self.choices.get(f.name)
            if names is not None:
                if optional and f.default is not None:  # ``none`` is the only way to None
                    names = Names(names.kind, [*names, "none"])
                kw["choices"] = names
                if f.name in self.metavars:
                    text += " One of: %(choices)s."
            elif optional and f.default is not None:
                text += " `none` gives None."
            if f.name in self.required:
                kw["required"] = True
            elif f.default is UNREADABLE or f.default is NO_DEFAULT:
                kw["default"] = argparse.SUPPRESS  # left out of ``values``: the dataclass's own default applies
                if f.name in self.default_text:
                    text += f" (default: {_help(self.default_text[f.name])})"
            else:
                kw["default"] = f.default
                if f.default is not None:
                    text += " (default: %(default)s)"
            if base is bool:
                p.add_argument(f.option, action=argparse.BooleanOptionalAction, help=text, **kw)
                continue
            kw["type"] = NoneOr(base) if optional else base
            if many:
                kw["nargs"] = "+"
            if f.name in self.metavars or names is None:
                kw["metavar"] = self.metavars.get(f.name, METAVARS.get(base, "VALUE"))
            p.add_argument(f.option, help=text, **kw)

    def values(self, args: argparse.Namespace) -> dict[str, Any]:
        """The dataclass's keyword arguments from parsed ``args`` (a field left at a default
        that is not a literal is left out, so the dataclass's default applies)."""
        given = vars(args)
        return {f.name: given[f.name] for f in self.fields() if f.name in given}

    def build(self, make: Callable[..., Any], args: argparse.Namespace) -> Any:
        """``make(**values)`` with its ``check()`` run (before any work), its messages naming
        the options: ``timesteps: must be a positive integer`` -> ``--timesteps: must be ...``."""
        with self.naming_options():
            built = make(**self.values(args))
            built.check()
        return built

    @contextlib.contextmanager
    def naming_options(self) -> Iterator[None]:
        """A ``BadValueError`` that names a field (``out_dir: ...``) names its option instead."""
        try:
            yield
        except BadValueError as err:
            raise BadArgumentError(self.option_message(str(err))) from None

    def option_message(self, message: str) -> str:
        """``message`` with a leading field name (``n_envs: ...``) replaced by its option."""
        for f in self.fields():
            if message.startswith(f"{f.name}:"):
                return f.option + message[len(f.name) :]
        return message


def run_training(options: DataclassOptions, cls: type, train: Callable[[Any], Any], args: argparse.Namespace) -> int:
    """Build ``cls`` from the parsed ``args`` (``options``), check where the outputs go,
    train, and print the result: the one tail of ``train`` and ``triage train``."""
    targs = options.build(cls, args)
    if targs.out_dir is not None:
        from govworkflow.core.provenance import check_output_dir

        targs.out_dir = check_output_dir(targs.out_dir, "--out-dir")
    with options.naming_options():
        result = train(targs)
    print(f"best validation score {result.best_validation_score:.4f} in {result.wall_clock_s:.0f} s")
    print(f"model: {result.model_path}\nrecord: {result.results_path}")
    return 0


def evaluate_episodes(
    backend: Backend, task_id: str, policy: str, seeds: list[int] | None, ruleset: str, max_steps: int | None = None
) -> list[EpisodeResult]:
    """``evaluate`` of both environments' commands: on ``backend`` (local: in this process,
    one policy for every seed, as ``evaluation.evaluate`` plays them), a progress bar on
    stderr past 10 episodes; an episode that fails (a policy that raises or exits) is an
    ``EpisodesFailedError`` naming its seed, after the others have played."""
    from govworkflow.evaluation.backends import evaluate_on

    n = len(seeds or [None])
    chunk = n if backend.name == "local" else 10
    with played_aside(), backend:
        return evaluate_on(backend, task_id, policy, seeds, ruleset, max_steps, progress=n > 10, chunk=chunk)
