"""``python -m bench.concurrency``: every route under load, then a storm of analysis requests.

One server (``python -m app serve``, one worker) on the curated graph plus an ICEWS 2018-size folder
(``bench.data.ensure_icews18_like``, or ``--data FOLDER``). Phases, on the same server:

1. ``/health`` alone, 64 keep-alive connections (wrk), the reference rate;
2. the mix (``bench/mix.py``: every route, weighted), 64 connections, 60 s, with per-route
   latency and status counts (``bench/mix.lua``: one connection per wrk thread);
3. the storm: 40 concurrent analysis requests on distinct dates, while three probes (``/health``,
   a dyad status, a path) loop; each analysis must be answered within its budget: a result, a
   partial result that says so, or a 503 with ``Retry-After``.

Then phases 1 and 2 again on a second server that keeps no answers (``KG_RESPONSE_CACHE_BYTES=0``):
the mix repeats the URLs it draws (400 a route), and the store answers most of them; this says what
the service does when every request is computed (``--no-store-phase`` leaves it out).

Memory (the server's resident set) is sampled every half second throughout. The load generator is
not the bottleneck when the ``/health`` rate is several times the mix's: the same wrk, script and
connections answer that much faster when the server does less. Writes the section of
``bench/RESULTS.md`` between its markers and prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from app.loader import load_graph

from .data import ensure_icews18_like
from .mix import WEIGHTS, make_mix, storm_paths
from .report import publish
from .serving import ROOT, WORK, _free_port, _wait_ready

HERE = Path(__file__).resolve().parent
RESULTS_DIR = WORK / "mix-results"
START, END = "<!-- load benchmark: start -->", "<!-- load benchmark: end -->"
CONNECTIONS = 64
TARGET_SHARE, TARGET_P99_MS, PROBE_P99_MS = 0.25, 500.0, 200.0


class MemorySampler(threading.Thread):
    """The memory of the server and its worker processes every ``interval`` seconds, tagged with the
    phase running: their proportional set size (PSS: pages shared between the server and the workers
    it forked are counted once, split between them), in MiB."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.process, self.interval = psutil.Process(pid), interval
        self.phase, self.samples = "idle", []  # type: ignore[var-annotated]
        self.started = time.perf_counter()
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                tree = [self.process, *self.process.children(recursive=True)]
                total = sum(process.memory_full_info().pss for process in tree) / 2**20
            except psutil.Error:
                return
            self.samples.append((time.perf_counter() - self.started, self.phase, total))

    def stop(self) -> None:
        self._stop.set()

    def peak(self, phase: str) -> float:
        return max((rss for _, p, rss in self.samples if p == phase), default=float("nan"))


def _lua(mix: dict[str, list[str]]) -> Path:
    routes = ",\n".join(
        f"  {{name = {json.dumps(name)}, weight = {WEIGHTS[name]}, paths = {{{', '.join(map(json.dumps, paths))}}}}}"
        for name, paths in mix.items()
    )
    script = WORK / "mix.lua"
    script.write_text(
        f"results = {json.dumps(str(RESULTS_DIR))}\nroutes = {{\n{routes}\n}}\n" + (HERE / "mix.lua").read_text()
    )
    return script


