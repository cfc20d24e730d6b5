"""Submitted policies played from a separate process that sees the observations only.

``isolated:path/to/file.py:Name`` (or ``isolated:package.module:Name``), wherever a policy
name is accepted, loads and runs the submitted policy in a child process of its own. The
child is sent each observation and answers with the action as JSON text, which this
process reads with the environment's own parser: nothing it sends is unpickled here, and
nothing of the simulator reaches it (in process, code that digs can find the simulator:
Python has no private attributes). Its ``reset`` gets a seed derived from the episode's by
a hash, not the episode's own, so a policy judged on private seeds cannot learn them and
replay the episode with its own copy of the library.

A child starts when the policy is made (an error in loading it is raised then), serves
every episode the policy plays, and ends with it. A step that takes longer than
``STEP_TIMEOUT_S`` ends the child with an error naming the policy.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import weakref
from typing import TYPE_CHECKING, Any

from govworkflow.core.submitted import SALT_ENV, SubmittedPolicyError, moment, policy_seed

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from govworkflow.core.kernel import Suite

__all__ = ["PREFIX", "SALT_ENV", "STEP_TIMEOUT_S", "IsolatedPolicy", "policy_seed"]

#: A policy name that starts with this runs isolated (the rest is the submitted spec).
PREFIX = "isolated:"
#: Seconds a child may take to load, reset or act before it is ended.
STEP_TIMEOUT_S = 600.0


def _guard_secret() -> None:
    """With a judge's secret in this process's environment, make the process undumpable
    (Linux: ``prctl(PR_SET_DUMPABLE, 0)``, as ssh-agent does), so that the policy's process,
    which runs as the same user, can neither read it from ``/proc/<pid>/environ`` nor trace
    this process. As root, elsewhere, or if that fails, the secret cannot be kept: an error
    says so rather than a policy learning it."""
    if not os.environ.get(SALT_ENV):
        return
    if not sys.platform.startswith("linux"):
        raise SubmittedPolicyError(f"{SALT_ENV} is kept from an isolated policy only on Linux")
    if os.geteuid() == 0:  # root's processes read any process's memory: nothing keeps the secret
        raise SubmittedPolicyError(
            f"{SALT_ENV} cannot be kept from a policy run as root (its process could read this one's "
            "environment): run the judge as an unprivileged user"
        )
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(4, 0, 0, 0, 0) != 0:  # 4: PR_SET_DUMPABLE
        raise SubmittedPolicyError(f"{SALT_ENV}: prctl(PR_SET_DUMPABLE, 0) failed (errno {ctypes.get_errno()})")


class IsolatedPolicy:
    """A submitted policy run in a child process (see the module docstring)."""

    privileged = False

    def __init__(self, spec: str, suite: Suite, step_timeout_s: float = STEP_TIMEOUT_S) -> None:
        self.spec = spec
        self.suite = suite
        self.name = PREFIX + spec
        self.step_timeout_s = step_timeout_s
        self._parse = suite.parse_action
        _guard_secret()
        parent, child = multiprocessing.Pipe()
        # a fresh interpreter (not a fork of this one, which holds the simulator), talking
        # over its own socket: the policy's prints go to stderr (stdout is the command's)
        process = subprocess.Popen(
            [sys.executable, "-m", "govworkflow.core.isolated", str(child.fileno()), spec],
            pass_fds=(child.fileno(),),
            stdin=subprocess.DEVNULL,
            env={k: v for k, v in os.environ.items() if k != SALT_ENV},  # the judge's secret stays here
        )
        child.close()
        parent.send(suite)  # what to load the policy for (this side's pickle: the child reads it)
        self._conn: Connection = parent
        self._process = process
        self._finalizer = weakref.finalize(self, _stop, process, parent)
        _, description = self._ask(None, "load")
        self.description = str(description) or f"submitted policy {spec} (isolated)"

    def reset(self, seed: int | None = None) -> None:
        self._ask(("reset", policy_seed(seed)), "reset")

    def act(self, observation: Any, simulator: Any = None) -> Any:
        """The child's action for ``observation``, read by the environment's parser (the
        simulator never leaves this process)."""
        _, text = self._ask(("act", observation), "act")
        if self._parse is None:
            return json.loads(text)
        try:
            return self._parse(text)
        except Exception as err:
            raise SubmittedPolicyError(
                f"policy {self.name!r} returned an action that cannot be read (on {moment(observation)}): {err}"
            ) from None

    def close(self) -> None:
        """End the child now (it also ends when the policy is garbage-collected)."""
        self._finalizer()

    def _ask(self, message: tuple[str, Any] | None, what: str) -> tuple[str, Any]:
        if not self._finalizer.alive:
            raise SubmittedPolicyError(f"policy {self.name!r}: its process was ended (close())")
        try:
            if self._process.poll() is not None and not self._conn.poll():
                code = self._process.returncode
                raise SubmittedPolicyError(f"policy {self.name!r}: its process has ended (exit code {code})")
            if message is not None:
                self._conn.send(message)
            if not self._conn.poll(self.step_timeout_s):
                self._process.kill()
                self.close()
                limit = self.step_timeout_s
                raise SubmittedPolicyError(f"policy {self.name!r}: no answer to {what} within {limit:g} s")
            kind, value = json.loads(self._conn.recv_bytes())
        except (EOFError, OSError, ValueError, TypeError) as err:  # TypeError: an answer of another shape
            self.close()
            why = f"its process stopped answering ({what}): {err!r}"
            raise SubmittedPolicyError(f"policy {self.name!r}: {why}") from None
        if kind == "error":
            raise SubmittedPolicyError(str(value))
        return str(kind), value

    def __reduce__(self) -> tuple[Any, tuple[str, Suite]]:
        """Pickles as its spec: a worker process starts a child of its own."""
        return IsolatedPolicy, (self.spec, self.suite)


def _stop(process: subprocess.Popen[bytes], conn: Connection) -> None:
    conn.close()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _action_text(action: Any) -> str:
    if isinstance(action, str):
        return action
    dump = getattr(action, "model_dump_json", None)
    if callable(dump):
        return str(dump(exclude_none=True))
    return json.dumps(action)


def _serve(conn: Connection, spec: str) -> None:  # pragma: no cover - runs in the child
    """The child: load the policy for the suite the parent sends, then answer reset and act
    until the parent hangs up."""
    from govworkflow.core.submitted import load_submitted

    def answer(kind: str, value: Any) -> None:
        conn.send_bytes(json.dumps([kind, value]).encode())

    try:
        loaded = load_submitted(spec, conn.recv())
        policy = loaded.inner
        answer("ready", loaded.description)
    except Exception as err:
        answer("error", str(err))
        return
    while True:
        try:
            kind, value = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if kind == "reset":
                reset = getattr(policy, "reset", None)
                if callable(reset):
                    reset(value)
                answer("ok", None)
            else:
                answer("action", _action_text(policy.act(value)))
        except Exception as err:
            answer("error", f"policy {PREFIX + spec!r} raised {err!r} in {kind}")


if __name__ == "__main__":  # pragma: no cover - the child: python -m govworkflow.core.isolated FD SPEC
    from multiprocessing.connection import Connection as _Connection

    os.dup2(2, 1)  # what the policy prints goes to stderr
    _serve(_Connection(int(sys.argv[1])), sys.argv[2])
