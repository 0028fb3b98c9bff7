"""Where the service's time goes: ``python -m bench.profile [FOLDER]`` (default: the 500k folder).

Run ``python -m bench`` first (it writes the workloads). Prints, for the
service only and without changing ``app/``:

- ``load_graph``: the ``app/`` functions by cumulative time, and the largest
  allocations still held afterwards (tracemalloc);
- the cost of a full garbage collection once loaded (what a request pays when
  one falls on it), before and after ``gc.freeze()``;
- each query kind: p50/p99 on the benchmark's workload and the functions it
  spends its time in (cProfile); a plain BFS on ``kg.dyads`` to compare paths
  with; the slowest status queries with the size of their dyads.
"""

from __future__ import annotations

import cProfile
import gc
import json
import pstats
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from app.loader import load_graph
from app.queries.filters import RelationFilter, apply
from app.temporal import parse_period

from .measure import KINDS
from .peers import Day
from .service import ServiceEngine

HERE = Path(__file__).resolve().parent


def _percentiles(call: Callable[..., Any], calls: list[list[Any]], warmup: int) -> str:
    for args in calls[:warmup]:
        call(*args)
    times = []
    for args in calls[warmup:]:
        started = time.perf_counter_ns()
        call(*args)
        times.append((time.perf_counter_ns() - started) / 1e6)
    return f"p50 {np.percentile(times, 50):.3f} ms, p99 {np.percentile(times, 99):.3f} ms"


def profile_load(folder: Path) -> None:
    print(f"== load_graph({folder})")
    profiler = cProfile.Profile()
    profiler.enable()
    load_graph([folder])
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"/app/", 16)
    gc.collect()
    tracemalloc.start(5)
    kg = load_graph([folder])
    gc.collect()
    snapshot = tracemalloc.take_snapshot()
    now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"tracemalloc: {now / 2**20:.0f} MiB held after load, {peak / 2**20:.0f} MiB at the peak of loading")
    for stat in snapshot.statistics("lineno")[:10]:
        print(f"  {stat.size / 2**20:7.1f} MiB {stat.count:8d} blocks  {stat.traceback[0]}")
    del kg


def profile_gc(kg: Any) -> None:
    import app.main  # noqa: F401  (the server holds FastAPI and pydantic too)

    def full() -> float:
        started = time.perf_counter()
        gc.collect()
        return (time.perf_counter() - started) * 1e3

    print(
        f"== a full collection with the graph loaded: {np.median([full() for _ in range(3)]):.1f} ms "
        f"over {len(gc.get_objects()):,} tracked objects"
    )
    gc.freeze()
    print(f"   after gc.freeze(): {np.median([full() for _ in range(3)]):.1f} ms")
    gc.unfreeze()


def profile_queries(engine: ServiceEngine, workload: dict[str, Any]) -> None:
    """Percentiles and the top functions of each query kind, then the slowest status calls."""
    kg, warmup = engine.kg, workload["warmup"]

    def calls(kind: str) -> list[list[Any]]:
        return [[Day(*x) if isinstance(x, list) else x for x in raw] for raw in workload[kind]]

    for kind in KINDS:
        call, args = getattr(engine, kind), calls(kind)
        print(f"== {kind}: {_percentiles(call, args, warmup)}")
        profiler = cProfile.Profile()
        profiler.enable()
        for one in args[warmup:]:
            call(*one)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(6)
    if hasattr(kg, "dyads"):

        def plain(a: int, b: int) -> list[int] | None:
            try:
                return nx.shortest_path(kg.dyads, a, b)  # type: ignore[no-any-return]
            except nx.NetworkXNoPath:
                return None

        print("== for comparison, nx.shortest_path on kg.dyads:", _percentiles(plain, calls("shortest_path"), warmup))
    print("== status on a date: the slowest calls")
    timed = []
    for a, b, day in calls("status")[warmup:]:
        started = time.perf_counter_ns()
        engine.status(a, b, day)
        took = (time.perf_counter_ns() - started) / 1e3
        kept = apply(kg, kg.dyad_relations(a, b), RelationFilter(as_of=parse_period(day.text)))
        timed.append((took, len(kg.dyad_relations(a, b)), len(kept)))
    for took, size, count in sorted(timed)[-5:]:
        print(f"   {took:7.1f} µs: {size:5d} relations in the dyad, {count:5d} in force")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    folder = (Path(args[0]) if args else HERE / "data" / "synthetic-500k").resolve()
    label = next(
        (
            p.stem.removeprefix("workload-")
            for p in (HERE / ".work").glob("workload-*.json")
            if Path(json.loads(p.read_text())["folder"]).resolve() == folder
        ),
        None,
    )
    if label is None:
        print(f"no workload for {folder}: run `python -m bench` first", file=sys.stderr)
        return 2
    workload = json.loads((HERE / ".work" / f"workload-{label}.json").read_text())
    profile_load(folder)
    engine = ServiceEngine(folder)
    profile_gc(engine.kg)
    profile_queries(engine, workload)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
