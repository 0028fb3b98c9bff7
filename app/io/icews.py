"""Importers: ICEWS-style event files and a generic CSV format, to a dataset folder.

``import_icews`` reads lines ``subject<TAB>event<TAB>object<TAB>YYYY-MM-DD``
(ICEWS14 and its kin). ``import_csv`` reads the generic format of
``docs/data-format.md``: a header ``source,relation,target,date`` and optionally
``end``, ``polarity``, ``description``, ``evidence``; ``relation`` is a
vocabulary type id or a CAMEO event name or code; ``date`` a partial ISO date
or an interval ``2018/2022``. Both write ``sources.yaml`` (one source per
file), ``entities.csv`` and ``relations.csv`` that ``KG_DATA`` serves.

Rules:

- One input line is one relation, id ``<source id>-<line>``, evidence
  ``<file name>:<line>``, so counts per dyad, type and day are the source's.
- A CAMEO event takes its type, polarity and attributes (code, event name,
  Goldstein value, QuadClass) from ``cameo.csv``. For "Host a visit" (043) the
  relation runs from the visitor to the host. A CAMEO code mapped to a state
  type (``cooperation``) covers its one day (``end`` = ``start``).
- Mediation: a report of "Mediate" (045) or "Express intent to mediate" (039)
  names the mediator and one party. It is kept as a relation of type
  ``event`` with its CAMEO attributes (a ``mediation`` needs two parties).
  When one mediator is reported with two different parties within
  ``mediation_window_days`` of each other (default 1: news of the same
  shuttle diplomacy is often filed a day apart), one ``mediation`` (or
  ``mediation_offer``) relation is derived: source the mediator, target the
  first party, ``attributes.parties`` both, ``derived_from`` the report ids,
  start the earliest report, evidence the first report. Offers and
  mediations are paired separately.
- Actors follow ``actors.py``; a sector actor that is an organ of its country
  (``sectors.py``), or any sector actor of a group, gets a ``member_of`` link.
- A malformed line (wrong number of fields, empty actor, unknown event or
  relation, bad date or polarity, invalid UTF-8) is reported with its file and
  line. All are listed and nothing is written (``ImportFailed``), unless
  ``skip_bad``: then they are skipped and listed in the summary.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .. import rules
from ..vocabulary import VOCABULARY
from .actors import slug
from .cameo import CameoCode, UnknownEvent, lookup
from .dataset_writer import BadLine, DatasetWriter, ImportFailed, ImportSummary

__all__ = ["GENERIC_COLUMNS", "ImportFailed", "ImportSummary", "import_csv", "import_icews"]

GENERIC_COLUMNS = ("source", "relation", "target", "date", "end", "polarity", "description", "evidence")
_SPLITS = frozenset({"train", "valid", "validation", "test", "dev"})
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ICEWS_NOTE = (
    "ICEWS (Integrated Crisis Early Warning System) events as released with Garcia-Duran et al. "
    "2018, BSD-3-Clause, NEC Laboratories Europe. Imported with `python -m app import icews`; "
    "each relation's locator is <file>:<line>."
)

Parser = Callable[[Path, str, DatasetWriter, bool], None]


def import_icews(
    files: Sequence[str | Path],
    out_dir: str | Path,
    *,
    skip_bad: bool = False,
    mediation_window_days: int = 1,
    progress: bool = True,
) -> ImportSummary:
    """Import ICEWS-style event files into the dataset folder ``out_dir``; see the module docstring."""

    def source(path: Path, source_id: str) -> dict[str, Any]:
        return {
            "id": source_id,
            "title": f"ICEWS coded events, {path.name}",
            "kind": "event-data",
            "file": path.name,
            "note": _ICEWS_NOTE,
        }

    return _run(files, out_dir, _read_icews, source, skip_bad, mediation_window_days, progress)


def import_csv(
    files: Sequence[str | Path],
    out_dir: str | Path,
    *,
    skip_bad: bool = False,
    mediation_window_days: int = 1,
    progress: bool = True,
) -> ImportSummary:
    """Import generic CSV files (``docs/data-format.md``) into ``out_dir``; see the module docstring."""

    def source(path: Path, source_id: str) -> dict[str, Any]:
        return {
            "id": source_id,
            "title": f"Imported relations, {path.name}",
            "kind": "dataset",
            "file": path.name,
            "note": "Imported with `python -m app import csv`.",
        }

    return _run(files, out_dir, _read_generic, source, skip_bad, mediation_window_days, progress)


def _run(
    files: Sequence[str | Path],
    out_dir: str | Path,
    read: Parser,
    source: Callable[[Path, str], dict[str, Any]],
    skip_bad: bool,
    window: int,
    progress: bool,
) -> ImportSummary:
    paths = [Path(f) for f in files]
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"no such input file: {path}")
    out = Path(out_dir)
    curated = [p.name for p in out.glob("*.y*ml") if p.name.startswith(("entities", "relations"))]
    if curated:
        raise FileExistsError(f"{out} holds hand-edited data ({', '.join(curated)}); import into another folder")
    writer = DatasetWriter(out, mediation_window_days=window)
    try:
        for path, source_id in zip(paths, _source_ids(paths), strict=True):
            writer.add_source(source(path, source_id))
            read(path, source_id, writer, progress)
        return writer.finish(skip_bad=skip_bad)
    except BaseException:
        writer.abort()
        raise


def _source_ids(paths: Iterable[Path]) -> list[str]:
    """A source id per file: its name, prefixed with its folder's for split files (``icews14-train``)."""
    ids: list[str] = []
    for path in paths:
        base = slug(path.stem)
        if base in _SPLITS:
            base = f"{slug(path.resolve().parent.name)}-{base}"
        candidate, number = base, 1
        while candidate in ids:
            number += 1
            candidate = f"{base}-{number}"
        ids.append(candidate)
    return ids


