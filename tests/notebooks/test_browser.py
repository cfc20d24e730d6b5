"""A real browser: JupyterLab on 127.0.0.1, Chromium driven by Playwright, runs the play
notebook, clicks *Advance day*, and checks that the counters and the chart changed; then
plays the triage warm-up's ticket widget (pick, Step, Undo)."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pytest

from govworkflow import get_ruleset
from govworkflow.office.vocab import ActionType
from govworkflow.triage import TriageEnv
from govworkflow.viz.describe import describe_action
from tests.notebooks.support import ARTIFACTS, NOTEBOOKS, ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path(os.environ.get("GOVWORKFLOW_CHROMIUM", "/usr/bin/chromium"))
NOTEBOOK = "03_play_an_episode.ipynb"
TRIAGE_NOTEBOOK = "00_triage_warmup.ipynb"
#: The warm-up's cells up to and including its ticket widget (the rest trains PPO).
TRIAGE_PLAY = "00_triage_play.ipynb"

#: JupyterLab and Chromium: the slow lane.
pytestmark = pytest.mark.slow

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
pytest.importorskip("jupyterlab")
if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM}", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], str]]:
    """JupyterLab serving copies of the notebooks; yields ``url(notebook name)``."""
    work = tmp_path_factory.mktemp("lab")
    shutil.copy(NOTEBOOKS / NOTEBOOK, work / NOTEBOOK)
    warmup = nbformat.read(NOTEBOOKS / TRIAGE_NOTEBOOK, as_version=4)
    play = next(i for i, c in enumerate(warmup.cells) if "TriagePlayer(" in c.source)
    warmup.cells = warmup.cells[: play + 1]
    nbformat.write(warmup, work / TRIAGE_PLAY)
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
        # a workspace per notebook: a fresh page must not restore (and run) the other one
        yield lambda name: f"{base}/lab/workspaces/{Path(name).stem}/tree/{name}?token={token}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


FIRST_PLOT_TITLE = (
    "(() => { const t = document.querySelector('.js-plotly-plot .gtitle'); return t && t.textContent; })()"
)
KERNEL_IDLE = (
    "name => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
    " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
    " return k && k.status === 'idle' && w.context.path.endsWith(name); }"
)


@contextmanager
def notebook_page(url: str) -> Iterator[Page]:
    """Chromium on ``url``, once its kernel is idle, with every cell started."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.set_default_timeout(120_000)
            page.goto(url)
            page.wait_for_function(KERNEL_IDLE, arg=url.split("?")[0].rsplit("/", 1)[-1])
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            yield page
        finally:
            browser.close()


def dismiss_news(page: Page) -> None:
    """JupyterLab's "get notified about news?" toast can hide what the test clicks."""
    news = page.locator(".jp-toast-button", has_text="No")
    if news.count():
        news.first.click()


def test_play_notebook_in_jupyterlab(lab: Callable[[str], str]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with notebook_page(lab(NOTEBOOK)) as page:
        page.get_by_text("replayed exactly: True").wait_for()
        page.get_by_text("✔ passed · 03.unproductive_moves").wait_for()  # the last cell: the kernel is free

        counters = page.locator(".govworkflow-counters").first
        counters.wait_for()
        # (text_content: JupyterLab gives cells scrolled off screen no innerText)
        days = get_ruleset(None).task("district_backlog_easy").max_days  # the notebook's default
        assert f"day 0 / {days}" in (counters.text_content() or "")
        page.wait_for_function(f"() => ({FIRST_PLOT_TITLE} || '').includes('day 0')")
        days_before = page.evaluate("document.querySelector('.js-plotly-plot').data[0].x.length")

        dismiss_news(page)
        button = page.get_by_role("button", name="Advance day").first
        button.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "play_notebook_before.png"))
        button.click()

        page.wait_for_function(
            f"() => document.querySelector('.govworkflow-counters').textContent.includes('day 1 / {days}')"
        )
        assert "step 1backlog" in (counters.text_content() or "")
        # each widget syncs on its own message: the status line may land just after the counters
        page.locator(".widget-html-content", has_text="day 1 simulated").first.wait_for(timeout=30_000)
        page.wait_for_function(f"() => ({FIRST_PLOT_TITLE} || '').includes('day 1')")
        days_after = page.evaluate("document.querySelector('.js-plotly-plot').data[0].x.length")
        assert days_after == days_before + 1
        page.wait_for_timeout(500)  # let the chart finish drawing
        page.screenshot(path=str(ARTIFACTS / "play_notebook_after_advance_day.png"))

        # the counters stay on one line; the picked action is described before Step
        box = counters.bounding_box()
        line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.govworkflow-counters')).fontSize)")
        assert box is not None and box["height"] < 2.5 * line, (box, line)
        describe = page.locator(".govworkflow-describe").first
        expect(describe).to_contain_text("valid now")
        shown = describe.text_content() or ""
        assert any(f"{k.value}: {describe_action('standard', k)}" in shown for k in ActionType), shown

        # an export that fails is said in the status line, in the error style
        path_box = page.locator(".widget-text input[type='text']").first  # the file box (the seed box is a number)
        path_box.fill(f"{NOTEBOOK}/episode.json")  # a file where a folder would have to be
        path_box.press("Enter")
        page.get_by_role("button", name="Export JSON").first.click()
        error = page.locator(".govworkflow-error", has_text="Export failed").first
        error.wait_for(timeout=30_000)
        assert error.evaluate("e => getComputedStyle(e).color") == "rgb(213, 94, 0)"
        page.screenshot(path=str(ARTIFACTS / "play_notebook_export_error.png"))
    assert (ARTIFACTS / "play_notebook_after_advance_day.png").stat().st_size > 10_000


def test_triage_ticket_widget_in_jupyterlab(lab: Callable[[str], str]) -> None:
    """Pick the second ticket the dropdown offers, Step, then Undo: the tables follow."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = TriageEnv("faithful_8")  # the notebook's default task and seed
    env.reset()
    offered = [t.ticket_id for t in env.observe().tickets if t.ticket_id in set(env.valid_actions())]
    with notebook_page(lab(TRIAGE_PLAY)) as page:
        status = page.locator(".widget-html-content", has_text="workers free at")
        status.first.wait_for()
        assert "step 0 (20 left)" in status.first.inner_text()
        picker = page.locator(".widget-dropdown select").first
        assert picker.locator("option").count() == len(offered)
        dismiss_news(page)
        picker.select_option(value=None, index=1)
        pick = offered[1]
        page.get_by_role("button", name="Step").first.click()

        status.filter(has_text="step 1 (19 left)").first.wait_for(timeout=30_000)
        worked = page.locator(".widget-html-content table").nth(1)
        worked.locator("td", has_text=pick).first.wait_for(timeout=30_000)
        expect(picker.locator("option")).to_have_count(len(offered) - 1)  # each widget syncs on its own
        page.screenshot(path=str(ARTIFACTS / "triage_widget_after_step.png"))

        page.get_by_role("button", name="Undo").first.click()
        status.filter(has_text="undone: back to step 0").first.wait_for(timeout=30_000)
        expect(picker.locator("option")).to_have_count(len(offered))
        expect(worked.locator("td")).to_have_count(0)
