"""A real uvicorn server on a free loopback port, Debian's Chromium, and a large generated dataset.

Under CI (`KG_REQUIRE_SERVERS=1`) a missing browser fails the tests that need it; elsewhere it skips them.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_TYPES = [
    ("arms_trade", "positive"),
    ("energy_supply", "positive"),
    ("hostility", "negative"),
    ("visit", "positive"),
    ("statement", "neutral"),
    ("threat", "negative"),
]


def require(reason: str) -> None:
    """Skip, or fail under CI, when something a test needs is missing."""
    if os.environ.get("KG_REQUIRE_SERVERS") == "1":
        pytest.fail(f"{reason} (KG_REQUIRE_SERVERS=1: make test runs the .ci/provision-* scripts)", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        require("Debian's chromium is not installed")
    return str(found)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(data: Path, *, startup_seconds: float = 120) -> Iterator[str]:
    """`uvicorn app.main:app` serving `data`; yields its base URL and stops it afterwards."""
    port = _free_port()
    env = {**os.environ, "KG_DATA": str(data)}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "app.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    base = f"http://127.0.0.1:{port}"
    # A file, not a pipe: a pipe nobody reads would block the server once full.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(process, log, base, startup_seconds)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(process: subprocess.Popen[bytes], log: Any, base: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the server stopped at start-up:\n{log.read().decode()}")
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def fetch_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def write_event_dataset(folder: Path, *, states: int, relations: int, seed: int = 13) -> Path:
    """A bulk CSV dataset shaped like coded event data: a few hub states take most of the events."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"state-{n:04d}" for n in range(states)]
    (folder / "sources.yaml").write_text(
        "- id: generated\n  title: Generated events for the explorer tests\n  kind: dataset\n"
    )
    with open(folder / "entities.csv", "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "name", "kind", "aliases", "attributes"])
        for n, entity in enumerate(ids):
            writer.writerow([entity, f"State {n:04d}", "state", f"Land {n:04d}", "{}"])
    # Zipf-like weights: state-0000 is the busiest hub, as the USA is in ICEWS.
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(states)))
    with open(folder / "relations.csv", "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "id",
                "type",
                "source",
                "target",
                "start",
                "end",
                "polarity",
                "description",
                "source_id",
                "locator",
                "attributes",
            ]
        )
        for n in range(relations):
            first, second = rng.choices(range(states), cum_weights=cumulative, k=2)
            source, target = ids[first], ids[(second if second != first else first + 1) % states]
            kind, polarity = rng.choice(_TYPES)
            day = f"{rng.randint(2005, 2015)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            writer.writerow(
                [f"event-{n}", kind, source, target, day, "", polarity, "", "generated", f"row {n + 1}", "{}"]
            )
    return folder
