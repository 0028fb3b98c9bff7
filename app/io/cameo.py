"""CAMEO event codes: code, name, Goldstein value, QuadClass, polarity and the service's type.

The table is package data (``cameo.csv``), built from the CAMEO codes file by
``build_cameo_table.py``; see that module for how each column is derived and
which Goldstein table was used where the two public ones disagree.

>>> mediate = lookup("Mediate")
>>> mediate.code, mediate.goldstein, mediate.quad_class, mediate.type
('045', 5.0, 1, 'mediation')
>>> lookup("043").name
'Host a visit'
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

__all__ = ["SWAPPED", "CameoCode", "UnknownEvent", "codes", "lookup"]

# Codes whose subject is the *target* of the vocabulary type: in "A hosts a
# visit of B" (043) B is the visitor, so the relation reads B --visit--> A.
SWAPPED = frozenset({"043"})


class UnknownEvent(KeyError):
    """No CAMEO code has that name or code."""

    def __str__(self) -> str:
        return f"unknown CAMEO event {self.args[0]!r}"


@dataclass(frozen=True, slots=True)
class CameoCode:
    code: str
    name: str
    root: str
    goldstein: float
    quad_class: int
    polarity: str
    type: str

    @property
    def swapped(self) -> bool:
        """Whether the relation runs from the event's object to its subject."""
        return self.code in SWAPPED

    def attributes(self) -> dict[str, object]:
        """The attributes every relation coded with this event carries."""
        found: dict[str, object] = {
            "cameo": self.code,
            "event": self.name,
            "goldstein": self.goldstein,
            "quad_class": self.quad_class,
        }
        if self.swapped:
            found["swapped"] = True
        return found

    def attributes_json(self) -> str:
        """``attributes()`` as compact JSON with sorted keys: equal codes give equal text."""
        return _attributes_json(self)


@cache
def _attributes_json(code: CameoCode) -> str:
    return json.dumps(code.attributes(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@cache
def _tables() -> tuple[dict[str, CameoCode], dict[str, CameoCode], dict[str, CameoCode]]:
    text = files("app.io").joinpath("cameo.csv").read_text(encoding="utf-8")
    by_code: dict[str, CameoCode] = {}
    for row in csv.DictReader(io.StringIO(text)):
        by_code[row["code"]] = CameoCode(
            code=row["code"],
            name=row["name"],
            root=row["root"],
            goldstein=float(row["goldstein"]),
            quad_class=int(row["quad_class"]),
            polarity=row["polarity"],
            type=row["type"],
        )
    by_name = {code.name: code for code in by_code.values()}
    by_folded = {code.name.casefold(): code for code in by_code.values()}
    return by_code, by_name, by_folded


def codes() -> list[CameoCode]:
    """Every CAMEO code of the table, in code order."""
    return list(_tables()[0].values())


def lookup(name: str) -> CameoCode:
    """The CAMEO code with this exact event name, else this code, else this name in any case.

    Raises ``UnknownEvent`` (a ``KeyError``) when nothing matches.
    """
    by_code, by_name, by_folded = _tables()
    found = by_name.get(name) or by_code.get(name) or by_folded.get(name.strip().casefold())
    if found is None:
        raise UnknownEvent(name)
    return found
