"""Heavy work: computed once per key, bounded, within its budget, and dropped when nobody waits."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.work import ClientGone, Work
from app.budget import Abandoned, Budget, OutOfTime
from app.config import Settings
from app.heavy import Busy, HeavyWork
from app.main import create_app

from .conftest import CURATED


def _run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_identical_concurrent_requests_are_computed_once() -> None:
    calls: list[str] = []
    release = threading.Event()

    def compute(budget: Budget) -> str:
        calls.append("x")
        release.wait(5)
        return "answer"

    async def scenario() -> list[str]:
        pool = HeavyWork(workers=1, queue=4, budget=10)
        waiting = [asyncio.ensure_future(pool.run("same", compute)) for _ in range(10)]
        await asyncio.sleep(0.05)
        release.set()
        answers = await asyncio.gather(*waiting)
        assert pool.stats()["joined"] == 9
        return answers

    assert _run(scenario()) == ["answer"] * 10
    assert calls == ["x"]


def test_different_keys_are_computed_apart_and_the_queue_is_bounded() -> None:
    release = threading.Event()

    def slow(budget: Budget) -> int:
        release.wait(5)
        return 1

    async def scenario() -> tuple[list[Any], dict[str, int]]:
        pool = HeavyWork(workers=1, queue=2, budget=10)
        admitted = [asyncio.ensure_future(pool.run(n, slow)) for n in range(3)]
        await asyncio.sleep(0.01)
        with pytest.raises(Busy) as refused:
            await pool.run(99, slow)
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
        def compute(budget: Budget) -> int:
            started.append(n)
            release.wait(5)
            return n
        return compute

    async def scenario() -> None:
        pool = HeavyWork(workers=1, queue=4, budget=0.2)
        first = asyncio.ensure_future(pool.run("first", work(1)))
        second = asyncio.ensure_future(pool.run("second", work(2)))
        await asyncio.sleep(0.4)
        release.set()
        assert await first == 1  # it started in time; what it does then is its own business
        with pytest.raises(OutOfTime):
            await second

    _run(scenario())
    assert started == [1]


def test_work_nobody_waits_for_is_abandoned_at_its_next_check() -> None:
    stopped = threading.Event()

    def endless(budget: Budget) -> None:
        try:
            while True:
                budget.check()
                time.sleep(0.005)
        except Abandoned:
            stopped.set()
            raise

    async def scenario() -> dict[str, int]:
        pool = HeavyWork(workers=1, queue=4, budget=30)
        waiter = asyncio.ensure_future(pool.run("k", endless))
        await asyncio.sleep(0.05)
        waiter.cancel()
        await asyncio.sleep(0.2)
        return pool.stats()

    stats = _run(scenario())
    assert stopped.is_set()
    assert (stats["abandoned"], stats["running"], stats["admitted"]) == (1, 0, 0)


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

    def endless(budget: Budget) -> None:
        while True:
            if budget.abandoned:
                stopped.set()
            budget.check()
            time.sleep(0.005)

    async def scenario() -> None:
        pool = HeavyWork(workers=1, queue=4, budget=30)
        with pytest.raises(ClientGone):
            await Work(pool, _Disconnecting(after=0.05))("k", endless)  # type: ignore[arg-type]
        await asyncio.sleep(0.2)

    _run(scenario())
    assert stopped.is_set()


@pytest.fixture
def strained() -> Iterator[TestClient]:
    """The curated graph with an analysis pool of one and no queue, and no time to spare."""
    settings = Settings(data=[CURATED], analysis_queue=0, analysis_time_budget=1e-6)
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


@pytest.fixture
def single() -> Iterator[TestClient]:
    """The curated graph with an analysis pool of one and no queue."""
    with TestClient(create_app(Settings(data=[CURATED], analysis_queue=0))) as client:
        yield client


def test_analysis_refused_when_the_pool_is_full_answers_503(single: TestClient) -> None:
    release = threading.Event()
    pool: HeavyWork = single.app.state.analysis_work  # type: ignore[attr-defined]

    async def occupy() -> None:
        await pool.run("occupied", lambda budget: release.wait(5))

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
        release.set()
        occupying.join()