def run_wrk(base: str, script: Path | None, path: str, seconds: int) -> dict[str, Any]:
    """wrk with one connection per thread; per-route latencies and statuses when the mix script runs."""
    command = ["wrk", f"-t{CONNECTIONS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    command += ["-s", str(script)] if script else []
    shutil.rmtree(RESULTS_DIR, ignore_errors=True)
    RESULTS_DIR.mkdir(parents=True)
    out = subprocess.run([*command, base + path], capture_output=True, text=True, check=True).stdout
    result: dict[str, Any] = {
        "requests": int(out.split(" requests in ")[0].split()[-1]),
        "rps": float(out.split("Requests/sec:")[1].split()[0]),
        "routes": {},
        "socket_errors": 0,
    }
    for line in out.splitlines():
        if line.startswith("KG-SUMMARY"):
            connect, read, write, _status, timeout = (int(x) for x in line.split()[2:])
            result["socket_errors"] = connect + read + write + timeout  # _status: non-2xx, counted per route
    names = list(WEIGHTS)
    for part in RESULTS_DIR.glob("thread-*.tsv"):
        for line in part.read_text().splitlines():
            index, status, spent = line.split("\t")
            route = result["routes"].setdefault(names[int(index) - 1], {"lat": [], "status": {}})
            route["lat"].append(float(spent))
            route["status"][int(status)] = route["status"].get(int(status), 0) + 1
    return result


def _get(url: str, timeout: float = 120) -> tuple[int, float, dict[str, str], bytes]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            body, status, headers = answer.read(), answer.status, {k.title(): v for k, v in answer.headers.items()}
    except urllib.error.HTTPError as error:  # header names as in "Retry-After", whatever case the server sent
        body, status, headers = error.read(), error.code, {k.title(): v for k, v in error.headers.items()}
    except OSError:  # timed out or refused: no answer at all
        body, status, headers = b"{}", 0, {}
    return status, (time.perf_counter() - started) * 1e3, headers, body


def storm(base: str, paths: list[str], probes: dict[str, str]) -> dict[str, Any]:
    """The analysis requests all at once, the probes looping until every one is answered."""
    answers: list[dict[str, Any]] = []
    probe_latencies: dict[str, list[float]] = {name: [] for name in probes}
    probe_failures: dict[str, int] = dict.fromkeys(probes, 0)
    finished = threading.Event()

    def analysis(path: str) -> None:
        status, spent, headers, body = _get(base + path)
        complete = json.loads(body).get("complete") if status == 200 else None
        answers.append(
            {
                "path": path,
                "status": status,
                "ms": spent,
                "retry_after": headers.get("Retry-After"),
                "complete": complete,
            }
        )

    def probe(name: str, path: str) -> None:
        while not finished.is_set():
            status, spent, _, _ = _get(base + path, timeout=30)
            probe_latencies[name].append(spent)
            probe_failures[name] += status != 200
            time.sleep(0.02)

    started = time.perf_counter()
    with ThreadPoolExecutor(len(paths) + len(probes)) as pool:
        probing = [pool.submit(probe, name, path) for name, path in probes.items()]
        time.sleep(0.5)
        list(pool.map(analysis, paths))
        finished.set()
        for future in probing:
            future.result()
    return {
        "answers": answers,
        "probes": probe_latencies,
        "probe_failures": probe_failures,
        "seconds": time.perf_counter() - started,
    }


def mix_without_store(command: list[str], cwd: Path, port: int, script: Path, seconds: int) -> dict[str, Any]:
    """Phases 1 and 2 on a server that keeps no answers: each request computed."""
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "KG_RESPONSE_CACHE_BYTES": "0"}
    with (WORK / "concurrency-server-no-store.log").open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=cwd, env=env)
        try:
            _wait_ready(base + "/health", server)
            health = run_wrk(base, None, "/health", min(seconds, 20))
            print(f"  without the store: /health {health['rps']:.0f}/s; the mix ...", flush=True)
            mix = run_wrk(base, script, "/", seconds)
        finally:
            _stop(server)
    return {
        "health_rps": health["rps"],
        "mix_rps": mix["rps"],
        "server_errors": sum(n for r in mix["routes"].values() for s, n in r["status"].items() if s >= 500),
        "p99": {name: _percentile(route["lat"], 99) for name, route in mix["routes"].items()},
    }


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:  # still computing what nobody waits for (the server before the issue)
        server.kill()
        server.wait()


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


def _describe(root: Path) -> str:
    commit = subprocess.run(
        ["git", "-C", str(root), "log", "-1", "--format=%h %s"], capture_output=True, text=True
    ).stdout.strip()
    return commit[:90] or str(root)


