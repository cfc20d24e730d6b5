"""Where episodes run: local worker processes (the default) or a Ray cluster (extra ``distributed``).

The leaderboard, its canaries and ``govworkflow evaluate --backend ray`` describe their
work as ``Job``s (some seeds of one task and policy) and hand them to ``run_jobs``, which
plays them on a ``Backend`` and gives back each job's results in job order, whatever order
they finished in, so every backend gives the same results, bit for bit:

* ``LocalBackend(workers)``: in this process (``workers=1``) or in a process pool;
* ``RayBackend(address)``: one Ray task per job, on a Ray instance started here
  (``address=None``), the cluster this machine belongs to (``"auto"``) or one at
  ``HOST:PORT`` (docs/scale.md).

Progress is reported as jobs finish (tqdm). An episode that fails is recorded with its
task, policy and seed while the other episodes go on; once all have finished, the failures
are raised together (``EpisodesFailedError``, which keeps the results that were played),
so a caller writes results only when every episode is in.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

from govworkflow.core.errors import BadValueError, GovWorkflowError, MissingExtraError, UnknownNameError, check_count

__all__ = [
    "BACKENDS",
    "TRACEBACK_ENV",
    "Backend",
    "BackendUnavailableError",
    "EpisodesFailedError",
    "Failure",
    "Job",
    "LocalBackend",
    "RayBackend",
    "check_address",
    "describe_failure",
    "evaluate_on",
    "get_backend",
    "play_job",
    "run_jobs",
]

#: The backends' names (``--backend``).
BACKENDS = ("local", "ray")
#: Seconds to wait for a cluster's address to answer before giving up.
CONNECT_TIMEOUT_S = 5.0
#: Failures named one by one in an ``EpisodesFailedError``'s message (the rest are counted).
LISTED_FAILURES = 20


@dataclass(frozen=True)
class Job:
    """Some episodes of one task and policy: ``setup(*args)`` runs once in the worker and
    returns ``play(seed)``, which is called for each of ``seeds`` in order. ``setup`` must be
    a module-level function (it travels by name to worker processes and Ray workers)."""

    setup: Callable[..., Callable[[int], Any]]
    args: tuple[Any, ...]
    seeds: tuple[int, ...]
    label: str
    """What the job plays, for messages: ``ruleset/task/policy``."""


@dataclass(frozen=True)
class Failure:
    """One episode that did not finish: which one, and why."""

    label: str
    seed: int
    error: str

    def __str__(self) -> str:
        return f"{self.label} seed {self.seed}: {self.error}"


class EpisodesFailedError(GovWorkflowError):
    """Some episodes failed (all the others were played); ``failures`` says which and why,
    ``results`` holds each job's played results by seed."""

    def __init__(self, failures: Sequence[Failure], total: int, results: Sequence[dict[int, Any]]) -> None:
        self.failures = list(failures)
        self.results = list(results)
        lines = [str(f) for f in self.failures[:LISTED_FAILURES]]
        if len(self.failures) > LISTED_FAILURES:
            lines.append(f"... and {len(self.failures) - LISTED_FAILURES} more")
        if total == 1 and len(self.failures) == 1:  # one episode asked for: its failure is the message
            super().__init__(lines[0])
            return
        head = f"{len(self.failures)} of {total} episodes failed; nothing was written:"
        super().__init__("\n  ".join([head, *lines]))


class BackendUnavailableError(GovWorkflowError):
    """The backend cannot be started or reached (the message names the address)."""


#: (seed, result, error): one episode's outcome; ``error`` is None when it finished.
Outcome = tuple[int, Any, str | None]


#: Set (to anything but empty) to have each failed episode's traceback in its message.
TRACEBACK_ENV = "GOVWORKFLOW_TRACEBACK"


def describe_failure(err: BaseException) -> str:
    """One line for an episode that failed: our own errors' messages as they are, anything
    else (a policy's) prefixed with its type; with ``GOVWORKFLOW_TRACEBACK`` set, followed
    by where it was raised (the traceback, made where the episode ran)."""
    text = str(err).strip().splitlines()
    first = text[0] if text else ""
    line = first if isinstance(err, GovWorkflowError) else f"{type(err).__name__}: {first}"
    if os.environ.get(TRACEBACK_ENV):
        where = "".join(traceback.format_exception(err)).rstrip().replace("\n", "\n      ")
        line += "\n      " + where
    return line


