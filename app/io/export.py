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

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, get_args

import networkx as nx
import numpy as np

from ..errors import BadParameter
from ..graph import KnowledgeGraph
from ..queries.filters import RelationFilter
from ..queries.relations import find_relations
from .flat import EDGE_FIELDS, NODE_FIELDS, Selection, field_types
from .writers import WRITERS, chunks, write_csv

__all__ = ["FORMATS", "ExportFormat", "FormatName", "TableName", "export_graph", "export_stream"]

FormatName = Literal["graphml", "gexf", "node-link", "cytoscape", "csv"]
TableName = Literal["edges", "nodes"]


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
        parts = write_csv(selection, table) if fmt == "csv" else WRITERS[fmt](selection)
        yield from chunks(parts)

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


def _select(kg: KnowledgeGraph, *, flt: RelationFilter, source: int | None, target: int | None) -> Selection:
    table = kg.relations
    edges = find_relations(kg, flt=flt, source=source, target=target)
    if flt.is_empty and source is None and target is None:
        nodes = np.arange(len(kg.entities), dtype=np.int32)
    else:
        nodes = np.unique(np.concatenate([table.source[edges], table.target[edges]]))
    node_attrs = (kg.entities[p].attributes for p in nodes.tolist())
    edge_attrs = (table.attributes[p] for p in edges.tolist())
    return Selection(
        kg,
        nodes,
        edges,
        node_fields=dict.fromkeys(NODE_FIELDS, str) | field_types(node_attrs),
        edge_fields=dict.fromkeys(EDGE_FIELDS, str) | field_types(edge_attrs),
    )
