"""Export: every format read back by NetworkX (or the csv module) gives the selected graph."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml
from fastapi.testclient import TestClient

from app.__main__ import main
from app.config import Settings
from app.errors import BadParameter
from app.graph import KnowledgeGraph
from app.io.export import FORMATS, export_graph, export_stream
from app.loader import load_graph
from app.main import create_app
from app.queries.filters import RelationFilter, make_filter
from app.queries.relations import find_relations
from app.queries.views import entity_view, relation_view

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini"
FOLDERS = [MINI] + ([ROOT / "graph_data"] if (ROOT / "graph_data" / "relations.yaml").exists() else [])
GRAPH_FORMATS = ["graphml", "gexf", "node-link", "cytoscape"]
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module", params=FOLDERS, ids=lambda folder: folder.name)
def kg(request: pytest.FixtureRequest) -> KnowledgeGraph:
    return load_graph([request.param])


@pytest.fixture(scope="module")
def mini() -> KnowledgeGraph:
    return load_graph([MINI])


def export_bytes(kg: KnowledgeGraph, fmt: str, flt: RelationFilter | None = None, **options: Any) -> bytes:
    return b"".join(export_stream(kg, fmt, flt=flt or make_filter(), **options))


def read_back(fmt: str, data: bytes) -> nx.MultiDiGraph:
    if fmt == "graphml":
        return nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    if fmt == "gexf":  # read as a DiGraph when no two edges share their ends; the key is the edge id
        graph = nx.read_gexf(io.BytesIO(data))
        if graph.is_multigraph():
            return graph
        multi = nx.MultiDiGraph()
        multi.add_nodes_from(graph.nodes(data=True))
        multi.add_edges_from((u, v, d["id"], d) for u, v, d in graph.edges(data=True))
        return multi
    if fmt == "node-link":
        return nx.node_link_graph(json.loads(data), edges="edges")
    return nx.cytoscape_graph(json.loads(data))


def expected(kg: KnowledgeGraph, flt: RelationFilter) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Entity and relation views of what an export with ``flt`` must hold."""
    relations = [relation_view(kg, int(p)) for p in find_relations(kg, flt=flt)]
    ends = {r["source"] for r in relations} | {r["target"] for r in relations}
    entities = [entity_view(kg, p) for p in range(len(kg.entities))]
    return [e for e in entities if flt.is_empty or e["id"] in ends], relations


def same(got: Any, value: Any) -> bool:
    """An exported value against the view's: lists, dicts and text-coerced values are JSON."""
    if isinstance(value, list | tuple | dict) or (isinstance(got, str) and not isinstance(value, str)):
        return bool(json.loads(got) == json.loads(json.dumps(value, default=str)))
    return bool(got == value)


def assert_edge(data: dict[str, Any], view: dict[str, Any]) -> None:
    evidence = ";".join(f"{e['source_id']}:{e['locator']}" for e in view["evidence"])
    assert {k: data[k] for k in ("type", "start", "end", "polarity", "description", "kind", "evidence")} == {
        **{k: view[k] for k in ("type", "polarity", "description", "kind")},
        "start": view["start"] or "",
        "end": view["end"] or "",
        "evidence": evidence,
    }
    assert data["note"] == (view["note"] or "")
    attributes = {k: v for k, v in view["attributes"].items() if v is not None}
    assert {k.removeprefix("attr_") for k in data if k.startswith("attr_")} == set(attributes)
    assert all(same(data[f"attr_{k}"], v) for k, v in attributes.items()), (data, attributes)


def assert_node(data: dict[str, Any], view: dict[str, Any]) -> None:
    assert (data["name"], data["kind"], data["note"]) == (view["name"], view["kind"], view["note"] or "")
    assert data["aliases"] == "|".join(view["aliases"])
    attributes = {k: v for k, v in view["attributes"].items() if v is not None}
    assert {k.removeprefix("attr_") for k in data if k.startswith("attr_")} == set(attributes)
    assert all(same(data[f"attr_{k}"], v) for k, v in attributes.items()), (data, attributes)


def assert_graph(graph: nx.MultiDiGraph, kg: KnowledgeGraph, flt: RelationFilter) -> None:
    entities, relations = expected(kg, flt)
    assert sorted(graph.nodes) == sorted(e["id"] for e in entities)
    assert sorted(graph.edges(keys=True)) == sorted((r["source"], r["target"], r["id"]) for r in relations)
    for view in entities:
        assert_node(graph.nodes[view["id"]], view)
    for view in relations:
        assert_edge(graph.edges[view["source"], view["target"], view["id"]], view)