def summarise(report: dict[str, Any]) -> dict[str, Any]:
    """The figures the targets are about, from a run's raw results (kept as JSON to compare runs)."""
    health, mix, burst = report["health"], report["mix"], report["storm"]
    routes = {
        name: {
            "n": len(route["lat"]),
            "p50": _percentile(route["lat"], 50),
            "p99": _percentile(route["lat"], 99),
            "status": route["status"],
        }
        for name, route in mix["routes"].items()
    }
    outcomes: dict[str, int] = {}
    for answer in burst["answers"]:
        outcome = (
            ("result" if answer["complete"] is not False else "partial result")
            if answer["status"] == 200
            else "503 with Retry-After"
            if answer["status"] == 503 and answer["retry_after"]
            else f"other: {answer['status'] or 'no answer'}"
        )
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return {
        "server": report["server"],
        "health_rps": health["rps"],
        "mix_rps": mix["rps"],
        "share": mix["rps"] / health["rps"],
        "socket_errors": mix["socket_errors"] + health["socket_errors"],
        "server_errors": sum(n for r in routes.values() for s, n in r["status"].items() if s >= 500),
        "unexpected": sum(
            n for name, r in routes.items() for s, n in r["status"].items() if s != _expected(name) and s < 500
        ),
        "routes": routes,
        "outcomes": outcomes,
        "slowest_s": max((a["ms"] for a in burst["answers"]), default=float("nan")) / 1e3,
        "storm_s": burst["seconds"],
        "probes": {
            name: {
                "n": len(values),
                "p50": _percentile(values, 50),
                "p99": _percentile(values, 99),
                "failures": burst["probe_failures"][name],
            }
            for name, values in burst["probes"].items()
        },
        "idle_mib": report["idle_mib"],
        **report["memory"],
    }


def render(report: dict[str, Any], figures: dict[str, Any], before: dict[str, Any] | None = None) -> str:
    share = figures["share"]
    lines = [
        START,
        "## Under load: every route, 64 clients, then a storm of analysis requests",
        "",
        f"`python -m bench.concurrency` (`make bench-load`) on {report['when']}, server at commit "
        f"{report['server']}: one uvicorn worker (`python -m app serve`) on "
        f"{report['data']} ({report['entities']:,} entities, {report['relations']:,} relations), wrk with "
        f"{CONNECTIONS} keep-alive connections (one per wrk thread), {report['seconds']} s for the mix. "
        f"Server ready in {report['ready_s']:.1f} s.",
        "",
        "| phase | requests/s | of `/health` | socket errors | 5xx | unexpected statuses | target | met |",
        "|---|---|---|---|---|---|---|---|",
        f"| `/health` alone | {figures['health_rps']:.0f} | 100% | | | | | |",
    ]
    met = (
        share >= TARGET_SHARE
        and figures["server_errors"] == 0
        and figures["socket_errors"] == 0
        and figures["unexpected"] == 0
    )
    lines.append(
        f"| the mix | {figures['mix_rps']:.0f} | {share:.0%} | {figures['socket_errors']} | "
        f"{figures['server_errors']} | {figures['unexpected']} | ≥ 25%, 0 errors, 0 5xx | "
        f"{'yes' if met else 'no'} |"
    )
    lines += [
        "",
        "Per route in the mix (weights in requests per 1,000; a 503 is heavy work refused with `Retry-After`):",
        "",
        "| route | weight | requests | p50 (ms) | p99 (ms) | statuses | p99 < 500 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in WEIGHTS:
        route = figures["routes"].get(name, {"n": 0, "p50": float("nan"), "p99": float("nan"), "status": {}})
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(route["status"].items()))
        lines.append(
            f"| {name} | {WEIGHTS[name]} | {route['n']} | {route['p50']:.2f} | {route['p99']:.2f} | "
            f"{statuses} | {'yes' if route['p99'] < TARGET_P99_MS else 'no'} |"
        )
    if figures.get("without_store"):
        lines += ["", *_without_store(figures["without_store"], figures["routes"])]
    outcomes = ", ".join(f"{n} {k}" for k, n in sorted(figures["outcomes"].items()))
    lines += [
        "",
        f"Storm: {sum(figures['outcomes'].values())} analysis requests at once on distinct dates "
        f"({outcomes}); the slowest answered in {figures['slowest_s']:.1f} s; all answered after "
        f"{figures['storm_s']:.1f} s.",
        "",
        "| probe during the storm | requests | p50 (ms) | p99 (ms) | failures | p99 < 200 ms |",
        "|---|---|---|---|---|---|",
    ]
    for name, probe in figures["probes"].items():
        lines.append(
            f"| {name} | {probe['n']} | {probe['p50']:.1f} | {probe['p99']:.1f} | {probe['failures']} | "
            f"{'yes' if probe['p99'] < PROBE_P99_MS else 'no'} |"
        )
    idle, peak = figures["idle_mib"], figures["peak_storm"]
    lines += [
        "",
        f"Memory (server and worker processes, PSS): idle {idle:.0f} MiB, "
        f"peak in the mix {figures['peak_mix']:.0f} MiB, peak in the storm {peak:.0f} MiB "
        f"({peak / idle:.2f}× idle; target < 2×: {'yes' if peak < 2 * idle else 'no'}); "
        f"after the storm {figures['after']:.0f} MiB.",
        "",
        "| seconds | phase | server and workers, PSS (MiB) |",
        "|---|---|---|",
    ]
    lines += [f"| {t:.0f} | {phase} | {rss:.0f} |" for t, phase, rss in figures["timeline"]]
    if report.get("cache"):
        lines += ["", f"Caches and heavy work after the run (from `/metrics`): `{report['cache']}`"]
    if before:
        lines += ["", *_comparison(before, figures)]
    lines += ["", END]
    return "\n".join(lines)


