"""The query side of ``bench.compare``: one checkout's service, loaded once, timing the calls it is sent.

Runs inside the checkout it measures (``python -m bench.compare_worker FOLDER``; ``bench.compare``
copies this file into an earlier commit's files), and uses only what ``make bench`` had there:
``bench.peers.open_engine`` and ``bench.measure.run_workload``. Prints one JSON line once loaded
(``load_s``, the load call with the engine's imports, as ``bench.load`` reports it; ``rss_mib``),
then answers each JSON line it reads, ``{"kind": ..., "calls": [...]}``, with the calls' latencies
in ms.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import psutil

from .measure import KINDS, run_workload
from .peers import open_engine

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    folder = Path((sys.argv[1:] if argv is None else argv)[0])
    started = time.perf_counter()
    engine = open_engine("service", folder)
    loaded = {"load_s": time.perf_counter() - started, "rss_mib": psutil.Process().memory_info().rss / 2**20}
    print(json.dumps(loaded), flush=True)
    for line in sys.stdin:
        piece = json.loads(line)
        workload = {"warmup": 0, **{kind: [] for kind in KINDS}, piece["kind"]: piece["calls"]}
        print(json.dumps(run_workload(engine, workload)[piece["kind"]]["ms"]), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
