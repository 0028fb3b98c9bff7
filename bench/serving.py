"""The service over HTTP: ``python -m app serve`` (one uvicorn worker) driven by 32 connections.

``wrk`` is the load generator when installed (a Lua script rotates the dyad
URLs); otherwise ``bench/loadgen.py``, an asyncio httpx client in a process of
its own. Which one ran is recorded with the figures.

``/health`` and the dyad route are driven in alternating rounds on the same
server, and the median round is reported with the spread: on this shared
2-core machine one run of the dyad route varies by up to 10% from the next,
more than the difference the ratio target is about.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

__all__ = ["driver", "dyad_paths", "http_benchmark", "served"]

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(__file__).resolve().parent / ".work"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, server: subprocess.Popen[bytes], timeout: float = 300.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}; see {WORK / 'server.log'}")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"{url} not ready after {timeout} s")


def _wrk(base: str, paths: list[str], *, connections: int, seconds: int) -> dict[str, Any]:
    script = WORK / "rotate.lua"
    listed = ",\n".join(json.dumps(p) for p in paths)
    script.write_text(
        f"local paths = {{\n{listed}\n}}\nlocal n = 0\n"
        "request = function()\n  n = n + 1\n  return wrk.format(nil, paths[(n % #paths) + 1])\nend\n"
    )
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), base]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    p50, p99 = (re.search(rf"^\s+{q}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M) for q in (50, 99))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50_ms": float(p50[1]) * _UNITS[p50[2]],  # type: ignore[index]
        "p99_ms": float(p99[1]) * _UNITS[p99[2]],  # type: ignore[index]
        "requests": int(re.search(r"(\d+) requests in", out)[1]),  # type: ignore[index]
        "non_2xx": int(non_2xx[1]) if non_2xx else 0,
        "socket_errors": errors[1] if errors else "",
    }


def _loadgen(base: str, paths: list[str], *, connections: int, seconds: int) -> dict[str, Any]:
    listing = WORK / "paths.json"
    listing.write_text(json.dumps(paths))
    command = [
        sys.executable,
        "-m",
        "bench.loadgen",
        base,
        str(listing),
        "--connections",
        str(connections),
        "--seconds",
        str(seconds),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return json.loads(out)  # type: ignore[no-any-return]


@contextmanager
def served(
    folder: Path, *, root: Path = ROOT, log_name: str = "server.log", env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes], float]]:
    """``python -m app serve`` of the checkout at ``root`` on ``folder``: its base URL, process and
    seconds to ready. It keeps no answers: the benchmarks repeat a few hundred URLs, and a store of
    answers would measure itself."""
    WORK.mkdir(exist_ok=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with (WORK / log_name).open("wb") as server_log:
        server = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--data", str(folder), "--port", str(port)],
            stdout=server_log,
            stderr=subprocess.STDOUT,
            cwd=root,
            env={**os.environ, "KG_RESPONSE_CACHE_BYTES": "0", **(env or {})},
        )
        try:
            yield base, server, _wait_ready(base + "/health", server)
        finally:
            server.terminate()
            server.wait(timeout=30)


def driver() -> Callable[..., dict[str, Any]]:
    """wrk when installed, else the asyncio client of ``bench.loadgen``."""
    return _wrk if shutil.which("wrk") else _loadgen


def dyad_paths(dyads: list[list[Any]]) -> list[str]:
    return [f"/dyads/{a}/{b}?from={lo[1]}&to={hi[1]}" for a, b, lo, hi in dyads]


def http_benchmark(
    folder: Path, dyads: list[list[Any]], *, seconds: int = 5, rounds: int = 5, connections: int = 32, log: Any = print
) -> dict[str, Any]:
    """Requests/s and latency of ``/health`` and of ``/dyads/{a}/{b}?from=&to=`` on one server.

    ``health`` and ``dyad`` are the runs of median requests/s, ``ratio`` the median of the rounds'
    ratios, ``worst_p99_ms`` the dyad route's highest p99 over all rounds.
    """
    paths = dyad_paths(dyads)
    drive = driver()
    with served(folder) as (base, server, ready_s):
        rss = psutil.Process(server.pid).memory_info().rss / 2**20
        for path in paths[:20]:
            with urllib.request.urlopen(base + path, timeout=10) as answer:
                assert answer.status == 200, path
        log(f"  server ready in {ready_s:.2f} s, {rss:.0f} MiB; driving with {drive.__name__.strip('_')}")
        drive(base, paths, connections=connections, seconds=2)  # warm-up
        runs = []
        for _ in range(rounds):
            health = drive(base, ["/health"], connections=connections, seconds=seconds)
            dyad = drive(base, paths, connections=connections, seconds=seconds)
            runs.append({"health": health, "dyad": dyad, "ratio": dyad["rps"] / health["rps"]})
            log(
                f"  round {len(runs)}: /health {health['rps']:.0f}/s, dyad {dyad['rps']:.0f}/s "
                f"({runs[-1]['ratio']:.0%}), dyad p99 {dyad['p99_ms']:.2f} ms"
            )
        peak = psutil.Process(server.pid).memory_info().rss / 2**20
    return {
        "generator": "wrk" if drive is _wrk else "bench.loadgen (asyncio httpx)",
        "connections": connections,
        "seconds": seconds,
        "urls": len(paths),
        "ready_s": ready_s,
        "rss_mib": rss,
        "rss_after_mib": peak,
        "health": _median_run([run["health"] for run in runs]),
        "dyad": _median_run([run["dyad"] for run in runs]),
        "ratio": statistics.median(run["ratio"] for run in runs),
        "worst_p99_ms": max(run["dyad"]["p99_ms"] for run in runs),
        "rounds": runs,
    }


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]
