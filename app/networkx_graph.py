"""The graph as NetworkX holds it, for research in a notebook: ``load_networkx("graph_data")``.

The service answers its routes from a column store (``store.py``: NumPy arrays per field, with
time and dyad indexes): 468,000 relations fit in ~150 MB and a dyad lookup is a binary search.
NetworkX runs its algorithms where they pay: path searches, betweenness and communities on the
curated graph (igraph beyond 500 nodes), structural balance, and the GraphML/GEXF/JSON exports.
``load_networkx`` hands researchers the whole graph the other way round, as one
``nx.MultiDiGraph``, so that every NetworkX algorithm, pandas and Gephi work on it directly.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from .graph import KnowledgeGraph
from .loader import load_graph
from .queries.filters import RelationFilter
from .queries.relations import find_relations
from .queries.views import entity_view, relation_views

__all__ = ["load_networkx", "to_networkx"]


def load_networkx(*folders: str | Path) -> nx.MultiDiGraph:
    """The dataset folders (the first taking precedence; default ``graph_data``), checked as the service
    checks them (a bad file raises ``DataError`` naming file, entry and field), as a MultiDiGraph.

    >>> import networkx as nx
    >>> graph = load_networkx("graph_data")
    >>> graph.nodes["azerbaijan"]["name"], graph.nodes["azerbaijan"]["kind"]
    ('Azerbaijan', 'state')
    >>> edge = graph.edges["israel", "azerbaijan", "israel-azerbaijan-arms-trade-2018-2022"]
    >>> edge["type"], edge["start"], edge["end"], edge["attributes"]["rank"], edge["evidence"][0]
    ('arms_trade', '2018', '2022', 2, {'source_id': 'article', 'locator': '1'})
    >>> sorted(nx.all_shortest_paths(graph.to_undirected(as_view=True), "benny-gantz", "hikmet-hajiyev"))[0]
    ['benny-gantz', 'azerbaijan', 'hikmet-hajiyev']
    """
    return to_networkx(load_graph(list(folders) or ["graph_data"]))


def to_networkx(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """``kg`` as a MultiDiGraph: a node per entity (its id; ``name``, ``kind``, ``aliases``, ``attributes``,
    ``note``), an edge per current relation from source to target, keyed by the relation's id, with the
    fields the REST API answers (``type``, ``start`` and ``end`` as partial ISO dates, ``polarity``,
    ``description``, ``kind``: state or event, ``evidence``: source id and locator, ``attributes``, ``note``).
    """
    graph = nx.MultiDiGraph()
    for position in range(len(kg.entities)):
        view = entity_view(kg, position)
        graph.add_node(view.pop("id"), **view)
    for view in relation_views(kg, find_relations(kg, flt=RelationFilter())):
        graph.add_edge(view.pop("source"), view.pop("target"), key=view.pop("id"), **view)
    return graph
