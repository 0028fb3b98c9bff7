"""``python -m bench.compare REF``: the service's figures of ``make bench`` for an earlier commit and
for this checkout, measured in one run, side by side.

A refactor is meant to keep those figures, but this shared 2-core machine changes speed from one
minute to the next, by a factor of two at times: two ``make bench`` runs an hour apart cannot tell
whether a change cost 5%. Here both checkouts run in rounds on the same data and workload, and are
compared round by round. In each round:

- both checkouts' services load in fresh processes, one after the other (the load figures);
- they take turns timing the workload's calls 25 at a time (the query table: a slow spell falls on
  both);
- they serve ``/health`` and the dyad route through their app in that same process, 200 requests at a
  time in turn: the CPU time a request takes, what a route costs the service. The code compared with
  itself comes out about 1% apart;
- the two servers (``python -m app serve`` of each checkout, started afresh each round, keeping no
  answers) take one-second turns under ``/health`` and the dyad route, driven as ``make bench``
  drives them, and report requests/s and their own CPU time a request. Which server starts first
  alternates, as does which checkout goes first everywhere: the same code compared with itself
  (``python -m bench.compare HEAD``) showed the server started second 6-20% slower, and its two
  columns 7-11% apart. Under ``wrk`` this machine cannot resolve 5%.

A figure's change is the median over the rounds of after over before in the same round.

The earlier commit is exported with ``git archive`` to ``bench/.work/checkout-SHA`` (kept for the
next run) and runs on this checkout's interpreter and libraries: the comparison is of the code.
Writes its section of ``bench/RESULTS.md`` (``--no-write``: print only).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from .data import ensure, parse_size
from .measure import KINDS, make_workload, summarize
from .report import TITLES, publish
from .serving import driver, dyad_paths, served

__all__ = ["main"]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
MARKERS = "<!-- python -m bench.compare: start -->", "<!-- python -m bench.compare: end -->"
TOLERANCE = 0.05
HEALTH, DYAD = "`/health` requests/s", "`/dyads/{a}/{b}?from=&to=` requests/s"
PIECE = 25  # calls timed in a row by one checkout before the other takes its turn
CPU = {HEALTH: "`/health` server CPU a request (us)", DYAD: "`/dyads` server CPU a request (us)"}
HIGHER_IS_BETTER = {HEALTH, DYAD, "dyad / health"}
IN_PROCESS = {
    "/health": "`/health` in process: CPU a request (us)",
    "dyad": "`/dyads` in process: CPU a request (us)",
}
BATCH = 200  # requests served in process by one checkout before the other takes its turn


@dataclass(frozen=True, slots=True)
class Checkout:
    label: str  # "before" or "after"
    name: str  # what it is, for the table
    root: Path


def export(ref: str, *, work: Path = WORK) -> Checkout:
    """The commit ``ref`` as files under ``work`` (once per commit)."""
    found = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], capture_output=True, text=True, cwd=ROOT
    )
    if found.returncode:
        raise SystemExit(f"bench.compare: {ref!r} is not a commit of this repository")
    sha = found.stdout.strip()
    target = work / f"checkout-{sha[:12]}"
    if not (target / "app").is_dir():
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        with (
            subprocess.Popen(["git", "archive", sha], stdout=subprocess.PIPE, cwd=ROOT) as archive,
            tarfile.open(fileobj=archive.stdout, mode="r|") as tar,
        ):
            tar.extractall(partial, filter="data")
        if archive.returncode:
            raise SystemExit(f"bench.compare: git archive {sha} failed")
        partial.rename(target)
    # The same harness on both sides: this checkout's, which an earlier commit may lack.
    shutil.copy2(HERE / "compare_worker.py", target / "bench" / "compare_worker.py")
    # and the same pages: the explorer's assets are installed, not committed, and without them the
    # earlier commit would serve fewer routes
    assets = Path("app", "explorer", "static", "vendor")
    if (ROOT / assets).is_dir() and (target / assets.parent).is_dir() and not (target / assets).exists():
        shutil.copytree(ROOT / assets, target / assets)
    return Checkout("before", f"`{sha[:7]}` ({ref})" if not sha.startswith(ref) else f"`{sha[:7]}`", target)


def this_checkout() -> Checkout:
    sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "app", "bench/*.py"], capture_output=True, text=True, cwd=ROOT
    )
    return Checkout("after", f"`{sha.strip()}`" + (" with uncommitted changes" if dirty.stdout.strip() else ""), ROOT)


def check_imports(checkout: Checkout) -> None:
    """A process started in the checkout imports its ``app`` and ``bench``, not this checkout's ones
    (``make`` installs this one in editable mode)."""
    probe = "import app, bench; print(app.__file__); print(bench.__file__)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=checkout.root)
    if done.returncode:
        raise SystemExit(f"bench.compare: the {checkout.label} checkout does not import:\n{done.stderr[-2000:]}")
    for module in done.stdout.split():
        if not Path(module).resolve().is_relative_to(checkout.root.resolve()):
            raise SystemExit(f"bench.compare: the {checkout.label} checkout imported {module}")


class Worker:
    """A checkout's service in a process of its own (``bench.compare_worker``), timing pieces of a workload."""

    def __init__(self, checkout: Checkout, folder: Path) -> None:
        self.checkout = checkout
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.compare_worker", str(folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=checkout.root,
            # as the servers of ``serving.served`` run: no answers kept, whose reuse would measure the store
            env={**os.environ, "KG_RESPONSE_CACHE_BYTES": "0"},
        )
        self.loaded: dict[str, float] = json.loads(self._answer())

    def time(self, kind: str, calls: list[Any]) -> list[float]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"kind": kind, "calls": calls}) + "\n")
        self.process.stdin.flush()
        return json.loads(self._answer())  # type: ignore[no-any-return]

    def cpu_us(self, paths: list[str]) -> float:
        """CPU time a request took, the paths served by the checkout's app in the worker's process."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"kind": "asgi", "paths": paths}) + "\n")
        self.process.stdin.flush()
        return float(json.loads(self._answer()))

    def _answer(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(
                f"the {self.checkout.label} checkout's bench.compare_worker exited with {self.process.wait()}"
            )
        return line

    def close(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)
        self.process.stdout.close()


def process_round(
    checkouts: Sequence[Checkout], folder: Path, workload: dict[str, Any], paths: list[str], number: int, turns: int
) -> dict[str, dict[str, float]]:
    """Each checkout's load (one after the other), query latencies and the CPU time of a request served
    in process, the work done in pieces that alternate between the two so a slow spell of the machine
    falls on both."""
    figures: dict[str, dict[str, float]] = {}
    with ExitStack() as stack:
        workers = {}
        for checkout in alternate(checkouts, number):
            workers[checkout.label] = worker = Worker(checkout, folder)
            stack.callback(worker.close)
            figures[checkout.label] = {
                "load call (s)": worker.loaded["load_s"],
                "RSS after load (MiB)": worker.loaded["rss_mib"],
            }
        for label, found in query_figures(checkouts, workers, workload, number).items():
            figures[label].update(found)
        for label, found in in_process_figures(checkouts, workers, paths, number, turns).items():
            figures[label].update(found)
    return figures


def query_figures(
    checkouts: Sequence[Checkout], workers: dict[str, Worker], workload: dict[str, Any], number: int
) -> dict[str, dict[str, float]]:
    """The query table's p50 and p99, the calls timed ``PIECE`` at a time in turn."""
    figures: dict[str, dict[str, float]] = {checkout.label: {} for checkout in checkouts}
    warmup = workload["warmup"]
    for kind in KINDS:
        latencies: dict[str, list[float]] = {checkout.label: [] for checkout in checkouts}
        for worker in workers.values():
            worker.time(kind, workload[kind][:warmup])
        timed = workload[kind][warmup:]
        for piece, start in enumerate(range(0, len(timed), PIECE)):
            for checkout in alternate(checkouts, number + piece):
                latencies[checkout.label] += workers[checkout.label].time(kind, timed[start : start + PIECE])
        for label, values in latencies.items():
            stats = summarize(values)
            figures[label][f"{TITLES[kind]}: p50 (ms)"] = stats["p50"]
            figures[label][f"{TITLES[kind]}: p99 (ms)"] = stats["p99"]
    return figures


