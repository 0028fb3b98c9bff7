"""Heavy work: computed once per key, bounded, within its budget, and dropped when nobody waits."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.work import ClientGone, Work
from app.budget import Abandoned, Budget, OutOfTime, TooSlowHere
from app.config import Settings
from app.heavy import Busy, HeavyWork
from app.main import create_app

from .conftest import CURATED

GRAPH: Any = object()  # the pool's logic does not look at the graph


def _run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_identical_concurrent_requests_are_computed_once() -> None:
    calls: list[str] = []
    release = threading.Event()

    def compute(kg: Any, budget: Budget) -> str:
        calls.append("x")
        release.wait(5)
        return "answer"

    async def scenario() -> list[str]:
        pool = HeavyWork(workers=1, queue=4, budget=10, processes=False)
        waiting = [asyncio.ensure_future(pool.run("same", compute, GRAPH)) for _ in range(10)]
        await asyncio.sleep(0.05)
        release.set()
        answers = await asyncio.gather(*waiting)
        assert pool.stats()["joined"] == 9
        return answers

    assert _run(scenario()) == ["answer"] * 10
    assert calls == ["x"]


def test_different_keys_are_computed_apart_and_the_queue_is_bounded() -> None:
    release = threading.Event()

    def slow(kg: Any, budget: Budget) -> int:
        release.wait(5)
        return 1

    async def scenario() -> tuple[list[Any], dict[str, int]]:
        pool = HeavyWork(workers=1, queue=2, budget=10, processes=False)
        admitted = [asyncio.ensure_future(pool.run(n, slow, GRAPH)) for n in range(3)]
        await asyncio.sleep(0.01)
        with pytest.raises(Busy) as refused:
            await pool.run(99, slow, GRAPH)
        assert refused.value.retry_after >= 1
        release.set()
        return await asyncio.gather(*admitted), pool.stats()

    answers, stats = _run(scenario())
    assert answers == [1, 1, 1]
    assert (stats["computed"], stats["refused"], stats["admitted"]) == (3, 1, 0)


def test_work_whose_budget_ran_out_in_the_queue_is_not_started() -> None:
    started: list[int] = []
    release = threading.Event()

    def work(n: int) -> Any:
        def compute(kg: Any, budget: Budget) -> int:
            started.append(n)
            release.wait(5)
            return n

        return compute

    async def scenario() -> None:
        pool = HeavyWork(workers=1, queue=4, budget=0.2, processes=False)
        first = asyncio.ensure_future(pool.run("first", work(1), GRAPH))
        second = asyncio.ensure_future(pool.run("second", work(2), GRAPH))
        await asyncio.sleep(0.4)
        release.set()
        assert await first == 1  # it started in time; what it does then is its own business
        with pytest.raises(OutOfTime):
            await second

    _run(scenario())
    assert started == [1]


def test_work_nobody_waits_for_is_abandoned_at_its_next_check() -> None:
    stopped = threading.Event()

    def endless(kg: Any, budget: Budget) -> None:
        try:
            while True:
                budget.check()
                time.sleep(0.005)
        except Abandoned:
            stopped.set()
            raise

    async def scenario() -> dict[str, int]:
        pool = HeavyWork(workers=1, queue=4, budget=30, processes=False)
        waiter = asyncio.ensure_future(pool.run("k", endless, GRAPH))
        await asyncio.sleep(0.05)
        waiter.cancel()
        await asyncio.sleep(0.2)
        return pool.stats()

    stats = _run(scenario())
    assert stopped.is_set()
    assert (stats["abandoned"], stats["in_flight"], stats["admitted"]) == (1, 0, 0)


class _Disconnecting:
    """The part of a request ``Work`` reads: a client that goes away after ``after`` seconds."""

    def __init__(self, after: float) -> None:
        self.after, self.calls = after, 0

    async def receive(self) -> dict[str, Any]:
        self.calls += 1
        if self.calls == 1:
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(self.after)
        return {"type": "http.disconnect"}


def test_a_client_that_disconnects_stops_the_work_it_waited_for() -> None:
    stopped = threading.Event()

    def endless(kg: Any, budget: Budget) -> None:
        while True:
            if budget.abandoned:
                stopped.set()
            budget.check()
            time.sleep(0.005)

    async def scenario() -> None:
        pool = HeavyWork(workers=1, queue=4, budget=30, processes=False)
        with pytest.raises(ClientGone):
            await Work(pool, _Disconnecting(after=0.05))("k", endless, GRAPH)  # type: ignore[arg-type]
        await asyncio.sleep(0.2)

    _run(scenario())
    assert stopped.is_set()


@pytest.fixture
def strained() -> Iterator[TestClient]:
    """The curated graph with an analysis pool of one and no queue, and no time to spare."""
    settings = Settings(data=[CURATED], analysis_workers=1, analysis_queue=0, analysis_time_budget=1e-6)
    with TestClient(create_app(settings)) as client:
        yield client


def test_analysis_out_of_time_answers_503_with_retry_after(strained: TestClient) -> None:
    answer = strained.get("/analysis/balance?as_of=2021-03")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "1"
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["title"] == "Service overloaded"
    assert "time budget" in body["detail"]


def test_mediator_candidates_are_searched_beside_the_analyses_not_behind_them(strained: TestClient) -> None:
    # The analysis pool refuses everything here; one pair's candidates go to the search pool and answer.
    assert strained.get("/analysis/centrality?as_of=2021-03").status_code == 503
    answer = strained.get("/analysis/mediator-candidates?between=Türkiye&between=Israel&as_of=2020-12-01&limit=1")
    assert answer.status_code == 200 and answer.json()["items"][0]["entity"]["id"] == "azerbaijan"


@pytest.fixture
def single() -> Iterator[TestClient]:
    """The curated graph with an analysis pool of one and no queue."""
    with TestClient(create_app(Settings(data=[CURATED], analysis_workers=1, analysis_queue=0))) as client:
        yield client


def _busy_for(kg: Any, budget: Budget, seconds: float) -> float:
    """A task for worker processes: stays busy until ``seconds`` pass or nobody waits any more."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        budget.check()
        time.sleep(0.01)
    return seconds


