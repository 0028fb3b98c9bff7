"""Writes while reading: ``python -m bench.writes [--folder DIR] [--seconds S] [--rounds R]``.

One server (``python -m app serve``, SQLite journal in a fresh state folder) on
the 500k-fact folder. In alternating rounds, the dyad route is driven by ``wrk``
(32 connections) alone, then again while a writer adds 10 relations a second
through ``POST /relations``. For each write: the time to its acknowledgement,
and to the moment a second connection reads it back (``GET /relations/{id}``
answers 200). Reported: write-ack and ack+visible p50/p99, and read throughput
under writes as a share of read-only throughput in the same run; and first, the
same writes with no read load (what a write costs when it does not queue behind
32 connections' reads for its turn on the event loop).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from .serving import ROOT, WORK, _free_port, _wait_ready, _wrk

__all__ = ["main"]

WRITES_PER_SECOND = 10


def _pairs(folder: Path, count: int, rng: random.Random) -> list[tuple[str, str]]:
    with (folder / "relations.csv").open(encoding="utf-8", newline="") as handle:
        rows = [(row[2], row[3]) for row, _ in zip(csv.reader(handle), range(200_000), strict=False)][1:]
    return rng.sample(rows, count)


class Writer(threading.Thread):
    def __init__(self, port: int, key: str, pairs: list[tuple[str, str]], prefix: str, source: str) -> None:
        super().__init__(daemon=True)
        self.port, self.key, self.pairs, self.prefix, self.source = port, key, pairs, prefix, source
        self.ack_ms: list[float] = []
        self.visible_ms: list[float] = []
        self.failures: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        writer = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        reader = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}
        n, started = 0, time.perf_counter()
        while not self.stop.is_set():
            n += 1
            source, target = self.pairs[n % len(self.pairs)]
            body = json.dumps(
                {
                    "id": f"{self.prefix}-{n}",
                    "type": "visit",
                    "source": source,
                    "target": target,
                    "start": "2014-06",
                    "evidence": [{"source_id": self.source, "locator": "bench"}],
                    "reason": "benchmark",
                }
            )
            sent = time.perf_counter()
            writer.request("POST", "/relations", body=body, headers=headers)
            answer = writer.getresponse()
            answer.read()
            acked = time.perf_counter()
            if answer.status != 201:
                self.failures.append(f"{answer.status}")
                continue
            while True:
                reader.request("GET", f"/relations/{self.prefix}-{n}")
                seen = reader.getresponse()
                seen.read()
                if seen.status == 200:
                    break
            self.ack_ms.append((acked - sent) * 1e3)
            self.visible_ms.append((time.perf_counter() - sent) * 1e3)
            pause = started + n / WRITES_PER_SECOND - time.perf_counter()
            if pause > 0:
                self.stop.wait(pause)


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def in_process(folder: Path, pairs: list[tuple[str, str]], source: str, count: int = 300) -> dict[str, float]:
    """The write path without HTTP: ``Curator.write`` (rulebook, journal commit with fsync, new snapshot)
    and a read of the new relation from the published snapshot, timed one by one on a SQLite journal."""
    from app.curation.changes import draft_create, draft_update
    from app.curation.curator import HEADROOM, Curator
    from app.curation.db import open_database
    from app.loader import load_graph

    engine = open_database(f"sqlite:///{tempfile.mkdtemp(prefix='kg-bench-inproc-')}/journal.sqlite3")
    curator = Curator(engine, load_graph([folder], headroom=HEADROOM), lambda _snapshot: None)
    timings = []
    for n in range(count):
        a, b = pairs[n % len(pairs)]
        relation: dict[str, Any] = {
            "id": f"inproc-{n}",
            "type": "visit",
            "source": a,
            "target": b,
            "start": "2014-06",
            "evidence": [{"source_id": source, "locator": "bench"}],
        }
        started = time.perf_counter()
        curator.write([partial(draft_create, kind="relation", raw=relation)], actor="bench", reason="benchmark")
        kg = curator.latest
        position = kg.relation_position(relation["id"])
        assert position is not None and len(kg.dyad_relations(kg.resolve(a), kg.resolve(b))) > 0
        timings.append((time.perf_counter() - started) * 1e3)
    # Entity writes, half new entities and half corrections of one: each changes the name index.
    entity_timings = []
    for n in range(count // 3):
        entity = {"id": f"inproc-entity-{n // 2}", "name": f"Bench Entity {n // 2}", "kind": "organization"}
        started = time.perf_counter()
        if n % 2 == 0:
            curator.write([partial(draft_create, kind="entity", raw=entity)], actor="bench", reason="benchmark")
        else:
            curator.write(
                [partial(draft_update, kind="entity", object_id=entity["id"], patch={"aliases": [f"Bench Alias {n}"]})],
                actor="bench",
                reason="benchmark",
            )
        assert curator.latest.resolve(entity["name"]) == curator.latest.resolve(entity["id"])
        entity_timings.append((time.perf_counter() - started) * 1e3)
    engine.dispose()
    return {
        "writes": count,
        "p50_ms": _percentile(timings, 0.5),
        "p99_ms": _percentile(timings, 0.99),
        "max_ms": max(timings),
        "entity_writes": len(entity_timings),
        "entity_p50_ms": _percentile(entity_timings, 0.5),
        "entity_p99_ms": _percentile(entity_timings, 0.99),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.writes", description=__doc__)
    parser.add_argument("--folder", type=Path, help="dataset folder (default: the 500k synthetic folder)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="also time the write path without HTTP (loads the graph in this process too)",
    )
    args = parser.parse_args(argv)
    if args.folder is None:
        from .data import ensure

        args.folder = ensure(["500k"])["500k"]
    rng = random.Random(7)
    source = yaml.safe_load((args.folder / "sources.yaml").read_text(encoding="utf-8"))[0]["id"]
    pairs = _pairs(args.folder, 2000, rng)
    paths = [f"/dyads/{a}/{b}?from=2014-01&to=2014-12" for a, b in pairs[:500]]
    results_in_process = in_process(args.folder, pairs, source) if args.in_process else None
    if results_in_process:
        print(f"in process (write + visible in the new snapshot): {results_in_process}", flush=True)
    state = Path(tempfile.mkdtemp(prefix="kg-bench-writes-"))
    env = {**os.environ, "KG_STATE_DIR": str(state)}
    env.pop("KG_DATABASE_URL", None)
    key = subprocess.run(
        [sys.executable, "-m", "app", "keys", "create", "--name", "bench", "--role", "editor"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[-1]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    WORK.mkdir(exist_ok=True)
    results: dict[str, Any] = {
        "folder": str(args.folder),
        "seconds": args.seconds,
        "rounds": [],
        "in_process": results_in_process,
    }
    with (WORK / "server-writes.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--data", str(args.folder), "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env=env,
        )
        try:
            results["ready_s"] = _wait_ready(base + "/health", server)
            _wrk(base, paths, connections=32, seconds=2)  # warm-up
            # Writes alone first: what a write costs when it does not queue behind 32 busy readers.
            quiet = Writer(port, key, pairs, "bench-quiet", source)
            quiet.start()
            time.sleep(args.seconds)
            quiet.stop.set()
            quiet.join()
            results["writes_alone"] = {
                "writes": len(quiet.ack_ms),
                "failures": quiet.failures,
                "ack_p50_ms": _percentile(quiet.ack_ms, 0.5),
                "ack_p99_ms": _percentile(quiet.ack_ms, 0.99),
                "visible_p99_ms": _percentile(quiet.visible_ms, 0.99),
            }
            print(f"writes alone: {results['writes_alone']}", flush=True)
            for round_ in range(args.rounds):
                alone = _wrk(base, paths, connections=32, seconds=args.seconds)
                writer = Writer(port, key, pairs, f"bench-{round_}", source)
                writer.start()
                mixed = _wrk(base, paths, connections=32, seconds=args.seconds)
                writer.stop.set()
                writer.join()
                summary = {
                    "read_only_rps": alone["rps"],
                    "with_writes_rps": mixed["rps"],
                    "share": mixed["rps"] / alone["rps"],
                    "read_p99_ms": mixed["p99_ms"],
                    "writes": len(writer.ack_ms),
                    "write_failures": writer.failures,
                    "ack_p50_ms": _percentile(writer.ack_ms, 0.5),
                    "ack_p99_ms": _percentile(writer.ack_ms, 0.99),
                    "visible_p99_ms": _percentile(writer.visible_ms, 0.99),
                }
                results["rounds"].append(summary)
                print(
                    f"round {round_ + 1}: reads {alone['rps']:.0f}/s alone, {mixed['rps']:.0f}/s with "
                    f"{len(writer.ack_ms)} writes ({summary['share']:.0%}); write ack p50 "
                    f"{summary['ack_p50_ms']:.1f} ms, p99 {summary['ack_p99_ms']:.1f} ms; ack+visible p99 "
                    f"{summary['visible_p99_ms']:.1f} ms",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=60)
    rounds = results["rounds"]
    results["median_share"] = statistics.median(r["share"] for r in rounds)
    results["worst_ack_p99_ms"] = max(r["ack_p99_ms"] for r in rounds)
    results["worst_visible_p99_ms"] = max(r["visible_p99_ms"] for r in rounds)
    results["load_average"] = os.getloadavg()
    print(json.dumps({k: v for k, v in results.items() if k != "rounds"}, indent=1))
    (WORK / "writes.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
