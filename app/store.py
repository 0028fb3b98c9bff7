"""Compact, column-wise storage of relations.

An event dataset holds hundreds of thousands of relations whose fields mostly
repeat (type, polarity, CAMEO attributes). Relations are therefore kept as
typed arrays (one machine integer per field), ids and locators as fixed-width
byte strings, equal attribute dicts shared, and descriptions, notes and extra
evidence only where present. A relation becomes a JSON-ready dict only when a
query returns it (``queries/views.py``).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .temporal import OPEN_END, OPEN_START, ordinal_text, parse_date
from .vocabulary import VOCABULARY

if TYPE_CHECKING:  # the rulebook takes the store's codes; the store takes what it checked
    from .rules import CheckedRelation

__all__ = [
    "NUMERIC_COLUMNS",
    "POLARITY_CODE",
    "PRECISION_CODE",
    "STATE_TYPE_CODES",
    "TYPE_CODE",
    "TYPE_IDS",
    "RelationColumns",
    "RelationTable",
]

PRECISIONS = (None, "year", "month", "day")
PRECISION_CODE = {"year": 1, "month": 2, "day": 3}
POLARITY_CODE = {"negative": -1, "neutral": 0, "positive": 1}
POLARITY_NAME = {code: name for name, code in POLARITY_CODE.items()}
TYPE_IDS: tuple[str, ...] = tuple(VOCABULARY)
TYPE_CODE = {type_id: code for code, type_id in enumerate(TYPE_IDS)}
STATE_TYPE_CODES = np.array([VOCABULARY[t].kind == "state" for t in TYPE_IDS], dtype=bool)
STATUS_TYPE_CODES = np.array([VOCABULARY[t].status is not None for t in TYPE_IDS], dtype=bool)
DEFAULT_POLARITY = np.array([POLARITY_CODE[VOCABULARY[t].polarity] for t in TYPE_IDS], dtype=np.int8)

_NUMERIC = {
    "type": ("h", np.int16),
    "source": ("i", np.int32),
    "target": ("i", np.int32),
    "lo": ("i", np.int32),
    "hi": ("i", np.int32),
    "start_precision": ("b", np.int8),
    "end_precision": ("b", np.int8),
    "polarity": ("b", np.int8),
    "evidence_source": ("h", np.int16),
    "goldstein": ("f", np.float32),
}

NUMERIC_COLUMNS = (*_NUMERIC, "is_state")


def goldstein_of(attributes: dict[str, Any] | None) -> float:
    """The Goldstein value coded event data carries in its attributes, or NaN."""
    value = (attributes or {}).get("goldstein")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else float("nan")


class TextParts:
    """Strings gathered one by one or a block at a time, frozen into one ``TextColumn``."""

    def __init__(self) -> None:
        self._parts: list[np.ndarray] = []
        self._pending: list[str] = []
        self.count = 0

    def append(self, text: str) -> None:
        self._pending.append(text)
        self.count += 1

    def extend(self, block: np.ndarray) -> None:
        """Add a block of UTF-8 byte strings (NumPy ``S`` dtype)."""
        self._flush()
        self._parts.append(block)
        self.count += len(block)

    def _flush(self) -> None:
        if self._pending:
            self._parts.append(np.array([text.encode() for text in self._pending], dtype=bytes))
            self._pending = []

    def freeze(self) -> TextColumn:
        self._flush()
        width = max((part.dtype.itemsize for part in self._parts), default=1)
        joined = (
            np.concatenate([part.astype(f"S{width}") for part in self._parts])
            if self._parts
            else np.empty(0, dtype="S1")
        )
        return TextColumn(joined)


class RelationColumns:
    """Relations as they are read: one at a time (YAML) or a block at a time (bulk CSV)."""

    def __init__(self) -> None:
        self.numeric: dict[str, array[Any]] = {name: array(code) for name, (code, _) in _NUMERIC.items()}
        self.ids = TextParts()
        self.locators = TextParts()
        self.attributes: list[dict[str, Any] | None] = []
        self.descriptions: dict[int, str] = {}
        self.notes: dict[int, str] = {}
        self.more_evidence: dict[int, tuple[tuple[str, str], ...]] = {}
        self.sources: list[str] = []
        self._shared: dict[Any, Any] = {}

    def __len__(self) -> int:
        return self.ids.count

    def source_code(self, source_id: str) -> int:
        if source_id not in self.sources:
            self.sources.append(source_id)
        return self.sources.index(source_id)

    def add_checked(self, checked: CheckedRelation) -> None:
        """Append a relation the rulebook passed (``rules.check_relation``): its ends resolved to positions."""
        record = checked.record
        self.add(
            id=record.id,
            type=record.type,
            source=checked.source,
            target=checked.target,
            start=record.start,
            end=record.end,
            polarity=record.polarity,
            description=record.description,
            evidence=tuple((e.source_id, e.locator) for e in record.evidence),
            attributes=checked.attributes,
            note=record.note,
        )

    def add(
        self,
        *,
        id: str,
        type: str,
        source: int,
        target: int,
        start: str | None,
        end: str | None,
        polarity: str | None,
        description: str,
        evidence: tuple[tuple[str, str], ...],
        attributes: dict[str, Any] | None,
        note: str | None = None,
    ) -> None:
        """Append one relation whose fields have already been validated."""
        first = parse_date(start) if start else None
        last = parse_date(end) if end else None
        lo = first.lo if first else OPEN_START
        if last is not None:
            hi = last.hi
        elif VOCABULARY[type].kind == "event" and first is not None:
            hi = first.hi
        else:
            hi = OPEN_END
        position = len(self)
        row = {
            "type": TYPE_CODE[type],
            "source": source,
            "target": target,
            "lo": lo,
            "hi": hi,
            "start_precision": PRECISION_CODE[first.precision] if first else 0,
            "end_precision": PRECISION_CODE[last.precision] if last else 0,
            "polarity": POLARITY_CODE[polarity or VOCABULARY[type].polarity],
            "evidence_source": self.source_code(evidence[0][0]) if evidence else -1,
            "goldstein": goldstein_of(attributes),
        }
        for name, value in row.items():
            self.numeric[name].append(value)
        self.ids.append(id)
        self.locators.append(evidence[0][1] if evidence else "")
        if len(evidence) > 1:
            self.more_evidence[position] = evidence[1:]
        self.attributes.append(self.share_attributes(attributes) if attributes else None)
        if description:
            self.descriptions[position] = description
        if note:
            self.notes[position] = note

    def extend(self, block: dict[str, Any]) -> None:
        """Append a block of relations given as NumPy columns (see ``loader.py``)."""
        offset = len(self)
        for name, (_, dtype) in _NUMERIC.items():
            self.numeric[name].frombytes(np.ascontiguousarray(block[name], dtype=dtype).tobytes())
        self.ids.extend(block["ids"])
        self.locators.extend(block["locators"])
        self.attributes.extend(block["attributes"])
        for index, text in block["descriptions"].items():
            self.descriptions[offset + index] = text

    def share_attributes(self, attributes: dict[str, Any]) -> dict[str, Any]:
        """The stored copy of an equal attribute dict, so repeats cost one pointer."""
        # Keyed by each value's repr too: ``True == 1 == 1.0`` and ``0.0 == -0.0`` in Python, not in JSON.
        try:
            key = tuple(sorted((name, repr(value), value) for name, value in attributes.items()))
            return self._shared.setdefault(key, attributes)  # type: ignore[no-any-return]
        except TypeError:  # unhashable values (lists of parties): keep as is
            return attributes


class TextColumn(Sequence[str]):
    """Strings stored as one fixed-width UTF-8 byte array."""

    def __init__(self, raw: np.ndarray) -> None:
        self._bytes = raw

    def __len__(self) -> int:
        return len(self._bytes)

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        return bytes(self._bytes[index]).decode()

    def __iter__(self) -> Iterator[str]:
        return (bytes(raw).decode() for raw in self._bytes)

    @property
    def raw(self) -> np.ndarray:
        return self._bytes


class IdIndex:
    """Relation id to position by binary search over the sorted ids: no dict of 500k entries."""

    def __init__(self, ids: TextColumn, positions: np.ndarray | None = None) -> None:
        raw = ids.raw if positions is None else ids.raw[positions]
        order = np.argsort(raw, kind="stable").astype(np.int32)
        self._sorted = raw[order]
        self._order = order if positions is None else positions[order].astype(np.int32)

    def get(self, relation_id: str, default: int | None = None) -> int | None:
        if "\x00" in relation_id:  # fixed-width byte strings drop trailing NULs: never a match
            return default
        key = np.array(relation_id.encode(), dtype=self._sorted.dtype) if self._sorted.size else None
        if key is None or len(relation_id.encode()) > self._sorted.dtype.itemsize:
            return default
        index = int(self._sorted.searchsorted(key))
        if index < len(self._sorted) and self._sorted[index] == key:
            return int(self._order[index])
        return default

    def __getitem__(self, relation_id: str) -> int:
        found = self.get(relation_id)
        if found is None:
            raise KeyError(relation_id)
        return found

    def __contains__(self, relation_id: object) -> bool:
        return isinstance(relation_id, str) and self.get(relation_id) is not None

    def found_among(self, ids: Sequence[str]) -> list[str]:
        """Those of ``ids`` that are relation ids, found by one vectorised search."""
        if not self._sorted.size or not ids:
            return []
        width = self._sorted.dtype.itemsize
        encoded = [text.encode() for text in ids]
        fits = [i for i, raw in enumerate(encoded) if len(raw) <= width and b"\x00" not in raw]
        keys = np.array([encoded[i] for i in fits], dtype=self._sorted.dtype)
        at = np.minimum(self._sorted.searchsorted(keys), len(self._sorted) - 1)
        return [ids[fits[i]] for i in np.flatnonzero(self._sorted[at] == keys).tolist()]

    def duplicates(self) -> list[str]:
        """Ids held by more than one relation."""
        repeated = self._sorted[1:][self._sorted[1:] == self._sorted[:-1]]
        return sorted({bytes(raw).decode() for raw in repeated})


class RelationTable:
    """Frozen relation columns with the per-relation answers queries need."""

    def __init__(self, columns: RelationColumns) -> None:
        for name, (_, dtype) in _NUMERIC.items():
            setattr(self, name, np.frombuffer(columns.numeric[name], dtype=dtype))
        self.type: np.ndarray
        self.source: np.ndarray
        self.target: np.ndarray
        self.lo: np.ndarray
        self.hi: np.ndarray
        self.start_precision: np.ndarray
        self.end_precision: np.ndarray
        self.polarity: np.ndarray
        self.evidence_source: np.ndarray
        self.goldstein: np.ndarray
        self.is_state = STATE_TYPE_CODES[self.type]
        self.ids = columns.ids.freeze()
        self.locators = columns.locators.freeze()
        self.sources = tuple(columns.sources)
        self.attributes = columns.attributes
        self.descriptions = columns.descriptions
        self.notes = columns.notes
        self.more_evidence = columns.more_evidence
        self.position = IdIndex(self.ids)

    @classmethod
    def of_columns(
        cls,
        numeric: dict[str, np.ndarray],
        *,
        ids: np.ndarray,
        locators: np.ndarray,
        like: RelationTable,
        sources: tuple[str, ...],
    ) -> RelationTable:
        """A table over given columns (views of a growing store, see ``snapshot.py``), sharing the
        per-position dicts and attribute list of ``like``; its id index is ``like``'s."""
        table = cls.__new__(cls)
        for name in _NUMERIC:
            setattr(table, name, numeric[name])
        table.is_state = numeric["is_state"]
        table.ids, table.locators, table.sources = TextColumn(ids), TextColumn(locators), sources
        table.attributes, table.descriptions = like.attributes, like.descriptions
        table.notes, table.more_evidence, table.position = like.notes, like.more_evidence, like.position
        return table

    def __len__(self) -> int:
        return len(self.ids)

    def type_id(self, index: int) -> str:
        return TYPE_IDS[self.type[index]]

    def start_text(self, index: int) -> str | None:
        precision = PRECISIONS[self.start_precision[index]]
        return ordinal_text(int(self.lo[index]), precision) if precision else None

    def end_text(self, index: int) -> str | None:
        precision = PRECISIONS[self.end_precision[index]]
        return ordinal_text(int(self.hi[index]), precision) if precision else None

    def polarity_name(self, index: int) -> str:
        return POLARITY_NAME[int(self.polarity[index])]

    def description(self, index: int) -> str:
        return self.descriptions.get(index, "")

    def evidence(self, index: int) -> tuple[tuple[str, str], ...]:
        code = int(self.evidence_source[index])
        if code < 0:
            return ()
        return ((self.sources[code], self.locators[index]), *self.more_evidence.get(index, ()))