# -- the graph layer -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_export_round_trips_every_node_edge_and_attribute(kg: KnowledgeGraph, fmt: str) -> None:
    graph = read_back(fmt, export_bytes(kg, fmt))
    assert graph.is_directed() and graph.is_multigraph()
    assert_graph(graph, kg, make_filter())


@pytest.mark.parametrize("table", ["edges", "nodes"])
def test_export_csv_round_trips_with_the_csv_module(kg: KnowledgeGraph, table: str) -> None:
    rows = list(csv.DictReader(io.StringIO(export_bytes(kg, "csv", table=table).decode("utf-8"))))
    entities, relations = expected(kg, make_filter())
    names = {e["id"]: e["name"] for e in entities}
    for row, view in zip(rows, relations if table == "edges" else entities, strict=True):
        # CSV is text: a cell of an attribute this row lacks is empty; the others compare as JSON
        present = {f"attr_{k}" for k, v in view["attributes"].items() if v is not None}
        assert all(v == "" for k, v in row.items() if k.startswith("attr_") and k not in present)
        values = {k: v for k, v in row.items() if not k.startswith("attr_") or k in present}
        if table == "edges":
            assert (row["id"], row["source"], row["target"]) == (view["id"], view["source"], view["target"])
            assert (row["source_name"], row["target_name"]) == (names[view["source"]], names[view["target"]])
            assert_edge(values, view)
        else:
            assert row["id"] == view["id"]
            assert_node(values, view)


def test_export_mini_holds_figures_aliases_and_parties(mini: KnowledgeGraph) -> None:
    for fmt in GRAPH_FORMATS:
        graph = read_back(fmt, export_bytes(mini, fmt))
        arms = graph.edges["alpha", "gamma", "alpha-gamma-arms"]
        assert (arms["type"], arms["start"], arms["end"], arms["attr_rank"]) == ("arms_trade", "2011", "2013", 2)
        assert (arms["polarity"], arms["kind"], arms["evidence"]) == ("positive", "state", "notes:5")
        assert type(arms["attr_rank"]) is int, fmt
        assert json.loads(graph.edges["gamma", "alpha", "gamma-offer"]["attr_parties"]) == ["alpha", "beta"]
        assert graph.edges["gamma", "delta", "gamma-delta-visit"]["end"] == ""
        alpha = graph.nodes["alpha"]
        assert (alpha["name"], alpha["aliases"], alpha["attr_iso_alpha2"]) == ("Alpha", "Álpha Republic|Alfa", "AL")
        assert "ben-smith" in graph  # no relations, but nothing is filtered


def test_export_json_equals_what_networkx_writes(kg: KnowledgeGraph) -> None:
    graph = export_graph(kg, flt=make_filter())
    node_link, reference = json.loads(export_bytes(kg, "node-link")), nx.node_link_data(graph, edges="edges")
    by_key = sorted(node_link.pop("edges"), key=lambda e: e["key"])
    assert by_key == sorted(reference.pop("edges"), key=lambda e: e["key"]) and node_link == reference
    cytoscape, reference = json.loads(export_bytes(kg, "cytoscape")), nx.cytoscape_data(graph)
    key = lambda e: e["data"]["key"]  # noqa: E731
    assert sorted(cytoscape["elements"].pop("edges"), key=key) == sorted(reference["elements"].pop("edges"), key=key)
    assert cytoscape == reference


@pytest.mark.parametrize("fmt", [*GRAPH_FORMATS, "csv"])
@pytest.mark.parametrize(
    "options",
    [
        {"types": ["arms_trade"]},
        {"as_of": "2012"},
        {"types": ["visit", "mediation_offer"]},
        {"start": "2014", "end": "2016"},
        {"types": ["attack"]},
    ],
    ids=str,
)
def test_export_filter_keeps_what_find_relations_finds(kg: KnowledgeGraph, fmt: str, options: Any) -> None:
    flt = make_filter(**options)
    data = export_bytes(kg, fmt, flt)
    if fmt == "csv":
        ids = [row["id"] for row in csv.DictReader(io.StringIO(data.decode()))]
        assert ids == [kg.relations.ids[int(p)] for p in find_relations(kg, flt=flt)]
    else:
        assert_graph(read_back(fmt, data), kg, flt)


