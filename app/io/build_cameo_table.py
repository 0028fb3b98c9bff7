"""Build ``app/io/cameo.csv`` from the CAMEO codes file (run once; the output is committed).

    .venv/bin/python -m app.io.build_cameo_table [CODES_CSV] [OUT_CSV]

``CODES_CSV`` is ``cameo-codes.csv`` of the MIT-licensed andybega/icews package (default: the copy
in ``datasets/cameo/`` of the ``shared/`` folder beside the checkout).

Only facts are carried over: each code, its name, its root code and its
Goldstein value. The codebook's descriptions, usage notes and examples are
left behind. The derived columns are:

- ``quad_class``: 1 verbal cooperation (roots 01-05), 2 material cooperation
  (06-08), 3 verbal conflict (09-13), 4 material conflict (14-20).
- ``polarity``: the sign of the Goldstein value (positive, negative, neutral).
- ``type``: the service's relation type the code fits (``_TYPE_BY_PREFIX``,
  longest matching prefix), else ``event``. Event data never maps to a
  status-bearing type (diplomatic ties, alliance, rupture, hostility...): one
  news report cannot establish or end a state of relations.

Goldstein values come from ``cameo-codes.csv``. GDELT's
``CAMEO.goldsteinscale.txt`` differs on four codes (016, 022, 164, 165); the
codes file is the one ICEWS's event names come from, so its values are kept.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from pathlib import Path

from ..vocabulary import VOCABULARY

__all__ = ["COLUMNS", "build_rows", "main"]

DEFAULT_SOURCE = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "cameo" / "cameo-codes.csv"
DEFAULT_OUT = Path(__file__).with_name("cameo.csv")
COLUMNS = ("code", "name", "root", "goldstein", "quad_class", "polarity", "type")

# Prefix of a CAMEO code -> vocabulary type; the longest prefix wins.
_TYPE_BY_PREFIX = {
    "01": "statement",
    "014": "policy_decision",
    "039": "mediation_offer",  # a single report names one party: see icews.py
    "04": "meeting",  # consult, phone talks, meetings elsewhere, negotiation
    "042": "visit",
    "043": "visit",  # host a visit: the importer swaps the ends (cameo.SWAPPED)
    "045": "mediation",  # as for 039
    "054": "recognition",
    "057": "agreement",
    "06": "cooperation",
    "064": "security_cooperation",
    "07": "aid",
    "075": "event",  # asylum is not aid to the target
    "11": "criticism",
    "112": "accusation",
    "113": "event",
    "115": "event",
    "116": "event",
    "13": "threat",
    "15": "military_exercise",
    "16": "sanction",  # 161 included: a reduction of ties, never a "rupture" status
    "18": "attack",
    "19": "attack",
    "20": "attack",
}
_STATUS_TYPES = frozenset(t.id for t in VOCABULARY.values() if t.status is not None)


def quad_class(root: str) -> int:
    """GDELT's four-way grouping of a CAMEO root code (``"01"`` to ``"20"``)."""
    number = int(root)
    if not 1 <= number <= 20:
        raise ValueError(f"not a CAMEO root code: {root!r}")
    return 1 if number <= 5 else 2 if number <= 8 else 3 if number <= 13 else 4


def polarity(goldstein: float) -> str:
    return "positive" if goldstein > 0 else "negative" if goldstein < 0 else "neutral"


def relation_type(code: str) -> str:
    """The vocabulary type a CAMEO code maps to (longest prefix in ``_TYPE_BY_PREFIX``)."""
    for length in range(len(code), 1, -1):
        if (found := _TYPE_BY_PREFIX.get(code[:length])) is not None:
            return found
    return "event"


def build_rows(source: Path) -> list[dict[str, str]]:
    """The table's rows, in code order, read from the CAMEO codes file."""
    rows = []
    with source.open(encoding="utf-8", errors="replace", newline="") as handle:
        for raw in csv.DictReader(handle):
            code, root = raw["code"].strip(), raw["root_code"].strip()
            goldstein = float(raw["goldstein"])
            type_id = relation_type(code)
            if type_id not in VOCABULARY or type_id in _STATUS_TYPES:
                raise ValueError(f"CAMEO {code} maps to {type_id!r}, which event data may not use")
            rows.append(
                {
                    "code": code,
                    "name": raw["name"].strip(),
                    "root": root,
                    "goldstein": repr(goldstein),
                    "quad_class": str(quad_class(root)),
                    "polarity": polarity(goldstein),
                    "type": type_id,
                }
            )
    return sorted(rows, key=lambda row: row["code"])


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    source = Path(args[0]) if args else DEFAULT_SOURCE
    out = Path(args[1]) if len(args) > 1 else DEFAULT_OUT
    rows = build_rows(source)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} CAMEO codes to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