def play_job(job: Job) -> list[Outcome]:
    """Play every seed of ``job`` (in a worker); a failing episode is recorded, not raised.

    A policy's own failures count as the episode's, ``sys.exit`` included (only an
    interrupt stops the run), and what it prints goes to stderr: stdout is the command's
    (``--json``)."""
    with contextlib.redirect_stdout(sys.stderr):
        try:
            play = job.setup(*job.args)
        except (Exception, SystemExit) as err:
            return [(seed, None, describe_failure(err)) for seed in job.seeds]
        out: list[Outcome] = []
        for seed in job.seeds:
            try:
                out.append((seed, play(seed), None))
            except (Exception, SystemExit) as err:
                out.append((seed, None, describe_failure(err)))
    return out


class Backend(Protocol):
    """Runs jobs; a context manager that holds its workers (or its cluster connection)."""

    name: str

    def __enter__(self) -> Backend: ...

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def run(self, jobs: Sequence[Job]) -> Iterator[tuple[int, list[Outcome]]]:
        """(job index, outcomes) for every job, as each finishes."""
        ...


class LocalBackend:
    """Jobs in this process (``workers=1``) or in ``workers`` worker processes."""

    name = "local"

    def __init__(self, workers: int = 1) -> None:
        self.workers = check_count(workers, "workers")

    def __enter__(self) -> LocalBackend:
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        return None

    def run(self, jobs: Sequence[Job]) -> Iterator[tuple[int, list[Outcome]]]:
        if self.workers == 1 or len(jobs) <= 1:
            for i, job in enumerate(jobs):
                yield i, play_job(job)
            return
        with ProcessPoolExecutor(max_workers=self.workers) as pool:
            pending: dict[Future[list[Outcome]], int] = {pool.submit(play_job, job): i for i, job in enumerate(jobs)}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    i = pending.pop(future)
                    try:
                        outcomes = future.result()
                    except Exception as err:  # the worker process died
                        outcomes = [(seed, None, describe_failure(err)) for seed in jobs[i].seeds]
                    yield i, outcomes


def check_address(address: str) -> str:
    """``address`` if it is ``auto`` or ``HOST:PORT`` (a port from 1 to 65535), else ``BadValueError``."""
    if address == "auto":
        return address
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise BadValueError(f"--address: expected auto or HOST:PORT (a Ray head, e.g. 10.0.0.5:6379), got {address!r}")
    return address


class RayBackend:
    """One Ray task per job, each with one CPU.

    ``address=None`` starts a Ray instance on this machine (``num_cpus`` CPUs, all when
    None) and stops it afterwards; ``"auto"`` joins the cluster this machine is part of;
    ``HOST:PORT`` joins the cluster whose head listens there. When Ray is already running in
    this process (``ray.init`` called by the caller), that instance is used and left running.
    Workers import ``govworkflow`` themselves: every node needs the same version installed
    (docs/scale.md)."""

    name = "ray"

    def __init__(self, address: str | None = None, num_cpus: int | None = None) -> None:
        self.address = None if address is None else check_address(address)
        self.num_cpus = None if num_cpus is None else check_count(num_cpus, "num_cpus")
        self._started = False
        self._ray: Any = None

    def __enter__(self) -> RayBackend:
        try:
            import ray
        except ImportError as err:
            raise MissingExtraError(err.name or "ray", "distributed") from None
        self._ray = ray
        if self.address not in (None, "auto"):
            self._reachable(str(self.address))
        if ray.is_initialized():
            return self
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage report leaves the machine
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": "warning"}
        try:
            if self.address is None:
                ray.init(num_cpus=self.num_cpus, **options)
            else:
                ray.init(address=self.address, **options)
        except (ConnectionError, RuntimeError, TimeoutError) as err:
            where = "a local Ray instance could not be started" if self.address is None else (
                f"--address {self.address}: no Ray cluster could be joined"
            )  # fmt: skip
            raise BackendUnavailableError(f"{where} ({describe_failure(err)})") from None
        self._started = True
        return self

    @staticmethod
    def _reachable(address: str) -> None:
        host, _, port = address.rpartition(":")
        try:
            socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S).close()
        except OSError as err:
            raise BackendUnavailableError(
                f"--address {address}: no Ray head answers there ({err.strerror or err}); "
                "start one with `ray start --head` or give --address auto"
            ) from None

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        if self._started:
            self._ray.shutdown()
            self._started = False

    def run(self, jobs: Sequence[Job]) -> Iterator[tuple[int, list[Outcome]]]:
        if self._ray is None:
            raise GovWorkflowError("RayBackend.run: use the backend in a `with` block (it connects there)")
        ray = self._ray
        remote = ray.remote(num_cpus=1, max_retries=0)(play_job)
        pending = {remote.remote(job): i for i, job in enumerate(jobs)}
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                i = pending.pop(ref)
                try:
                    outcomes = ray.get(ref)
                except ray.exceptions.RayError as err:  # the worker died or the task could not run
                    outcomes = [(seed, None, describe_failure(err)) for seed in jobs[i].seeds]
                yield i, outcomes


