"""The backends' one job loop (``evaluation.backends``), on the local backend: job order kept
whatever the finishing order, failures reported with their task, policy and seed once the
rest has run, nothing written then, and bad ``--backend``/``--address`` values refused in one
line. The same checks on a real Ray instance are in ``test_ray_backend.py``."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from govworkflow.cli.main import main
from govworkflow.core.errors import BadValueError, UnknownNameError
from govworkflow.core.submitted import policy_seed
from govworkflow.evaluation.backends import (
    EpisodesFailedError,
    Job,
    LocalBackend,
    RayBackend,
    check_address,
    get_backend,
    run_jobs,
)

#: A submitted policy that fails on one seed (and plays ``urgent_first``'s rule otherwise).
FAILING_POLICY = """
from govworkflow.office.rulesets import get_ruleset


class FailsOnSeed:
    def __init__(self):
        self.inner = get_ruleset("standard").policy("urgent_first")

    def reset(self, seed):
        if seed == {seed}:
            raise RuntimeError("the agent crashed")
        self.inner.reset(seed)

    def act(self, observation):
        return self.inner.act(observation, None)
"""


def _square(offset: int, slow_first: bool) -> Callable[[int], int]:
    def play(seed: int) -> int:
        if slow_first and seed == 0:
            time.sleep(0.5)  # the first job finishes last
        if seed == 13:
            raise ValueError("unlucky seed")
        return seed * seed + offset

    return play


def _broken(name: str) -> Callable[[int], int]:
    raise TypeError(f"cannot make {name}")


def _jobs(seeds: list[tuple[int, ...]], slow_first: bool = False) -> list[Job]:
    return [Job(_square, (i, slow_first), s, f"test/task/p{i}") for i, s in enumerate(seeds)]


@pytest.mark.parametrize("workers", [1, 2])
def test_results_come_back_in_job_order(workers: int) -> None:
    out = run_jobs(_jobs([(0, 1), (2,), (3, 4)], slow_first=True), LocalBackend(workers))
    assert out == [[0, 1], [5], [11, 18]]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failed_episode_is_named_and_the_rest_still_played(workers: int) -> None:
    with pytest.raises(EpisodesFailedError) as caught:
        run_jobs(_jobs([(1, 13, 2), (3,)]), LocalBackend(workers))
    err = caught.value
    assert [(f.label, f.seed) for f in err.failures] == [("test/task/p0", 13)]
    assert "1 of 4 episodes failed; nothing was written" in str(err)
    assert "test/task/p0 seed 13: ValueError: unlucky seed" in str(err)
    assert err.results == [{1: 1, 2: 4}, {3: 10}]


def test_a_job_whose_setup_fails_fails_every_seed_of_it() -> None:
    jobs = [Job(_broken, ("p",), (1, 2), "test/task/bad"), *_jobs([(3,)])]
    with pytest.raises(EpisodesFailedError) as caught:
        run_jobs(jobs)
    assert [(f.label, f.seed) for f in caught.value.failures] == [("test/task/bad", 1), ("test/task/bad", 2)]
    assert caught.value.failures[0].error == "TypeError: cannot make p"
    assert caught.value.results[1] == {3: 9}


def test_backend_names_and_addresses_are_checked() -> None:
    assert isinstance(get_backend("local", 3), LocalBackend)
    ray = get_backend("ray", 2, "10.0.0.5:6379")
    assert isinstance(ray, RayBackend) and ray.address == "10.0.0.5:6379"
    with pytest.raises(UnknownNameError, match="unknown backend 'nope'; valid choices: local, ray"):
        get_backend("nope")
    with pytest.raises(BadValueError, match="--address 'auto' needs --backend ray"):
        get_backend("local", 1, "auto")
    assert check_address("auto") == "auto"
    for bad in ("localhost", "host:", ":6379", "host:0", "host:99999", "host:port"):
        with pytest.raises(BadValueError, match=f"expected auto or HOST:PORT .*got '{bad}'"):
            check_address(bad)


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert captured.out == "" and len(lines) == 1, captured.err
    return lines[0]


LEADERBOARD = ["leaderboard", "--ruleset", "standard", "--task", "district_backlog_easy", "--policy", "urgent_first",
               "--limit", "2", "--json"]  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--backend", "nope"], "--backend: unknown backend 'nope'; valid choices: local, ray"),
        (["--backend", "ray", "--address", "nohost"], "--address: expected auto or HOST:PORT"),
        (["--address", "auto"], "--address 'auto' needs --backend ray"),
    ],
)
def test_bad_backend_options_are_one_line_and_exit_2(
    extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "board.json"
    assert main([*LEADERBOARD, "--output", str(output), *extra]) == 2
    assert message in _one_error_line(capsys)
    assert not output.exists()


def test_an_unreachable_cluster_is_one_line_exit_2_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "board.json"
    argv = [*LEADERBOARD, "--output", str(output), "--backend", "ray", "--address", "127.0.0.1:1"]
    assert main(argv) == 2
    line = _one_error_line(capsys)
    assert line.startswith("govworkflow: error: --address 127.0.0.1:1: no Ray head answers there")
    assert not output.exists()


def test_a_failing_submitted_episode_is_reported_and_no_file_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "agent.py"
    policy.write_text(FAILING_POLICY.format(seed=policy_seed(1_000_001)))  # what its reset is told on that episode
    output = tmp_path / "board.json"
    spec = f"{policy}:FailsOnSeed"
    argv = ["leaderboard", "--ruleset", "standard", "--task", "district_backlog_easy", "--policy", spec, "--policy",
            "urgent_first", "--limit", "3", "--workers", "1", "--output", str(output), "--json"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "1 of 6 episodes failed; nothing was written" in err
    assert f"standard/district_backlog_easy/{spec} seed 1000001: RuntimeError: the agent crashed" in err
    assert not output.exists()


def test_evaluate_on_the_local_backend_is_the_plain_evaluate(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["evaluate", "--ruleset", "legacy", "--task", "district_backlog_easy", "--policy", "oldest_first",
            "--seed", "3", "--seed", "4", "--max-steps", "5", "--json"]  # fmt: skip
    assert main(argv) == 0
    plain = json.loads(capsys.readouterr().out)
    assert main([*argv, "--backend", "local"]) == 0
    assert json.loads(capsys.readouterr().out) == plain
    assert [r["seed"] for r in plain] == [3, 4]
