"""``python -m bench.access_log``: what the access log costs the fast routes, in requests per second.

Two servers on the curated graph (``python -m app serve``, one worker), alike but for
``KG_ACCESS_LOG``: off, and on with its JSON lines going to a file on disk, as a deployment would
keep them. wrk drives each fast route with 64 keep-alive connections on one server, then the
other, in alternating rounds; each run gives the rate and the server's CPU time per request. On
this shared 2-core machine those move by more between identical runs than the log costs, so the
same two configurations are also called as apps in this process, interleaved, CPU time only: the
difference is the log's cost per request, and over the server's CPU per request under wrk (the
inverse of the event loop's rate) the share of the rate it takes. Issue 9's target: under 10%.
Writes its section of ``bench/RESULTS.md`` (``--no-write``: print only).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager

import psutil

from .compare_worker import cpu_us
from .concurrency import run_wrk
from .report import publish
from .serving import ROOT, WORK, _free_port, _wait_ready

ROUTES = {
    "/health": "/health",
    "one entity": "/entities/iran",
    "dyad status": "/dyads/Azerbaijan/Israel/status?as_of=2023-06-01",
    "relations of a type": "/relations?type=arms_trade&limit=5",
}
MARKERS = "<!-- access log: start -->", "<!-- access log: end -->"
TARGET_COST = 0.10


@contextmanager
def _server(access_log: bool) -> Iterator[tuple[str, psutil.Process]]:
    port = _free_port()
    name = "on" if access_log else "off"
    # Each request runs its route, as when these figures were first taken (before the store of answers).
    env = {
        **os.environ,
        "KG_ACCESS_LOG": str(access_log).lower(),
        "KG_DATA": "graph_data",
        "KG_RESPONSE_CACHE_BYTES": "0",
    }
    log = (WORK / f"access-log-{name}.jsonl").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base + "/ready", server)
        yield base, psutil.Process(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


Figures = dict[str, dict[str, dict[str, list[float]]]]  # route: server: "rps" or "cpu_us": one per round


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def measure(rounds: int, seconds: int) -> Figures:
    """Per route and server, each round's requests/s and the server's CPU microseconds per request."""
    figures: Figures = {route: {"off": {"rps": [], "cpu_us": []}, "on": {"rps": [], "cpu_us": []}} for route in ROUTES}
    WORK.mkdir(exist_ok=True)
    with ExitStack() as stack:
        servers = {"off": stack.enter_context(_server(False)), "on": stack.enter_context(_server(True))}
        for number in range(rounds):
            order = ["off", "on"] if number % 2 == 0 else ["on", "off"]
            for route, path in ROUTES.items():
                for name in order:
                    base, process = servers[name]
                    cpu_before = _cpu_seconds(process)
                    result = run_wrk(base, None, path, seconds)
                    cpu = _cpu_seconds(process) - cpu_before
                    if result["socket_errors"]:
                        raise RuntimeError(f"{route} on the server with the log {name}: socket errors")
                    figures[route][name]["rps"].append(result["rps"])
                    figures[route][name]["cpu_us"].append(cpu / result["requests"] * 1e6)
                    time.sleep(0.5)
            print(f"round {number + 1}/{rounds} done", flush=True)
    return figures


def in_process(rounds: int, count: int = 3000) -> dict[str, dict[str, float]]:
    """The same two configurations as apps in this process, without sockets or wrk: per route, the least
    over interleaved rounds of the CPU microseconds a request takes with the log off and on (interference
    from other work on the machine only adds time)."""
    from app.config import Settings
    from app.main import create_app

    async def run() -> dict[str, dict[str, float]]:
        with open(WORK / "access-log-in-process.jsonl", "wb") as log:
            apps = {
                name: create_app(Settings(data=[ROOT / "graph_data"], access_log=name == "on", response_cache_bytes=0))
                for name in ("off", "on")
            }
            async with apps["off"].router.lifespan_context(apps["off"]), apps["on"].router.lifespan_context(apps["on"]):
                apps["on"].state.access_log.stream = log
                found: dict[str, dict[str, list[float]]] = {route: {"off": [], "on": []} for route in ROUTES}
                for number in range(rounds):
                    for route, path in ROUTES.items():
                        for name in ["off", "on"] if number % 2 == 0 else ["on", "off"]:
                            found[route][name].append(await cpu_us(apps[name], [path] * count))
        return {route: {name: min(values) for name, values in by_name.items()} for route, by_name in found.items()}

    return asyncio.run(run())


def render(figures: Figures, apps: dict[str, dict[str, float]], rounds: int, seconds: int) -> str:
    lines = [
        MARKERS[0],
        "## The cost of the access log",
        "",
        f"`make bench-access-log` ({time.strftime('%Y-%m-%d %H:%M')}), the curated graph. Two servers alike "
        f"but for `KG_ACCESS_LOG` (on: its lines go to a file), wrk with 64 connections, {rounds} alternating "
        f"rounds of {seconds} s per route and server, medians; then the same two apps called in one process "
        "(every middleware and the route, no sockets), the best of interleaved rounds (other work on the "
        "machine only adds time), CPU time only. On this shared "
        "2-core machine wrk's rates and the servers' CPU per request move by 10-20% between identical "
        "runs, more than the log costs; the in-process difference resolves it. The rate lost is that "
        "difference over the server's CPU per request under wrk with the log off (its inverse is the rate "
        "of the one event loop). Target: under 10%.",
        "",
        "| route | req/s, log off / on | server CPU per request under wrk, off / on | in process, off / on | "
        "the log costs | rate lost |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for route, by_server in figures.items():
        off, on = (statistics.median(by_server[name]["rps"]) for name in ("off", "on"))
        cpu_off, cpu_on = (statistics.median(by_server[name]["cpu_us"]) for name in ("off", "on"))
        cost = apps[route]["on"] - apps[route]["off"]
        lost = max(cost, 0) / cpu_off
        lines.append(
            f"| `{ROUTES[route]}` | {off:.0f} / {on:.0f} | {cpu_off:.0f} / {cpu_on:.0f} us | "
            f"{apps[route]['off']:.0f} / {apps[route]['on']:.0f} us | {cost:+.1f} us | "
            f"{lost:.1%}{' (over target)' if lost > TARGET_COST else ''} |"
        )
    lines += ["", MARKERS[1]]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.access_log", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=5, help="length of one wrk run")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md as it is")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("error: this benchmark drives the servers with wrk: install it (apt-get install wrk)", file=sys.stderr)
        return 2
    figures = measure(args.rounds, args.seconds)
    print("in process ...", flush=True)
    text = render(figures, in_process(max(args.rounds, 8)), args.rounds, args.seconds)
    publish(text, MARKERS, write=not args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
