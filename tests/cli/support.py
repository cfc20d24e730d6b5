"""What the command-line tests share: ``run`` calls ``main`` and reads what it printed."""

from __future__ import annotations

import pytest

from govworkflow.cli.main import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of ``govworkflow argv`` (argparse's own exits included)."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
