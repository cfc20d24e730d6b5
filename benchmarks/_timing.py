"""What share of a timed run one method takes: ``clocked`` wraps it with a clock.

The benchmarks use it for an upper bound: the speed a run would have if that method (the
simulated day) cost nothing. The wrapper's own cost (a call and two clock reads) is
counted in the method's time, so the bound is, if anything, generous."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator
from typing import Any


class Clock:
    """Seconds spent inside the clocked method since the last ``reset``."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def reset(self) -> None:
        self.seconds = 0.0


@contextlib.contextmanager
def clocked(owner: type, name: str) -> Iterator[Clock]:
    """``owner.name`` wrapped with a clock while the block runs, then put back."""
    original: Callable[..., Any] = owner.__dict__[name]
    clock = Clock()
    now = time.perf_counter

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = now()
        try:
            return original(*args, **kwargs)
        finally:
            clock.seconds += now() - start

    setattr(owner, name, timed)
    try:
        yield clock
    finally:
        setattr(owner, name, original)
