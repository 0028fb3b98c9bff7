"""The column store: what goes in one relation (or one block) at a time comes back field by field."""

from __future__ import annotations

import calendar
import json
from datetime import date
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.records import Evidence, RelationRecord
from app.rules import CheckedRelation
from app.store import (
    DEFAULT_POLARITY,
    NUMERIC_COLUMNS,
    POLARITY_CODE,
    POLARITY_NAME,
    PRECISION_CODE,
    PRECISIONS,
    STATE_TYPE_CODES,
    STATUS_TYPE_CODES,
    TYPE_CODE,
    TYPE_IDS,
    IdIndex,
    RelationColumns,
    RelationTable,
    TextParts,
)
from app.vocabulary import VOCABULARY

LAST_DAY = date.max.toordinal()  # what an open end reads as


def _days(text: str) -> tuple[int, int]:
    """First and last day ordinals of a partial date, read with the calendar (not ``temporal.py``)."""
    year, *rest = (int(part) for part in text.split("-"))
    if not rest:
        return date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    if len(rest) == 1:
        month = rest[0]
        return date(year, month, 1).toordinal(), date(year, month, calendar.monthrange(year, month)[1]).toordinal()
    return (date(year, *rest).toordinal(),) * 2


def _expected_span(type_: str, start: str | None, end: str | None) -> tuple[int, int]:
    """The days a relation covers: an event without an end lasts its start's period, a state is open."""
    lo = _days(start)[0] if start else 0
    if end:
        return lo, _days(end)[1]
    if start and VOCABULARY[type_].kind == "event":
        return lo, _days(start)[1]
    return lo, LAST_DAY


def _json(value: Any) -> str:
    """A value as JSON with sorted keys: ``True``, ``1`` and ``1.0`` stay apart, key order does not count."""
    return json.dumps(value, sort_keys=True)


def _add(columns: RelationColumns, id: str = "r", type: str = "visit", **fields: Any) -> None:
    row: dict[str, Any] = {
        "source": 0,
        "target": 1,
        "start": None,
        "end": None,
        "polarity": None,
        "description": "",
        "evidence": (("article", "p. 1"),),
        "attributes": None,
    }
    columns.add(id=id, type=type, **(row | fields))


def _table(*rows: dict[str, Any]) -> RelationTable:
    columns = RelationColumns()
    for index, row in enumerate(rows):
        _add(columns, **({"id": f"r{index}"} | row))
    return RelationTable(columns)


# -- hypothesis: a checked relation through the columns and back ------------------------------------

_slug = st.builds(lambda head, tail: head + tail, st.sampled_from("a0z9"), st.text("az09._:-", max_size=30))
_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
_partial_date = st.builds(
    lambda day, precision: day.isoformat()[: {"year": 4, "month": 7, "day": 10}[precision]],
    st.dates(),
    st.sampled_from(list(PRECISION_CODE)),
)
_attribute_value = st.one_of(
    st.booleans(),
    st.integers(-3, 3),
    st.floats(-10, 10, width=32),
    _text,
    st.lists(st.integers(0, 3), max_size=2),
)
_attributes = st.dictionaries(
    st.sampled_from(["goldstein", "cameo", "verified", "parties"]), _attribute_value, max_size=3
)
_record = st.builds(
    RelationRecord,
    id=_slug,
    type=st.sampled_from(TYPE_IDS),
    source=st.just("a"),
    target=st.just("b"),
    start=st.none() | _partial_date,
    end=st.none() | _partial_date,
    polarity=st.none() | st.sampled_from(list(POLARITY_CODE)),
    description=st.just("") | _text,
    evidence=st.lists(
        st.builds(Evidence, source_id=st.sampled_from(["article", "icews", "un"]), locator=_text),
        min_size=1,
        max_size=3,
    ).map(tuple),
    attributes=_attributes,
    note=st.none() | _text,
)
_checked = st.builds(
    lambda record, source, target: CheckedRelation(record, source, target, dict(record.attributes)),
    _record,
    st.integers(0, 2**31 - 1),
    st.integers(0, 2**31 - 1),
)


