"""The result tables: printed, and written to ``bench/RESULTS.md`` with the commands and the machine."""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from .measure import KINDS, POINT_KINDS, summarize

__all__ = ["QUERY_MARKERS", "RESULTS", "machine", "publish", "render", "verdicts", "write_section"]

PEERS = ("duckdb", "kuzu")
LABELS = {"service": "service", "duckdb": "DuckDB", "kuzu": "Kùzu", "networkx": "NetworkX baseline"}
TITLES = {
    "dyad_window": "dyad in a window",
    "status": "status on a date",
    "mediators": "mediators",
    "two_hop": "2-hop neighbourhood as of a date",
    "shortest_path": "shortest path",
}
QUERY_MARKERS = "<!-- python -m bench: start -->", "<!-- python -m bench: end -->"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
LOAD_SECONDS, LOAD_MIB, HTTP_RATIO, HTTP_P99 = 3.0, 400.0, 0.5, 20.0


def machine() -> dict[str, str]:
    def package(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "-"

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "-",
    )
    wrk = (
        subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split(" [")[0]
        if shutil.which("wrk")
        else "not installed"
    )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    app = hashlib.sha1()
    for path in sorted(Path(__file__).resolve().parent.parent.glob("app/**/*.py")):
        app.update(path.read_bytes())
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": f"{os.cpu_count()} (nproc)",
        "cpu": cpu,
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "git": f"{commit}; app/*.py as run: sha1 {app.hexdigest()[:12]} (working tree)",
        "libraries": ", ".join(
            f"{n} {package(n)}" for n in ("numpy", "networkx", "duckdb", "kuzu", "fastapi", "uvicorn", "psutil")
        )
        + f", {wrk}",
    }


def _fastest_peer(stats: dict[str, dict[str, Any]], kind: str) -> tuple[str, float]:
    return min(((p, stats[p][kind]["p99"]) for p in PEERS if p in stats), key=lambda item: item[1])


def verdicts(size: dict[str, Any]) -> dict[str, tuple[float, bool]]:
    """Per query kind: fastest peer p99 / service p99, and whether the target is met."""
    stats = size["stats"]
    found = {}
    for kind in KINDS:
        _, best = _fastest_peer(stats, kind)
        ratio = best / stats["service"][kind]["p99"]
        found[kind] = (ratio, ratio >= (10.0 if kind in POINT_KINDS else 1.0))
    return found


def _ms(value: float) -> str:
    return f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 100 else f"{value:.0f}"


def _query_table(size: dict[str, Any]) -> list[str]:
    stats, engines = size["stats"], [e for e in LABELS if e in size["stats"]]
    head = " | ".join(f"{LABELS[e]} p50 / p99" for e in engines)
    lines = [f"| query | {head} | fastest peer p99 / service p99 | target | met |", "|---" * (len(engines) + 4) + "|"]
    for kind, (ratio, ok) in verdicts(size).items():
        cells = " | ".join(f"{_ms(stats[e][kind]['p50'])} / {_ms(stats[e][kind]['p99'])}" for e in engines)
        peer = LABELS[_fastest_peer(stats, kind)[0]]
        target = "≥ 10×" if kind in POINT_KINDS else "≥ 1× (no worse)"
        lines.append(f"| {TITLES[kind]} | {cells} | {ratio:.1f}× ({peer}) | {target} | {'yes' if ok else '**no**'} |")
    return lines


def _agreement(size: dict[str, Any]) -> str:
    parts = [f"{LABELS[e]} {', '.join(f'{k} {v}' for k, v in kinds.items())}" for e, kinds in size["agree"].items()]
    return "Answers equal to the service's, of the first ones compared per query: " + "; ".join(parts) + "."


