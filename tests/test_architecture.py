"""The layout of ``docs/architecture.md``, checked by reading every import (``ast``).

* arrows point down: a package imports only its own layer and those below it;
* the environments (``office``, ``triage``) never import each other, nor any face;
* ``core`` uses the standard library and pydantic only;
* no import cycles between modules (module-level imports);
* no private name (``_x``) imported across modules.

Deprecated re-export modules (they set ``__deprecated_alias__``) and the package's own
``__init__``/``__main__`` are the only exceptions: they re-export for old import paths.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import govworkflow

PACKAGE = Path(govworkflow.__file__).resolve().parent

#: Layer of each top-level package; a module may import its own layer's package and lower.
LAYERS: dict[str, int] = {
    "core": 0,
    "office": 1,
    "triage": 1,
    "evaluation": 2,
    "gym": 3,
    "training": 4,
    "llmtrain": 4,  # language-model agents trained with TRL (GRPO) over tool environments
    "server": 5,
    "viz": 5,
    "cli": 6,
    "course": 6,  # the notebook course: exercises over every layer, and its data
}
#: Same-layer packages that must not import each other.
APART = [{"office", "triage"}, {"server", "viz"}]
CORE_THIRD_PARTY = {"pydantic"}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, tuple[Path, ast.Module]]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        out[_module_name(path)] = (path, tree)
    return out


MODULES = _modules()


def _is_alias(tree: ast.Module) -> bool:
    return any(
        isinstance(n, ast.Assign) and any(getattr(t, "id", None) == "__deprecated_alias__" for t in n.targets)
        for n in tree.body
    )


def _imports(name: str, tree: ast.Module, *, top_level_only: bool) -> list[tuple[str, list[str], int]]:
    """(imported module, names, line) for each absolute or relative import."""
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = []
    for node in nodes:
        if top_level_only and isinstance(node, ast.If):  # ``if TYPE_CHECKING:`` blocks are not run
            continue
        if isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = name.split(".")
                is_pkg = MODULES[name][0].name == "__init__.py"
                base = base[: len(base) - node.level + (1 if is_pkg else 0)]
                module = ".".join([*base, module] if module else base)
            found.append((module, [a.name for a in node.names], node.lineno))
    return found


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "govworkflow" else None


def _checked() -> list[tuple[str, Path, ast.Module]]:
    return [
        (name, path, tree)
        for name, (path, tree) in MODULES.items()
        if name not in ("govworkflow", "govworkflow.__main__") and not _is_alias(tree)
    ]


def test_every_package_has_a_layer() -> None:
    packages = {_package(name) for name, _, _ in _checked()}
    assert packages <= set(LAYERS), sorted(p for p in packages if p not in LAYERS)


def test_arrows_point_down() -> None:
    bad = []
    for name, path, tree in _checked():
        own = _package(name)
        assert own is not None
        for module, _, line in _imports(name, tree, top_level_only=False):
            other = _package(module)
            if other is None or other == own:
                continue
            if other not in LAYERS or LAYERS[other] > LAYERS[own] or any({own, other} == s for s in APART):
                bad.append(f"{path.relative_to(PACKAGE)}:{line} ({own}) imports {module} ({other})")
    assert not bad, "\n".join(bad)


def test_core_uses_the_standard_library_and_pydantic_only() -> None:
    bad = []
    for name, path, tree in _checked():
        if _package(name) != "core":
            continue
        for module, _, line in _imports(name, tree, top_level_only=False):
            top = module.split(".")[0]
            if top in sys.stdlib_module_names or top in CORE_THIRD_PARTY or top == "__future__":
                continue
            if top == "govworkflow" and _package(module) == "core":
                continue
            bad.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}")
    assert not bad, "\n".join(bad)


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {}
    for name, _, tree in _checked():
        deps = set()
        for module, names, _ in _imports(name, tree, top_level_only=True):
            for candidate in [f"{module}.{n}" for n in names] + [module]:
                if candidate in MODULES and candidate != name:
                    deps.add(candidate)
                    break
        graph[name] = deps
    # Tarjan's strongly connected components
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            # a package and the module its __init__ re-exports from are one unit, not a cycle
            real = [m for m in comp if not any(o.startswith(m + ".") for o in comp)]
            if len(comp) > 1 and len(real) > 1:
                cycles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert not cycles, cycles


def test_no_private_names_cross_modules() -> None:
    bad = []
    for name, path, tree in _checked():
        for module, names, line in _imports(name, tree, top_level_only=False):
            if module.startswith("govworkflow") and module != name:
                private = [n for n in names if n.startswith("_") and not n.startswith("__")]
                if private:
                    bad.append(f"{path.relative_to(PACKAGE)}:{line} imports {private} from {module}")
    assert not bad, "\n".join(bad)


def test_deprecated_paths_still_import_and_warn() -> None:
    import importlib
    import warnings

    aliases = [name for name, (_, tree) in MODULES.items() if _is_alias(tree)]
    assert "govworkflow.rulesets" in aliases and "govworkflow.leaderboard" in aliases
    for name in aliases:
        sys.modules.pop(name, None)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            module = importlib.import_module(name)
        target = importlib.import_module(module.__deprecated_alias__)
        for exported in module.__all__:
            assert hasattr(module, exported), (name, exported)
        if name != "govworkflow.triage.network":  # the pickle alias of the shipped models stays quiet
            assert any(issubclass(w.category, DeprecationWarning) for w in caught), name
        assert target is not module


def test_the_test_tree_mirrors_the_package() -> None:
    """Each folder of tests is named after the package it tests (``notebooks`` tests the
    course), and every folder is a package, so helpers are imported one way:
    ``from tests.<folder>.<module> import ...``."""
    tests = Path(__file__).resolve().parent
    folders = {p for p in tests.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert {p.name for p in folders} <= {*LAYERS, "notebooks"}, sorted(p.name for p in folders)
    for folder in folders:
        for sub in [folder, *(p for p in folder.rglob("*") if p.is_dir() and p.name != "__pycache__")]:
            assert (sub / "__init__.py").exists(), sub
    for path in tests.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        relative = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level]
        assert not relative, f"{path.relative_to(tests)}:{relative[0]}: import helpers as tests.<folder>.<module>"