def _assert_reads_back(table: RelationTable, position: int, checked: CheckedRelation) -> None:
    """Every field of the relation at ``position`` equals what the checked relation held."""
    record = checked.record
    assert table.ids[position] == record.id
    assert table.position[record.id] == position
    assert table.type_id(position) == record.type
    assert (int(table.source[position]), int(table.target[position])) == (checked.source, checked.target)
    assert (table.start_text(position), table.end_text(position)) == (record.start, record.end)
    assert (int(table.lo[position]), int(table.hi[position])) == _expected_span(record.type, record.start, record.end)
    assert table.polarity_name(position) == (record.polarity or VOCABULARY[record.type].polarity)
    assert bool(table.is_state[position]) is (VOCABULARY[record.type].kind == "state")
    assert table.description(position) == record.description
    assert (position in table.descriptions) is bool(record.description)
    assert table.notes.get(position) == (record.note or None)
    assert table.evidence(position) == tuple((e.source_id, e.locator) for e in record.evidence)
    assert (position in table.more_evidence) is (len(record.evidence) > 1)
    assert _json(table.attributes[position]) == _json(checked.attributes or None)
    goldstein = checked.attributes.get("goldstein")
    if isinstance(goldstein, int | float) and not isinstance(goldstein, bool):
        assert table.goldstein[position] == np.float32(goldstein)
    else:
        assert np.isnan(table.goldstein[position])


@settings(max_examples=300, deadline=None)
@given(st.lists(_checked, max_size=12, unique_by=lambda checked: checked.record.id))
def test_checked_relations_read_back_field_by_field(relations: list[CheckedRelation]) -> None:
    columns = RelationColumns()
    for checked in relations:
        columns.add_checked(checked)
    table = RelationTable(columns)

    assert len(table) == len(columns) == len(relations)
    for position, checked in enumerate(relations):
        _assert_reads_back(table, position, checked)
    first_sources = [checked.record.evidence[0].source_id for checked in relations]
    assert table.sources == tuple(dict.fromkeys(first_sources))  # each source once, in order of first use
    for name in NUMERIC_COLUMNS:
        assert len(getattr(table, name)) == len(relations), name
    assert table.position.duplicates() == []


@settings(max_examples=200, deadline=None)
@given(st.lists(_checked, max_size=6, unique_by=lambda checked: checked.record.id), st.integers(0, 6))
def test_a_table_over_the_first_rows_reads_as_the_whole_one_does(relations: list[CheckedRelation], rows: int) -> None:
    """``of_columns`` (the views ``tape.py`` hands to snapshots) over a prefix of the columns."""
    columns = RelationColumns()
    for checked in relations:
        columns.add_checked(checked)
    whole = RelationTable(columns)
    rows = min(rows, len(whole))
    numeric = {name: getattr(whole, name)[:rows] for name in NUMERIC_COLUMNS}
    part = RelationTable.of_columns(
        numeric, ids=whole.ids.raw[:rows], locators=whole.locators.raw[:rows], like=whole, sources=whole.sources
    )

    assert len(part) == rows
    for position, checked in enumerate(relations[:rows]):
        _assert_reads_back(part, position, checked)
    assert part.attributes is whole.attributes and part.descriptions is whole.descriptions
    assert part.notes is whole.notes and part.more_evidence is whole.more_evidence
    assert part.position is whole.position


# -- the codes -------------------------------------------------------------------------------------


def test_type_codes_name_every_type_once_and_fit_their_column() -> None:
    assert set(TYPE_IDS) == set(VOCABULARY) and len(TYPE_IDS) == len(VOCABULARY)
    assert [TYPE_IDS[TYPE_CODE[type_id]] for type_id in VOCABULARY] == list(VOCABULARY)
    assert max(TYPE_CODE.values()) <= np.iinfo(np.int16).max


@pytest.mark.parametrize("type_id", list(VOCABULARY))
def test_per_type_tables_follow_the_vocabulary(type_id: str) -> None:
    code, entry = TYPE_CODE[type_id], VOCABULARY[type_id]
    assert bool(STATE_TYPE_CODES[code]) is (entry.kind == "state")
    assert bool(STATUS_TYPE_CODES[code]) is (entry.status is not None)
    assert POLARITY_NAME[int(DEFAULT_POLARITY[code])] == entry.polarity


