"""Heavy work off the event loop: one bounded pool, identical requests computed once, time budgets.

Lookups answer in microseconds on the event loop. Searches and analyses that may take
milliseconds to seconds go through ``HeavyWork.run``:

- they run in a pool of their own (``workers`` threads), so they never wait behind, or hold up,
  anything else; the event loop keeps serving lookups while they run;
- a computation already running or queued under the same key is joined, not repeated;
- at most ``workers + queue`` distinct computations are admitted; beyond, ``Busy`` (a 503 with
  ``Retry-After``) answers at once instead of letting requests pile up;
- each computation gets a ``Budget``: the time a client may wait, counted from admission, and an
  abandon flag set when every client waiting for it has gone. Loops check it and stop; a
  computation whose budget ran out in the queue is not started.

Counters (``stats()``) say how much work ran, was joined, refused, timed out or abandoned.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from .budget import Abandoned, Budget, OutOfTime

__all__ = ["Busy", "HeavyWork"]

T = TypeVar("T")


class Busy(Exception):
    """No room for more heavy work now; try again after ``retry_after`` seconds."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.detail, self.retry_after = detail, retry_after


@dataclass
class _Job:
    budget: Budget
    future: asyncio.Future[Any]
    waiters: int = 0


@dataclass
class _Counters:
    computed: int = 0
    joined: int = 0
    refused: int = 0
    out_of_time: int = 0
    abandoned: int = 0
    failed: int = 0


class HeavyWork:
    """A bounded pool for heavy computations, shared by every route that needs one."""

    def __init__(self, *, workers: int = 1, queue: int = 8, budget: float = 10.0) -> None:
        self.workers, self.queue, self.budget = workers, queue, budget
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="heavy")
        self._jobs: dict[Hashable, _Job] = {}
        self._running = 0
        self._lock = threading.Lock()
        self.counters = _Counters()

    async def run(self, key: Hashable, compute: Callable[[Budget], T], *, budget: float | None = None) -> T:
        """``compute(budget)`` in the pool, once for every concurrent caller with an equal ``key``.

        Raises ``Busy`` when the pool and its queue are full, ``OutOfTime`` when the budget ran out
        (before the work started, or inside it when it raised that), and what ``compute`` raised.
        A caller that is cancelled (its client went away) stops waiting; the last one to go
        abandons the work.
        """
        job = self._jobs.get(key)
        if job is not None:
            self.counters.joined += 1
        else:
            if len(self._jobs) >= self.workers + self.queue:
                self.counters.refused += 1
                raise Busy(f"{len(self._jobs)} heavy computations are running or queued; try again shortly",
                           retry_after=self._retry_after())
            job = _Job(Budget(budget or self.budget), asyncio.get_running_loop().create_future())
            self._jobs[key] = job
            self._start(key, job, compute)
        job.waiters += 1
        try:
            return await asyncio.shield(job.future)  # type: ignore[no-any-return]
        finally:
            job.waiters -= 1
            if job.waiters == 0 and not job.future.done():
                job.budget.abandon()
                self._forget(key, job)

    def _start(self, key: Hashable, job: _Job, compute: Callable[[Budget], Any]) -> None:
        loop = asyncio.get_running_loop()

        def work() -> Any:
            job.budget.check()  # the budget may have run out, or the clients gone, in the queue
            with self._lock:
                self._running += 1
            try:
                return compute(job.budget)
            finally:
                with self._lock:
                    self._running -= 1

        def settle(done: Any) -> None:
            self._forget(key, job)
            error = done.exception()
            self._count(error)
            if job.future.done():
                return
            if job.waiters == 0:  # abandoned: nobody will read the outcome
                job.future.cancel()
            elif error is not None:
                job.future.set_exception(error)
            else:
                job.future.set_result(done.result())

        self._pool.submit(work).add_done_callback(lambda done: loop.call_soon_threadsafe(settle, done))

    def _forget(self, key: Hashable, job: _Job) -> None:
        if self._jobs.get(key) is job:
            del self._jobs[key]

    def _count(self, error: BaseException | None) -> None:
        if error is None:
            self.counters.computed += 1
        elif isinstance(error, OutOfTime):
            self.counters.out_of_time += 1
        elif isinstance(error, Abandoned):
            self.counters.abandoned += 1
        else:
            self.counters.failed += 1

    def _retry_after(self) -> int:
        """Seconds after which room is likely: the budget of the work ahead, shared by the workers."""
        return max(1, round(self.budget * len(self._jobs) / max(self.workers, 1) / 4))

    def stats(self) -> dict[str, int]:
        counters = self.counters
        return {
            "running": self._running, "admitted": len(self._jobs), "workers": self.workers, "queue": self.queue,
            "computed": counters.computed, "joined": counters.joined, "refused": counters.refused,
            "out_of_time": counters.out_of_time, "abandoned": counters.abandoned, "failed": counters.failed,
        }

    def shutdown(self) -> None:
        for job in self._jobs.values():
            job.budget.abandon()
        self._pool.shutdown(wait=False, cancel_futures=True)
