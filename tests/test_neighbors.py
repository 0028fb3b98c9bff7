"""Neighbourhoods against brute force on random graphs of events and states."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from app.graph import KnowledgeGraph
from app.queries.filters import apply, make_filter
from app.queries.neighbors import neighborhood, neighborhood_relations
from app.records import EntityRecord
from app.store import RelationColumns, RelationTable

NODES = 9
relations = st.lists(
    st.tuples(
        st.integers(0, NODES - 1),
        st.integers(0, NODES - 1),
        st.sampled_from(["visit", "hostility"]),
        st.integers(2000, 2010),
        st.integers(0, 4),
    ),
    min_size=1,
    max_size=30,
)


def _graph(rows: list[tuple[int, int, str, int, int]]) -> KnowledgeGraph:
    entities = [EntityRecord(id=f"n{i}", name=f"Node {i}", kind="state") for i in range(NODES)]
    columns = RelationColumns()
    for index, (u, v, type_, year, length) in enumerate(rows):
        end = str(year + length) if type_ == "hostility" else None
        columns.add(
            id=f"r{index}",
            type=type_,
            source=u,
            target=v,
            start=str(year),
            end=end,
            polarity=None,
            description="",
            evidence=(),
            attributes=None,
        )
    return KnowledgeGraph(sources=[], entities=entities, relations=RelationTable(columns))


def _brute_force(kg: KnowledgeGraph, center: int, depth: int, as_of: str | None) -> dict[int, int]:
    flt = make_filter(as_of=as_of)
    graph = nx.Graph()
    graph.add_node(center)
    for u, v in kg.dyads.edges:
        if len(apply(kg, kg.dyad_relations(u, v), flt)):
            graph.add_edge(u, v)
    return dict(nx.single_source_shortest_path_length(graph, center, cutoff=depth))


@settings(max_examples=200, deadline=None)
@given(relations, st.integers(0, NODES - 1), st.integers(1, 3), st.one_of(st.none(), st.integers(1999, 2016)))
def test_neighbourhood_matches_breadth_first_search(rows: list, center: int, depth: int, year: int | None) -> None:
    kg = _graph(rows)
    as_of = None if year is None else str(year)
    hood = neighborhood(kg, center, depth=depth, flt=make_filter(as_of=as_of), limit=1000)
    assert dict(hood.nodes) == _brute_force(kg, center, depth, as_of)
    assert not hood.truncated
    distances = [d for _, d in hood.nodes]
    assert distances == sorted(distances)  # breadth-first order
    for (node, distance), parent in zip(hood.nodes[1:], hood.parents[1:], strict=True):
        assert dict(hood.nodes)[parent] == distance - 1 and kg.dyads.has_edge(parent, node)


@settings(max_examples=100, deadline=None)
@given(relations, st.integers(0, NODES - 1), st.integers(1, 4))
def test_neighbourhood_stops_at_its_limit(rows: list, center: int, limit: int) -> None:
    kg = _graph(rows)
    hood = neighborhood(kg, center, depth=3, limit=limit)
    reachable = _brute_force(kg, center, 3, None)
    assert len(hood.nodes) == min(limit, len(reachable))
    assert hood.truncated == (len(reachable) > limit)
    assert all(reachable[node] == distance for node, distance in hood.nodes)


@settings(max_examples=150, deadline=None)
@given(relations, st.integers(0, NODES - 1), st.integers(1, 3))
def test_neighbourhood_edges_are_the_relations_among_its_nodes(rows: list, center: int, depth: int) -> None:
    kg = _graph(rows)
    hood = neighborhood(kg, center, depth=depth, limit=1000)
    found, truncated = neighborhood_relations(kg, hood, limit=1000)
    distance = dict(hood.nodes)
    expected = {
        position
        for position in range(len(kg.relations))
        if (u := int(kg.relations.source[position])) in distance
        and (v := int(kg.relations.target[position])) in distance
        and not (distance[u] == depth and distance[v] == depth)
    }
    assert set(found) == expected and len(found) == len(expected) and not truncated


def test_a_triangle_keeps_its_far_side_when_depth_exceeds_the_graph() -> None:
    kg = _graph([(0, 1, "visit", 2001, 0), (0, 2, "visit", 2001, 0), (1, 2, "visit", 2002, 0)])
    hood = neighborhood(kg, 0, depth=3)
    assert sorted(neighborhood_relations(kg, hood)[0]) == [0, 1, 2]
