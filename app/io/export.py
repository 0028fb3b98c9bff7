"""The graph, or a filtered part of it, as GraphML, GEXF, node-link JSON, Cytoscape.js JSON or CSV.

Every format carries the same flat records, so a column means the same thing in all of them:

- node ``id`` (the entity id); ``name``, ``kind``, ``aliases`` (joined with ``|``), ``note``;
- edge ``source``, ``target``, key = the relation id; ``type``, ``start``, ``end``, ``polarity``,
  ``description``, ``kind`` (state or event), ``evidence`` (``source_id:locator;...``), ``note``;
- each attribute as ``attr_<name>``: numbers and booleans kept, lists and dicts JSON-encoded, a
  ``None`` left out. A name whose values mix types becomes text (ints and floats mixed: float).

Absent text fields are ``""`` (GraphML and GEXF cannot hold ``None``). The nodes are the ends
of the exported relations, or every entity when nothing is filtered. ``export_stream`` writes
each format record by record (never the whole file in memory): JSON output equals what
``nx.node_link_data(G, edges="edges")`` and ``nx.cytoscape_data(G)`` give for
``G = export_graph(...)`` (edges in relation order), and ``nx.read_graphml(...,
force_multigraph=True)`` and ``nx.read_gexf`` read back its nodes, edges and fields. GEXF also
puts ``start``/``end`` on the edge element for Gephi's timeline and the type in ``label``
(``read_gexf`` gives a DiGraph when no two edges share their ends; the edge ``id`` is the
relation id). CSV is one table per response: ``table="edges"`` (with both entities' names)
or ``"nodes"``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, get_args
from xml.sax.saxutils import escape

import networkx as nx
import numpy as np

from ..errors import BadParameter
from ..graph import KnowledgeGraph
from ..queries.filters import RelationFilter
from ..queries.relations import find_relations
from ..queries.views import entity_view, relation_view

__all__ = ["FORMATS", "ExportFormat", "FormatName", "TableName", "export_graph", "export_stream"]

FormatName = Literal["graphml", "gexf", "node-link", "cytoscape", "csv"]
TableName = Literal["edges", "nodes"]
Scalar = str | int | float | bool


@dataclass(frozen=True, slots=True)
class ExportFormat:
    media_type: str
    extension: str
    label: str


FORMATS: dict[str, ExportFormat] = {
    "graphml": ExportFormat("application/graphml+xml", "graphml", "GraphML (Gephi, yEd, Cytoscape, NetworkX)"),
    "gexf": ExportFormat("application/xml", "gexf", "GEXF 1.2 (Gephi), edges dated for its timeline"),
    "node-link": ExportFormat("application/json", "json", "node-link JSON (`nx.node_link_graph`)"),
    "cytoscape": ExportFormat("application/json", "cyjs", "Cytoscape.js JSON (`nx.cytoscape_graph`)"),
    "csv": ExportFormat("text/csv; charset=utf-8", "csv", "CSV, one table: `edges` (default) or `nodes`"),
}
assert set(FORMATS) == set(get_args(FormatName))

_NODE_FIELDS = ("name", "kind", "aliases", "note")
_EDGE_FIELDS = ("type", "start", "end", "polarity", "description", "kind", "evidence", "note")
_XML_TYPES = {str: "string", int: "long", float: "double", bool: "boolean"}
_CHUNK = 1 << 16


def export_stream(
    kg: KnowledgeGraph,
    fmt: str,
    *,
    flt: RelationFilter,
    table: str = "edges",
    source: int | None = None,
    target: int | None = None,
) -> Iterator[bytes]:
    """UTF-8 chunks of the export of the relations ``find_relations`` selects.

    Arguments are checked at once (``BadParameter``); the work is done as the chunks are read.

    >>> import json
    >>> from app.loader import load_graph
    >>> from app.queries.filters import make_filter
    >>> kg = load_graph(["tests/data/mini"])
    >>> chunks = export_stream(kg, "node-link", flt=make_filter(types=["arms_trade"]))
    >>> doc = json.loads(b"".join(chunks))
    >>> [(e["source"], e["target"], e["key"], e["start"], e["attr_rank"]) for e in doc["edges"]]
    [('alpha', 'gamma', 'alpha-gamma-arms', '2011', 2)]
    >>> import io, networkx as nx
    >>> graphml = io.BytesIO(b"".join(export_stream(kg, "graphml", flt=make_filter())))
    >>> G = nx.read_graphml(graphml, force_multigraph=True)
    >>> G.number_of_nodes(), G.number_of_edges(), G.nodes["alpha"]["aliases"]
    (6, 7, 'Álpha Republic|Alfa')
    """
    if fmt not in FORMATS:
        raise BadParameter("format", f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
    if table not in get_args(TableName):
        raise BadParameter("table", f"unknown table {table!r}; `edges` or `nodes`")
    if table != "edges" and fmt != "csv":
        raise BadParameter("table", "only format=csv is split into tables; the graph formats hold both")

    def generate() -> Iterator[bytes]:
        selection = _select(kg, flt=flt, source=source, target=target)
        parts = _csv(selection, table) if fmt == "csv" else _WRITERS[fmt](selection)
        yield from _chunks(parts)

    return generate()


def export_graph(
    kg: KnowledgeGraph, *, flt: RelationFilter, source: int | None = None, target: int | None = None
) -> nx.MultiDiGraph:
    """The exported selection as a NetworkX graph holding the flat records (small graphs only)."""
    selection = _select(kg, flt=flt, source=source, target=target)
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(selection.nodes())
    graph.add_edges_from((s, t, key, record) for key, s, t, record in selection.edges())
    return graph


# -- the selection and its flat records --------------------------------------------------------


@dataclass
class _Selection:
    kg: KnowledgeGraph
    node_positions: np.ndarray
    edge_positions: np.ndarray
    node_fields: dict[str, type] = field(default_factory=dict)
    edge_fields: dict[str, type] = field(default_factory=dict)

    def nodes(self) -> Iterator[tuple[str, dict[str, Scalar]]]:
        for position in self.node_positions.tolist():
            view = entity_view(self.kg, position)
            record: dict[str, Scalar] = {"name": view["name"], "kind": view["kind"],
                                         "aliases": "|".join(view["aliases"]), "note": view["note"] or ""}
            record.update(_flat_attributes(view["attributes"], self.node_fields))
            yield view["id"], record

    def edges(self) -> Iterator[tuple[str, str, str, dict[str, Scalar]]]:
        for position in self.edge_positions.tolist():
            view = relation_view(self.kg, position)
            evidence = ";".join(f"{e['source_id']}:{e['locator']}" for e in view["evidence"])
            record: dict[str, Scalar] = {
                "type": view["type"], "start": view["start"] or "", "end": view["end"] or "",
                "polarity": view["polarity"], "description": view["description"], "kind": view["kind"],
                "evidence": evidence, "note": view["note"] or "",
            }
            record.update(_flat_attributes(view["attributes"], self.edge_fields))
            yield view["id"], view["source"], view["target"], record


def _select(kg: KnowledgeGraph, *, flt: RelationFilter, source: int | None, target: int | None) -> _Selection:
    table = kg.relations
    edges = find_relations(kg, flt=flt, source=source, target=target)
    if flt.is_empty and source is None and target is None:
        nodes = np.arange(len(kg.entities), dtype=np.int32)
    else:
        nodes = np.unique(np.concatenate([table.source[edges], table.target[edges]]))
    node_attrs = (kg.entities[p].attributes for p in nodes.tolist())
    edge_attrs = (table.attributes[p] for p in edges.tolist())
    return _Selection(kg, nodes, edges, node_fields=dict.fromkeys(_NODE_FIELDS, str) | _field_types(node_attrs),
                      edge_fields=dict.fromkeys(_EDGE_FIELDS, str) | _field_types(edge_attrs))


def _flat(value: Any) -> Scalar:
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str | int):  # bool is an int
        return value
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)  # dates read by YAML, and the like


def _field_types(dicts: Iterable[dict[str, Any] | None]) -> dict[str, type]:
    """The type each ``attr_`` field takes across the records (attribute dicts are often shared)."""
    seen: dict[str, set[type]] = {}
    done: set[int] = set()
    for attributes in dicts:
        if not attributes or id(attributes) in done:
            continue
        done.add(id(attributes))
        for name, value in attributes.items():
            if value is not None:
                seen.setdefault(f"attr_{name}", set()).add(type(_flat(value)))
    merged = {name: kinds.pop() if len(kinds) == 1 else float if kinds <= {int, float} else str
              for name, kinds in seen.items()}
    return dict(sorted(merged.items()))


def _flat_attributes(attributes: dict[str, Any], types: dict[str, type]) -> dict[str, Scalar]:
    out: dict[str, Scalar] = {}
    for name, value in attributes.items():
        if value is not None:
            key, flat = f"attr_{name}", _flat(value)
            kind = types[key]
            out[key] = flat if type(flat) is kind else float(flat) if kind is float else json.dumps(flat)
    return out


# -- writers: each yields text parts, joined into chunks of about 64 KiB -------------------------


def _chunks(parts: Iterable[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for part in parts:
        buffer.append(part)
        size += len(part)
        if size >= _CHUNK:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def _text(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(value: Scalar) -> str:
    """Element text: escaped, characters XML 1.0 cannot hold dropped, CR kept."""
    return escape(_NOT_XML.sub("", _text(value)), {"\r": "&#13;"})


def _attr(value: Scalar) -> str:
    """A quoted XML attribute value whose whitespace survives parsing."""
    entities = {'"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
    return '"' + escape(_NOT_XML.sub("", _text(value)), entities) + '"'


def _graphml(sel: _Selection) -> Iterator[str]:
    yield ('<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.'
           'graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
    keys: dict[str, dict[str, str]] = {}
    for scope, fields in (("node", sel.node_fields), ("edge", sel.edge_fields)):
        keys[scope] = {name: f"{scope[0]}{i}" for i, name in enumerate(fields)}
        for name, kind in fields.items():
            yield (f'  <key id="{keys[scope][name]}" for="{scope}" attr.name={_attr(name)} '
                   f'attr.type="{_XML_TYPES[kind]}"/>\n')

    def data(scope: str, record: dict[str, Scalar]) -> str:
        return "".join(f'<data key="{keys[scope][k]}">{_xml(v)}</data>' for k, v in record.items())

    yield '  <graph edgedefault="directed">\n'
    for node, record in sel.nodes():
        yield f"    <node id={_attr(node)}>{data('node', record)}</node>\n"
    for key, source, target, record in sel.edges():
        yield (f"    <edge id={_attr(key)} source={_attr(source)} target={_attr(target)}>"
               f"{data('edge', record)}</edge>\n")
    yield "  </graph>\n</graphml>\n"


def _gexf(sel: _Selection) -> Iterator[str]:
    table = sel.kg.relations
    dated = bool(np.any(table.start_precision[sel.edge_positions]) or np.any(table.end_precision[sel.edge_positions]))
    mode = 'mode="dynamic" timeformat="date"' if dated else 'mode="static"'
    yield ('<?xml version="1.0" encoding="UTF-8"?>\n<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n'
           f'  <meta><creator>bilateral-kg</creator></meta>\n  <graph defaultedgetype="directed" {mode}>\n')
    ids: dict[str, dict[str, str]] = {}
    for scope, fields in (("node", sel.node_fields), ("edge", sel.edge_fields)):
        ids[scope] = {name: f"{scope[0]}{i}" for i, name in enumerate(fields)}
        yield f'    <attributes class="{scope}" mode="static">\n'
        for name, kind in fields.items():
            yield f'      <attribute id="{ids[scope][name]}" title={_attr(name)} type="{_XML_TYPES[kind]}"/>\n'
        yield "    </attributes>\n"

    def values(scope: str, record: dict[str, Scalar]) -> str:
        return "".join(f'<attvalue for="{ids[scope][k]}" value={_attr(v)}/>' for k, v in record.items())

    yield "    <nodes>\n"
    for node, record in sel.nodes():
        yield (f"      <node id={_attr(node)} label={_attr(record['name'])}>"
               f"<attvalues>{values('node', record)}</attvalues></node>\n")
    yield "    </nodes>\n    <edges>\n"
    for key, source, target, record in sel.edges():
        when = "".join(f" {k}={_attr(record[k])}" for k in ("start", "end") if record[k])
        yield (f"      <edge id={_attr(key)} source={_attr(source)} target={_attr(target)} "
               f"label={_attr(record['type'])}{when}><attvalues>{values('edge', record)}</attvalues></edge>\n")
    yield "    </edges>\n  </graph>\n</gexf>\n"


def _json_list(items: Iterable[Any]) -> Iterator[str]:
    for index, item in enumerate(items):
        yield (", " if index else "") + json.dumps(item, ensure_ascii=False)


def _node_link(sel: _Selection) -> Iterator[str]:
    yield '{"directed": true, "multigraph": true, "graph": {}, "nodes": ['
    yield from _json_list({**record, "id": node} for node, record in sel.nodes())
    yield '], "edges": ['
    yield from _json_list({**record, "source": s, "target": t, "key": key} for key, s, t, record in sel.edges())
    yield "]}\n"


def _cytoscape(sel: _Selection) -> Iterator[str]:
    # Edges carry the relation id as `key`, not `id`: Cytoscape.js wants ids unique across nodes
    # and edges, and a relation may share its id with an event entity.
    yield '{"data": [], "directed": true, "multigraph": true, "elements": {"nodes": ['
    nodes = ({"data": {**r, "id": n, "value": n, "name": r["name"] or n}} for n, r in sel.nodes())
    yield from _json_list(nodes)
    yield '], "edges": ['
    yield from _json_list({"data": {**r, "source": s, "target": t, "key": k}} for k, s, t, r in sel.edges())
    yield "]}}\n"


def _csv(sel: _Selection, table: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    rows: Iterable[list[Scalar]]
    if table == "nodes":
        writer.writerow(["id", *sel.node_fields])
        rows = ([node, *(r.get(k, "") for k in sel.node_fields)] for node, r in sel.nodes())
    else:
        writer.writerow(["id", "source", "target", "source_name", "target_name", *sel.edge_fields])
        names = {e.id: e.name for e in (sel.kg.entities[p] for p in sel.node_positions.tolist())}
        rows = ([k, s, t, names[s], names[t], *(r.get(f, "") for f in sel.edge_fields)]
                for k, s, t, r in sel.edges())
    for row in rows:
        writer.writerow([_text(value) for value in row])
        if buffer.tell() >= _CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


_WRITERS: dict[str, Callable[[_Selection], Iterator[str]]] = {
    "graphml": _graphml, "gexf": _gexf, "node-link": _node_link, "cytoscape": _cytoscape,
}
