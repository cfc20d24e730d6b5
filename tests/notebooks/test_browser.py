"""A real browser: JupyterLab on 127.0.0.1, Chromium driven by Playwright, runs the play
notebook, clicks *Advance day*, and checks that the counters and the chart changed."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from govworkflow import get_ruleset
from tests.notebooks.support import ARTIFACTS, NOTEBOOKS, ROOT

CHROMIUM = Path(os.environ.get("GOVWORKFLOW_CHROMIUM", "/usr/bin/chromium"))
NOTEBOOK = "03_play_an_episode.ipynb"

sync_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("jupyterlab")
if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM}", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """JupyterLab serving a copy of the play notebook; yields the notebook's URL."""
    work = tmp_path_factory.mktemp("lab")
    shutil.copy(NOTEBOOKS / NOTEBOOK, work / NOTEBOOK)
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT) + (os.pathsep + os.environ["PYTHONPATH"] if "PYTHONPATH" in os.environ else ""),
        "JUPYTER_RUNTIME_DIR": str(work / ".runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(work / ".workspaces"),
        "JUPYTERLAB_SETTINGS_DIR": str(work / ".settings"),
    }
    log = (work / "lab.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
            "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=",
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        ],
        cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + (work / "lab.log").read_text()) from None
                time.sleep(0.5)
        yield f"{base}/lab/tree/{NOTEBOOK}?token={token}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


FIRST_PLOT_TITLE = "(() => { const t = document.querySelector('.js-plotly-plot .gtitle'); return t && t.textContent; })()"


def test_play_notebook_in_jupyterlab(lab: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.set_default_timeout(120_000)
            page.goto(lab)
            page.wait_for_function(
                "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
                " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
                " return k && k.status === 'idle'; }"
            )
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.get_by_text("replayed exactly: True").wait_for()

            counters = page.locator(".govworkflow-counters").first
            counters.wait_for()
            days = get_ruleset(None).task("district_backlog_easy").max_days  # the notebook's default
            assert f"day 0 / {days}" in counters.inner_text()
            page.wait_for_function(f"() => ({FIRST_PLOT_TITLE} || '').includes('day 0')")
            days_before = page.evaluate("document.querySelector('.js-plotly-plot').data[0].x.length")

            news = page.locator(".jp-toast-button", has_text="No")
            if news.count():  # JupyterLab's "get notified about news?" toast hides the charts
                news.first.click()
            button = page.get_by_role("button", name="Advance day").first
            button.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "play_notebook_before.png"))
            button.click()

            page.wait_for_function(
                f"() => document.querySelector('.govworkflow-counters').innerText.includes('day 1 / {days}')"
            )
            assert "step 1" in counters.inner_text().replace("\n", " ")
            # each widget syncs on its own message: the status line may land just after the counters
            page.locator(".widget-html-content", has_text="day 1 simulated").first.wait_for(timeout=30_000)
            page.wait_for_function(f"() => ({FIRST_PLOT_TITLE} || '').includes('day 1')")
            days_after = page.evaluate("document.querySelector('.js-plotly-plot').data[0].x.length")
            assert days_after == days_before + 1
            page.wait_for_timeout(500)  # let the chart finish drawing
            page.screenshot(path=str(ARTIFACTS / "play_notebook_after_advance_day.png"))
        finally:
            browser.close()
    assert (ARTIFACTS / "play_notebook_after_advance_day.png").stat().st_size > 10_000