def in_process_figures(
    checkouts: Sequence[Checkout], workers: dict[str, Worker], paths: list[str], number: int, turns: int
) -> dict[str, dict[str, float]]:
    """The CPU time of a request to ``/health`` and to the dyad route, each checkout's app called in its
    worker's process ``BATCH`` requests at a time in turn, ``turns`` turns each: the median turn."""
    figures: dict[str, dict[str, float]] = {checkout.label: {} for checkout in checkouts}
    for route, name in IN_PROCESS.items():
        batches = [[route] * BATCH] if route == "/health" else _batches(paths, turns)
        for worker in workers.values():
            worker.cpu_us(batches[0])  # warm-up
        costs: dict[str, list[float]] = {checkout.label: [] for checkout in checkouts}
        for turn in range(turns):
            for checkout in alternate(checkouts, number + turn):
                costs[checkout.label].append(workers[checkout.label].cpu_us(batches[turn % len(batches)]))
        for label, values in costs.items():
            figures[label][name] = statistics.median(values)
    return figures


def _batches(paths: list[str], turns: int) -> list[list[str]]:
    """``turns`` batches of ``BATCH`` paths, going round the list: both checkouts serve the same batch
    in a turn."""
    cycle = [paths[i % len(paths)] for i in range(BATCH * turns)]
    return [cycle[start : start + BATCH] for start in range(0, len(cycle), BATCH)]


