"""The bulk CSV files of event datasets (``entities.csv``, ``relations.csv``), read fast.

Relations are read a block of rows at a time and checked column by column:
each distinct date, type, actor and attribute text is looked up once, and only
rows found bad are checked again one by one to say what is wrong with them.
Layouts are documented in ``docs/data-format.md``.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute
from pyarrow import csv as pa_csv

from . import rules
from .store import (
    DEFAULT_POLARITY,
    POLARITY_CODE,
    PRECISION_CODE,
    STATE_TYPE_CODES,
    TYPE_CODE,
    RelationColumns,
    goldstein_of,
)
from .temporal import OPEN_END, OPEN_START, DateError, parse_date
from .vocabulary import MEDIATION_TYPES

__all__ = ["ENTITY_COLUMNS", "RELATION_COLUMNS", "BulkTarget", "entity_rows", "read_relations"]

ENTITY_COLUMNS = ("id", "name", "kind", "aliases", "attributes")
RELATION_COLUMNS = (
    "id",
    "type",
    "source",
    "target",
    "start",
    "end",
    "polarity",
    "description",
    "source_id",
    "locator",
    "attributes",
)
BLOCK = 65_536
BLOCK_BYTES = 8 << 20  # Arrow's block: also the longest row a bulk file may hold
_DEFAULT = 9  # polarity left empty: the type's
_MEDIATION_CODES = np.array([TYPE_CODE[t] for t in MEDIATION_TYPES])
_NO_DATE = (OPEN_START, OPEN_END, 0)
_BAD = -99
_INVALID = object()  # an attributes cell that is not a JSON object
csv.field_size_limit(BLOCK_BYTES)

Report = Callable[[str, str, str], None]  # entry, field, message


@dataclass
class BulkTarget:
    """Where read relations go, and what they may refer to."""

    columns: RelationColumns
    known: rules.Known


def unreadable(path: Path, columns: tuple[str, ...]) -> tuple[str, str, str]:
    """Why a bulk file its reader gave up on cannot be read: the first line that is not UTF-8 text
    or is longer than a row may be, as ``(entry, field, message)``. Only called on failure."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if len(raw) > BLOCK_BYTES:
                return (
                    f"line {number}",
                    _field_of(raw, columns, lambda value: len(value) > BLOCK_BYTES // 2),
                    f"a row of {len(raw):,} bytes: longer than the {BLOCK_BYTES >> 20} MiB a row may hold",
                )
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                return (
                    f"line {number}",
                    _field_of(raw, columns, lambda value: "\ufffd" in value),
                    f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at byte {exc.start + 1} of the line",
                )
    return "-", "-", "cannot be read as CSV"


def _field_of(raw: bytes, columns: tuple[str, ...], bad: Callable[[str], bool]) -> str:
    """The column of the first field of a raw line for which ``bad`` holds, or ``-``."""
    csv.field_size_limit(sys.maxsize)
    try:
        fields = next(csv.reader([raw.decode("utf-8", "replace")]), [])
    finally:
        csv.field_size_limit(BLOCK_BYTES)
    return next((name for name, value in zip(columns, fields, strict=False) if bad(value)), "-")


def _rows(path: Path, columns: tuple[str, ...], report: Report) -> Iterator[list[list[str]]]:
    """Blocks of well-formed rows; each row gets its line number appended."""
    try:
        yield from _read_rows(path, columns, report)
    except (UnicodeDecodeError, csv.Error):
        report(*unreadable(path, columns))


def _read_rows(path: Path, columns: tuple[str, ...], report: Report) -> Iterator[list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(header) != columns:
            report("line 1", "header", f"expected the columns {','.join(columns)}")
            return
        line = 1
        while block := list(islice(reader, BLOCK)):
            good = []
            for row in block:
                line += 1
                if len(row) != len(columns):
                    report(f"line {line}", "-", f"has {len(row)} fields, expected {len(columns)}")
                else:
                    row.append(str(line))
                    good.append(row)
            yield good


def entity_rows(path: Path, report: Report) -> Iterator[tuple[str, Any]]:
    """Entity entries of ``entities.csv``, for the same validation as YAML entities."""
    for block in _rows(path, ENTITY_COLUMNS, report):
        for entity_id, name, kind, aliases, attributes, line in block:
            entry = f"line {line} ({entity_id})"
            try:
                parsed = json.loads(attributes) if attributes else {}
            except ValueError as exc:
                report(entry, "attributes", f"invalid JSON: {exc}")
                continue
            yield (
                entry,
                {
                    "id": entity_id,
                    "name": name,
                    "kind": kind,
                    "aliases": [a for a in aliases.split("|") if a],
                    "attributes": parsed,
                },
            )


def read_relations(path: Path, target: BulkTarget, report: Report) -> int | None:
    """Append the relations of ``relations.csv`` to ``target.columns``; report bad rows; return the rows read
    (``None`` when the file cannot be read).

    Parsed by Arrow's streaming CSV reader, a block at a time: the whole file
    is never held in memory, and each column's distinct values are looked up
    once (dictionary encoding). A file Arrow cannot read (not UTF-8, a row
    longer than a block) is one problem naming its first bad line.
    """
    try:
        return _read_relations(path, target, report)
    except pa.ArrowInvalid:
        report(*unreadable(path, RELATION_COLUMNS))
        return None


def _read_relations(path: Path, target: BulkTarget, report: Report) -> int:
    with path.open("rb") as handle:
        header = handle.readline().decode("utf-8", "replace").strip()
    if tuple(header.split(",")) != RELATION_COLUMNS:
        report("line 1", "header", f"expected the columns {','.join(RELATION_COLUMNS)}")
        return 0

    skipped: list[int] = []
    rows = 0

    def malformed(row: pa_csv.InvalidRow) -> str:
        report(f"line {row.number}", "-", f"has {row.actual_columns} fields, expected {row.expected_columns}")
        skipped.append(row.number)
        return "skip"

    reader = pa_csv.open_csv(  # one thread: Arrow then knows the line of each malformed row
        path,
        read_options=pa_csv.ReadOptions(block_size=BLOCK_BYTES, use_threads=False),
        parse_options=pa_csv.ParseOptions(invalid_row_handler=malformed),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in RELATION_COLUMNS}, strings_can_be_null=False
        ),
    )
    caches: dict[str, dict[str, Any]] = {"date": {"": _NO_DATE}, "attributes": {"": None}}
    next_line = 2
    for batch in reader:
        lines = np.arange(next_line, next_line + batch.num_rows)
        for line in sorted(skipped):  # rows after a skipped one sit one line further down
            lines[lines >= line] += 1
        next_line = max([next_line - 1, *lines[-1:].tolist(), *skipped]) + 1
        skipped.clear()
        rows += batch.num_rows
        _read_block(batch, lines, target, caches, report)
    pa.default_memory_pool().release_unused()  # Arrow's allocator keeps freed blocks otherwise
    return rows


