"""One engine in a fresh process: load a dataset folder, report time and memory, then run a workload.

``python -m bench.load ENGINE FOLDER [--workload FILE]`` prints one JSON object:
``load_s`` (the load call, the engine's imports included), ``ready_s`` (from
process start, interpreter and imports included: from ``$BENCH_SPAWNED_AT``,
the wall-clock time the parent set just before starting this process, else from
the kernel's start time of the process, to 10 ms; psutil's ``create_time`` is
not used, it was 0.87 s off here), ``rss_mib`` (resident memory once loaded)
and ``peak_mib`` (the most resident memory so far), then, with a workload, the
latencies and first answers of each query kind. Loading is measured before any query runs,
and no other engine shares the process, so neither pollutes the other.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psutil

from .measure import run_workload
from .peers import ENGINES, open_engine

__all__ = ["main", "run_engine"]

ROOT = Path(__file__).resolve().parent.parent


def _age() -> float:
    """Seconds since this process started."""
    if spawned := os.environ.get("BENCH_SPAWNED_AT"):
        return time.time() - float(spawned)
    fields = Path("/proc/self/stat").read_text().rpartition(")")[2].split()
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK")


def run_engine(engine: str, folder: Path, workload: Path, *, root: Path = ROOT) -> dict[str, Any]:
    """This module's report for ``engine``, run in a fresh process from the checkout at ``root``."""
    command = [sys.executable, "-m", "bench.load", engine, str(folder), "--workload", str(workload)]
    environment = {**os.environ, "BENCH_SPAWNED_AT": repr(time.time())}
    done = subprocess.run(command, capture_output=True, text=True, cwd=root, env=environment)
    if done.returncode:
        raise RuntimeError(f"{shlex.join(command)} (in {root}) failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("engine", choices=ENGINES)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--workload", type=Path, help="JSON workload from bench.measure.make_workload")
    args = parser.parse_args(argv)
    process = psutil.Process()
    started = time.perf_counter()
    engine = open_engine(args.engine, args.folder)
    load_s = time.perf_counter() - started
    ready_s = _age()
    report = {
        "engine": args.engine,
        "folder": str(args.folder),
        "load_s": load_s,
        "ready_s": ready_s,
        "rss_mib": process.memory_info().rss / 2**20,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10,
    }
    if args.workload:
        report["queries"] = run_workload(engine, json.loads(args.workload.read_text()))
    json.dump(report, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
