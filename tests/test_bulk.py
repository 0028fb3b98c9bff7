"""Bulk CSV dataset folders: fast path, exact line numbers for bad rows, merging and roll-up."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from app.bulk import ENTITY_COLUMNS, RELATION_COLUMNS
from app.errors import DataError
from app.loader import load_graph
from app.queries.filters import make_filter
from app.queries.relations import find_dyad_relations
from app.queries.status import dyad_status
from app.temporal import parse_period

from .conftest import CURATED, MINI

EVENT = json.dumps({"cameo": "042", "event": "Make a visit", "goldstein": 1.9, "quad_class": 1})


def _folder(tmp_path: Path, relations: list[list[str]], *, raw_lines: dict[int, str] | None = None) -> Path:
    folder = tmp_path / "bulk"
    folder.mkdir()
    (folder / "sources.yaml").write_text("- {id: wire, title: Wire reports, kind: event-data}\n")
    with (folder / "entities.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ENTITY_COLUMNS)
        writer.writerow(["oman", "Oman", "state", "Sultanate of Oman", '{"iso_alpha3": "OMN"}'])
        writer.writerow(["yemen", "Yemen", "state", "", ""])
        writer.writerow(["government-yemen", "Government (Yemen)", "organization", "", '{"country": "yemen"}'])
        writer.writerow(["turkey", "Turkey", "state", "", '{"iso_alpha3": "TUR"}'])
    lines = [",".join(RELATION_COLUMNS)]
    for row in relations:
        out = []
        csv.writer(_Sink(out)).writerow(row)
        lines.append(out[0].rstrip("\r\n"))
    for number, text in sorted((raw_lines or {}).items()):
        lines.insert(number - 1, text)
    (folder / "relations.csv").write_text("\n".join(lines) + "\n")
    return folder


class _Sink:
    def __init__(self, out: list[str]) -> None:
        self.out = out

    def write(self, text: str) -> None:
        self.out.append(text)


def _row(
    relation_id: str,
    source: str = "oman",
    target: str = "yemen",
    start: str = "2014-03-02",
    type_: str = "visit",
    **extra: str,
) -> list[str]:
    values = {
        "id": relation_id,
        "type": type_,
        "source": source,
        "target": target,
        "start": start,
        "end": "",
        "polarity": "",
        "description": "",
        "source_id": "wire",
        "locator": f"wire:{relation_id}",
        "attributes": EVENT,
        **extra,
    }
    return [values[column] for column in RELATION_COLUMNS]


def test_bulk_folder_loads_with_shared_attributes_and_generated_descriptions(tmp_path: Path) -> None:
    kg = load_graph(
        [
            _folder(
                tmp_path,
                [
                    _row("r1"),
                    _row("r2", start="2014-03-05"),
                    _row("r3", source="government-yemen", target="oman", type_="member_of", attributes="", start=""),
                ],
            )
        ]
    )
    table = kg.relations
    assert [table.ids[p] for p in kg.dyad_relations(kg.resolve("Oman"), kg.resolve("Yemen"))] == ["r1", "r2"]
    assert table.attributes[0] is table.attributes[1]  # equal attribute dicts are stored once
    assert table.evidence(0) == (("wire", "wire:r1"),)
    assert table.polarity_name(0) == "positive"  # left empty: the type's polarity
    assert table.position["r2"] == 1 and "r9" not in table.position


def test_bad_rows_are_named_by_their_physical_line(tmp_path: Path) -> None:
    rows = [_row("r1"), _row("r2", target="atlantis"), _row("r3", start="2014-13-01"), _row("r4", polarity="warm")]
    folder = _folder(tmp_path, rows, raw_lines={3: "only,three,fields"})
    with pytest.raises(DataError) as caught:
        load_graph([folder])
    found = {(p.entry, p.field) for p in caught.value.problems}
    assert found == {("line 3", "-"), ("line 4 (r2)", "target"), ("line 5 (r3)", "start"), ("line 6 (r4)", "polarity")}


def test_duplicate_bulk_ids_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        load_graph([_folder(tmp_path, [_row("r1"), _row("r1", start="2014-04-01")])])
    assert [(p.field, p.message) for p in caught.value.problems] == [("id", "duplicate relation id 'r1'")]


def test_later_folder_names_become_aliases_of_the_earlier_entity(tmp_path: Path) -> None:
    kg = load_graph([CURATED, _folder(tmp_path, [_row("r1", source="turkey", target="oman")])])
    turkiye = kg.resolve("Türkiye")
    assert kg.entity(turkiye).id == "turkiye"
    assert kg.entity(kg.resolve("Sultanate of Oman")).id == "oman"
    assert [kg.relations.ids[p] for p in kg.dyad_relations(turkiye, kg.resolve("Oman"))] == ["r1"]


def test_members_roll_sector_actors_up_to_their_country(tmp_path: Path) -> None:
    kg = load_graph(
        [
            _folder(
                tmp_path,
                [
                    _row("r1", source="oman", target="government-yemen"),
                    _row("r2", source="government-yemen", target="yemen", type_="member_of", attributes="", start=""),
                ],
            )
        ]
    )
    oman, yemen = kg.resolve("Oman"), kg.resolve("Yemen")
    assert len(find_dyad_relations(kg, oman, yemen, flt=make_filter())) == 0
    rolled = find_dyad_relations(kg, oman, yemen, flt=make_filter(), members=True)
    assert [kg.relations.ids[p] for p in rolled] == ["r1"]
    status = dyad_status(kg, oman, yemen, as_of=parse_period("2014-03"), members=True)
    assert (status.status, status.polarity, status.basis) == ("cooperative", "positive", [0])


def test_a_mixed_yaml_and_bulk_folder_is_one_dataset(tmp_path: Path) -> None:
    folder = _folder(tmp_path, [_row("r1")])
    for name in ("entities.yaml", "relations.yaml"):
        (folder / name).write_text((MINI / name).read_text())
    (folder / "sources.yaml").write_text(
        (MINI / "sources.yaml").read_text() + "- {id: wire, title: Wire reports, kind: event-data}\n"
    )
    kg = load_graph([folder])
    assert len(kg.relations) == 8 and kg.entity(kg.resolve("Alfa")).id == "alpha"
