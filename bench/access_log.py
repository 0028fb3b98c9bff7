"""``python -m bench.access_log``: what the access log costs the fast routes, in requests per second.

Two servers on the curated graph (``python -m app serve``, one worker), alike but for
``KG_ACCESS_LOG``: off, and on with its JSON lines going to a file on disk, as a deployment would
keep them. wrk drives each fast route with 64 keep-alive connections on one server, then the
other, in alternating rounds (on this shared 2-core machine one run differs from the next by more
than the cost measured: alternating puts both servers under the same drift). The median round of
each is reported with the ratio. Issue 9's target: the log costs under 10% of the rate.
Writes its section of ``bench/RESULTS.md`` (``--no-write``: print only).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager

import psutil

from .concurrency import run_wrk, write_results
from .serving import WORK, _free_port, _wait_ready

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
    env = {**os.environ, "KG_ACCESS_LOG": str(access_log).lower(), "KG_DATA": "graph_data"}
    log = (WORK / f"access-log-{name}.jsonl").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port)], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
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


def render(figures: Figures, rounds: int, seconds: int) -> str:
    lines = [MARKERS[0], "## The cost of the access log", "",
             f"`make bench-access-log` ({time.strftime('%Y-%m-%d %H:%M')}): the curated graph, two servers alike "
             f"but for `KG_ACCESS_LOG` (on: its lines go to a file), wrk with 64 connections, {rounds} alternating "
             f"rounds of {seconds} s per route and server; medians. The server's CPU time per request is the steadier "
             "figure on this shared machine: the one event loop's rate is its inverse when it is the bottleneck. "
             "Target: under 10% of the rate lost.", "",
             "| route | req/s, log off | req/s, log on | on / off | server CPU per request, off / on | "
             "rate lost to the log, by CPU |",
             "|---|---:|---:|---:|---:|---:|"]
    for route, by_server in figures.items():
        off, on = (statistics.median(by_server[name]["rps"]) for name in ("off", "on"))
        cpu_off, cpu_on = (statistics.median(by_server[name]["cpu_us"]) for name in ("off", "on"))
        lost = 1 - cpu_off / cpu_on
        lines.append(f"| `{ROUTES[route]}` | {off:.0f} | {on:.0f} | {on / off:.2f} | {cpu_off:.0f} / {cpu_on:.0f} us "
                     f"| {lost:.1%}{' (over target)' if lost > TARGET_COST else ''} |")
    lines += ["", MARKERS[1]]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.access_log", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=5, help="length of one wrk run")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md as it is")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("error: this benchmark drives the servers with wrk: install it (apt-get install wrk)", file=sys.stderr)
        return 2
    text = render(measure(args.rounds, args.seconds), args.rounds, args.seconds)
    print(text)
    if not args.no_write:
        write_results(text, markers=MARKERS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