def _lines(path: Path, progress: bool) -> Iterator[tuple[int, bytes]]:
    """Numbered raw lines, with a progress bar on a terminal."""
    show = progress and sys.stderr.isatty()
    total = None
    if show:
        with path.open("rb") as handle:
            total = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    with path.open("rb") as handle:
        yield from enumerate(
            tqdm(handle, total=total, desc=path.name, unit=" lines", file=sys.stderr, disable=not show, leave=False), 1
        )


def _read_icews(path: Path, source_id: str, writer: DatasetWriter, progress: bool) -> None:
    for number, raw in _lines(path, progress):
        parsed = _icews_fields(raw)
        if isinstance(parsed, str):
            writer.bad(BadLine(str(path), number, parsed))
            continue
        subject, code, obj, day = parsed
        writer.add(
            relation_id=f"{source_id}-{number}",
            type_=code.type,
            subject=subject,
            obj=obj,
            start=day,
            cameo=code,
            evidence=(source_id, f"{path.name}:{number}"),
        )


def _icews_fields(raw: bytes) -> tuple[str, CameoCode, str, str] | str:
    """``(subject, code, object, day)``, or why the line is malformed."""
    try:
        fields = raw.decode("utf-8").rstrip("\r\n").split("\t")
    except UnicodeDecodeError:
        return "not valid UTF-8"
    if len(fields) != 4:
        return f"expected 4 tab-separated fields (subject, event, object, date), found {len(fields)}"
    subject, event, obj, day = (field.strip() for field in fields)
    problems = [f"empty {name}" for name, value in (("subject", subject), ("object", obj)) if not value]
    code = _cameo(event, problems)
    if not _DAY.match(day) or not _valid_day(day):
        problems.append(f"bad date {day!r} (expected YYYY-MM-DD)")
    return "; ".join(problems) if problems or code is None else (subject, code, obj, day)


def _cameo(event: str, problems: list[str]) -> CameoCode | None:
    try:
        return lookup(event)
    except UnknownEvent:
        problems.append(f"unknown CAMEO event {event!r}")
        return None


def _valid_day(day: str) -> bool:
    try:
        date.fromisoformat(day)
    except ValueError:
        return False
    return True


def _read_generic(path: Path, source_id: str, writer: DatasetWriter, progress: bool) -> None:
    with path.open("rb") as binary, io.TextIOWrapper(binary, encoding="utf-8", newline="") as text:
        reader = csv.reader(text)
        header = [name.strip() for name in next(reader, [])]
        unknown = [name for name in header if name not in GENERIC_COLUMNS]
        missing = [name for name in GENERIC_COLUMNS[:4] if name not in header]
        if unknown or missing or len(set(header)) != len(header):
            reason = (
                f"the header must name the columns {','.join(GENERIC_COLUMNS[:4])} and optionally "
                f"end, polarity, description, evidence; missing {missing}, unknown {unknown}"
            )
            raise ImportFailed([BadLine(str(path), 1, reason)])
        rows = tqdm(
            reader,
            desc=path.name,
            unit=" rows",
            file=sys.stderr,
            disable=not (progress and sys.stderr.isatty()),
            leave=False,
        )
        try:
            for values in rows:
                number = reader.line_num
                row = dict(zip(header, (v.strip() for v in values), strict=False))
                problem = _generic_row(row, len(values), len(header))
                if isinstance(problem, str):
                    writer.bad(BadLine(str(path), number, problem))
                    continue
                writer.add(
                    relation_id=f"{source_id}-{number}",
                    subject=row["source"],
                    obj=row["target"],
                    evidence=(source_id, row.get("evidence") or f"{path.name}:{number}"),
                    **problem,
                )
        except UnicodeDecodeError:
            writer.bad(BadLine(str(path), reader.line_num + 1, "not valid UTF-8; the rest of the file was not read"))


def _date_problems(type_: str, start: str, end: str, earlier: list[str]) -> list[str]:
    """What is wrong with a generic row's dates, by the rulebook (``earlier``: the row's other problems)."""
    problems = [
        f"{name}: {message}"
        for name, value in (("date", start), ("end", end))
        if value and (message := rules.date_problem(value))
    ]
    if not start and type_ in VOCABULARY and VOCABULARY[type_].kind == "event":
        problems.append("an event needs a date")
    elif start and end and not problems and not earlier and (message := rules.end_before_start(start, end)):
        problems.append(f"end {message}")
    return problems


def _generic_row(row: dict[str, str], found: int, expected: int) -> dict[str, Any] | str:
    """The writer's arguments for one generic CSV row, or why it is malformed."""
    if found != expected:
        return f"expected {expected} fields, found {found}"
    problems = [f"empty {name}" for name in ("source", "target") if not row[name]]
    relation, code = row["relation"], None
    if relation not in VOCABULARY:
        try:
            code = lookup(relation)
        except UnknownEvent:
            problems.append(f"unknown relation {relation!r}: neither a type of /types nor a CAMEO event")
    type_ = code.type if code else relation
    start, _, end = row["date"].partition("/")
    end = end or row.get("end", "")
    problems += _date_problems(type_, start, end, problems)
    polarity = row.get("polarity", "")
    if polarity and (message := rules.polarity_problem(polarity)):
        problems.append(f"polarity {message}")
    if problems:
        return "; ".join(problems)
    return {
        "type_": type_,
        "start": start,
        "end": end,
        "polarity": polarity,
        "description": row.get("description", ""),
        "cameo": code,
    }
