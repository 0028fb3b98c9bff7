"""Synthetic mediations, and larger datasets "with the same shape" as a base folder.

``resample`` draws facts from the base with replacement, in replicas. Replica
``r`` moves every date ``r`` years on and relabels actors by a random
permutation *within degree strata* (actors whose degrees are within a factor
of about 1.4 of each other), so new dyads appear while hubs stay hubs: the
degree, dyad, type and date distributions of the base are kept, over more years.
"""

from __future__ import annotations

import calendar
import csv
import json
import math
import random
import shutil
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from app.loader import RELATION_COLUMNS
from app.vocabulary import MEDIATION_TYPES

__all__ = ["add_mediations", "resample"]

_TYPE, _SOURCE, _TARGET, _START, _END, _ATTRIBUTES = 1, 2, 3, 4, 5, 10
_SOURCE_YAML = '- id: bench-synthetic\n  title: "Benchmark: synthetic mediations"\n  kind: dataset\n'
_MEDIATIONS = (("045", "Mediate", "mediation"), ("039", "Express intent to mediate", "mediation_offer"))


def _rows(folder: Path) -> list[list[str]]:
    with (folder / "relations.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        assert tuple(header) == RELATION_COLUMNS, header
        return list(reader)


def _mediation_attributes(code: str, name: str) -> dict[str, Any]:
    try:
        from app.io.cameo import lookup
    except ImportError:
        return {"cameo": code, "event": name}
    return lookup(code).attributes()


def add_mediations(folder: Path, *, per: int, seed: int) -> int:
    """Top mediations up to one per ``per`` facts: a common neighbour of a conflictual dyad mediates.

    An importer that derives mediations with their parties may leave nothing to add.
    """
    rows = _rows(folder)
    missing = len(rows) // per - sum(row[_TYPE] in MEDIATION_TYPES for row in rows)
    if missing <= 0:
        return 0
    rng = random.Random(seed)
    neighbours: defaultdict[str, set[str]] = defaultdict(set)
    goldstein: dict[str, float] = {}
    conflicts: list[tuple[str, str]] = []
    for row in rows:
        source, target, text = row[_SOURCE], row[_TARGET], row[_ATTRIBUTES]
        neighbours[source].add(target)
        neighbours[target].add(source)
        if text not in goldstein:
            goldstein[text] = float(json.loads(text).get("goldstein", 0.0)) if text else 0.0
        if goldstein[text] < 0 and source != target:
            conflicts.append((source, target))
    templates = [(type_, _mediation_attributes(code, name)) for code, name, type_ in _MEDIATIONS]
    added = []
    for n in range(missing):
        x, y = rng.choice(conflicts)
        common = sorted(neighbours[x] & neighbours[y] - {x, y})
        mediator = rng.choice(common) if common else rng.choice(rng.choice(rows)[_SOURCE : _TARGET + 1])
        if mediator in (x, y):
            continue
        type_, attributes = rng.choice(templates)
        parties = [x, y] if rng.random() < 0.5 else [y, x]
        text = json.dumps({**attributes, "parties": parties}, sort_keys=True, separators=(",", ":"))
        day = rng.choice(rows)[_START]
        added.append(
            [f"bench-mediation-{n + 1}", type_, mediator, parties[0], day, "", "", "", "bench-synthetic", "", text]
        )
    with (folder / "relations.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(added)
    sources = folder / "sources.yaml"
    if "id: bench-synthetic" not in sources.read_text(encoding="utf-8"):
        with sources.open("a", encoding="utf-8") as handle:
            handle.write(_SOURCE_YAML)
    return len(added)


def _strata_permutation(names: list[str], degree: Counter[str], rng: random.Random) -> dict[str, str]:
    strata: defaultdict[int, list[str]] = defaultdict(list)
    for name in names:
        strata[int(2 * math.log2(degree[name] + 1))].append(name)
    mapping: dict[str, str] = {}
    for members in strata.values():
        shuffled = members[:]
        rng.shuffle(shuffled)
        mapping.update(zip(members, shuffled, strict=True))
    return mapping


def _shift(day: str, years: int) -> str:
    if not day or years == 0:
        return day
    year = int(day[:4]) + years
    rest = day[4:]
    if rest == "-02-29" and not calendar.isleap(year):
        rest = "-02-28"
    return f"{year:04d}{rest}"


def _clone_actors(
    base: Path, out: Path, names: list[str], degree: Counter[str], *, replicas: int, actors: int
) -> list[dict[str, str]]:
    """Per replica after the first, a map from the least active actors to new ones, their rows written.

    Enough of them that the folder ends with about ``actors`` actors: event data over more years
    names more actors, most of them rarely (ICEWS 2018 has about 23,000).
    """
    per_replica = max(0, actors - len(names)) // max(replicas - 1, 1)
    rarest = sorted(names, key=lambda name: (degree[name], name))[:per_replica]
    with (base / "entities.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = {row[0]: row for row in reader}
    maps: list[dict[str, str]] = [{}]
    with (out / "entities.csv").open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for replica in range(1, replicas):
            clones = {name: f"{name}-r{replica}" for name in rarest if name in rows}
            for name, clone in clones.items():
                row = dict(zip(header, rows[name], strict=True))
                row.update(id=clone, name=f"{row['name']} {replica}", aliases="")
                writer.writerow([row[column] for column in header])
            maps.append(clones)
    return maps


def resample(base: Path, out: Path, *, size: int, seed: int, actors: int | None = None) -> None:
    """Write a dataset folder of ``size`` facts resampled from ``base``, with about ``actors`` actors."""
    rows = _rows(base)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("entities.csv", "sources.yaml"):
        shutil.copyfile(base / name, out / name)
    degree: Counter[str] = Counter()
    for row in rows:
        degree[row[_SOURCE]] += 1
        degree[row[_TARGET]] += 1
    names = sorted(degree)
    replicas = math.ceil(size / len(rows))
    clones = _clone_actors(base, out, names, degree, replicas=replicas, actors=actors or len(names))
    rng = random.Random(seed)
    picks = np.random.default_rng(seed).integers(0, len(rows), size=size)
    with (out / "relations.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(RELATION_COLUMNS)
        for replica in range(replicas):
            relabel = _strata_permutation(names, degree, rng) if replica else {n: n for n in names}
            relabel = {name: clones[replica].get(other, other) for name, other in relabel.items()}
            chunk = picks[replica * len(rows) : (replica + 1) * len(rows)]
            for n, pick in enumerate(chunk.tolist(), replica * len(rows) + 1):
                row = rows[pick][:]
                row[0] = f"synthetic-{n}"
                row[_SOURCE], row[_TARGET] = relabel[row[_SOURCE]], relabel[row[_TARGET]]
                row[_START], row[_END] = _shift(row[_START], replica), _shift(row[_END], replica)
                if row[_TYPE] in MEDIATION_TYPES and replica:
                    attributes = json.loads(row[_ATTRIBUTES])
                    attributes["parties"] = [relabel[p] for p in attributes["parties"]]
                    row[_ATTRIBUTES] = json.dumps(attributes, sort_keys=True, separators=(",", ":"))
                writer.writerow(row)
    (out / "BUILT_WITH").write_text(
        f"bench.resample.resample from {base.name}, {size} facts, seed {seed}, actors {actors or len(names)}\n"
    )
