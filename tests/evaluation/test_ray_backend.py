"""The Ray backend on a real Ray instance (two CPUs, on 127.0.0.1, shared by this module):
the same leaderboard rows, canary rows and ``evaluate`` results as the local backend, bit
for bit (bring-your-own policies included), a failed episode reported with its seed and
nothing written, and a two-trial training sweep."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govworkflow.cli.main import main
from govworkflow.core.submitted import policy_seed
from govworkflow.evaluation.backends import RayBackend
from govworkflow.evaluation.canaries import report
from tests.evaluation.test_backends import FAILING_POLICY
from tests.training.test_sweep import TINY, check_sweep_record

pytestmark = pytest.mark.slow  # starting Ray takes seconds

#: A submitted policy (bring your own): the package's ``sla_aware`` rule behind the protocol.
SUBMITTED = """
from govworkflow.office.rulesets import get_ruleset


class Wrapped:
    def __init__(self):
        self.inner = get_ruleset("standard").policy("sla_aware")

    def reset(self, seed):
        self.inner.reset(seed)

    def act(self, observation):
        return self.inner.act(observation, None)
"""


@pytest.fixture(scope="module")
def ray_instance() -> Iterator[Any]:
    import ray  # here, not at collection: the fast lane does not pay for it

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
    try:
        yield ray
    finally:
        ray.shutdown()


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Any:
    assert main(argv) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def agent(tmp_path: Path) -> str:
    path = tmp_path / "agent.py"
    path.write_text(SUBMITTED)
    return f"{path}:Wrapped"


def test_the_leaderboard_on_ray_is_the_local_one(
    ray_instance: Any, agent: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["leaderboard", "--ruleset", "standard", "--task", "district_backlog_easy", "--policy", "urgent_first",
            "--policy", agent, "--policy", "upper_bound", "--limit", "3", "--json"]  # fmt: skip
    local = run([*argv, "--workers", "2", "--output", str(tmp_path / "local.json")], capsys)
    output = tmp_path / "ray.json"
    on_ray = run([*argv, "--backend", "ray", "--output", str(output)], capsys)
    assert [(r["policy"], r["n"]) for r in local["rows"]] == [("urgent_first", 3), (agent, 3), ("upper_bound", 3)]
    assert json.dumps(on_ray["rows"], sort_keys=True) == json.dumps(local["rows"], sort_keys=True)
    assert on_ray["calibration"] == local["calibration"]
    assert (on_ray["provenance"]["backend"], local["provenance"]["backend"]) == ("ray", "local")
    assert json.loads(output.read_text())["rows"] == on_ray["rows"]


def test_the_canaries_on_ray_are_the_local_ones(ray_instance: Any) -> None:
    seeds = {"district_backlog_easy": [1_000_000, 1_000_001]}
    local = report(seeds, ["end_shift"], workers=1)
    with RayBackend() as backend:
        assert ray_instance.is_initialized()
        on_ray = report(seeds, ["end_shift"], backend=backend)
    assert ray_instance.is_initialized()  # the module's instance is left running
    assert on_ray == local and len(local) == 1


def test_evaluate_on_ray_is_the_local_evaluate(
    ray_instance: Any, agent: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["evaluate", "--ruleset", "standard", "--task", "district_backlog_easy", "--policy", agent,
            "--seed", "5", "--seed", "3", "--seed", "5", "--json"]  # fmt: skip
    local = run(argv, capsys)
    on_ray = run([*argv, "--backend", "ray"], capsys)
    assert [r["seed"] for r in on_ray] == [5, 3, 5]
    assert on_ray == local


def test_a_failed_episode_on_ray_is_named_and_nothing_written(
    ray_instance: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "agent.py"
    policy.write_text(FAILING_POLICY.format(seed=policy_seed(1_000_000)))  # what its reset is told there
    spec = f"{policy}:FailsOnSeed"
    output = tmp_path / "board.json"
    argv = ["leaderboard", "--ruleset", "standard", "--task", "district_backlog_easy", "--policy", spec, "--policy",
            "urgent_first", "--limit", "2", "--backend", "ray", "--output", str(output), "--json"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "1 of 4 episodes failed; nothing was written" in err
    assert f"standard/district_backlog_easy/{spec} seed 1000000: RuntimeError: the agent crashed" in err
    assert not output.exists()


def test_a_two_trial_sweep_on_ray(ray_instance: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sweep", "--ruleset", "legacy", "--task", "district_backlog_easy", "--seeds", "1", "2", *TINY,
            "--no-progress"]  # fmt: skip
    assert main([*argv, "--backend", "ray", "--out-dir", str(tmp_path / "ray")]) == 0
    assert main([*argv, "--out-dir", str(tmp_path / "local")]) == 0
    capsys.readouterr()
    on_ray = check_sweep_record(tmp_path / "ray", [1, 2])
    local = check_sweep_record(tmp_path / "local", [1, 2])
    scores = [[t["best_validation_score"] for t in r["trials"]] for r in (on_ray, local)]  # type: ignore[attr-defined]
    assert scores[0] == scores[1]
    assert on_ray["best"] == local["best"]
    assert on_ray["provenance"]["backend"] == "ray"  # type: ignore[index]
