"""Suite-wide rules: in CI (``CI`` set to anything but ``false``/``0``/empty) every test
must run, so a skipped test (a missing extra, no Chromium, no ``openenv`` command) fails
the run instead of passing silently. Locally, skips stay skips."""

from __future__ import annotations

import os

import pytest


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _in_ci() or hasattr(session.config, "workerinput"):  # xdist workers report to the controller
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped and exitstatus == pytest.ExitCode.OK:
        where = sorted({str(getattr(r, "nodeid", "") or r.fspath) for r in skipped})
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped, and in CI every test must run: {', '.join(where)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
