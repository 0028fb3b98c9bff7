"""Compact, column-wise storage of relations.

An event dataset holds hundreds of thousands of relations, most of whose
fields repeat (type, polarity, CAMEO attributes). Relations are therefore kept
as NumPy columns of small integers plus a few Python lists, and turned into
JSON-ready dicts only when a query returns them. Attribute dicts that are equal
are stored once and shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .temporal import OPEN_END, OPEN_START, ordinal_text, parse_date
from .vocabulary import VOCABULARY

__all__ = ["PRECISIONS", "RelationColumns", "RelationTable"]

PRECISIONS = (None, "year", "month", "day")
_PRECISION_CODE = {"year": 1, "month": 2, "day": 3}
POLARITY_CODE = {"negative": -1, "neutral": 0, "positive": 1}
POLARITY_NAME = {code: name for name, code in POLARITY_CODE.items()}
TYPE_IDS: tuple[str, ...] = tuple(VOCABULARY)
TYPE_CODE = {type_id: code for code, type_id in enumerate(TYPE_IDS)}
STATE_TYPE_CODES = np.array([VOCABULARY[t].kind == "state" for t in TYPE_IDS], dtype=bool)


@dataclass
class RelationColumns:
    """Relations as they are read, before they are frozen into a table."""

    ids: list[str] = field(default_factory=list)
    type: list[int] = field(default_factory=list)
    source: list[int] = field(default_factory=list)
    target: list[int] = field(default_factory=list)
    lo: list[int] = field(default_factory=list)
    hi: list[int] = field(default_factory=list)
    start_precision: list[int] = field(default_factory=list)
    end_precision: list[int] = field(default_factory=list)
    polarity: list[int] = field(default_factory=list)
    description: list[str] = field(default_factory=list)
    evidence: list[tuple[tuple[str, str], ...]] = field(default_factory=list)
    attributes: list[dict[str, Any] | None] = field(default_factory=list)
    notes: dict[int, str] = field(default_factory=dict)
    _shared: dict[Any, Any] = field(default_factory=dict)

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
        kind = VOCABULARY[type]
        first = parse_date(start) if start else None
        last = parse_date(end) if end else None
        lo = first.lo if first else OPEN_START
        if last is not None:
            hi = last.hi
        elif kind.kind == "event" and first is not None:
            hi = first.hi
        else:
            hi = OPEN_END
        if note:
            self.notes[len(self.ids)] = note
        self.ids.append(id)
        self.type.append(TYPE_CODE[type])
        self.source.append(source)
        self.target.append(target)
        self.lo.append(lo)
        self.hi.append(hi)
        self.start_precision.append(_PRECISION_CODE[first.precision] if first else 0)
        self.end_precision.append(_PRECISION_CODE[last.precision] if last else 0)
        self.polarity.append(POLARITY_CODE[polarity or kind.polarity])
        self.description.append(description)
        self.evidence.append(self.share(evidence))
        self.attributes.append(self.share_attributes(attributes) if attributes else None)

    def share(self, value: Any) -> Any:
        """Return the stored copy of an equal hashable value, storing it if new."""
        return self._shared.setdefault(value, value)

    def share_attributes(self, attributes: dict[str, Any]) -> dict[str, Any]:
        try:
            key = ("attributes", tuple(sorted(attributes.items())))
            return self._shared.setdefault(key, attributes)  # type: ignore[no-any-return]
        except TypeError:  # unhashable values (lists of parties): keep as is
            return attributes


class RelationTable:
    """Frozen relation columns with the per-relation answers queries need."""

    def __init__(self, columns: RelationColumns) -> None:
        self.ids = columns.ids
        self.type = np.asarray(columns.type, dtype=np.int16)
        self.source = np.asarray(columns.source, dtype=np.int32)
        self.target = np.asarray(columns.target, dtype=np.int32)
        self.lo = np.asarray(columns.lo, dtype=np.int32)
        self.hi = np.asarray(columns.hi, dtype=np.int32)
        self.start_precision = np.asarray(columns.start_precision, dtype=np.int8)
        self.end_precision = np.asarray(columns.end_precision, dtype=np.int8)
        self.polarity = np.asarray(columns.polarity, dtype=np.int8)
        self.is_state = STATE_TYPE_CODES[self.type]
        self.description = columns.description
        self.evidence = columns.evidence
        self.attributes = columns.attributes
        self.notes = columns.notes
        self.position = {relation_id: index for index, relation_id in enumerate(self.ids)}

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
