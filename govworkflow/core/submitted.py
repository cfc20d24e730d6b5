"""Bring your own policy: load one from a file or a module, and play it like any other.

A policy is named ``path/to/file.py:Name`` or ``package.module:Name`` wherever a policy
name is accepted (``Suite.policy``, so ``govworkflow evaluate --policy``, ``leaderboard
--policy``, ``evaluate(...)``). ``Name`` is a class or a factory: called with no
arguments, it makes the policy, an object with

* ``act(observation)`` returning an action: the environment's action model, a dict or a
  JSON string (required);
* ``reset(seed)`` (optional: called before each episode with the episode's seed);
* ``description`` (optional: the docstring by default). Results name a submitted policy by
  its spec, whatever ``name`` it gives itself, so that no submission passes for another.

A submitted policy is trusted with nothing: it receives the observation only (never the
simulator), and whatever it returns is read by the environment's own action parser, so an
action that cannot be read is a one-line error naming the policy and the step's day. In
this process, code that digs can still reach the simulator (Python has no private
attributes): ``isolated:<spec>`` plays the policy from a process of its own
(``core.isolated``).
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import importlib.util
import inspect
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govworkflow.core.errors import GovWorkflowError, InvalidActionError

if TYPE_CHECKING:
    from govworkflow.core.isolated import IsolatedPolicy
    from govworkflow.core.kernel import Suite

__all__ = ["SALT_ENV", "SubmittedPolicy", "SubmittedPolicyError", "is_spec", "load_policy", "load_submitted", "moment",
           "policy_seed"]  # fmt: skip


class SubmittedPolicyError(GovWorkflowError, ValueError):
    """A submitted policy that cannot be loaded, made, or read (the message says which)."""


#: A secret that keys ``policy_seed`` (an environment variable of the judging process).
SALT_ENV = "GOVWORKFLOW_POLICY_SALT"


def policy_seed(seed: int | None) -> int | None:
    """The seed an isolated policy's ``reset`` gets for an episode of ``seed``: fixed for a
    seed (episodes stay reproducible).

    Unkeyed, it is a public hash, so a policy could find the episode's seed by hashing
    candidates (and on public seeds its first observation tells it anyway). A judge who
    scores on private seeds sets ``GOVWORKFLOW_POLICY_SALT`` to a secret: the seed is then
    an HMAC of the episode's under that key, and tells nothing of it."""
    if seed is None:
        return None
    salt = os.environ.get(SALT_ENV, "")
    if salt:
        digest = hmac.new(salt.encode(), f"govworkflow-policy-{seed}".encode(), hashlib.sha256).digest()
    else:
        digest = hashlib.sha256(f"govworkflow-policy-{seed}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def moment(observation: Any) -> str:
    """When in its episode ``observation`` was made, for messages: ``day 3`` (the office),
    ``time 5`` (triage)."""
    if hasattr(observation, "day"):
        return f"day {observation.day}"
    return f"time {getattr(observation, 'time', '?')}"


def is_spec(name: object) -> bool:
    """Whether ``name`` names a submitted policy (``file.py:Name`` or ``module:Name``)."""
    return isinstance(name, str) and ":" in name


def _module(where: str, spec: str) -> Any:
    if where.endswith(".py") or "/" in where or "\\" in where:
        path = Path(where)
        if not path.is_file():
            raise SubmittedPolicyError(f"policy {spec!r}: no such file {str(path)!r}")
        name = f"govworkflow_submitted_{abs(hash(str(path.resolve())))}"
        loader_spec = importlib.util.spec_from_file_location(name, path)
        if loader_spec is None or loader_spec.loader is None:  # pragma: no cover - a .py file always has one
            raise SubmittedPolicyError(f"policy {spec!r}: {str(path)!r} cannot be imported")
        module = importlib.util.module_from_spec(loader_spec)
        sys.modules[name] = module  # so dataclasses and pickling find the module
        try:
            loader_spec.loader.exec_module(module)
        except (Exception, SystemExit) as err:  # sys.exit() while importing is a failure to load, not the command's end
            del sys.modules[name]
            raise SubmittedPolicyError(f"policy {spec!r}: importing {str(path)!r} failed: {err!r}") from err
        return module
    try:
        return importlib.import_module(where)
    except ImportError as err:
        raise SubmittedPolicyError(f"policy {spec!r}: no module {where!r} ({err})") from None
    except SystemExit as err:
        raise SubmittedPolicyError(f"policy {spec!r}: importing {where!r} failed: {err!r}") from None


def load_policy(spec: str, suite: Suite) -> SubmittedPolicy | IsolatedPolicy:
    """The policy ``spec`` names, ready to play ``suite``'s tasks (``SubmittedPolicyError``
    for a missing file or module, a missing name, or an object that is not a policy).
    ``isolated:<spec>`` plays it from a process of its own (``core.isolated``)."""
    from govworkflow.core.isolated import PREFIX, IsolatedPolicy

    if spec.startswith(PREFIX):
        return IsolatedPolicy(spec[len(PREFIX) :], suite)
    return load_submitted(spec, suite)


def load_submitted(spec: str, suite: Suite) -> SubmittedPolicy:
    """``load_policy`` in this process (what an isolated policy's own process runs)."""
    where, _, attr = spec.rpartition(":")
    if not where or not attr:
        raise SubmittedPolicyError(f"policy {spec!r}: expected path/to/file.py:Name or package.module:Name")
    module = _module(where, spec)
    if not hasattr(module, attr):
        public = sorted(n for n in vars(module) if not n.startswith("_") and callable(getattr(module, n)))
        raise SubmittedPolicyError(
            f"policy {spec!r}: {where!r} has no {attr!r}; it defines: {', '.join(public) or 'nothing callable'}"
        )
    factory = getattr(module, attr)
    if not callable(factory):
        raise SubmittedPolicyError(f"policy {spec!r}: {attr!r} is a {type(factory).__name__}, not a class or factory")
    try:
        inner = factory()
    except (Exception, SystemExit) as err:
        raise SubmittedPolicyError(
            f"policy {spec!r}: {attr}() failed: {err!r} (it is called with no arguments)"
        ) from err
    act = getattr(inner, "act", None)
    if not callable(act):
        raise SubmittedPolicyError(
            f"policy {spec!r}: {attr}() made a {type(inner).__name__}, which has no act(observation) method"
        )
    return SubmittedPolicy(spec, inner, suite)


class SubmittedPolicy:
    """A loaded policy, played through the kernel's ``Policy`` protocol: it gets the
    observation only, and its actions go through the environment's parser."""

    privileged = False

    def __init__(self, spec: str, inner: Any, suite: Suite) -> None:
        self.spec = spec
        self.inner = inner
        self.suite = suite
        self.name = spec
        doc = getattr(inner, "description", None) or inspect.getdoc(type(inner)) or ""
        self.description = " ".join(str(doc).split()) or f"submitted policy {spec}"
        self._parse = suite.parse_action

    def reset(self, seed: int | None = None) -> None:
        """The inner policy's ``reset``, told a seed derived from the episode's (``policy_seed``),
        as an isolated policy is: reproducible, and not the episode's own."""
        reset = getattr(self.inner, "reset", None)
        if callable(reset):
            reset(policy_seed(seed))

    def act(self, observation: Any, simulator: Any = None) -> Any:
        """The inner policy's action for ``observation`` (the simulator is never passed on)."""
        action = self.inner.act(observation)
        if self._parse is None:
            return action
        try:
            return self._parse(action)
        except InvalidActionError as err:
            raise SubmittedPolicyError(
                f"policy {self.spec!r} returned an action that cannot be read (on {moment(observation)}): {err}"
            ) from None

    def __reduce__(self) -> tuple[Any, tuple[str, Suite]]:
        """Pickles as its spec (worker processes load it again)."""
        return load_policy, (self.spec, self.suite)