def test_export_source_and_target_follow_direction(mini: KnowledgeGraph) -> None:
    data = export_bytes(mini, "node-link", source=mini.resolve("Alfa"), target=mini.resolve("beta"))
    doc = json.loads(data)
    assert [e["key"] for e in doc["edges"]] == ["alpha-beta-ties", "alpha-beta-rupture"]
    assert sorted(n["id"] for n in doc["nodes"]) == ["alpha", "beta"]


def test_export_mixed_types_become_one_type_and_xml_text_survives(tmp_path: Path) -> None:
    for name in ("entities.yaml", "sources.yaml"):
        shutil.copy(MINI / name, tmp_path / name)
    relations = [
        {
            "id": "r1",
            "type": "visit",
            "source": "alpha",
            "target": "beta",
            "start": "2020",
            "description": 'a <b> & "c"\n\td',
            "attributes": {"figure": 2, "share": 1, "flag": True, "empty": None},
            "evidence": [{"source_id": "notes", "locator": "1"}],
        },
        {
            "id": "r2",
            "type": "visit",
            "source": "beta",
            "target": "alpha",
            "start": "2021",
            "description": "Ünïcode → ok",
            "attributes": {"figure": "two", "share": 0.5, "flag": False},
            "evidence": [{"source_id": "notes", "locator": "2"}],
        },
    ]
    (tmp_path / "relations.yaml").write_text(yaml.safe_dump(relations, allow_unicode=True), encoding="utf-8")
    kg = load_graph([tmp_path])
    for fmt in GRAPH_FORMATS:
        graph = read_back(fmt, export_bytes(kg, fmt))
        r1, r2 = graph.edges["alpha", "beta", "r1"], graph.edges["beta", "alpha", "r2"]
        assert (r1["attr_figure"], r2["attr_figure"]) == ("2", "two"), fmt
        assert (r1["attr_share"], r2["attr_share"]) == (1.0, 0.5) and type(r1["attr_share"]) is float
        assert (r1["attr_flag"], r2["attr_flag"]) == (True, False) and "attr_empty" not in r1
        assert (r1["description"], r2["description"]) == ('a <b> & "c"\n\td', "Ünïcode → ok"), fmt


def test_export_streams_in_bounded_chunks(mini: KnowledgeGraph) -> None:
    many = load_graph([ROOT / "graph_data"]) if len(FOLDERS) > 1 else mini
    for fmt in [*GRAPH_FORMATS, "csv"]:
        chunks = list(export_stream(many, fmt, flt=make_filter()))
        assert chunks and all(isinstance(c, bytes) and 0 < len(c) < 4 << 16 for c in chunks)


@pytest.mark.parametrize(
    ("fmt", "options", "parameter"),
    [
        ("xml", {}, "format"),
        ("csv", {"table": "rows"}, "table"),
        ("graphml", {"table": "nodes"}, "table"),
    ],
)
def test_export_bad_arguments_fail_before_streaming(
    mini: KnowledgeGraph, fmt: str, options: Any, parameter: str
) -> None:
    with pytest.raises(BadParameter) as caught:
        export_stream(mini, fmt, flt=make_filter(), **options)
    assert caught.value.extra["parameter"] == parameter


# -- HTTP ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data=[MINI]))) as client:
        yield client


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_export_route_streams_a_file_that_round_trips(client: TestClient, mini: KnowledgeGraph, fmt: str) -> None:
    response = client.get("/export", params={"format": fmt})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == FORMATS[fmt].media_type
    assert response.headers["content-disposition"] == f'attachment; filename="graph.{FORMATS[fmt].extension}"'
    assert_graph(read_back(fmt, response.content), mini, make_filter())


def test_export_route_filters_like_relations(client: TestClient, mini: KnowledgeGraph) -> None:
    params = {"format": "csv", "type": ["arms_trade", "mediation_offer"], "as_of": "2012", "source": "Gamma"}
    response = client.get("/export", params=params)
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="graph-edges.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["id"], r["source_name"], r["attr_parties"]) for r in rows] == [
        ("gamma-offer", "Gamma", '["alpha", "beta"]')
    ]
    listed = client.get("/relations", params={k: v for k, v in params.items() if k != "format"}).json()
    assert [r["id"] for r in listed["items"]] == [r["id"] for r in rows]


