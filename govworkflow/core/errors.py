"""Errors raised by govworkflow. Every message names the bad value and what is allowed."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Iterable
from numbers import Integral, Real
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

__all__ = [
    "BadValueError",
    "EpisodeFinishedError",
    "GovWorkflowError",
    "InvalidActionError",
    "MissingExtraError",
    "NoEpisodeError",
    "UnknownNameError",
    "check_count",
    "check_fraction",
    "check_non_negative",
    "check_positive",
    "check_seed",
    "check_seeds",
    "check_widths",
    "choices_message",
    "distinct",
    "exit_status",
    "validation_message",
]


def choices_message(kind: str, value: object, choices: Iterable[object]) -> str:
    """One line: ``unknown task 'x'; valid choices: a, b, c``."""
    listed = ", ".join(str(c) for c in choices)
    return f"unknown {kind} {value!r}; valid choices: {listed}"


class GovWorkflowError(Exception):
    """Base class of every error this package raises on purpose."""


class BadValueError(GovWorkflowError, ValueError):
    """A value outside what is allowed (a seed, a count, an output path); the message names
    the value and what is allowed."""


def check_seed(seed: object, name: str = "seed") -> int:
    """``seed`` if it is a non-negative integer (numpy integers too), else ``BadValueError``.

    Seeds are never truncated or folded: ``3.5`` or ``-3`` would otherwise play seed 3's
    instance under another label."""
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise BadValueError(f"{name}: must be a non-negative integer, got {seed!r}")
    return int(seed)


def check_seeds(seeds: int | Iterable[object]) -> list[int]:
    """Every seed of ``seeds`` (one seed may be a plain integer), all checked before any is played."""
    return [check_seed(s) for s in ([seeds] if isinstance(seeds, int) else seeds)]


def check_count(value: object, name: str, minimum: int = 1) -> int:
    """``value`` if it is an integer of at least ``minimum`` (numpy integers too), else
    ``BadValueError`` (``True`` is not a count, ``2.7`` is not truncated)."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        allowed = "a positive integer" if minimum == 1 else f"an integer of at least {minimum}"
        raise BadValueError(f"{name}: must be {allowed}, got {value!r}")
    return int(value)


def distinct(names: str | Iterable[str], what: str) -> list[str]:
    """``names`` in order without repeats (one name may be a plain string); an empty list is
    a ``BadValueError`` (pass ``None`` where "all" is meant)."""
    listed = list(dict.fromkeys([names] if isinstance(names, str) else names))
    if not listed:
        everything = "omit the option for all" if what.startswith("--") else "or None for all"
        raise BadValueError(f"{what}: give at least one name, {everything}")
    return listed


def check_positive(value: object, name: str) -> float:
    """``value`` if it is a finite positive real number (numpy floats too), else ``BadValueError``."""
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < float(value) < math.inf:
        raise BadValueError(f"{name}: must be a positive finite number, got {value!r}")
    return float(value)


def _real(value: object) -> float | None:
    """``value`` as a float if it is a real number (numpy floats too, not ``True``), else None."""
    return None if isinstance(value, bool) or not isinstance(value, Real) else float(value)


def check_non_negative(value: object, name: str) -> float:
    """``value`` if it is a finite real number of at least 0, else ``BadValueError``."""
    number = _real(value)
    if number is None or not 0 <= number < math.inf:
        raise BadValueError(f"{name}: must be a non-negative finite number, got {value!r}")
    return number


def check_fraction(value: object, name: str) -> float:
    """``value`` if it is a real number in [0, 1] (a discount, GAE's lambda), else ``BadValueError``."""
    number = _real(value)
    if number is None or not 0 <= number <= 1:  # NaN fails both comparisons
        raise BadValueError(f"{name}: must be a number in [0, 1], got {value!r}")
    return number


def check_widths(value: object, name: str) -> list[int]:
    """``value`` as a list of layer widths if every one is a positive integer (numpy
    integers too; an empty list: no hidden layer), else ``BadValueError``."""
    if hasattr(value, "tolist"):  # a numpy array of widths
        value = value.tolist()
    widths = list(value) if isinstance(value, list | tuple) else None
    if widths is None or any(isinstance(w, bool) or not isinstance(w, Integral) or w < 1 for w in widths):
        raise BadValueError(f"{name}: every width must be a positive integer, got {value!r}")
    return [int(w) for w in widths]


class UnknownNameError(GovWorkflowError, ValueError, KeyError):
    """A task, ruleset, policy or service name that does not exist.

    It is both a ``ValueError`` (a bad argument) and a ``KeyError`` (a failed look-up).
    """

    def __init__(self, kind: str, value: object, choices: Iterable[object]) -> None:
        self.kind = kind
        self.value = value
        self.choices = tuple(choices)
        super().__init__(choices_message(kind, value, self.choices))

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])


class InvalidActionError(GovWorkflowError, ValueError):
    """An action that cannot be read at all (unknown type, wrong field types, extra fields).

    Actions that are well formed but not allowed in the current state are *not* errors:
    the simulator counts them as invalid actions and reports why.
    """


class EpisodeFinishedError(GovWorkflowError, RuntimeError):
    """``step()`` was called after the episode ended; call ``reset()`` first."""


class NoEpisodeError(GovWorkflowError, RuntimeError):
    """An episode method was called before ``reset()``."""


class MissingExtraError(GovWorkflowError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""

    def __init__(self, module: str, extra: str) -> None:
        super().__init__(
            f"this feature needs the optional dependency {module!r}; "
            f'install it with: pip install "govworkflow[{extra}]"'
        )


def validation_message(err: ValidationError, model: type[BaseModel], what: str = "action") -> str:
    """One line naming every bad field, its value, and (for unknown fields) the allowed ones."""
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"]) or what
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = f"unknown field; allowed fields: {', '.join(model.model_fields)}"
        parts.append(f"{loc}: {msg} (got {e.get('input')!r})")
    return f"invalid {what}: " + "; ".join(parts)


def exit_status(prog: str, run: Callable[[], int]) -> int:
    """Run a command's body and return its exit status, with the package's errors as one
    line on stderr: a missing extra 1, a bad name or value 2, Ctrl-C 130, a reader that
    left a pipe 1 (``govworkflow …`` and every ``python -m govworkflow.…`` command)."""
    try:
        code = int(run())
        sys.stdout.flush()  # a reader that left shows here, not in the flush at exit
        return code
    except MissingExtraError as err:
        sys.stderr.write(f"{prog}: error: {err}\n")
        return 1
    except GovWorkflowError as err:  # bad names and values, a missing model: one line each
        sys.stderr.write(f"{prog}: error: {err}\n")
        return 2
    except KeyboardInterrupt:  # Ctrl-C (or SIGTERM during training): one line, the shell's status
        sys.stderr.write(f"{prog}: interrupted\n")
        return 130
    except BrokenPipeError:  # `govworkflow tasks | head`: the reader left; stop without a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the final flush cannot fail
        return 1
