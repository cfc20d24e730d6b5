#!/usr/bin/env python
"""Simulate Colab: every notebook, copied into an empty folder, run in a fresh environment.

Usage::

    python scripts/colab_sim.py [--work DIR] [--keep-venv] [--full] [NOTEBOOK ...]

1. Build the wheel from a copy of the sources (it stands in for the repository URL).
2. Make a fresh virtual environment with Colab's versions of what it ships
   (``scripts/colab-pins.txt``: ipywidgets 7.7.1, plotly 5.24.1, ...) and nothing of
   the package.
3. Copy each notebook alone into an empty folder and execute it under papermill (with the
   tests' tiny parameters unless ``--full``), with ``GOVWORKFLOW_SOURCE`` pointing at the
   wheel: the notebook's own setup cell installs the package, exactly as in Colab, where
   it installs from the repository.
4. Check each executed notebook: no error, plotly.js embedded at most once, a size limit.

Writes ``DIR/colab-summary.json`` (per notebook: seconds, bytes, plotly.js copies) and
exits 1 when a notebook fails a check. ``make colab`` runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PINS = ROOT / "scripts" / "colab-pins.txt"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from release_check import copy_sources  # noqa: E402 - the one way builds copy the sources

#: An executed notebook's size limit: one copy of plotly.js (about 3.5 MB) and the figures.
MAX_BYTES = 6_000_000
#: What plotly 5's notebook renderer writes once per activation (one copy of plotly.js).
PLOTLY_JS_MARK = "define('plotly', function(require, exports, module)"
TIMEOUT_S = 600  # per cell


def run(cmd: list[str], **kwargs: object) -> None:
    print("$", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run(cmd, check=True, **kwargs)  # type: ignore[call-overload]


def build_wheel(out: Path) -> Path:
    """The package's wheel, built from a copy of the sources (the checkout stays clean)."""
    src = copy_sources(out / "src")
    dist = out / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(src)])
    (wheel,) = dist.glob("govworkflow-*.whl")
    return wheel


def make_venv(out: Path, keep: bool) -> Path:
    """A fresh environment with Colab's pins; returns its python."""
    env_dir = out / "venv"
    python = env_dir / "bin" / "python"
    if keep and python.exists():  # the same environment, without the package (the setup cell installs it)
        run([str(python), "-m", "pip", "uninstall", "--quiet", "--yes", "govworkflow"])
    else:
        shutil.rmtree(env_dir, ignore_errors=True)
        venv.create(env_dir, with_pip=True)
    run([str(python), "-m", "pip", "install", "--quiet", "-r", str(PINS)])
    return python


def tiny_parameters() -> dict[str, dict[str, object]]:
    sys.path.insert(0, str(ROOT))
    from tests.notebooks.support import TINY

    return TINY


def execute(python: Path, wheel: Path, notebook: Path, work: Path, params: dict[str, object]) -> dict[str, object]:
    """Run ``notebook`` alone in an empty folder under ``work``; its checks' results."""
    folder = work / notebook.stem
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(notebook, folder / notebook.name)
    out = folder / f"executed-{notebook.name}"
    if notebook.name == "criteria.ipynb":
        params = {**params, "output_dir": str(folder / "report")}
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "HF_TOKEN", "API_KEY", "VIRTUAL_ENV")}
    env["GOVWORKFLOW_SOURCE"] = wheel.resolve().as_uri()
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    cmd = [str(python), "-m", "papermill", notebook.name, out.name, "--cwd", str(folder),
           "--execution-timeout", str(TIMEOUT_S), "--no-progress-bar", "-k", "python3"]  # fmt: skip
    for key, value in params.items():
        cmd += ["-y", json.dumps({key: value})]
    start = time.monotonic()
    result = subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True)
    seconds = round(time.monotonic() - start, 1)
    row: dict[str, object] = {"notebook": notebook.name, "seconds": seconds, "returncode": result.returncode}
    if result.returncode != 0 and not out.exists():
        row["error"] = (result.stdout + result.stderr)[-3000:]
        return row
    text = out.read_text(encoding="utf-8")
    nb = json.loads(text)
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    if result.returncode != 0:
        row["error"] = "; ".join(f"{o.get('ename')}: {o.get('evalue')}" for o in errors) or result.stderr[-3000:]
        return row
    row.update(bytes=len(text.encode()), plotly_js=text.count(PLOTLY_JS_MARK), errors=len(errors))
    problems = []
    if errors:
        problems.append(f"{len(errors)} error output(s)")
    if row["plotly_js"] > 1:  # type: ignore[operator]
        problems.append(f"plotly.js embedded {row['plotly_js']} times")
    if row["bytes"] > MAX_BYTES:  # type: ignore[operator]
        problems.append(f"{row['bytes']} bytes > {MAX_BYTES}")
    if problems:
        row["error"] = "; ".join(problems)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebook names (default: all)")
    parser.add_argument("--work", type=Path, help="working folder (default: a new temporary one)")
    parser.add_argument("--keep-venv", action="store_true", help="reuse the environment already in --work")
    parser.add_argument("--full", action="store_true", help="the notebooks' own parameters, not the tiny ones")
    args = parser.parse_args(argv)
    out = (args.work or Path(tempfile.mkdtemp(prefix="govworkflow-colab-"))).resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    wheel = build_wheel(out)
    python = make_venv(out, args.keep_venv)
    setup_s = round(time.monotonic() - started, 1)
    tiny = {} if args.full else tiny_parameters()
    names = args.notebooks or sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    rows = []
    for name in names:
        row = execute(python, wheel, ROOT / "notebooks" / name, out / "notebooks", dict(tiny.get(name, {})))
        print(f"{name:<32} {'ok' if 'error' not in row else 'FAILED'}  {row['seconds']:>6} s  "
              f"{row.get('bytes', 0):>9} bytes  plotly.js x{row.get('plotly_js', '?')}", flush=True)  # fmt: skip
        if "error" in row:
            print(row["error"], flush=True)
        rows.append(row)
    summary = {
        "wheel": wheel.name,
        "pins": [line for line in PINS.read_text().splitlines() if line and not line.startswith("#")],
        "setup_seconds": setup_s,
        "total_seconds": round(time.monotonic() - started, 1),
        "notebooks": rows,
        "passed": all("error" not in r for r in rows),
    }
    (out / "colab-summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"setup {setup_s} s, total {summary['total_seconds']} s; summary: {out / 'colab-summary.json'}")
    return 0 if summary["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