def _date(text: str) -> tuple[int, int, int] | None:
    try:
        parsed = parse_date(text)
    except DateError:
        return None
    return parsed.lo, parsed.hi, PRECISION_CODE[parsed.precision]


def _attributes(text: str) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        return _INVALID
    return value if isinstance(value, dict) else _INVALID


def _mapped(column: pa.Array, cache: dict[str, Any], make: Callable[[str], Any]) -> tuple[list[Any], np.ndarray]:
    """The distinct values of a column mapped through ``make`` (cached), and each row's index into them."""
    encoded = column.dictionary_encode()
    values = encoded.dictionary.to_pylist()
    for value in values:
        if value not in cache:
            cache[value] = make(value)
    return [cache[value] for value in values], encoded.indices.to_numpy(zero_copy_only=False)


def _bytes(column: pa.Array) -> np.ndarray:
    """A string column as fixed-width UTF-8 bytes."""
    return column.cast(pa.binary()).to_numpy(zero_copy_only=False).astype(bytes)


def _codes(column: pa.Array, lookup: Callable[[str], int], dtype: type) -> np.ndarray:
    encoded = column.dictionary_encode()
    table: np.ndarray = np.array([lookup(value) for value in encoded.dictionary.to_pylist()], dtype=dtype)
    return table[encoded.indices.to_numpy(zero_copy_only=False)] if len(table) else np.empty(0, dtype=dtype)


