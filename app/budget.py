"""Time budgets for searches and analyses: a deadline, and a flag set when nobody waits any more.

Loops that may run long call ``budget.check()`` every so often (it costs a clock read), and stop
with ``OutOfTime`` or ``Abandoned``; the caller turns the first into a partial answer that says so,
or a 503. A *tentative* budget raises ``TooSlowHere`` instead: a first try on the event loop that
hands the work to a worker process when it is not quick. The query layer knows nothing of HTTP:
the REST layer sets ``abandoned`` when every client waiting for a computation has gone.

>>> budget = Budget(seconds=60)
>>> budget.check()
>>> budget.abandon()
>>> budget.check()
Traceback (most recent call last):
...
app.budget.Abandoned: nobody waits for this computation any more
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

__all__ = ["UNLIMITED", "Abandoned", "Budget", "Flag", "OutOfTime", "TooSlowHere"]


class Flag(Protocol):
    """What a budget needs of its abandon flag: a ``threading.Event``, or a byte shared with a worker."""

    def set(self) -> None: ...

    def is_set(self) -> bool: ...


class OutOfTime(Exception):
    """The budget ran out before the work was done."""


class Abandoned(Exception):
    """Every client waiting for this work went away."""


class TooSlowHere(Exception):
    """A tentative budget ran out: the work is not quick, so it moves to a worker process."""


class Budget:
    """``seconds`` from now (``None``: no deadline), and whether the work is still wanted."""

    __slots__ = ("_abandoned", "deadline", "seconds", "tentative")

    def __init__(self, seconds: float | None = None, *, abandoned: Flag | None = None, tentative: bool = False) -> None:
        self.seconds, self.tentative = seconds, tentative
        self.deadline = time.monotonic() + seconds if seconds is not None else None
        self._abandoned: Flag = abandoned or threading.Event()

    @classmethod
    def until(cls, deadline: float | None, *, abandoned: Flag | None = None) -> Budget:
        """A budget ending at ``deadline`` (``time.monotonic()``, the same clock in every process)."""
        budget = cls(None if deadline is None else max(0.0, deadline - time.monotonic()), abandoned=abandoned)
        budget.deadline = deadline
        return budget

    def narrowed(self, seconds: float) -> Budget:
        """A budget of at most ``seconds`` from now, abandoned with this one."""
        remaining = self.remaining
        if remaining is not None and remaining < seconds and self.tentative:
            return self  # running out is still a sign to move the work, not a partial answer
        return Budget(seconds if remaining is None else max(0.0, min(seconds, remaining)), abandoned=self._abandoned)

    @property
    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    @property
    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def abandon(self) -> None:
        self._abandoned.set()

    @property
    def abandoned(self) -> bool:
        return self._abandoned.is_set()

    def check(self) -> None:
        """Raise ``Abandoned`` or ``OutOfTime`` when the work should stop."""
        if self._abandoned.is_set():
            raise Abandoned("nobody waits for this computation any more")
        if self.deadline is not None and time.monotonic() >= self.deadline:
            if self.tentative:
                raise TooSlowHere(f"not done within {self.seconds:g} s")
            raise OutOfTime(f"the time budget of {self.seconds:g} s ran out")


UNLIMITED = Budget()
