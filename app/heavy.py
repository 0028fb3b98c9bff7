"""Heavy work off the event loop: bounded pools, identical requests computed once, time budgets.

Lookups answer in microseconds on the event loop. Searches and analyses that may take milliseconds
to seconds go through ``HeavyWork.run``:

- they run in worker *processes* forked from the server once the graph is loaded, so they share
  its memory (copy-on-write) and never hold the event loop's GIL: in a thread, one busy analysis
  made every lookup wait for the GIL (about 5 ms a time) and the mix of routes fell from 1,300 to
  135 requests/s. ``processes=False`` runs them in threads instead (tests of the pool's logic);
- a computation already running or queued under the same key is joined, not repeated;
- at most ``workers + queue`` distinct computations are admitted; beyond, ``Busy`` (a 503 with
  ``Retry-After``) answers at once instead of letting requests pile up;
- each computation gets a ``Budget``: the time a client may wait, counted from admission, and an
  abandon flag (a byte of shared memory) set when every client waiting for it has gone. Loops
  check it and stop; a computation whose budget ran out in the queue is not started.

A task is a module-level function ``task(kg, budget, *args)``; the workers find ``kg`` where the
fork left it. When the server's snapshot changes (a write), the next task forks new workers.
"""

from __future__ import annotations

import asyncio
import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Hashable
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from .budget import Abandoned, Budget, OutOfTime
from .graph import KnowledgeGraph

__all__ = ["Busy", "HeavyWork", "Task"]

T = TypeVar("T")
Task = Callable[..., T]

# Per pool, what its worker processes compute on and their jobs' abandon flags: set before a fork, so the
# workers inherit them (shared memory cannot be sent through the executor's queue).
_FORKED: dict[int, tuple[KnowledgeGraph, Any]] = {}


class Busy(Exception):
    """No room for more heavy work now; try again after ``retry_after`` seconds."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.detail, self.retry_after = detail, retry_after


class SharedFlag:
    """One byte of memory shared with forked workers: the abandon flag of one job."""

    def __init__(self, flags: Any, slot: int) -> None:
        self.flags, self.slot = flags, slot

    def set(self) -> None:
        self.flags[self.slot] = 1

    def is_set(self) -> bool:
        return bool(self.flags[self.slot])


@dataclass
class _Job:
    budget: Budget
    future: asyncio.Future[Any]
    slot: int
    waiters: int = 0


@dataclass
class _Counters:
    computed: int = 0
    joined: int = 0
    refused: int = 0
    out_of_time: int = 0
    abandoned: int = 0
    failed: int = 0
    escalated: int = 0  # tried on the event loop first, then handed to the pool


def _worker_started() -> None:
    """In a new worker process: end with the server. The fork copied the server's signal handlers, under
    which a SIGTERM was ignored here, and a worker must not outlive a server that was killed."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the server decides
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)  # the kernel signals us when the forking thread ends
    if os.getppid() == 1:  # the server went before the line above took effect
        os._exit(0)


_PR_SET_PDEATHSIG = 1


def _execute(pool: int, task: Task[Any], deadline: float | None, slot: int, args: tuple[Any, ...]) -> Any:
    """In a worker process: the task on the graph the fork left, under the job's budget."""
    kg, flags = _FORKED[pool]
    budget = Budget.until(deadline, abandoned=SharedFlag(flags, slot))
    budget.check()  # the budget may have run out, or the clients gone, while it was queued
    return task(kg, budget, *args), os.getpid(), caches_of(kg)


def caches_of(kg: KnowledgeGraph) -> dict[str, dict[str, int]]:
    """The figures of the caches a process keeps for ``kg``: analyses and name searches."""
    from .queries.centrality import analysis_cache  # the query layer is above this module

    if not isinstance(kg, KnowledgeGraph):  # a pool given something else to work on (its tests)
        return {}
    return {"analysis": analysis_cache(kg).results.stats(), "search": kg.names.cache.stats()}


