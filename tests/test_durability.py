"""Durability and concurrency, against the service run as a real process (``python -m app serve``).

- crash: SIGKILL in the middle of a stream of writes, restart: every acknowledged change is there, no
  batch half-applied, the journal numbered without gap or repeat; 20 times on each database;
- many writers at once: nothing lost, nothing duplicated, no 5xx;
- two servers (or workers) sharing the database: a write through one is read through the other
  within a second.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.config import Settings
from app.curation.db import open_database
from app.curation.keys import create_key

from .conftest import MINI
from .servers import call, start_service, stop_service

BASE_RELATIONS = 7
CRASH_ROUNDS = 20


def _relation(relation_id: str, source: str = "beta", target: str = "gamma") -> dict[str, Any]:
    return {
        "id": relation_id,
        "type": "visit",
        "source": source,
        "target": target,
        "start": "2016",
        "evidence": [{"source_id": "notes", "locator": "1"}],
    }


@pytest.fixture
def key(database_url: str) -> str:
    engine = open_database(database_url)
    try:
        return create_key(engine, name="writer", role="editor")
    finally:
        engine.dispose()


class Services:
    """Service processes on one journal database; all killed at the end of the test."""

    def __init__(self, database_url: str, state_dir: Path) -> None:
        self.database_url, self.state_dir = database_url, state_dir
        self.processes: list[Any] = []

    def __call__(self, **options: Any) -> str:
        process, url = start_service(data=MINI, database_url=self.database_url, state_dir=self.state_dir, **options)
        self.processes.append(process)
        return url

    def kill_last(self) -> None:
        stop_service(self.processes[-1], kill=True)


@pytest.fixture
def service(database_url: str, tmp_path: Path) -> Iterator[Services]:
    services = Services(database_url, tmp_path)
    yield services
    for process in services.processes:
        stop_service(process, kill=True)


class Writer(threading.Thread):
    """Writes until stopped, remembering what was acknowledged and what was attempted."""

    def __init__(self, url: str, key: str, name: str) -> None:
        super().__init__(daemon=True)
        self.url, self.key, self.prefix = url, key, name
        self.acked: dict[str, str] = {}  # relation id -> kind of write (single or batch)
        self.attempted_batches: list[tuple[str, str]] = []  # (entity id, relation id)
        self.server_errors: list[Any] = []
        self.stop = threading.Event()

    def run(self) -> None:
        count = 0
        while not self.stop.is_set():
            count += 1
            relation_id = f"{self.prefix}-{count}"
            try:
                if count % 3:
                    status, body = call(
                        "POST", f"{self.url}/relations", {**_relation(relation_id), "reason": "r"}, key=self.key
                    )
                else:
                    entity_id = f"{relation_id}-party"
                    self.attempted_batches.append((entity_id, relation_id))
                    status, body = call(
                        "POST",
                        f"{self.url}/journal",
                        {
                            "reason": "r",
                            "changes": [
                                {"op": "create", "entity": {"id": entity_id, "name": entity_id, "kind": "state"}},
                                {"op": "create", "relation": _relation(relation_id, source=entity_id)},
                            ],
                        },
                        key=self.key,
                    )
            except (OSError, http.client.HTTPException):  # killed mid-request or mid-answer: not acknowledged
                return
            if status >= 500:
                self.server_errors.append(body)
            elif status == 201:
                self.acked[relation_id] = "single" if count % 3 else "batch"


def _journal_seqs(url: str) -> list[int]:
    seqs: list[int] = []
    while True:
        status, body = call("GET", f"{url}/journal?limit=1000&offset={len(seqs)}")
        assert status == 200
        seqs += [entry["seq"] for entry in body["items"]]
        if len(seqs) >= body["total"] or not body["items"]:
            return seqs


def _relation_ids(url: str) -> set[str]:
    found: set[str] = set()
    while True:  # every page: the rounds write well over a page's 1,000
        status, body = call("GET", f"{url}/relations?limit=1000&offset={len(found)}")
        assert status == 200
        found |= {relation["id"] for relation in body["items"]}
        if len(found) >= body["total"] or not body["items"]:
            return found


def test_sigkill_mid_stream_loses_no_acknowledged_change(service: Services, key: str) -> None:
    rng = random.Random(12)
    url = service()
    acked: dict[str, str] = {}
    batches: list[tuple[str, str]] = []
    for round_ in range(CRASH_ROUNDS):
        writers = [Writer(url, key, f"round{round_}-w{n}") for n in range(2)]
        for writer in writers:
            writer.start()
        time.sleep(rng.uniform(0.15, 0.6))
        service.kill_last()
        for writer in writers:
            writer.stop.set()
            writer.join(timeout=30)
            assert not writer.server_errors
            acked.update(writer.acked)
            batches += writer.attempted_batches
        url = service()
        present = _relation_ids(url)
        assert set(acked) <= present, f"round {round_}: acknowledged but lost: {set(acked) - present}"
        seqs = _journal_seqs(url)
        assert seqs == list(range(1, len(seqs) + 1))
        for entity_id, relation_id in batches:  # all or nothing
            entity_there = call("GET", f"{url}/entities/{entity_id}")[0] == 200
            assert entity_there == (relation_id in present), (entity_id, relation_id)
        assert len(present) == BASE_RELATIONS + len([r for r in present if r.startswith("round")])
    assert len(acked) > CRASH_ROUNDS  # the rounds did write


def test_many_writers_at_once_lose_and_duplicate_nothing(service: Services, key: str) -> None:
    url = service()
    done: list[tuple[int, Any]] = []
    lock = threading.Lock()

    def write(n: int) -> None:
        for i in range(10):
            answer = call("POST", f"{url}/relations", {**_relation(f"w{n}-{i}"), "reason": "r"}, key=key)
            same = call("POST", f"{url}/relations", {**_relation("contested"), "reason": "r"}, key=key)
            with lock:
                done.extend([answer, same])

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = [status for status, _ in done]
    assert statuses.count(201) == 80 + 1 and statuses.count(409) == 79 and len(statuses) == 160
    present = _relation_ids(url)
    assert {f"w{n}-{i}" for n in range(8) for i in range(10)} | {"contested"} <= present
    assert len(present) == BASE_RELATIONS + 81
    assert _journal_seqs(url) == list(range(1, 82))


def _visible_within(url: str, path: str, seconds: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if call("GET", f"{url}{path}")[0] == 200:
            return time.monotonic() - start
        time.sleep(0.02)
    raise AssertionError(f"{path} not visible through {url} within {seconds} s")


def test_two_servers_share_the_journal(service: Services, key: str) -> None:
    first, second = service(), service()
    status, _ = call("POST", f"{first}/relations", {**_relation("via-first"), "reason": "r"}, key=key)
    assert status == 201
    assert _visible_within(second, "/relations/via-first", 1.0) < 1.0
    status, _ = call("PATCH", f"{second}/relations/via-first", {"start": "2017", "reason": "r"}, key=key)
    assert status == 200
    deadline = time.monotonic() + 1
    while call("GET", f"{first}/relations/via-first")[1]["start"] != "2017":
        assert time.monotonic() < deadline, "the correction did not reach the first server within 1 s"
        time.sleep(0.02)
    # writers on both at once: every write lands once, numbered in one sequence
    errors: list[Any] = []

    def write(url: str, prefix: str) -> None:
        for i in range(15):
            status, body = call("POST", f"{url}/relations", {**_relation(f"{prefix}-{i}"), "reason": "r"}, key=key)
            if status != 201:
                errors.append(body)

    threads = [threading.Thread(target=write, args=(url, f"s{n}")) for n, url in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _journal_seqs(first) == list(range(1, 33))
    time.sleep(0.5)
    assert _relation_ids(first) == _relation_ids(second)
    assert len(_relation_ids(second)) == BASE_RELATIONS + 31


def test_serve_with_several_workers(service: Services, key: str) -> None:
    url = service(workers=2)
    for i in range(6):  # the connections land on either worker
        assert call("POST", f"{url}/relations", {**_relation(f"k{i}"), "reason": "r"}, key=key)[0] == 201
    time.sleep(0.5)
    for _ in range(6):
        assert {f"k{i}" for i in range(6)} <= _relation_ids(url)


def test_settings_name_the_default_journal(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path)
    assert settings.journal_url == f"sqlite:///{tmp_path / 'journal.sqlite3'}"
