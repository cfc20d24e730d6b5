"""An interrupted run leaves no partial model behind: Ctrl-C or SIGTERM (what ``timeout``
and job schedulers send) alike."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from govworkflow.training import ppo


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_during_training_removes_the_partial_model(tmp_path: Path) -> None:
    out = tmp_path / "out"
    # the warm start's model is saved as the partial file, then PPO runs far longer than the test
    argv = [sys.executable, "-m", "govworkflow", "train", "--ruleset", "legacy", "--task", "district_backlog_easy",
            "--timesteps", "10000000", "--n-envs", "1", "--n-steps", "64", "--batch-size", "64", "--n-epochs", "1",
            "--eval-every", "0", "--eval-episodes", "1", "--imitation-episodes", "1", "--imitation-epochs", "1",
            "--no-progress", "--out-dir", str(out)]  # fmt: skip
    proc = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    partial = out / "models" / "legacy-district_backlog_easy-ppo.partial.zip"
    try:
        deadline = time.monotonic() + 60
        while not partial.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert partial.exists(), f"no partial model within 60 s; exit status {proc.poll()}"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    # stopped as by Ctrl-C (the command line's own exit status for it), not killed by the signal
    assert proc.returncode not in (0, -signal.SIGTERM), err
    assert list(out.rglob("*.partial.zip")) == []
    assert not (out / "models" / "legacy-district_backlog_easy-ppo.zip").exists()
    assert not (out / "results" / "training-legacy-district_backlog_easy.json").exists()


def _terminate_and_wait() -> None:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)  # the handler raises before this ends


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_interrupts_the_block_and_the_previous_handler_comes_back() -> None:
    seen: list[int] = []
    before = signal.signal(signal.SIGTERM, lambda signum, frame: seen.append(signum))
    try:
        with pytest.raises(KeyboardInterrupt, match="SIGTERM"), ppo._sigterm_interrupts():
            _terminate_and_wait()
        os.kill(os.getpid(), signal.SIGTERM)  # the previous handler again
        time.sleep(0.01)
        assert seen == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, before)


def test_sigterm_handler_is_left_alone_outside_the_main_thread() -> None:
    before = signal.getsignal(signal.SIGTERM)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with ppo._sigterm_interrupts():
                assert signal.getsignal(signal.SIGTERM) is before
        except BaseException as err:
            errors.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert errors == []
    assert signal.getsignal(signal.SIGTERM) is before


def test_an_error_in_the_block_removes_the_partial_file(tmp_path: Path) -> None:
    partial = tmp_path / "m.partial.zip"
    partial.write_bytes(b"model")
    with pytest.raises(KeyboardInterrupt), ppo._removed_on_failure(partial):
        raise KeyboardInterrupt
    assert not partial.exists()


def _handler_inside_the_block(answer: Any) -> None:
    with ppo._sigterm_interrupts():
        answer.put(signal.getsignal(signal.SIGTERM) == signal.SIG_DFL)


@pytest.mark.slow  # spawns an interpreter that imports the trainer
def test_a_worker_process_keeps_the_default_sigterm() -> None:
    """A pool ends its workers with SIGTERM: a sweep worker must end, not take the next trial."""
    context = multiprocessing.get_context("spawn")
    answer = context.Queue()
    worker = context.Process(target=_handler_inside_the_block, args=(answer,))
    worker.start()
    worker.join(60)
    assert worker.exitcode == 0 and answer.get(timeout=5) is True
