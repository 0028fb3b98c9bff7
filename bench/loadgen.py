"""A fallback load generator when ``wrk`` is missing: asyncio + httpx, in a process of its own.

``python -m bench.loadgen BASE PATHS.json --connections 32 --seconds 10`` keeps
``connections`` requests in flight over rotating paths and prints requests/s,
p50 and p99 (ms) as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
import numpy as np


async def _drive(base: str, paths: list[str], connections: int, seconds: float) -> dict[str, float]:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    rotation = itertools.cycle(paths)
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal failures
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            answer = await client.get(next(rotation))
            latencies.append((time.perf_counter() - started) * 1e3)
            failures += answer.status_code >= 400

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(connections)))
    elapsed = time.perf_counter() - started
    values = np.asarray(latencies)
    return {
        "rps": len(values) / elapsed,
        "requests": len(values),
        "non_2xx": failures,
        "p50_ms": float(np.percentile(values, 50)),
        "p99_ms": float(np.percentile(values, 99)),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadgen", description=__doc__)
    parser.add_argument("base")
    parser.add_argument("paths", type=Path)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    paths = json.loads(args.paths.read_text())
    result = asyncio.run(_drive(args.base, paths, args.connections, args.seconds))
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