def test_export_route_csv_nodes_table(client: TestClient) -> None:
    response = client.get("/export", params={"format": "csv", "table": "nodes", "type": "visit"})
    assert response.headers["content-disposition"] == 'attachment; filename="graph-nodes.csv"'
    assert [(r["id"], r["name"]) for r in csv.DictReader(io.StringIO(response.text))] == [
        ("gamma", "Gamma"),
        ("delta", "Delta"),
    ]


def test_export_route_graph_formats_ignore_the_table(client: TestClient) -> None:
    both = client.get("/export", params={"format": "gexf", "table": "nodes", "type": "visit"})
    assert both.status_code == 200 and both.content == client.get("/export?format=gexf&type=visit").content


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "node-link", "cytoscape"])
def test_export_cut_off_is_refused_by_a_parser(client: TestClient, fmt: str) -> None:
    import json
    import xml.etree.ElementTree as ET

    body = client.get("/export", params={"format": fmt}).content
    parse = (lambda b: ET.fromstring(b)) if fmt in ("graphml", "gexf") else (lambda b: json.loads(b))
    parse(body)
    cut = body[: body.rstrip().rfind(b"\n") + 1] if body.count(b"\n") > 2 else body[:-3]
    with pytest.raises((ET.ParseError, json.JSONDecodeError)):
        parse(cut)


@pytest.mark.parametrize(
    ("params", "status", "parameter"),
    [
        ({"format": "pdf"}, 422, "format"),
        ({}, 422, "format"),
        ({"format": "csv", "table": "x"}, 422, "table"),
        ({"format": "gexf", "as_of": "soon"}, 422, "as_of"),
        ({"format": "gexf", "type": "nope"}, 422, "type"),
        ({"format": "gexf", "source": "Atlantis"}, 404, None),
    ],
)
def test_export_route_rejects_bad_parameters(
    client: TestClient, params: dict[str, str], status: int, parameter: str | None
) -> None:
    response = client.get("/export", params=params)
    assert response.status_code == status and response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert body.get("parameter") == parameter


def test_export_route_documents_its_file_types(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/export"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {f.media_type for f in FORMATS.values()}
    documented = {p["name"]: p for p in operation["parameters"]}
    assert {"format", "table", "type", "from", "to", "as_of", "source", "target"} <= set(documented)
    assert documented["format"]["schema"]["enum"] == list(FORMATS)
    assert all(p.get("description") for p in documented.values())


# -- the command line ----------------------------------------------------------------------------


def test_export_cli_writes_a_readable_file(tmp_path: Path, mini: KnowledgeGraph) -> None:
    out = tmp_path / "g.graphml"
    assert main(["export", "--data", str(MINI), "--format", "graphml", "--out", str(out)]) == 0
    assert_graph(nx.read_graphml(out, force_multigraph=True), mini, make_filter())


def test_export_cli_csv_to_stdout(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    argv = ["export", "--data", str(MINI), "--format", "csv", "--table", "nodes", "--type", "visit"]
    assert main(argv) == 0
    assert capsysbinary.readouterr().out.decode().splitlines()[1:] == ["gamma,Gamma,state,,", "delta,Delta,state,,"]


def test_export_cli_bad_option_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "g.gexf"
    assert main(["export", "--data", str(MINI), "--format", "gexf", "--table", "nodes", "--out", str(out)]) == 2
    assert not out.exists() and "table" in capsys.readouterr().err


def test_a_streamed_export_gives_the_loop_to_others_after_each_slice_of_work(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    from types import SimpleNamespace

    from app.api import export

    clock = SimpleNamespace(now=0.0)
    monkeypatch.setattr(export, "time", SimpleNamespace(perf_counter=lambda: clock.now))
    made: list[int] = []

    def chunks() -> Iterator[bytes]:
        for number in range(10):
            clock.now += export._SLICE_SECONDS / 4  # each chunk takes a quarter of a slice
            made.append(number)
            yield b"x"

    async def run() -> list[int]:
        others_saw: list[int] = []

        async def other_request() -> None:
            while len(made) < 10:
                others_saw.append(len(made))
                await asyncio.sleep(0)

        waiting = asyncio.ensure_future(other_request())
        await asyncio.sleep(0)
        assert [chunk async for chunk in export._between_requests(chunks())] == [b"x"] * 10
        await waiting
        return others_saw

    # The other request runs before the first chunk, then after the 4th and the 8th: not after each one.
    assert asyncio.run(run()) == [0, 4, 8]