def http_round(
    checkouts: Sequence[Checkout],
    servers: dict[str, Server],
    paths: list[str],
    number: int,
    seconds: int,
    connections: int,
) -> dict[str, dict[str, float]]:
    """``/health`` then the dyad route on both servers, in turns of one second, ``seconds`` turns each:
    a slow spell of the machine falls on both. Requests/s are the turns' mean, the p99 their median.

    Requests/s also move with what the load generator gets of the two cores; the server's own CPU time
    a request (its process's user and system time over the turns, over the requests answered) does not."""
    drive = driver()
    figures: dict[str, dict[str, float]] = {checkout.label: {} for checkout in checkouts}
    for route, route_paths in ((HEALTH, ["/health"]), (DYAD, paths)):
        turns: dict[str, list[dict[str, Any]]] = {checkout.label: [] for checkout in checkouts}
        cpu = dict.fromkeys(turns, 0.0)
        for turn in range(seconds):
            for checkout in alternate(checkouts, number + turn):
                server = servers[checkout.label]
                before = server.cpu_seconds()
                run = drive(server.base, route_paths, connections=connections, seconds=1)
                cpu[checkout.label] += server.cpu_seconds() - before
                if run["non_2xx"] or run["socket_errors"]:
                    raise RuntimeError(f"the {checkout.label} server, {route}: {run}")
                turns[checkout.label].append(run)
        for label, runs in turns.items():
            figures[label][route] = statistics.mean(run["rps"] for run in runs)
            figures[label][CPU[route]] = cpu[label] / sum(run["requests"] for run in runs) * 1e6
            if route == DYAD:
                figures[label]["`/dyads` p99 (ms)"] = statistics.median(run["p99_ms"] for run in runs)
    return figures


@dataclass(frozen=True, slots=True)
class Server:
    base: str
    process: psutil.Process

    def cpu_seconds(self) -> float:
        times = self.process.cpu_times()
        return float(times.user + times.system)


def alternate(checkouts: Sequence[Checkout], round_number: int) -> Iterator[Checkout]:
    return iter(checkouts if round_number % 2 == 0 else list(reversed(checkouts)))


def compare_size(
    checkouts: Sequence[Checkout],
    folder: Path,
    *,
    queries: int,
    rounds: int,
    seconds: int,
    turns: int,
    connections: int = 32,
) -> dict[str, dict[str, list[float]]]:
    """Every figure of every round, by checkout label."""
    workload = make_workload(folder, queries=queries)
    paths = dyad_paths(workload["dyads"])
    figures: dict[str, dict[str, list[float]]] = {c.label: defaultdict(list) for c in checkouts}
    for number in range(rounds):
        found = process_round(checkouts, folder, workload, paths, number, turns)
        if seconds:
            for label, more in http_figures(checkouts, folder, paths, number, seconds, connections).items():
                found[label].update(more)
        for label, mine in found.items():
            for name, value in mine.items():
                figures[label][name].append(value)
        print(
            f"  round {number + 1}/{rounds}: "
            + ", ".join(
                f"{label} dyad in process {mine[IN_PROCESS['dyad']]:.0f} us CPU, "
                f"dyad in a window p50 {mine['dyad in a window: p50 (ms)'] * 1000:.1f} us"
                for label, mine in found.items()
            ),
            flush=True,
        )
    return figures