def _without_store(other: dict[str, Any], routes: dict[str, Any]) -> list[str]:
    share = other["mix_rps"] / other["health_rps"]
    lines = [
        f"The same mix on a second server that keeps no answers (`KG_RESPONSE_CACHE_BYTES=0`): every request "
        f"computed. `/health` alone {other['health_rps']:.0f} requests/s; the mix {other['mix_rps']:.0f} "
        f"({share:.0%} of it), {other['server_errors']} 5xx.",
        "",
        "| route | p99 with the store (ms) | p99 without (ms) |",
        "|---|---|---|",
    ]
    for name in WEIGHTS:
        with_store = routes.get(name, {}).get("p99", float("nan"))
        lines.append(f"| {name} | {with_store:.1f} | {other['p99'].get(name, float('nan')):.1f} |")
    return lines


def _comparison(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Before and after, the same benchmark on the same machine."""
    lines = [
        f"Before and after, same benchmark and machine: before = {before['server']}.",
        "",
        "| figure | before | after |",
        "|---|---|---|",
        f"| `/health` alone, requests/s | {before['health_rps']:.0f} | {after['health_rps']:.0f} |",
        f"| the mix, requests/s (of `/health`) | {before['mix_rps']:.0f} ({before['share']:.0%}) | "
        f"{after['mix_rps']:.0f} ({after['share']:.0%}) |",
        f"| the mix: 5xx, socket errors | {before['server_errors']}, {before['socket_errors']} | "
        f"{after['server_errors']}, {after['socket_errors']} |",
    ]
    for name in WEIGHTS:
        old, new = before["routes"].get(name), after["routes"].get(name)
        if old and new:
            lines.append(f"| {name}: p99 (ms) | {old['p99']:.1f} | {new['p99']:.1f} |")
    for name in after["probes"]:
        old = before["probes"].get(name)
        if old:
            lines.append(f"| storm probe {name}: p99 (ms) | {old['p99']:.1f} | {after['probes'][name]['p99']:.1f} |")
    outcomes = (", ".join(f"{n} {k}" for k, n in sorted(figures["outcomes"].items())) for figures in (before, after))
    lines += [
        f"| storm outcomes | {next(outcomes)} | {next(outcomes)} |",
        f"| storm: all answered after (s) | {before['storm_s']:.1f} | {after['storm_s']:.1f} |",
        f"| memory peak / idle | {before['peak_storm'] / before['idle_mib']:.2f}× | "
        f"{after['peak_storm'] / after['idle_mib']:.2f}× |",
    ]
    return lines


_BOUNDED = {
    "mediator candidates",
    "balance",
    "centrality",
    "changes",
    "neighbours",
    "paths",
    "entity search",
    "export",
    "dyad series",
    "relations",
}


def _expected(route: str) -> int:
    return 404 if "404" in route else 422 if "422" in route else 200


def _timeline(samples: list[tuple[float, str, float]], every: float = 5.0) -> list[tuple[float, str, float]]:
    kept, last = [], -every
    for t, phase, rss in samples:
        if t - last >= every:
            kept.append((t, phase, rss))
            last = t
    return kept


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.concurrency", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, help="event dataset folder (default: the ICEWS 2018-size one)")
    parser.add_argument("--seconds", type=int, default=60, help="length of the mix phase")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md as it is")
    parser.add_argument("--before", type=Path, help="figures of an earlier run (its summary JSON) to compare with")
    parser.add_argument(
        "--no-store-phase", action="store_true", help="leave out the mix on a server that keeps no answers"
    )
    parser.add_argument(
        "--server-root",
        type=Path,
        default=ROOT,
        help="serve the app of another checkout (the before of a before-and-after)",
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("error: the load benchmark drives the server with wrk: install it (apt-get install wrk)", file=sys.stderr)
        return 2
    folder = args.data or ensure_icews18_like()
    kg = load_graph([ROOT / "graph_data", folder])  # the requests are drawn from this checkout's data...
    folders = [args.server_root / "graph_data", folder]  # ...and served with the curated data of the server's
    mix, analyses = make_mix(kg), storm_paths(kg)
    probes = {
        "/health": "/health",
        "dyad status": "/dyads/Turkey/Israel/status?as_of=2019",
        "path": "/paths?source=Benny%20Gantz&target=Ilham%20Aliyev&k=3",
    }
    stats = kg.stats()
    del kg
    WORK.mkdir(exist_ok=True)
    script = _lua(mix)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"

    def serve(port: int) -> list[str]:
        data = [part for folder_ in folders for part in ("--data", str(folder_))]
        return [sys.executable, "-m", "app", "serve", "--port", str(port), *data]

    command = serve(port)
    with (WORK / "concurrency-server.log").open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=args.server_root)
        try:
            ready_s = _wait_ready(base + "/health", server)
            sampler = MemorySampler(server.pid)
            sampler.start()
            time.sleep(2)
            idle = statistics.median(rss for _, _, rss in sampler.samples)
            print(f"server ready in {ready_s:.1f} s, {idle:.0f} MiB; /health alone ...", flush=True)
            sampler.phase = "health"
            health = run_wrk(base, None, "/health", min(args.seconds, 20))
            print(f"  {health['rps']:.0f}/s; the mix for {args.seconds} s ...", flush=True)
            sampler.phase = "mix"
            mix_result = run_wrk(base, script, "/", args.seconds)
            print(f"  {mix_result['rps']:.0f}/s; the storm ...", flush=True)
            time.sleep(2)
            sampler.phase = "storm"
            burst = storm(base, analyses, probes)
            sampler.phase = "after"
            time.sleep(5)
            status, _, _, metrics = _get(base + "/metrics")
            cache = (
                "; ".join(
                    line
                    for line in metrics.decode().splitlines()  # the figures that moved
                    if line.startswith(("kg_cache", "kg_heavy"))
                    and not line.endswith(" 0.0")
                    and "max_bytes" not in line
                )
                if status == 200
                else ""
            )
        finally:
            _stop(server)
        sampler.stop()
    second_port = _free_port()
    without_store = (
        None
        if args.no_store_phase
        else mix_without_store(serve(second_port), args.server_root, second_port, script, args.seconds)
    )
    report = {
        "server": _describe(args.server_root),
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "data": f"`graph_data` + `{folder.relative_to(ROOT)}`" if folder.is_relative_to(ROOT) else str(folder),
        **stats,
        "seconds": args.seconds,
        "ready_s": ready_s,
        "idle_mib": idle,
        "health": health,
        "mix": mix_result,
        "storm": burst,
        "cache": cache,
        "memory": {
            "peak_mix": sampler.peak("mix"),
            "peak_storm": max(sampler.peak("storm"), sampler.peak("after")),
            "after": next((m for _, p, m in reversed(sampler.samples) if p == "after" and m > 0), float("nan")),
            "timeline": _timeline(sampler.samples),
        },
    }
    figures = summarise(report) | {"without_store": without_store}
    before = json.loads(args.before.read_text()) if args.before else None
    text = render(report, figures, before)
    publish(text, (START, END), write=not args.no_write)
    (WORK / "concurrency-summary.json").write_text(json.dumps(figures, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
