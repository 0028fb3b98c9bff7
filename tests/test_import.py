"""The importers, on a committed slice of ICEWS14, and the imported data served through the API.

``tests/data/icews14-slice.txt`` (1,065 lines) holds, in their original order
(train, valid, test), every line of ICEWS14 that involves Azerbaijan, that is a
"Mediate" or "Express intent to mediate" report, that links Iran with an
Israeli actor, or that belongs to the dyads in ``DYADS``; the first 100 lines
with a Turkish sector actor and with ``Citizen (India)``; the first ten with
the Vatican or Kosovo; and the first line of every one of the 230 event names.
Expected counts are computed from the slice itself with the csv module.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.__main__ import main
from app.config import Settings
from app.graph import KnowledgeGraph
from app.io import build_cameo_table
from app.io.actors import find_country, parse_actor
from app.io.cameo import UnknownEvent, codes, lookup
from app.io.icews import ImportFailed, ImportSummary, import_csv, import_icews
from app.loader import load_graph
from app.main import create_app
from app.queries.mediations import mediators
from app.vocabulary import MEDIATION_TYPES, VOCABULARY

from .conftest import CURATED, ROOT

SLICE = ROOT / "tests" / "data" / "icews14-slice.txt"
BAD = ROOT / "tests" / "data" / "icews14-bad.txt"
# The CAMEO codes of the shared datasets: beside the checkout, or where .ci/run found them.
CODES_FILE = Path(os.environ.get("KG_CAMEO_CODES") or build_cameo_table.DEFAULT_SOURCE)
DYADS = [
    ("Iran", "China"),
    ("Iran", "Benjamin Netanyahu"),
    ("Iran", "Oman"),
    ("Armenia", "Iran"),
    ("Hamas", "Israeli Defense Forces"),
    ("Iran", "Israel"),
]  # ICEWS14 names Israel only by its sectors
KNOWN_TOTALS = {("Iran", "China"): 187, ("Iran", "Benjamin Netanyahu"): 51, ("Hamas", "Israeli Defense Forces"): 97}


def slice_lines() -> list[tuple[int, str, str, str, str]]:
    with SLICE.open(encoding="utf-8", newline="") as handle:
        return [(n, *row) for n, row in enumerate(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), 1)]


def relations_csv(folder: Path) -> list[dict[str, str]]:
    with (folder / "relations.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ImportSummary]:
    out = tmp_path_factory.mktemp("icews14-slice")
    return out, import_icews([SLICE], out, progress=False)


@pytest.fixture(scope="module")
def kg(imported: tuple[Path, ImportSummary]) -> KnowledgeGraph:
    return load_graph([imported[0]])


@pytest.fixture(scope="module")
def api(imported: tuple[Path, ImportSummary]) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data=[imported[0]]))) as client:
        yield client


# -- the CAMEO table -------------------------------------------------------------


@pytest.mark.skipif(not CODES_FILE.exists(), reason="the CAMEO codes file is not on this machine")
def test_cameo_table_is_the_codes_file_built() -> None:
    with (ROOT / "app" / "io" / "cameo.csv").open(encoding="utf-8", newline="") as handle:
        assert list(csv.DictReader(handle)) == build_cameo_table.build_rows(CODES_FILE)


@pytest.mark.parametrize(
    ("name", "code", "goldstein", "quad_class", "polarity", "type_"),
    [
        ("Make statement", "010", 0.0, 1, "neutral", "statement"),
        ("Deny responsibility", "016", -5.0, 1, "negative", "statement"),  # codes file, not GDELT's -2
        ("Appeal for diplomatic cooperation (such as policy support)", "022", 3.4, 1, "positive", "event"),
        ("Express intent to mediate", "039", 5.0, 1, "positive", "mediation_offer"),
        ("Make a visit", "042", 1.9, 1, "positive", "visit"),
        ("Host a visit", "043", 2.8, 1, "positive", "visit"),
        ("Mediate", "045", 5.0, 1, "positive", "mediation"),
        ("Sign formal agreement", "057", 8.0, 1, "positive", "agreement"),
        ("Cooperate militarily", "062", 7.4, 2, "positive", "cooperation"),
        ("Provide military aid", "072", 8.3, 2, "positive", "aid"),
        ("Criticize or denounce", "111", -2.0, 3, "negative", "criticism"),
        ("Threaten with military force", "138", -7.0, 3, "negative", "threat"),
        ("Mobilize or increase armed forces", "154", -7.2, 4, "negative", "military_exercise"),
        ("Reduce or break diplomatic relations", "161", -4.0, 4, "negative", "sanction"),
        ("Halt negotiations", "164", -6.5, 4, "negative", "sanction"),
        ("Halt mediation", "165", -7.0, 4, "negative", "sanction"),
        ("Use conventional military force", "190", -10.0, 4, "negative", "attack"),
    ],
)
def test_cameo_lookup_by_name_and_code(
    name: str, code: str, goldstein: float, quad_class: int, polarity: str, type_: str
) -> None:
    found = lookup(name)
    assert (found.code, found.goldstein, found.quad_class, found.polarity, found.type) == (
        code,
        goldstein,
        quad_class,
        polarity,
        type_,
    )
    assert lookup(code) == found


def test_cameo_quad_class_follows_the_root_and_no_code_sets_a_status() -> None:
    expected = {
        **dict.fromkeys(range(1, 6), 1),
        **dict.fromkeys(range(6, 9), 2),
        **dict.fromkeys(range(9, 14), 3),
        **dict.fromkeys(range(14, 21), 4),
    }
    for code in codes():
        assert code.code.startswith(code.root) and code.quad_class == expected[int(code.root)]
        assert code.type in VOCABULARY and VOCABULARY[code.type].status is None


def test_cameo_has_every_event_name_of_the_slice() -> None:
    names = {event for _, _, event, _, _ in slice_lines()}
    assert len(names) == 230
    assert all(lookup(name).name == name for name in names)
    with pytest.raises(UnknownEvent):
        lookup("Hold a picnic")


# -- actors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Citizen (India)", ("organization", "Citizen (India)", "Citizen", "India")),
        (
            "Member of Legislative (Govt) (Azerbaijan)",
            ("organization", "Member of Legislative (Govt) (Azerbaijan)", "Member of Legislative (Govt)", "Azerbaijan"),
        ),
        (
            "Priest (Holy See (Vatican City State))",
            ("organization", "Priest (Holy See (Vatican City State))", "Priest", "Holy See (Vatican City State)"),
        ),
        ("Turkey", ("state", "Türkiye", None, None)),
        ("Palestinian Territory, Occupied", ("state", "Palestine", None, None)),
        ("John Kerry", ("person", "John Kerry", None, None)),
        ("Nuri al-Maliki", ("person", "Nuri al-Maliki", None, None)),
        ("UN Security Council", ("organization", "UN Security Council", None, None)),
        ("Hamas", ("organization", "Hamas", None, None)),
        ("Middle East", ("place", "Middle East", None, None)),
    ],
)
def test_parse_actor(text: str, expected: tuple[Any, ...]) -> None:
    assert tuple(parse_actor(text)) == expected


@pytest.mark.parametrize(
    ("name", "alpha2"),
    [
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Iran", "IR"),
        ("Russia", "RU"),
        ("South Korea", "KR"),
        ("Occupied Palestinian Territory", "PS"),
        ("Cote d'Ivoire", "CI"),
        ("Curacao", "CW"),
        ("Kosovo", "XK"),
        ("Hamas", None),
        ("Georgian Armed Forces", None),
    ],
)
def test_find_country_without_fuzzy_guesses(name: str, alpha2: str | None) -> None:
    found = find_country(name)
    assert (found.alpha2 if found else None) == alpha2


# -- the importer on the slice -----------------------------------------------------------


def test_every_line_is_one_relation(imported: tuple[Path, ImportSummary]) -> None:
    out, summary = imported
    lines, rows = slice_lines(), relations_csv(out)
    facts = [
        row
        for row in rows
        if row["source_id"] == "icews14-slice" and row["type"] not in {"member_of", *MEDIATION_TYPES}
    ]
    assert summary.facts == len(facts) == len(lines) and not summary.bad_lines
    assert summary.relations == len(rows) == len(lines) + summary.mediations + summary.links
    assert [(row["id"], row["locator"]) for row in facts] == [
        (f"icews14-slice-{n}", f"icews14-slice.txt:{n}") for n, *_ in lines
    ]
    assert all(row["description"] == "" for row in facts if "swapped" not in row["attributes"])


@pytest.mark.parametrize(("a", "b"), DYADS)
def test_dyad_counts_per_event_match_the_source(kg: KnowledgeGraph, a: str, b: str) -> None:
    expected = Counter(event for _, s, event, o, _ in slice_lines() if {s, o} == {a, b})
    if (a, b) in KNOWN_TOTALS:
        assert sum(expected.values()) == KNOWN_TOTALS[a, b]
    found = [kg.relations.attributes[p] or {} for p in kg.dyad_relations(kg.resolve(a), kg.resolve(b)).tolist()]
    assert Counter(attributes["event"] for attributes in found if "event" in attributes) == expected
    types = Counter(kg.relations.type_id(p) for p in kg.dyad_relations(kg.resolve(a), kg.resolve(b)).tolist())
    assert types == Counter(
        "event" if lookup(e).type in MEDIATION_TYPES else lookup(e).type for e in expected.elements()
    )


def test_direction_kept_except_for_hosted_visits(kg: KnowledgeGraph) -> None:
    iran, china = kg.resolve("Iran"), kg.resolve("China")
    lines = [(s, event) for _, s, event, o, _ in slice_lines() if {s, o} == {"Iran", "China"}]
    table = kg.relations
    found = Counter((int(table.source[p]), table.attributes[p]["event"]) for p in kg.dyad_relations(iran, china))
    expected = Counter(
        (kg.resolve(s if event != "Host a visit" else ("China" if s == "Iran" else "Iran")), event)
        for s, event in lines
    )
    assert found == expected and any(event == "Host a visit" for _, event in lines)


def test_actors_kinds_sectors_and_country_links(kg: KnowledgeGraph) -> None:
    citizen = kg.entity(kg.resolve("Citizen (India)"))
    assert (citizen.id, citizen.kind, citizen.attributes) == (
        "citizen-india",
        "organization",
        {"sector": "Citizen", "country": "india"},
    )
    legislator = kg.entity(kg.resolve("Member of Legislative (Govt) (Azerbaijan)"))
    assert legislator.attributes == {"sector": "Member of Legislative (Govt)", "country": "azerbaijan"}
    links = [
        p
        for p in kg.dyad_relations(kg.resolve(legislator.id), kg.resolve("Azerbaijan")).tolist()
        if kg.relations.type_id(p) == "member_of"
    ]
    assert len(links) == 1 and kg.entities[kg.relations.target[links[0]]].id == "azerbaijan"
    assert kg.entity(kg.resolve("John Kerry")).kind == "person"
    assert kg.entity(kg.resolve("Hamas")).kind == "organization"
    iran = kg.entity(kg.resolve("Iran"))
    assert (iran.id, iran.kind, iran.attributes) == (
        "iran",
        "state",
        {"iso_alpha2": "IR", "iso_alpha3": "IRN", "iso_numeric": "364"},
    )
    turkiye = kg.entity(kg.resolve("Türkiye"))
    assert (turkiye.id, turkiye.name, turkiye.attributes["iso_alpha3"]) == ("turkiye", "Türkiye", "TUR")
    assert "Turkey" in turkiye.aliases and kg.resolve("TR") == kg.resolve("turkey")


def test_mediation_derived_from_two_reports_on_one_day(kg: KnowledgeGraph) -> None:
    reports = {
        o: f"icews14-slice-{n}"
        for n, s, event, o, day in slice_lines()
        if s == "Kuwait" and event == "Mediate" and day == "2014-11-13"
    }
    assert set(reports) == {"Bahrain", "Qatar", "United Arab Emirates"}
    bahrain, qatar = kg.resolve("Bahrain"), kg.resolve("Qatar")
    [(mediator, [position])] = mediators(kg, bahrain, qatar)
    assert kg.entity(mediator).id == "kuwait"
    assert kg.relations.attributes[position] == {
        "parties": ["bahrain", "qatar"],
        "derived_from": [reports["Bahrain"], reports["Qatar"]],
        "window_days": 1,
    }
    assert (kg.relations.type_id(position), kg.relations.start_text(position)) == ("mediation", "2014-11-13")
    plain = kg.relations.position[reports["Qatar"]]
    assert kg.relations.type_id(plain) == "event" and kg.relations.attributes[plain]["cameo"] == "045"
    offers = mediators(kg, kg.resolve("Interim Government (Thailand)"), kg.resolve("Protester (Thailand)"))
    assert sorted(kg.entity(m).id for m, _ in offers) == ["military-thailand", "thailand"]
    assert {kg.relations.type_id(p) for _, found in offers for p in found} == {"mediation_offer"}


@pytest.mark.parametrize(
    ("second_day", "window", "derived"),
    [
        ("2014-03-01", 0, 1),
        ("2014-03-02", 0, 0),
        ("2014-03-02", 1, 1),
        ("2014-03-03", 1, 0),
        ("2014-03-03", 2, 1),
    ],
)
def test_mediation_window(tmp_path: Path, second_day: str, window: int, derived: int) -> None:
    source = tmp_path / "mediations.txt"
    source.write_text(
        f"Oman\tMediate\tIran\t2014-03-01\nOman\tMediate\tUnited States\t{second_day}\n"
        "Oman\tMediate\tOman\t2014-03-01\n",
        encoding="utf-8",
    )
    summary = import_icews([source], tmp_path / "out", mediation_window_days=window, progress=False)
    assert summary.mediations == derived
    load_graph([tmp_path / "out"])


def test_bad_lines_stop_the_import_and_are_all_listed(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as caught:
        import_icews([BAD], tmp_path / "out", progress=False)
    bad = caught.value.bad_lines
    assert [b.line for b in bad] == [2, 3, 4, 5, 7]
    assert all(b.file == str(BAD) for b in bad)
    assert "found 3" in bad[0].reason and "Hold a picnic" in bad[1].reason and "2014-13-45" in bad[2].reason
    assert "empty subject" in bad[3].reason and "found 5" in bad[4].reason
    assert not (tmp_path / "out" / "relations.csv").exists()


def test_import_refuses_a_hand_edited_folder() -> None:
    with pytest.raises(FileExistsError, match="hand-edited"):
        import_icews([SLICE], ROOT / "tests" / "data" / "mini", progress=False)


def test_bad_lines_skipped_and_counted(tmp_path: Path) -> None:
    summary = import_icews([BAD], tmp_path / "out", skip_bad=True, progress=False)
    assert summary.facts == 2 and [b.line for b in summary.bad_lines] == [2, 3, 4, 5, 7]
    assert len(load_graph([tmp_path / "out"]).relations) == 2


def test_cli_imports_then_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "icews"
    assert main(["import", "icews", str(SLICE), "--out", str(out), "--no-progress"]) == 0
    summary = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in capsys.readouterr().out.splitlines())
    assert summary["facts (input lines)"] == str(len(slice_lines()))
    assert summary["derived mediations"] == "5"
    assert main(["validate", "--data", str(out)]) == 0
    assert main(["import", "icews", str(BAD), "--out", str(tmp_path / "bad"), "--no-progress"]) == 2
    assert f"{BAD}:3: unknown CAMEO event 'Hold a picnic'" in capsys.readouterr().err
    assert main(["import", "icews", str(BAD), "--out", str(tmp_path / "bad"), "--skip-bad", "--no-progress"]) == 0


# -- serving -------------------------------------------------------------------


def test_api_serves_the_imported_dataset(api: TestClient, kg: KnowledgeGraph) -> None:
    assert api.get("/health").json() == {"status": "ok", "entities": len(kg.entities), "relations": len(kg.relations)}
    dyad = api.get("/dyads/Iran/China", params={"limit": 1000}).json()
    assert dyad["summary"]["count"] == len(dyad["relations"]) == KNOWN_TOTALS["Iran", "China"]
    assert {r["evidence"][0]["source_id"] for r in dyad["relations"]} == {"icews14-slice"}
    found = api.get("/mediations", params=[("between", "Qatar"), ("between", "Bahrain")]).json()
    assert [item["mediator"]["id"] for item in found["items"]] == ["kuwait"]
    assert found["items"][0]["relations"][0]["attributes"]["parties"] == ["bahrain", "qatar"]
    turkiye = api.get("/entities/Türkiye").json()
    assert (turkiye["id"], turkiye["attributes"]["iso_alpha2"]) == ("turkiye", "TR")
    assert api.get("/entities/Citizen (India)").json()["attributes"]["country"] == "india"


def test_curated_graph_first_then_imported(imported: tuple[Path, ImportSummary]) -> None:
    curated, both = load_graph([CURATED]), load_graph([CURATED, imported[0]])
    for name in ("Türkiye", "Iran", "Israel", "Azerbaijan"):
        entity, original = both.entity(both.resolve(name)), curated.entity(curated.resolve(name))
        assert (entity.id, entity.name, entity.kind, entity.attributes) == (
            original.id,
            original.name,
            original.kind,
            original.attributes,
        )
        assert entity.aliases[: len(original.aliases)] == original.aliases  # later names are appended
        sources = {s for p in both.entity_relations(both.resolve(name)).tolist() for s, _ in both.relations.evidence(p)}
        assert "icews14-slice" in sources and len(sources) > 1
    legislator = both.resolve("Member of Legislative (Govt) (Azerbaijan)")
    assert both.resolve("Azerbaijan") in {int(both.relations.target[p]) for p in both.entity_relations(legislator)}


# -- the generic CSV format ---------------------------------------------------------


def test_generic_csv_import(tmp_path: Path) -> None:
    source = tmp_path / "analyst.csv"
    source.write_text(
        "source,relation,target,date,end,polarity,description,evidence\n"
        "Israel,arms_trade,Azerbaijan,2016,2020,,Israeli arms sales to Azerbaijan.,report p. 4\n"
        "Ilham Aliyev,Make a visit,Türkiye,2021-06-15,,,,\n"
        "Oman,045,Iran,2014-03-01,,,,\n"
        "Oman,Mediate,United States,2014-03-01,,,,\n"
        "Oman,Hold a picnic,Iran,2014-03-01,,,,\n"
        "Iran,statement,Israel,2014-99,,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as caught:
        import_csv([source], tmp_path / "out", progress=False)
    assert [(b.line, "relation" in b.reason or "date" in b.reason) for b in caught.value.bad_lines] == [
        (6, True),
        (7, True),
    ]
    summary = import_csv([source], tmp_path / "out", skip_bad=True, progress=False)
    assert (summary.facts, summary.mediations) == (4, 1)
    rows = {row["id"]: row for row in relations_csv(tmp_path / "out")}
    arms = rows["analyst-2"]
    assert (arms["type"], arms["start"], arms["end"], arms["locator"]) == ("arms_trade", "2016", "2020", "report p. 4")
    assert json.loads(rows["analyst-3"]["attributes"])["cameo"] == "042"
    graph = load_graph([tmp_path / "out"])
    assert graph.entity(graph.resolve("Ilham Aliyev")).kind == "person"
    (tmp_path / "broken.csv").write_text("from,relation,to,date\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="header"):
        import_csv([tmp_path / "broken.csv"], tmp_path / "out2", progress=False)


def test_split_files_are_named_after_their_folder(tmp_path: Path) -> None:
    folder = tmp_path / "icews14"
    folder.mkdir()
    for name in ("train", "test"):
        (folder / f"{name}.txt").write_text("Iran\tConsult\tOman\t2014-01-01\n", encoding="utf-8")
    import_icews([folder / "train.txt", folder / "test.txt"], tmp_path / "out", progress=False)
    assert [row["id"] for row in relations_csv(tmp_path / "out")] == ["icews14-train-1", "icews14-test-1"]