def http_figures(
    checkouts: Sequence[Checkout], folder: Path, paths: list[str], number: int, seconds: int, connections: int
) -> dict[str, dict[str, float]]:
    """Both checkouts' servers, started for this round, driven in turns (``http_round``)."""
    drive = driver()
    with ExitStack() as stack:
        servers = {}
        # Started afresh each round, first one then the other: of two servers started one after the
        # other, the second answered 10-20% fewer requests here, the same code on both sides.
        for checkout in alternate(checkouts, number):
            base, process, _ = stack.enter_context(
                served(folder, root=checkout.root, log_name=f"server-{checkout.label}.log")
            )
            for path in paths[:20]:
                with urllib.request.urlopen(base + path, timeout=10) as answer:
                    assert answer.status == 200, (checkout.label, path)
            servers[checkout.label] = Server(base, psutil.Process(process.pid))
        for checkout in checkouts:
            drive(servers[checkout.label].base, paths, connections=connections, seconds=1)  # warm-up
        figures = http_round(checkouts, servers, paths, number, seconds, connections)
    for mine in figures.values():
        mine["dyad / health"] = mine[DYAD] / mine[HEALTH]
    return figures


def changes(before: list[float], after: list[float]) -> list[float]:
    """Round by round, after over before, minus one: each pair ran within seconds of each other."""
    return [now / then - 1 for then, now in zip(before, after, strict=True)]


def kept(name: str, change: float) -> bool:
    """Whether a change is no worse than the tolerance (slower, bigger, or fewer requests/s)."""
    worse = -change if name in HIGHER_IS_BETTER else change
    return worse <= TOLERANCE


def table(label: str, checkouts: Sequence[Checkout], figures: dict[str, dict[str, list[float]]]) -> list[str]:
    before, after = checkouts
    lines = [
        f"### {label}",
        "",
        f"| figure | before: {before.name} | after: {after.name} | change | rounds' changes | within 5% |",
        "|---|---|---|---|---|---|",
    ]
    for name, then in figures["before"].items():
        now = figures["after"][name]
        paired = changes(then, now)
        change = statistics.median(paired)
        lines.append(
            f"| {name} | {_number(statistics.median(then))} | {_number(statistics.median(now))} | {change:+.1%} | "
            f"{min(paired):+.0%} to {max(paired):+.0%} | {'yes' if kept(name, change) else 'no'} |"
        )
    return lines


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("ref", help="the earlier commit (a hash, tag or branch)")
    parser.add_argument("--sizes", default="90k,500k", help="comma-separated dataset sizes (default 90k,500k)")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (default 7)")
    parser.add_argument("--queries", type=int, default=300, help="timed calls per query kind (default 300)")
    parser.add_argument(
        "--turns", type=int, default=20, help=f"turns of {BATCH} requests per route in process (default 20)"
    )
    parser.add_argument("--seconds", type=int, default=5, help="seconds per HTTP run; 0: no HTTP runs (default 5)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md as it is")
    args = parser.parse_args(argv)
    checkouts = (export(args.ref), this_checkout())
    for checkout in checkouts:
        check_imports(checkout)
    WORK.mkdir(exist_ok=True)
    sizes = sorted(args.sizes.split(","), key=parse_size)
    folders = ensure(sizes)
    started = datetime.now(UTC)
    lines = [
        MARKERS[0],
        "",
        "## Before and after a change: the same benchmark, one run",
        "",
        f"`python -m bench.compare {args.ref}` ({started:%Y-%m-%d %H:%M} UTC, load average at start "
        f"{os.getloadavg()[0]:.1f}): {args.rounds} alternating rounds per size, each loading both checkouts' "
        f"service in a fresh process ({args.queries} calls per query kind, timed {PIECE} at a time in turn; then "
        f"each checkout's app called through ASGI in that process, {args.turns} turns of {BATCH} requests per route, "
        "the CPU time a request takes in the median turn)"
        + (
            f" and driving both servers in one-second turns, {args.seconds} per route and server, with "
            f"{driver().__name__.strip('_')} and 32 connections. "
            if args.seconds
            else ". "
        )
        + "Before and after: "
        "the medians of the rounds. Change: the median of the rounds' changes (after over before in the same round; "
        "the machine's speed moves from one round to the next, both checkouts' figures with it). Within 5%: the "
        "change is no more than 5% for the worse.",
        "",
    ]
    for size in sizes:
        print(f"== {size}: {folders[size]}", flush=True)
        figures = compare_size(
            checkouts, folders[size], queries=args.queries, rounds=args.rounds, seconds=args.seconds, turns=args.turns
        )
        lines += [*table(f"{size} (`{folders[size].relative_to(ROOT)}`)", checkouts, figures), ""]
    lines += [f"Took {time.time() - started.timestamp():.0f} s.", "", MARKERS[1]]
    text = "\n".join(lines)
    publish(text, MARKERS, write=not args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