def _load_table(sizes: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| facts | engine | load call (s) | ready from process start (s) | RSS after load (MiB) "
        "| peak RSS (MiB) | target (service, 500k) |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, size in sizes.items():
        for engine in LABELS:
            if engine not in size["load"]:
                continue
            load = size["load"][engine]
            target = ""
            if engine == "service" and label == max(sizes, key=lambda s: size_facts(sizes[s])):
                ok = load["ready_s"] < LOAD_SECONDS and load["rss_mib"] < LOAD_MIB
                target = f"< {LOAD_SECONDS:.0f} s, < {LOAD_MIB:.0f} MiB: {'yes' if ok else '**no**'}"
            lines.append(
                f"| {label} ({size['facts']:,}) | {LABELS[engine]} | {load['load_s']:.2f} "
                f"| {load['ready_s']:.2f} | {load['rss_mib']:.0f} | {load['peak_mib']:.0f} | {target} |"
            )
    return lines


def size_facts(size: dict[str, Any]) -> int:
    return int(size["facts"])


def _http_table(sizes: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| facts | route | requests/s | p50 (ms) | p99 (ms) | dyad / health | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, size in sizes.items():
        http = size.get("http")
        if not http:
            continue
        worst_p99 = http.get("worst_p99_ms", http["dyad"]["p99_ms"])
        rounds = http.get("rounds", [http])
        failed = {route: sum(run[route]["non_2xx"] for run in rounds) for route in ("health", "dyad")}
        ok = http["ratio"] >= HTTP_RATIO and worst_p99 < HTTP_P99 and not any(failed.values())
        ratios = sorted(run["ratio"] for run in rounds)
        spread = f" ({ratios[0]:.0%}-{ratios[-1]:.0%} over {len(ratios)} rounds)" if len(ratios) > 1 else ""
        for route in ("health", "dyad"):
            run = http[route]
            name = "`/health`" if route == "health" else "`/dyads/{a}/{b}?from=&to=`"
            tail = (
                f"{http['ratio']:.0%}{spread}, worst p99 {worst_p99:.2f} ms | ≥ 50%, p99 < 20 ms "
                f"| {'yes' if ok else '**no**'}"
                if route == "dyad"
                else " | | "
            )
            lines.append(
                f"| {label} | {name} | {run['rps']:.0f} | {run['p50_ms']:.2f} | {run['p99_ms']:.2f} | {tail} |"
            )
        lines.append(
            f"| {label} | (server: ready {http['ready_s']:.2f} s after start, RSS {http['rss_mib']:.0f} "
            f"MiB; {http['generator']}, {http['connections']} connections, "
            f"{len(http.get('rounds', [http]))} alternating rounds of {http['seconds']} s per route, "
            f"non-2xx over all rounds {failed['health']}/{failed['dyad']}; the ratio is the median of "
            f"the rounds' ratios, the rates are each route's median round) | | | | | | |"
        )
    return lines


def render(results: dict[str, Any]) -> str:
    """The section of ``python -m bench``: tables per size, load, HTTP, then commands and machine."""
    out = [QUERY_MARKERS[0], "", results["intro"], ""]
    for label, size in results["sizes"].items():
        size["stats"] = {e: {k: summarize(q[k]["ms"]) for k in KINDS} for e, q in size["queries"].items()}
        out += [
            f"## Queries at {label}: {size['facts']:,} facts, {size['entities']:,} entities (`{size['folder']}`)",
            "",
            f"Latency in ms over {size['n']} calls per query after {size['warmup']} warm-up calls.",
            "",
        ]
        out += [*_query_table(size), "", _agreement(size), ""]
    out += [
        "## Loading: from a dataset folder to serving-ready",
        "",
        "Each engine in a fresh process (`python -m bench.load ENGINE FOLDER`).",
        "",
    ]
    out += [*_load_table(results["sizes"]), ""]
    out += ["## HTTP: one uvicorn worker (`python -m app serve`), loopback", ""]
    out += [*_http_table(results["sizes"]), ""]
    out += ["## How this was run", "", "```", *results["commands"], "```", ""]
    out += ["## Machine", "", *(f"- {k}: {v}" for k, v in results["machine"].items()), ""]
    out += ["## Notes", "", *results["notes"], "", QUERY_MARKERS[1]]
    return "\n".join(out)


def write_section(text: str, markers: tuple[str, str], path: Path = RESULTS) -> None:
    """Put ``text`` (which begins and ends with ``markers``) in place of the section of ``RESULTS.md``
    between them, or after the rest; every other benchmark's section stays as it is."""
    start, end = markers
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if start in current and end in current:
        head, rest = current.split(start, 1)
        current = head + text + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(current, encoding="utf-8")


def publish(text: str, markers: tuple[str, str], *, write: bool) -> None:
    """Print a benchmark's section and, unless told not to (``--no-write``), put it in ``RESULTS.md``."""
    print(text)
    if write:
        write_section(text, markers)