def get_backend(name: str = "local", workers: int = 1, address: str | None = None) -> Backend:
    """The backend called ``name`` (``BACKENDS``); ``workers``: local processes, or the CPUs
    of a Ray instance started here; ``address``: a Ray cluster to join (``ray`` only)."""
    if name not in BACKENDS:
        raise UnknownNameError("backend", name, BACKENDS)
    check_count(workers, "workers")
    if name == "local":
        if address is not None:
            raise BadValueError(f"--address {address!r} needs --backend ray (the local backend has no address)")
        return LocalBackend(workers)
    return RayBackend(address, num_cpus=workers if address is None else None)


def run_jobs(
    jobs: Sequence[Job], backend: Backend | None = None, desc: str = "episodes", progress: bool = False
) -> list[list[Any]]:
    """Each job's results (one per seed, in the job's order), in the order of ``jobs``.

    ``backend`` must be entered already (``with backend:``); None plays in this process.
    Raises ``EpisodesFailedError`` after every job has run if any episode failed."""
    from tqdm.auto import tqdm

    backend = backend or LocalBackend(1)
    played: list[list[Outcome]] = [[] for _ in jobs]
    failed = 0
    total = sum(len(job.seeds) for job in jobs)
    with tqdm(total=total, desc=desc, unit="ep", disable=not progress) as bar:
        for i, outcomes in backend.run(jobs):
            played[i] = outcomes
            failed += sum(error is not None for _, _, error in outcomes)
            bar.update(len(outcomes))
            if failed:
                bar.set_postfix(failed=failed)
    if failed:
        failures = [Failure(job.label, seed, error) for job, outs in zip(jobs, played, strict=True)
                    for seed, _, error in outs if error is not None]  # fmt: skip
        done = [{seed: result for seed, result, error in outs if error is None} for outs in played]
        raise EpisodesFailedError(failures, total, done)
    return [[result for _, result, _ in outs] for outs in played]


def _evaluator(ruleset: str | None, task_id: str, policy: str, max_steps: int | None) -> Callable[[int], Any]:
    """``play(seed)``: one ``run_episode`` of ``policy`` on ``task_id`` (built in the worker)."""
    from govworkflow.evaluation.run import get_suite, run_episode

    suite = get_suite(ruleset)
    task, pol = suite.task(task_id), suite.policy(policy)
    return lambda seed: run_episode(suite, task, pol, seed, max_steps)


def evaluate_on(
    backend: Backend,
    task_id: str,
    policy: str,
    seeds: Sequence[int] | None = None,
    ruleset: str | None = None,
    max_steps: int | None = None,
    progress: bool = False,
    chunk: int = 10,
) -> list[Any]:
    """``evaluation.run.evaluate`` on ``backend`` (entered already): the same
    ``EpisodeResult``s, in seed order, played ``chunk`` seeds to a job."""
    from govworkflow.evaluation.run import get_suite

    suite = get_suite(ruleset)
    task = suite.task(task_id)
    suite.policy(policy)  # an unknown or broken policy fails here, before any job
    seed_list = list(seeds) if seeds is not None else [task.seed]
    label = f"{suite.name}/{task_id}/{policy}"
    jobs = [
        Job(_evaluator, (suite.name, task_id, policy, max_steps), tuple(seed_list[i : i + chunk]), label)
        for i in range(0, len(seed_list), check_count(chunk, "chunk"))
    ]
    return [r for out in run_jobs(jobs, backend, "evaluate", progress) for r in out]
