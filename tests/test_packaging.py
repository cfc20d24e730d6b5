"""The test set-up installs everything the tests import.

Every module imported anywhere under ``tests/`` (``import``/``from`` statements, and the
string arguments of ``pytest.importorskip`` and ``importlib.import_module``) must belong to
the standard library, to this repository, or to a distribution that the ``test`` extra
declares, directly or through the extras it includes. The imports are read with ``ast``,
so a new test that imports an undeclared package fails here, naming the package and the
extra to add it to, instead of being skipped on a fresh machine. ``environment.yml``
installs the same PyTorch pin and extra as ``scripts/setup.sh --test``.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEST_EXTRA = "test"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")
_STRING_IMPORTERS = {"importorskip", "import_module"}


def normalise(name: str) -> str:
    """A distribution name as the package index compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(pyproject: Mapping[str, object], extra: str) -> dict[str, str]:
    """Distribution -> the extra that declares it, over ``extra`` and every extra it includes."""
    project = pyproject["project"]
    assert isinstance(project, dict)
    own = normalise(str(project["name"]))
    extras: dict[str, list[str]] = project.get("optional-dependencies", {})
    out = {normalise(m.group(1)): "dependencies" for r in project.get("dependencies", []) if (m := _NAME.match(r))}
    todo, seen = [extra], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name not in extras:
            raise KeyError(f"extra {name!r} is not defined; defined: {sorted(extras)}")
        for requirement in extras[name]:
            m = _NAME.match(requirement)
            assert m is not None, requirement
            if normalise(m.group(1)) == own:
                todo.extend(e.strip() for e in (m.group(2) or "").split(",") if e.strip())
            else:
                out.setdefault(normalise(m.group(1)), name)
    return out


def declaring_extra(pyproject: Mapping[str, object], dist: str) -> str | None:
    """The first extra of the project that lists ``dist`` itself, if any."""
    project = pyproject["project"]
    assert isinstance(project, dict)
    for name, requirements in project.get("optional-dependencies", {}).items():
        if any((m := _NAME.match(r)) and normalise(m.group(1)) == dist for r in requirements):
            return str(name)
    return None


def imports(path: Path) -> Iterator[tuple[str, int]]:
    """(top-level module, line) for every absolute import in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            arg = node.args[0]
            if name in _STRING_IMPORTERS and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield arg.value.split(".")[0], node.lineno


def local_modules(root: Path, tests: Path) -> set[str]:
    """Names importable from this repository: its top-level modules and packages, and any
    module or package inside the test tree."""
    names = {p.stem for p in root.glob("*.py")} | {p.name for p in root.iterdir() if (p / "__init__.py").exists()}
    names |= {p.stem for p in tests.rglob("*.py")} | {p.name for p in tests.rglob("*") if p.is_dir()}
    return names


def undeclared(root: Path, tests: Path, extra: str = TEST_EXTRA) -> list[str]:
    """One message per (file, module) imported under ``tests`` that ``extra`` does not declare."""
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    ok = declared(pyproject, extra)
    installed = importlib.metadata.packages_distributions()
    local = local_modules(root, tests)
    problems: dict[tuple[str, str], str] = {}
    for path in sorted(tests.rglob("*.py")):
        for module, line in imports(path):
            if module in sys.stdlib_module_names or module in local or module == "__future__":
                continue
            dists = [normalise(d) for d in installed.get(module, [])] or [normalise(module)]
            if any(d in ok for d in dists):
                continue
            where = f"{path.relative_to(root)}:{line}"
            dist = dists[0]
            other = declaring_extra(pyproject, dist)
            state = "" if module in installed else ", not installed here,"
            if other is not None:
                fix = (
                    f"it is declared in the extra {other!r}, which {extra!r} does not include: "
                    f"add 'govworkflow[{other}]' or {dist!r} to the {extra!r} extra in pyproject.toml"
                )
            else:
                fix = f"add {dist!r} to the {extra!r} extra in pyproject.toml"
            problems.setdefault(
                (str(path), module),
                f"{where} imports {module!r} (package {dist!r}){state} which no extra of "
                f"'pip install -e .[{extra}]' declares; {fix}",
            )
    return list(problems.values())


def test_every_test_import_is_declared_in_the_test_extra() -> None:
    problems = undeclared(ROOT, ROOT / "tests")
    assert not problems, "\n".join(problems)


def _tree(tmp_path: Path, extras: str, source: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "govworkflow"\ndependencies = ["numpy>=1"]\n[project.optional-dependencies]\n{extras}\n',
        encoding="utf-8",
    )
    (tmp_path / "tests" / "sub").mkdir(parents=True)
    (tmp_path / "tests" / "sub" / "helpers.py").write_text("", encoding="utf-8")
    (tmp_path / "tests" / "sub" / "test_x.py").write_text(source, encoding="utf-8")
    return tmp_path


def test_an_undeclared_import_fails_naming_package_and_extra(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        'test = ["govworkflow[gym]", "pytest>=8"]\ngym = ["gymnasium>=0.29"]',
        "import os\nimport numpy\nimport gymnasium\nimport pytest\nimport helpers\nimport hypothesis\n",
    )
    problems = undeclared(root, root / "tests")
    assert len(problems) == 1, problems
    assert "tests/sub/test_x.py:6 imports 'hypothesis' (package 'hypothesis')" in problems[0]
    assert "add 'hypothesis' to the 'test' extra" in problems[0]


def test_importorskip_strings_are_read_and_other_extras_named(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        'test = ["pytest>=8"]\ndistributed = ["ray[default]>=2"]\n',
        'import pytest\n\ndef f():\n    pytest.importorskip("ray.util")\n    pytest.importorskip("no_such_mod_xyz")\n',
    )
    problems = undeclared(root, root / "tests")
    assert len(problems) == 2, problems
    ray = next(p for p in problems if "'ray'" in p)
    missing = next(p for p in problems if "no_such_mod_xyz" in p)
    assert ":4 imports 'ray'" in ray
    assert "declared in the extra 'distributed'" in ray
    assert "'govworkflow[distributed]'" in ray
    assert ":5 imports 'no_such_mod_xyz'" in missing
    assert "not installed here" in missing


def test_an_unknown_extra_is_an_error(tmp_path: Path) -> None:
    root = _tree(tmp_path, 'test = ["govworkflow[nope]"]', "")
    with pytest.raises(KeyError, match="extra 'nope' is not defined"):
        undeclared(root, root / "tests")


def _pip_lines(environment_yml: str) -> list[str]:
    lines, inside = [], False
    for raw in environment_yml.splitlines():
        text = raw.split("#", 1)[0].rstrip()
        if text.strip() == "- pip:":
            inside = True
        elif inside and text.strip().startswith("- "):
            lines.append(text.strip()[2:].strip())
        elif inside and text.strip():
            inside = False
    return lines


def test_environment_yml_installs_what_the_test_setup_installs() -> None:
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    torch_pin = re.search(r'"torch==([0-9.]+)"', setup)
    assert torch_pin is not None, "scripts/setup.sh pins no torch"
    assert '[[ "${1:-}" == "--test" ]] && EXTRA=' + TEST_EXTRA in setup
    assert 'pip install --quiet -e ".[$EXTRA]"' in setup
    pip = _pip_lines((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert pip == [f"torch=={torch_pin.group(1)}", f"-e .[{TEST_EXTRA}]"], pip
    # The README's test command is `make test`, which runs the test set-up; CI runs exactly that.
    assert "bash scripts/setup.sh --test" in (ROOT / "Makefile").read_text(encoding="utf-8")
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().endswith("make test")