def _read_block(
    batch: pa.RecordBatch, lines: np.ndarray, target: BulkTarget, caches: dict[str, dict[str, Any]], report: Report
) -> None:
    if batch.num_rows == 0:
        return
    column = dict(zip(RELATION_COLUMNS, batch.columns, strict=True))
    columns, alias_map, sources = target.columns, target.known.entities, target.known.sources
    type_code = _codes(column["type"], lambda t: TYPE_CODE.get(t, -1), np.int16)
    source = _codes(column["source"], lambda s: alias_map.get(s, -1), np.int32)
    target_ = _codes(column["target"], lambda s: alias_map.get(s, -1), np.int32)
    bad = (type_code < 0) | (source < 0) | (target_ < 0)
    spans = {}
    for name in ("start", "end"):
        values, index = _mapped(column[name], caches["date"], _date)
        bad |= np.array([v is None for v in values], dtype=bool)[index] if values else False
        table = np.array([v or _NO_DATE for v in values], dtype=np.int64).reshape(-1, 3)
        spans[name] = table[index]
    lo, start_hi, start_precision = spans["start"].T
    end_hi, end_precision = spans["end"][:, 1], spans["end"][:, 2]
    bad |= (end_precision > 0) & (start_precision > 0) & (end_hi < lo)
    polarity = _codes(column["polarity"], lambda p: POLARITY_CODE.get(p, _BAD) if p else _DEFAULT, np.int8)
    bad |= polarity == _BAD
    source_code = _codes(
        column["source_id"], lambda s: columns.source_code(s) if s in sources else (-1 if not s else _BAD), np.int16
    )
    bad |= source_code == _BAD
    values, index = _mapped(column["attributes"], caches["attributes"], _attributes)
    bad |= np.array([v is _INVALID for v in values], dtype=bool)[index]
    attributes = [values[i] for i in index.tolist()]
    goldstein = (
        np.array([goldstein_of(v) if isinstance(v, dict) else np.nan for v in values], dtype=np.float32)[index]
        if values
        else np.empty(0, dtype=np.float32)
    )
    ids = _bytes(column["id"])
    bad |= ids == b""
    for row in np.flatnonzero(np.isin(type_code, _MEDIATION_CODES) & ~bad).tolist():
        parties = rules.check_parties((attributes[row] or {}).get("parties"), alias_map)
        if isinstance(parties, str):
            report(f"line {lines[row]} ({ids[row].decode()})", "attributes.parties", parties)
            bad[row] = True
        else:
            attributes[row] = {**attributes[row], "parties": [target.known.entity_ids[p] for p in parties]}
    for row in np.flatnonzero(bad).tolist():
        _explain([batch.column(i)[row].as_py() for i in range(len(RELATION_COLUMNS))], int(lines[row]), target, report)
    keep = np.flatnonzero(~bad)
    safe_types = np.where(type_code < 0, 0, type_code)
    polarity = np.where(polarity == _DEFAULT, DEFAULT_POLARITY[safe_types], polarity)
    open_ended = STATE_TYPE_CODES[safe_types] | (start_precision == 0)
    hi = np.where(end_precision > 0, end_hi, np.where(open_ended, OPEN_END, start_hi))
    picked = keep.tolist()
    descriptions = column["description"]
    described = np.flatnonzero(pa.compute.not_equal(descriptions, "").to_numpy(zero_copy_only=False)[keep])
    columns.extend(
        {
            "type": type_code[keep],
            "source": source[keep],
            "target": target_[keep],
            "lo": lo[keep],
            "hi": hi[keep],
            "start_precision": start_precision[keep],
            "end_precision": end_precision[keep],
            "polarity": polarity[keep],
            "evidence_source": source_code[keep],
            "goldstein": goldstein[keep],
            "ids": ids[keep],
            "locators": _bytes(column["locator"])[keep],
            "attributes": [attributes[i] for i in picked] if len(picked) < len(ids) else attributes,
            "descriptions": {int(n): descriptions[int(keep[n])].as_py() for n in described},
        }
    )


def _explain(row: list[str], line: int, target: BulkTarget, report: Report) -> None:
    """Say what is wrong with one bad row, field by field, in the rulebook's words."""
    relation_id, type_, source, target_, start, end, polarity, _, source_id, _, attrs = row
    entry = f"line {line} ({relation_id})"
    known = target.known
    problems: list[tuple[str, str | None]] = [
        ("id", None if relation_id else "missing relation id"),
        ("type", rules.unknown_type(type_)),
        ("source", None if source in known.entities else rules.unknown_entity(source)),
        ("target", None if target_ in known.entities else rules.unknown_entity(target_)),
        ("start", rules.date_problem(start) if start else None),
        ("end", rules.date_problem(end) if end else None),
        ("polarity", rules.polarity_problem(polarity) if polarity else None),
        ("source_id", None if not source_id or source_id in known.sources else rules.unknown_source(source_id)),
        ("attributes", "must be a JSON object" if attrs and _attributes(attrs) is _INVALID else None),
    ]
    if not any(message for field, message in problems if field in ("start", "end")):
        problems.append(("end", rules.end_before_start(start or None, end or None)))
    for field, message in problems:
        if message:
            report(entry, field, message)