def test_polarity_and_precision_codes_round_trip() -> None:
    assert {POLARITY_NAME[code]: code for code in POLARITY_NAME} == POLARITY_CODE
    assert set(POLARITY_CODE) == {"negative", "neutral", "positive"}
    assert POLARITY_CODE["negative"] < POLARITY_CODE["neutral"] < POLARITY_CODE["positive"]  # a sign, summable
    assert [PRECISIONS[PRECISION_CODE[name]] for name in PRECISION_CODE] == list(PRECISION_CODE)
    assert PRECISIONS[0] is None and 0 not in PRECISION_CODE.values()  # 0 means no date


def test_numeric_columns_are_the_tables_arrays() -> None:
    table = _table({}, {"type": "alliance"})
    columns = RelationColumns()
    assert set(NUMERIC_COLUMNS) == {*columns.numeric, "is_state"}
    for name in NUMERIC_COLUMNS:
        column = getattr(table, name)
        assert isinstance(column, np.ndarray) and len(column) == 2, name
    assert table.is_state.tolist() == [False, True]


# -- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "start", "end", "first", "last"),
    [
        ("visit", "2020", None, date(2020, 1, 1), date(2020, 12, 31)),
        ("visit", "2020-02", None, date(2020, 2, 1), date(2020, 2, 29)),
        ("visit", "1900-02", None, date(1900, 2, 1), date(1900, 2, 28)),
        ("visit", "2022-11-02", None, date(2022, 11, 2), date(2022, 11, 2)),
        ("visit", "2019-12", "2020-01-05", date(2019, 12, 1), date(2020, 1, 5)),
        ("visit", None, "2021-03", None, date(2021, 3, 31)),
        ("visit", None, None, None, None),
        ("alliance", "2020", None, date(2020, 1, 1), None),
        ("alliance", "2018-06", "2022", date(2018, 6, 1), date(2022, 12, 31)),
        ("alliance", None, "2022-07-14", None, date(2022, 7, 14)),
        ("alliance", None, None, None, None),
        ("alliance", "0001", "9999-12", date(1, 1, 1), date(9999, 12, 31)),
    ],
)
def test_dates_keep_their_precision_and_cover_their_days(
    type_: str, start: str | None, end: str | None, first: date | None, last: date | None
) -> None:
    table = _table({"type": type_, "start": start, "end": end})
    assert (table.start_text(0), table.end_text(0)) == (start, end)
    assert int(table.lo[0]) == (first.toordinal() if first else 0)
    assert int(table.hi[0]) == (last.toordinal() if last else LAST_DAY)
    precisions = [int(table.start_precision[0]), int(table.end_precision[0])]
    assert [PRECISIONS[code] for code in precisions] == [
        ("year", "month", "day")[text.count("-")] if text else None for text in (start, end)
    ]


# -- polarity, goldstein, text only where present --------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "given", "stored"),
    [("attack", None, "negative"), ("visit", None, "positive"), ("statement", None, "neutral")]
    + [("attack", polarity, polarity) for polarity in POLARITY_CODE],
)
def test_polarity_is_the_given_one_or_the_types(type_: str, given: str | None, stored: str) -> None:
    assert _table({"type": type_, "polarity": given}).polarity_name(0) == stored


@pytest.mark.parametrize(
    ("attributes", "goldstein"),
    [({"goldstein": 1.9}, np.float32(1.9)), ({"goldstein": -10}, np.float32(-10.0)), ({"goldstein": 0}, 0.0)],
)
def test_goldstein_is_read_from_the_attributes(attributes: dict[str, Any], goldstein: float) -> None:
    assert _table({"attributes": attributes}).goldstein[0] == goldstein


@pytest.mark.parametrize("attributes", [None, {}, {"cameo": "042"}, {"goldstein": True}, {"goldstein": "1.9"}])
def test_goldstein_is_nan_without_a_number(attributes: dict[str, Any] | None) -> None:
    assert np.isnan(_table({"attributes": attributes}).goldstein[0])