class HeavyWork:
    """A bounded pool for heavy computations, shared by the routes that need one."""

    def __init__(self, *, workers: int = 1, queue: int = 8, budget: float = 10.0, processes: bool = True) -> None:
        self.workers, self.queue, self.budget, self.processes = workers, queue, budget, processes
        self._flags = multiprocessing.get_context("fork").RawArray("b", workers + queue + 64)
        self._free_slots = list(range(len(self._flags)))
        self._jobs: dict[Hashable, _Job] = {}
        self._executor: Executor | None = None
        self._forked_with: KnowledgeGraph | None = None
        self._in_flight = 0
        self.counters = _Counters()
        # Per worker process, its caches' figures as of its last answer (they live in the worker).
        self.worker_caches: dict[int, dict[str, dict[str, int]]] = {}

    async def run(self, key: Hashable, task: Task[T], kg: KnowledgeGraph, *args: Any, budget: float | None = None) -> T:
        """``task(kg, budget, *args)`` in the pool, once for every concurrent caller with an equal ``key``.

        Raises ``Busy`` when the pool and its queue are full, ``OutOfTime`` when the budget ran out
        (before the work started, or inside it), and what ``task`` raised. A caller that is
        cancelled (its client went away) stops waiting; the last one to go abandons the work.
        """
        job = self._jobs.get(key)
        if job is not None:
            self.counters.joined += 1
        else:
            if len(self._jobs) >= self.workers + self.queue or not self._free_slots:
                self.counters.refused += 1
                raise Busy(
                    f"{len(self._jobs)} heavy computations are running or queued; try again shortly",
                    retry_after=self._retry_after(),
                )
            slot = self._free_slots.pop()
            self._flags[slot] = 0
            job = _Job(
                Budget(budget or self.budget, abandoned=SharedFlag(self._flags, slot)),
                asyncio.get_running_loop().create_future(),
                slot,
            )
            self._jobs[key] = job
            self._submit(key, job, task, kg, args)
        job.waiters += 1
        try:
            return await asyncio.shield(job.future)  # type: ignore[no-any-return]
        finally:
            job.waiters -= 1
            if job.waiters == 0 and not job.future.done():
                job.budget.abandon()
                self._forget(key, job)

    def _submit(self, key: Hashable, job: _Job, task: Task[Any], kg: KnowledgeGraph, args: tuple[Any, ...]) -> None:
        loop = asyncio.get_running_loop()
        if self.processes:
            submitted = self._executor_for(kg).submit(_execute, id(self), task, job.budget.deadline, job.slot, args)
        else:

            def work() -> Any:
                job.budget.check()
                return task(kg, job.budget, *args)

            submitted = self._executor_for(kg).submit(work)
        self._in_flight += 1
        submitted.add_done_callback(lambda done: loop.call_soon_threadsafe(self._settle, key, job, done))

    def _settle(self, key: Hashable, job: _Job, done: Future[Any]) -> None:
        self._in_flight -= 1
        self._forget(key, job)
        self._free_slots.append(job.slot)
        error = done.exception()
        self._count(error)
        if isinstance(error, BrokenExecutor):  # a worker died (killed, out of memory): fork anew next time
            self._forked_with = None
        if job.future.done():
            return
        result: Any = None if error is not None else done.result()
        if self.processes and error is None:
            result, worker, caches = result
            self.worker_caches[worker] = caches
        if job.waiters == 0:  # abandoned: nobody will read the outcome
            job.future.cancel()
        elif error is not None:
            job.future.set_exception(error)
        else:
            job.future.set_result(result)

    def _executor_for(self, kg: KnowledgeGraph) -> Executor:
        """The executor whose workers hold ``kg``: forked anew when the snapshot changed."""
        if self._executor is not None and self._forked_with is kg:
            return self._executor
        if self._executor is not None:
            self._executor.shutdown(wait=False)
        self.worker_caches.clear()  # the new workers start with empty caches
        if self.processes:
            _FORKED[id(self)] = (kg, self._flags)
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers, initializer=_worker_started, mp_context=multiprocessing.get_context("fork")
            )
        else:
            self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="heavy")
        self._forked_with = kg
        return self._executor

    def start(self, kg: KnowledgeGraph) -> None:
        """Fork the workers now (a few milliseconds), while the server is still single-threaded."""
        if self.processes:
            executor = self._executor_for(kg)
            assert isinstance(executor, ProcessPoolExecutor)
            executor.submit(int).result()

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

    def cache_stats(self) -> dict[str, dict[str, int]]:
        """The caches of this pool's workers, each kind summed over them."""
        total: dict[str, dict[str, int]] = {}
        for caches in self.worker_caches.values():
            for name, figures in caches.items():
                summed = total.setdefault(name, dict.fromkeys(figures, 0))
                for key, value in figures.items():
                    summed[key] = summed.get(key, 0) + value
        return total

    def stats(self) -> dict[str, int]:
        counters = self.counters
        return {
            "in_flight": self._in_flight,
            "admitted": len(self._jobs),
            "workers": self.workers,
            "queue": self.queue,
            "computed": counters.computed,
            "joined": counters.joined,
            "refused": counters.refused,
            "out_of_time": counters.out_of_time,
            "abandoned": counters.abandoned,
            "failed": counters.failed,
            "escalated": counters.escalated,
        }

    def shutdown(self) -> None:
        for job in self._jobs.values():
            job.budget.abandon()
        if self._executor is not None:
            # Nothing they compute is awaited now: the workers are stopped at once, together. A worker killed
            # by the end of the thread that forked it (PR_SET_PDEATHSIG) while it held the task queue's lock
            # would leave the others waiting for that lock for ever, and the interpreter's exit joining them.
            # (Python 3.14 names this ProcessPoolExecutor.kill_workers; shutdown forgets the processes.)
            workers = list((getattr(self._executor, "_processes", None) or {}).values())
            self._executor.shutdown(wait=False, cancel_futures=True)
            for process in workers:
                process.kill()
        _FORKED.pop(id(self), None)
