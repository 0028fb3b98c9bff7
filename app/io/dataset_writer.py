"""Writing an imported dataset folder (``sources.yaml``, ``entities.csv``, ``relations.csv``).

The importers (``icews.py``) parse their input and hand each fact to a
``DatasetWriter``, which resolves actors (``actors.py``), streams relation rows
in the loader's CSV layout (``app.loader.RELATION_COLUMNS``), derives
mediations between two parties, and writes the entities and sources at the
end. Nothing is left in the folder when an import stops.

Errors::

    ImportFailed   malformed input lines (file, line, reason); nothing written
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from ..loader import ENTITY_COLUMNS, RELATION_COLUMNS
from ..manifest import write_manifest
from ..temporal import parse_date
from ..vocabulary import MEDIATION_TYPES, VOCABULARY
from .actors import ActorRegistry
from .cameo import CameoCode

__all__ = ["BadLine", "DatasetWriter", "ImportFailed", "ImportSummary"]


@dataclass(frozen=True, slots=True)
class BadLine:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class ImportFailed(Exception):
    """The input has malformed lines; ``bad_lines`` lists every one."""

    def __init__(self, bad_lines: list[BadLine]) -> None:
        self.bad_lines = bad_lines
        shown = "\n".join(f"  {bad}" for bad in bad_lines[:50])
        more = f"\n  ... and {len(bad_lines) - 50} more" if len(bad_lines) > 50 else ""
        super().__init__(
            f"{len(bad_lines)} malformed line(s); nothing was written (use --skip-bad to skip them):\n{shown}{more}"
        )


@dataclass
class ImportSummary:
    out_dir: Path
    files: list[str] = field(default_factory=list)
    facts: int = 0
    relations: int = 0
    mediations: int = 0
    links: int = 0
    actors: dict[str, int] = field(default_factory=dict)
    types: Counter[str] = field(default_factory=Counter)
    unmapped: Counter[str] = field(default_factory=Counter)
    bad_lines: list[BadLine] = field(default_factory=list)

    def table(self) -> list[tuple[str, str]]:
        """The summary as (label, value) rows for printing."""
        rows = [
            ("output", str(self.out_dir)),
            ("files", ", ".join(self.files)),
            ("facts (input lines)", str(self.facts)),
            ("derived mediations", str(self.mediations)),
            ("member_of links", str(self.links)),
            ("relations written", str(self.relations)),
            ("actors", ", ".join(f"{kind} {n}" for kind, n in sorted(self.actors.items()))),
            ("bad lines skipped", str(len(self.bad_lines))),
        ]
        rows += [(f"type {name}", str(n)) for name, n in self.types.most_common()]
        rows += [("unmapped (type event)", f"{name} ({n})") for name, n in self.unmapped.most_common(10)]
        if len(self.unmapped) > 10:
            rest = self.unmapped.most_common()[10:]
            rows.append(("unmapped (type event)", f"... {len(rest)} more names ({sum(n for _, n in rest)} facts)"))
        return rows


class _Candidate(NamedTuple):
    day: int
    party: str
    relation_id: str
    date: str
    evidence: tuple[str, str]


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")) if value else ""


class DatasetWriter:
    """One import into ``out_dir``: ``add`` facts, then ``finish`` (or ``abort``)."""

    def __init__(self, out_dir: Path, *, mediation_window_days: int = 1) -> None:
        if mediation_window_days < 0:
            raise ValueError("the mediation window cannot be negative")
        self.out_dir = out_dir
        self.window = mediation_window_days
        self.actors = ActorRegistry()
        self.summary = ImportSummary(out_dir)
        self._sources: list[dict[str, Any]] = []
        self._candidates: defaultdict[tuple[str, str], list[_Candidate]] = defaultdict(list)
        out_dir.mkdir(parents=True, exist_ok=True)
        self._partial = out_dir / "relations.csv.partial"
        self._handle = self._partial.open("w", encoding="utf-8", newline="")
        self._rows = csv.writer(self._handle, lineterminator="\n")
        self._rows.writerow(RELATION_COLUMNS)

    def add_source(self, source: dict[str, Any]) -> None:
        self._sources.append(source)
        self.summary.files.append(str(source.get("file", source["id"])))

    def bad(self, bad_line: BadLine) -> None:
        self.summary.bad_lines.append(bad_line)

    def add(
        self,
        *,
        relation_id: str,
        type_: str,
        subject: str,
        obj: str,
        start: str,
        end: str = "",
        polarity: str = "",
        description: str = "",
        cameo: CameoCode | None = None,
        evidence: tuple[str, str],
    ) -> None:
        """One input fact: an event coded with ``cameo`` or a relation of a vocabulary ``type_``."""
        source, target = (self.actors.resolve(subject, evidence), self.actors.resolve(obj, evidence))
        attributes = cameo.attributes_json() if cameo else ""
        polarity = polarity or (cameo.polarity if cameo else "")
        if cameo and cameo.swapped:
            source, target = target, source
            description = description or f"{obj} visits {subject}, reported as {subject} hosting the visit."
        if cameo and not end and VOCABULARY[type_].kind == "state":
            end = start  # one report is one day of cooperation, not a standing tie
        if cameo and type_ == "event":
            self.summary.unmapped[cameo.name] += 1
        if type_ in MEDIATION_TYPES:
            # One report names the mediator and one party; the pair is derived in finish().
            if source != target:
                candidate = _Candidate(parse_date(start).lo, target, relation_id, start, evidence)
                self._candidates[type_, source].append(candidate)
            attributes = attributes or _json({"relation": type_})
            type_ = "event"
        self.summary.facts += 1
        self._write(relation_id, type_, source, target, start, end, polarity, description, evidence, attributes)

    def finish(self, *, skip_bad: bool) -> ImportSummary:
        """Derive mediations, add ``member_of`` links, write entities and sources; or raise ``ImportFailed``."""
        if self.summary.bad_lines and not skip_bad:
            self.abort()
            raise ImportFailed(self.summary.bad_lines)
        for (type_, mediator), candidates in sorted(self._candidates.items()):
            for episode in self._episodes(sorted(candidates)):
                self._derive(type_, mediator, episode)
        for sector, group, evidence in self.actors.links:
            self._write(f"member-of-{sector}", "member_of", sector, group, "", "", "", "", evidence, "")
            self.summary.links += 1
        self._handle.close()
        self._partial.replace(self.out_dir / "relations.csv")
        self._write_entities(self.actors.rows())
        with (self.out_dir / "sources.yaml").open("w", encoding="utf-8") as handle:
            yaml.safe_dump(self._sources, handle, allow_unicode=True, sort_keys=False, width=100)
        # Last: a folder with a manifest was written whole; the loader checks it against the files.
        write_manifest(self.out_dir, ["entities.csv", "relations.csv", "sources.yaml"])
        self.summary.actors = self.actors.kinds()
        return self.summary

    def abort(self) -> None:
        self._handle.close()
        self._partial.unlink(missing_ok=True)

    def _episodes(self, candidates: list[_Candidate]) -> Iterable[list[_Candidate]]:
        """Runs of one mediator's reports, each within the window of the one before."""
        episode = [candidates[0]]
        for candidate in candidates[1:]:
            if candidate.day - episode[-1].day > self.window:
                yield episode
                episode = []
            episode.append(candidate)
        yield episode

    def _derive(self, type_: str, mediator: str, episode: list[_Candidate]) -> None:
        by_party: defaultdict[str, list[_Candidate]] = defaultdict(list)
        for candidate in episode:
            by_party[candidate.party].append(candidate)
        for first, second in combinations(sorted(by_party), 2):
            gap = min(abs(a.day - b.day) for a in by_party[first] for b in by_party[second])
            if gap > self.window:
                continue
            used = sorted(by_party[first] + by_party[second])
            start, last = used[0], used[-1]
            attributes = {
                "parties": [first, second],
                "derived_from": [c.relation_id for c in used],
                "window_days": self.window,
            }
            relation_id = f"{type_.replace('_', '-')}-{mediator}-{first}-{second}-{start.date}"
            self._write(
                relation_id,
                type_,
                mediator,
                first,
                start.date,
                last.date if last.day > start.day else "",
                "positive",
                "",
                start.evidence,
                _json(attributes),
            )
            self.summary.mediations += 1

    def _write(
        self,
        relation_id: str,
        type_: str,
        source: str,
        target: str,
        start: str,
        end: str,
        polarity: str,
        description: str,
        evidence: tuple[str, str],
        attributes: str,
    ) -> None:
        # One line per row: the loader numbers rows by line, so values never hold a line break.
        description = " ".join(description.split())
        self._rows.writerow(
            (
                relation_id,
                type_,
                source,
                target,
                start,
                end,
                polarity,
                description,
                evidence[0],
                evidence[1],
                attributes,
            )
        )
        self.summary.relations += 1
        self.summary.types[type_] += 1

    def _write_entities(self, rows: Iterable[tuple[str, str, str, list[str], dict[str, Any]]]) -> None:
        with (self.out_dir / "entities.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(ENTITY_COLUMNS)
            for entity_id, name, kind, aliases, attributes in rows:
                joined = "|".join(alias.replace("|", "/") for alias in aliases)
                writer.writerow((entity_id, name, kind, joined, _json(attributes)))