def test_analysis_refused_when_the_pool_is_full_answers_503(single: TestClient) -> None:
    pool: HeavyWork = single.app.state.analysis_work  # type: ignore[attr-defined]

    async def occupy() -> None:
        await pool.run("occupied", _busy_for, GRAPH, 1.5)

    occupying = threading.Thread(target=single.portal.call, args=(occupy,))  # type: ignore[attr-defined]
    occupying.start()
    try:
        deadline = time.monotonic() + 5
        while pool.stats()["admitted"] == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        answer = single.get("/analysis/centrality?as_of=2022-11")
        assert answer.status_code == 503
        assert int(answer.headers["retry-after"]) >= 1
        assert "heavy computations are running or queued" in answer.json()["detail"]
    finally:
        occupying.join()
    assert single.get("/analysis/centrality?as_of=2022-11").status_code == 200  # room again


def test_a_worker_process_stops_when_its_client_goes() -> None:
    async def scenario() -> dict[str, int]:
        pool = HeavyWork(workers=1, queue=4, budget=30)
        try:
            started = time.monotonic()
            with pytest.raises(ClientGone):
                await Work(pool, _Disconnecting(after=0.3))("k", _busy_for, GRAPH, 20.0)  # type: ignore[arg-type]
            while pool.stats()["in_flight"] and time.monotonic() - started < 10:
                await asyncio.sleep(0.02)
            assert time.monotonic() - started < 5  # not the 20 s the task would have run
            return pool.stats()
        finally:
            pool.shutdown()

    stats = _run(scenario())
    assert (stats["abandoned"], stats["in_flight"], stats["computed"]) == (1, 0, 0)


def _quick_or_slow(kg: Any, budget: Budget, seconds: float) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        budget.check()
        time.sleep(0.001)
    return b'{"slept": %g}' % seconds


@pytest.mark.parametrize(("seconds", "in_pool"), [(0.0, 0), (0.05, 1)])
def test_quick_work_is_done_inline_and_slow_work_moves_to_the_pool(seconds: float, in_pool: int) -> None:
    async def scenario() -> tuple[bytes, dict[str, int]]:
        pool = HeavyWork(workers=1, queue=4, budget=10, processes=False)
        answer = await Work(pool, _Disconnecting(after=60)).json(  # type: ignore[arg-type]
            "k", _quick_or_slow, GRAPH, seconds, inline=0.01
        )
        return bytes(answer.body), pool.stats()

    body, stats = _run(scenario())
    assert body == b'{"slept": %g}' % seconds
    assert (stats["escalated"], stats["computed"]) == (in_pool, in_pool)


def test_a_path_search_too_slow_inline_is_finished_in_the_pool_not_cut_short(curated: Any) -> None:
    from app.queries.paths import find_paths

    with pytest.raises(TooSlowHere):
        find_paths(curated, curated.resolve("Gantz"), curated.resolve("Aliyev"), k=5, budget=Budget(0, tentative=True))


def test_shutdown_stops_every_worker_process_even_one_waiting_for_the_task_queue() -> None:
    async def scenario() -> list[Any]:
        pool = HeavyWork(workers=3, queue=4, budget=30)
        pool.start(GRAPH)  # type: ignore[arg-type]
        workers = list(pool._executor._processes.values())  # type: ignore[union-attr]
        # The one holding the queue's lock dies as if the thread that forked it had ended: the others
        # would wait for that lock for ever.
        next(w for w in workers if w.is_alive()).kill()
        pool.shutdown()
        return workers

    workers = _run(scenario())
    for worker in workers:
        worker.join(timeout=10)
    assert [_running(worker.pid) for worker in workers] == [False, False, False]


def _running(pid: int) -> bool:
    """Whether the process runs. Not ``Process.is_alive()``: when another thread of the pool has reaped
    the process, its poll gets ECHILD and answers "alive" for a process that is gone."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its exit status is left
