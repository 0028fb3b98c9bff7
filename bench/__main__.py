"""``python -m bench``: the service's query layer against DuckDB, Kùzu and plain NetworkX, side by side.

Builds the datasets (``bench/data.py``), draws a workload per size
(``bench/measure.py``), runs every engine in a fresh process
(``python -m bench.load``), drives the HTTP server (``bench/serving.py``),
prints the tables and writes ``bench/RESULTS.md``. Needs the ``bench`` extra:
``pip install -e '.[bench]'`` (``make`` installs it from ``requirements-dev.lock``).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .data import DATA, builder_name, ensure, parse_size
from .load import run_engine
from .measure import CHECKED, KINDS, make_workload
from .peers import ENGINES, entity_ids
from .report import QUERY_MARKERS, machine, render, write_section
from .serving import http_benchmark

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"

NOTES = [
    "- Targets (from the issue): point queries (dyad, status, mediators, shortest path) p99 at least 10× below "
    "the fastest of DuckDB and Kùzu; the 2-hop neighbourhood p99 no worse than theirs; serving-ready from a "
    "500k-fact folder in under 3 s and under 400 MiB resident; `/dyads` at 50% or more of `/health`'s "
    "requests/s with p99 under 20 ms. Timed assertions are kept out of the test suite.",
    "- Service: the functions of `app/queries` called on `app.loader.load_graph([folder])`, as the routes call "
    "them (dates as ISO text through `make_filter` / `parse_period`); the 2-hop neighbourhood is "
    "`neighborhood(depth=2, limit=1000)`, paths are `find_paths(max_hops=4)`.",
    "- DuckDB: in memory, loaded from the same CSV files by SQL (`read_csv`, `json_extract`); `relations` sorted "
    "by dyad and day with an ART index on the dyad, `mediations` and a per-dyad `adjacency` table indexed too; "
    "shortest path as one meet-in-the-middle query over 2-hop balls (at most 4 hops).",
    "- Kùzu: in memory, loaded by `COPY ... FROM (LOAD FROM csv ...)`; `Actor` nodes, one `REL` per fact, one "
    "`DYAD` edge per dyad (neighbourhoods and `SHORTEST 1..4` paths), mediations as nodes with `PARTY` edges. "
    "Two Kùzu 0.11.3 bugs are worked around: with parallel CSV reading, string functions returned NULL for "
    "about 1% of rows (so `parallel=false`); two `CASE` aggregates in one `RETURN` gave a wrong second value "
    "(so the status takes two queries).",
    "- NetworkX baseline: a `MultiDiGraph` with one edge per fact and its fields as a dict, no other index; "
    "queries scan `G[u][v]`, predecessors and successors; paths are `nx.shortest_path` on the undirected view.",
    "- Workloads: fixed seed; half the dyads and actors drawn by relation frequency (hubs), half uniformly; "
    "windows of 1-3 months, dates within the data; mediators asked about mediated dyads half the time. "
    "Neighbourhoods are capped at 1000 nodes (the centre included) in every engine.",
    "- Datasets: ICEWS14 imported by the project's importer (or the bench's converter, see `BUILT_WITH`), "
    "mediations topped up to one per 200 facts; the larger sizes resample it in yearly replicas, relabelling "
    "actors within degree strata so hubs stay hubs (`bench/resample.py`).",
    "- 2-hop answers differ from the peers' for about a quarter of the centres by definition, not by error: the "
    "peers count a dyad once any relation of it has started, the service counts a state only while it holds, "
    "and ICEWS codes mapped to `cooperation` are one-day states.",
    "- Mediators differ from the peers' where an organ or office holder mediated: the service also lists the "
    "state it acted for that day (the organ rule of `app/membership.py`), the peers list the mediation's source "
    "only (20-32 of 40 equal in a service-and-DuckDB run of 2026-12-01).",
    "- HTTP: FastAPI validated each of `/dyads`' eight parameters on its own and re-inspected its annotation "
    "on every request (about 55 us of a 160 us request, driving the ASGI app in-process). `app/api/read_route.py` "
    "validates them in one call (a pydantic `TypedDict` built from the same declarations; OpenAPI and 422s "
    "unchanged) and reads plain query strings without building Starlette's multi-dict; `/health` uses it too, so "
    "the ratio compares like with like. A dyad's window is found by binary search over its relations (widened by "
    "its longest interval), not by filtering all of them. `/health` and the dyad route alternate for 5 rounds of "
    "5 s on one server: one dyad run differs from the next by up to 10% on this machine. `python -m "
    "bench.route_steps` times each step inside the server: at 90k the dyad route spends, beyond what `/health` "
    "spends, about 10 us in routing (past the meta router, two path parameters), 3 us reading parameters, 40 us "
    "in the endpoint (16 rendering relations, 5 serialising, 6 finding the window) and 6 us writing the larger "
    "body. Its sampled windows return 6.4 relations on average: 45% are empty and the 10% with 20 or more hold "
    "three quarters of them; at 500k they return about 2. Neither answers nor serialised relations are cached: "
    "the benchmark repeats 200 URLs, and a cache would measure itself.",
]


def _facts(folder: Path) -> int:
    with (folder / "relations.csv").open("rb") as handle:
        return sum(1 for _ in handle) - 1


def _agree(runs: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    if "service" not in runs:
        return {}
    truth = runs["service"]["queries"]
    found: dict[str, dict[str, str]] = {}
    for engine, run in runs.items():
        if engine != "service":
            found[engine] = {}
            for kind in KINDS:
                mine, theirs = run["queries"][kind]["answers"], truth[kind]["answers"]
                found[engine][kind] = f"{sum(x == y for x, y in zip(mine, theirs, strict=True))}/{len(theirs)}"
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", help="comma-separated dataset sizes (default 90k,500k; 90k with --quick)")
    parser.add_argument("--queries", type=int, help="timed calls per query kind (default 300; 30 with --quick)")
    parser.add_argument("--quick", action="store_true", help="few queries, short HTTP runs: a smoke test")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset of " + ",".join(ENGINES))
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP benchmark")
    parser.add_argument("--http-seconds", type=int, help="seconds per HTTP run (default 5; 2 with --quick)")
    parser.add_argument("--http-rounds", type=int, help="alternating /health and dyad runs (default 5; 1 with --quick)")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument(
        "--icews",
        type=Path,
        metavar="DIR",
        help="folder of the ICEWS14 files (default $KG_ICEWS14_DIR, else ../shared/datasets/icews14)",
    )
    args = parser.parse_args(argv)
    sizes = (args.sizes or ("90k" if args.quick else "90k,500k")).split(",")
    queries = args.queries or (30 if args.quick else 300)
    http_seconds = args.http_seconds or (2 if args.quick else 5)
    http_rounds = args.http_rounds or (1 if args.quick else 5)
    engines = args.engines.split(",")
    WORK.mkdir(exist_ok=True)
    folders = ensure(sizes, icews=args.icews)
    results: dict[str, Any] = {
        "sizes": {},
        "machine": machine(),
        "notes": NOTES,
        "commands": [
            "make bench   # = .venv/bin/python -m bench, in the .venv that make installs from requirements-dev.lock",
            ".venv/bin/python -m " + shlex.join(["bench", *(sys.argv[1:] if argv is None else argv)]),
            "# parts: python -m bench.data 90k,500k | python -m bench.load ENGINE FOLDER [--workload W.json]",
            "# where the service spends its time: python -m bench.profile [FOLDER]",
            "# where a request's time goes inside the server: python -m bench.route_steps [SIZE]",
        ],
    }
    for label in sorted(sizes, key=parse_size):
        folder = folders[label]
        print(f"== {label}: {folder}", flush=True)
        workload = make_workload(folder, queries=queries)
        workload_file = WORK / f"workload-{label}.json"
        workload_file.write_text(json.dumps(workload))
        runs = {}
        for engine in engines:
            runs[engine] = run_engine(engine, folder, workload_file)
            print(
                f"  {engine}: loaded in {runs[engine]['load_s']:.2f} s, {runs[engine]['rss_mib']:.0f} MiB", flush=True
            )
        agree = _agree(runs)
        size = results["sizes"][label] = {
            "folder": str(folder.relative_to(ROOT)),
            "facts": _facts(folder),
            "entities": len(entity_ids(folder)),
            "n": queries,
            "warmup": workload["warmup"],
            "queries": {e: r.pop("queries") for e, r in runs.items()},
            "load": runs,
            "agree": agree,
        }
        if "service" in engines and not args.no_http:
            size["http"] = http_benchmark(folder, workload["dyads"], seconds=http_seconds, rounds=http_rounds)
    results["intro"] = (
        f"Generated by `python -m bench` ({'quick run' if args.quick else 'full run'}). "
        f"ICEWS14 folder built with `{builder_name(DATA / 'icews14')}`. "
        f"Up to {CHECKED} answers per query kind are compared across engines."
    )
    text = render(results)
    (WORK / "results.json").write_text(json.dumps(results, default=str))
    write_section(text, QUERY_MARKERS, args.out)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
