"""Query workloads drawn from the data with a fixed seed, and the timing of an engine on them.

Arguments come from real dyads and actors, weighted so hubs appear: half drawn
by relation frequency (a random fact's ends), half uniformly. Windows span one
to three months, dates fall in the data's range; mediator queries ask about
mediated dyads half the time. Each call is timed with ``perf_counter_ns`` after
a warm-up on arguments of its own.
"""

from __future__ import annotations

import csv
import json
import random
import time
from collections.abc import Callable, Hashable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from app.vocabulary import MEDIATION_TYPES

from .peers import Day, Engine, entity_ids

__all__ = ["KINDS", "POINT_KINDS", "make_workload", "run_workload", "summarize"]

KINDS = ("dyad_window", "status", "mediators", "two_hop", "shortest_path")
POINT_KINDS = ("dyad_window", "status", "mediators", "shortest_path")
NEIGHBOUR_LIMIT = 1000  # the service's default (app.queries.neighbors.neighborhood)
CHECKED = 40  # answers per kind compared across engines


def _day(ordinal: int) -> list[Any]:
    return [ordinal, date.fromordinal(ordinal).isoformat()]


def make_workload(folder: Path, *, queries: int, seed: int = 2014) -> dict[str, Any]:
    """``{kind: [args, ...]}`` for warm-up and measurement, JSON-ready; days as ``[ordinal, text]``."""
    ids = entity_ids(folder)
    position = {entity_id: n for n, entity_id in enumerate(ids)}
    facts: list[tuple[int, int]] = []
    days: list[int] = []
    mediated: list[tuple[int, int]] = []
    with (folder / "relations.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            a, b = position[row["source"]], position[row["target"]]
            if a != b:
                facts.append((min(a, b), max(a, b)))
            if len(row["start"]) == 10:
                days.append(date.fromisoformat(row["start"]).toordinal())
            if row["type"] in MEDIATION_TYPES:
                x, y = (position[p] for p in json.loads(row["attributes"])["parties"])
                mediated.append((min(x, y), max(x, y)))
    rng = random.Random(seed)
    dyads = sorted(set(facts))
    actors = sorted({end for dyad in dyads for end in dyad})
    first, last = min(days), max(days)

    def half(weighted: Callable[[], Any], uniform: Callable[[], Any]) -> Any:
        return weighted() if rng.random() < 0.5 else uniform()

    def dyad() -> tuple[int, int]:
        a, b = half(lambda: rng.choice(facts), lambda: rng.choice(dyads))
        return (a, b) if rng.random() < 0.5 else (b, a)

    def actor() -> int:
        return int(half(lambda: rng.choice(rng.choice(facts)), lambda: rng.choice(actors)))

    def window() -> list[Any]:
        a, b = dyad()
        span = 30 * rng.randint(1, 3)
        lo = rng.randint(first, last - span)
        return [a, b, _day(lo), _day(lo + span - 1)]

    def pair() -> list[int]:
        a = actor()
        while (b := actor()) == a:
            pass
        return [a, b]

    makers: dict[str, Callable[[], list[Any]]] = {
        "dyad_window": window,
        "status": lambda: [*dyad(), _day(rng.randint(first, last))],
        "mediators": lambda: list(rng.choice(mediated) if mediated and rng.random() < 0.5 else dyad()),
        "two_hop": lambda: [actor(), _day(rng.randint(first, last)), NEIGHBOUR_LIMIT],
        "shortest_path": pair,
    }
    warmup = max(10, queries // 10)
    return {
        "folder": str(folder),
        "seed": seed,
        "first": first,
        "last": last,
        "dyads": [[ids[a], ids[b], *window()[2:]] for a, b in (dyad() for _ in range(200))],
        **{kind: [make() for _ in range(warmup + queries)] for kind, make in makers.items()},
        "warmup": warmup,
    }


def _args(raw: list[Any]) -> list[Any]:
    return [Day(*item) if isinstance(item, list) else item for item in raw]


def _jsonable(value: Hashable) -> Any:
    return sorted(value) if isinstance(value, frozenset) else value


def run_workload(engine: Engine, workload: dict[str, Any]) -> dict[str, Any]:
    """Per kind: the latencies in ms and the first answers, normalised."""
    warmup = workload["warmup"]
    found: dict[str, Any] = {}
    for kind in KINDS:
        call = getattr(engine, kind)
        calls = [_args(raw) for raw in workload[kind]]
        for args in calls[:warmup]:
            call(*args)
        latencies: list[float] = []
        answers: list[Any] = []
        for args in calls[warmup:]:
            started = time.perf_counter_ns()
            answer = call(*args)
            latencies.append((time.perf_counter_ns() - started) / 1e6)
            if len(answers) < CHECKED:
                cap = args[-1] - 1 if kind == "two_hop" else 0
                answers.append(_jsonable(engine.normalize(kind, answer, cap=cap)))  # type: ignore[call-arg]
        found[kind] = {"ms": latencies, "answers": answers}
    return found


def summarize(latencies: list[float]) -> dict[str, float]:
    values = np.asarray(latencies)
    return {
        "n": len(values),
        "p50": float(np.percentile(values, 50)),
        "p99": float(np.percentile(values, 99)),
        "mean": float(values.mean()),
        "max": float(values.max()),
    }