def test_descriptions_notes_and_more_evidence_are_kept_only_where_present() -> None:
    table = _table(
        {"description": "met in Muscat", "evidence": (("article", "§ 2"), ("un", "S/2020/1"))},
        {"note": "date approximate", "evidence": ()},
        {"note": "", "description": ""},
    )
    assert table.descriptions == {0: "met in Muscat"}
    assert table.notes == {1: "date approximate"}
    assert table.more_evidence == {0: (("un", "S/2020/1"),)}
    assert [table.description(p) for p in range(3)] == ["met in Muscat", "", ""]
    assert [table.evidence(p) for p in range(3)] == [
        (("article", "§ 2"), ("un", "S/2020/1")),
        (),
        (("article", "p. 1"),),
    ]
    assert table.evidence_source.tolist() == [0, -1, 0] and table.sources == ("article",)
    assert table.locators[1] == ""


def test_source_codes_are_stable_and_first_come_first_numbered() -> None:
    columns = RelationColumns()
    assert [columns.source_code(s) for s in ("wire", "article", "wire", "un", "article")] == [0, 1, 0, 2, 1]
    assert columns.sources == ["wire", "article", "un"]


# -- attribute dicts shared when equal ------------------------------------------------------------


def test_equal_attributes_are_one_stored_dict() -> None:
    table = _table(
        {"attributes": {"cameo": "042", "goldstein": 1.9}},
        {"attributes": {"goldstein": 1.9, "cameo": "042"}},  # equal, keys in another order
        {"attributes": {"cameo": "043", "goldstein": 1.9}},
    )
    first, second, third = table.attributes
    assert first == second and first is second
    assert third == {"cameo": "043", "goldstein": 1.9} and third is not first


def test_attributes_with_lists_are_kept_as_given() -> None:
    given = [{"parties": ["oman"]}, {"parties": ["oman"]}]
    table = _table(*({"attributes": attributes} for attributes in given))
    assert table.attributes == given
    assert table.attributes[0] is given[0] and table.attributes[1] is given[1]


@pytest.mark.parametrize(
    "values", [(True, 1), (1, True), (1, 1.0), (0, False, 0.0), (False, 0), (1.0, True), (0.0, -0.0)], ids=repr
)
def test_attributes_equal_in_python_but_not_in_json_are_not_merged(values: tuple[Any, ...]) -> None:
    table = _table(*({"attributes": {"verified": value}} for value in values))
    assert [_json(attributes) for attributes in table.attributes] == [_json({"verified": v}) for v in values]


def test_empty_attributes_are_stored_as_none() -> None:
    assert _table({"attributes": {}}, {"attributes": None}).attributes == [None, None]


# -- ids and locators at their byte widths ---------------------------------------------------------


def test_text_is_stored_at_the_width_of_its_longest_utf8_form() -> None:
    ids = ["a", "oman-visit-2019", "ab", "réunion"]  # "é" takes two bytes
    locators = ["", "§ 4", "p. 12", "x"]
    table = _table(*({"id": i, "evidence": (("article", loc),)} for i, loc in zip(ids, locators, strict=True)))
    assert list(table.ids) == ids and [table.ids[p] for p in range(4)] == ids
    assert list(table.locators) == locators
    assert table.ids.raw.dtype.itemsize == len("oman-visit-2019")
    assert table.locators.raw.dtype.itemsize == len(b"p. 12")
    assert [table.position[i] for i in ids] == [0, 1, 2, 3]


def test_text_parts_keep_order_and_widen_across_blocks() -> None:
    parts = TextParts()
    parts.append("one")
    parts.extend(np.array([b"tw", b"three-and-more"]))
    parts.append("four")
    parts.extend(np.array([b"5"]))
    column = parts.freeze()
    assert parts.count == len(column) == 5
    assert list(column) == ["one", "tw", "three-and-more", "four", "5"]
    assert column.raw.dtype.itemsize == len("three-and-more")
    assert len(TextParts().freeze()) == 0


@pytest.mark.parametrize(
    ("asked", "found"),
    [
        ("oman-visit", 1),
        ("a", 0),
        ("oman", None),  # a prefix of a stored id
        ("oman-visit-", None),
        ("oman-visit-2019-and-more", None),  # longer than any stored id
        ("oman-visit\x00", None),  # stored ids lose trailing NULs: never a match
        ("a\x00", None),
        ("", None),
        ("zzz", None),  # past the last sorted id
    ],
)
def test_id_lookup_finds_exact_ids_only(asked: str, found: int | None) -> None:
    index = _table({"id": "a"}, {"id": "oman-visit"}, {"id": "b-2"}).position
    assert index.get(asked) == found
    assert (asked in index) is (found is not None)
    assert index.get(asked, -7) == (found if found is not None else -7)
    if found is None:
        with pytest.raises(KeyError):
            index[asked]
    else:
        assert index[asked] == found


