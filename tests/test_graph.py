"""The knowledge graph's own lookups, checked against the relation columns read row by row."""

from __future__ import annotations

import numpy as np
import pytest

from app.graph import KnowledgeGraph


def _by_scan(kg: KnowledgeGraph, a: set[int], b: set[int]) -> list[int]:
    """Relations between a member of ``a`` and one of ``b``, either way, by start then position."""
    table = kg.relations
    found = [
        p
        for p in range(len(table))
        if (int(table.source[p]) in a and int(table.target[p]) in b)
        or (int(table.source[p]) in b and int(table.target[p]) in a)
    ]
    return sorted(found, key=lambda p: (int(table.lo[p]), p))


@pytest.fixture(params=["curated", "mini"])
def kg(request: pytest.FixtureRequest) -> KnowledgeGraph:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


def test_dyad_keys_name_a_pair_in_either_order_and_give_it_back(kg: KnowledgeGraph) -> None:
    n = len(kg.entities)
    a, b = np.arange(n), np.arange(n)[::-1]
    keys = kg.dyad_keys(a, b)
    assert (
        keys.tolist()
        == kg.dyad_keys(b, a).tolist()
        == [kg.dyad_key_of(int(x), int(y)) for x, y in zip(a, b, strict=True)]
    )
    assert [kg.dyad_of_key(int(key)) for key in keys] == [
        (min(x, y), max(x, y)) for x, y in zip(a.tolist(), b.tolist(), strict=True)
    ]
    assert len(set(kg.dyad_keys(*np.triu_indices(n)).tolist())) == n * (n + 1) // 2


def test_dyad_relations_are_both_directions_oldest_first(kg: KnowledgeGraph) -> None:
    checked = 0
    for a, b in kg.dyads.edges:
        assert kg.dyad_relations(a, b).tolist() == kg.dyad_relations(b, a).tolist() == _by_scan(kg, {a}, {b})
        checked += 1
    assert checked == kg.dyads.number_of_edges() > 0


def test_a_window_keeps_the_relations_whose_interval_meets_it(kg: KnowledgeGraph) -> None:
    table = kg.relations
    for a, b in kg.dyads.edges:
        every = kg.dyad_relations(a, b)
        lo = int(table.lo[every].min())
        window = (lo, lo + 365)
        expected = [p for p in every.tolist() if table.lo[p] <= window[1] and table.hi[p] >= window[0]]
        assert kg.dyad_relations(a, b, window).tolist() == expected


def test_relations_of_sides_and_of_many_dyads_are_those_of_each_dyad(kg: KnowledgeGraph) -> None:
    states = [p for p, entity in enumerate(kg.entities) if entity.kind == "state"][:4]
    others = [p for p, entity in enumerate(kg.entities) if entity.kind != "state"][:5]
    found = kg.relations_between_sides(np.array(states), np.array(others))
    assert found.tolist() == _by_scan(kg, set(states), set(others))
    pairs = [(a, b) for a in states for b in others]
    relations, dyad = kg.relations_of_dyads(np.array([a for a, _ in pairs]), np.array([b for _, b in pairs]))
    for index, (a, b) in enumerate(pairs):
        assert sorted(relations[dyad == index].tolist()) == sorted(_by_scan(kg, {a}, {b}))


def test_entity_relations_are_its_relations_oldest_first(kg: KnowledgeGraph) -> None:
    everyone = set(range(len(kg.entities)))
    for position in range(len(kg.entities)):
        found = kg.entity_relations(position)
        assert sorted(found.tolist()) == sorted(_by_scan(kg, {position}, everyone))
        assert (np.diff(kg.relations.lo[found]) >= 0).all()  # oldest first; same-day ones in any order