def test_found_among_keeps_the_asked_order_and_skips_what_cannot_match() -> None:
    index = _table({"id": "a"}, {"id": "oman-visit"}, {"id": "b-2"}).position
    asked = ["b-2", "oman-visit-and-more", "x", "a\x00", "a", "b-2"]  # too long ones would be cut to fit
    assert index.found_among(asked) == ["b-2", "a", "b-2"]
    assert index.found_among([]) == []
    assert index.found_among(["oman-visit-and-more"]) == []


def test_an_index_over_some_positions_answers_with_the_table_positions() -> None:
    table = _table(*({"id": f"id-{n}"} for n in (5, 3, 4, 1, 2)))
    live = IdIndex(table.ids, np.array([4, 1, 2], dtype=np.int32))
    assert [live.get(f"id-{n}") for n in (5, 3, 4, 1, 2)] == [None, 1, 2, None, 4]


def test_duplicate_ids_are_reported_once_each() -> None:
    table = _table(*({"id": i} for i in ("b", "a", "b", "c", "a", "b")))
    assert table.position.duplicates() == ["a", "b"]
    assert table.position["c"] == 3 and table.position["a"] in (1, 4)


def test_an_empty_table_answers_every_question() -> None:
    table = RelationTable(RelationColumns())
    assert len(table) == 0 and list(table.ids) == [] and table.sources == ()
    assert all(len(getattr(table, name)) == 0 for name in NUMERIC_COLUMNS)
    assert table.position.get("r") is None and "r" not in table.position
    assert table.position.found_among(["r"]) == [] and table.position.duplicates() == []


# -- blocks (the bulk reader) ----------------------------------------------------------------------


def _block(ids: list[bytes], descriptions: dict[int, str]) -> dict[str, Any]:
    n = len(ids)
    return {
        "type": np.full(n, TYPE_CODE["meeting"]),
        "source": np.arange(n) + 10,
        "target": np.arange(n) + 20,
        "lo": np.arange(n) + 730_000,
        "hi": np.arange(n) + 730_000,
        "start_precision": np.full(n, PRECISION_CODE["day"]),
        "end_precision": np.zeros(n),
        "polarity": np.full(n, POLARITY_CODE["positive"]),
        "evidence_source": np.zeros(n),
        "goldstein": np.full(n, 1.9),
        "ids": np.array(ids),
        "locators": np.array([b"row %d" % i for i in range(n)]),
        "attributes": [{"cameo": "036"}] * n,
        "descriptions": descriptions,
    }


def test_blocks_and_single_relations_append_in_order() -> None:
    columns = RelationColumns()
    _add(columns, id="first", description="one by one", start="2019-05-01")
    assert columns.source_code("article") == 0
    columns.extend(_block([b"b0", b"b1", b"block-two"], {1: "second of the block"}))
    _add(columns, id="last", type="alliance", start="2020")
    columns.extend(_block([b"c0"], {0: "alone"}))
    table = RelationTable(columns)

    assert list(table.ids) == ["first", "b0", "b1", "block-two", "last", "c0"]
    assert table.descriptions == {0: "one by one", 2: "second of the block", 5: "alone"}
    assert [table.type_id(p) for p in range(6)] == ["visit", "meeting", "meeting", "meeting", "alliance", "meeting"]
    assert table.source.tolist() == [0, 10, 11, 12, 0, 10] and table.target.tolist() == [1, 20, 21, 22, 1, 20]
    assert table.is_state.tolist() == [False, False, False, False, True, False]
    assert [table.start_text(p) for p in (1, 2, 3, 5)] == [
        date.fromordinal(730_000 + n).isoformat() for n in (0, 1, 2, 0)
    ]
    assert [table.end_text(p) for p in range(6)] == [None] * 6
    assert [table.evidence(p) for p in (0, 3)] == [(("article", "p. 1"),), (("article", "row 2"),)]
    assert table.goldstein[1] == np.float32(1.9) and table.attributes[5] == {"cameo": "036"}
    assert table.position["block-two"] == 3 and table.position["c0"] == 5
