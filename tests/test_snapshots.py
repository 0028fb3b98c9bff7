"""A snapshot answers exactly as a graph indexed afresh over the same relations would.

Random streams of changes (add, correct, retract, new entities) are applied to a
tape; after each, every index lookup of the layered snapshot is compared with
a ``KnowledgeGraph`` built from scratch over the snapshot's live rows.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from app.curation.changes import Draft, apply
from app.graph import KnowledgeGraph
from app.loader import load_graph
from app.queries.neighbors import neighborhood
from app.snapshot import snapshot
from app.tape import Tape

from .conftest import MINI

TYPES = ["visit", "hostility", "arms_trade", "diplomatic_relations", "rupture", "member_of", "mediation_offer"]


def _random_relation(rng: random.Random, relation_id: str, entities: list[str]) -> dict[str, Any]:
    source, target = rng.sample(entities, 2)
    start = rng.randrange(1990, 2024)
    relation: dict[str, Any] = {
        "id": relation_id,
        "type": rng.choice(TYPES),
        "source": source,
        "target": target,
        "start": str(start),
        "evidence": [{"source_id": "notes", "locator": str(rng.randrange(1, 9))}],
    }
    if rng.random() < 0.3:
        relation["end"] = str(start + rng.randrange(0, 5))
    if relation["type"] == "mediation_offer":
        relation["attributes"] = {"parties": rng.sample([e for e in entities if e != source], 2)}
    return relation


def _fresh(kg: Any) -> KnowledgeGraph:
    return KnowledgeGraph(
        sources=kg.sources.values(),
        entities=kg.entities,
        relations=kg.relations,
        live=kg.live,
        headroom=kg._size - len(kg.entities),
    )


def _same_answers(kg: Any, fresh: KnowledgeGraph) -> None:
    size = len(kg.entities)
    assert kg.stats() == fresh.stats()
    assert kg.by_time.tolist() == fresh.by_time.tolist()
    for a in range(size):
        assert kg.entity_relations(a).tolist() == fresh.entity_relations(a).tolist()
        assert kg.side(a, members=True).tolist() == fresh.side(a, members=True).tolist()
        assert sorted(p for p, _ in neighborhood(kg, a, depth=2).nodes) == sorted(
            p for p, _ in neighborhood(fresh, a, depth=2).nodes
        )
        for b in range(a, size):
            key = kg.dyad_key_of(a, b)
            assert kg.dyad_relations(a, b).tolist() == fresh.dyad_relations(a, b).tolist()
            assert kg.rolled_up_relations(a, b).tolist() == fresh.rolled_up_relations(a, b).tolist()
            assert (
                kg.dyad_relations(a, b, (730000, 737000)).tolist()
                == fresh.dyad_relations(a, b, (730000, 737000)).tolist()
            )
            assert kg.status_by_dyad.get(key).tolist() == fresh.status_by_dyad.get(key).tolist()
            assert (
                kg.by_dyad.between(key, 729000, 736000).tolist() == fresh.by_dyad.between(key, 729000, 736000).tolist()
            )
    for code in range(len(TYPES) + 40):
        assert kg.by_type.get(code).tolist() == fresh.by_type.get(code).tolist()
    lows, highs = np.triu_indices(size)
    gathered, fresh_gathered = kg.relations_of_dyads(lows, highs), fresh.relations_of_dyads(lows, highs)
    assert [part.tolist() for part in gathered] == [part.tolist() for part in fresh_gathered]
    assert {k: sorted(v) for k, v in kg.mediations.items() if v} == {
        k: sorted(v) for k, v in fresh.mediations.items() if v
    }
    assert sorted(kg.dyads.edges) == sorted(fresh.dyads.edges)
    for relation_id in {kg.relations.ids[p] for p in range(len(kg.relations))}:
        assert kg.relation_position(relation_id) == fresh.relation_position(relation_id)


@pytest.mark.parametrize("seed", range(6))
def test_snapshot_after_random_changes_answers_as_a_fresh_graph(seed: int) -> None:
    rng = random.Random(seed)
    tape = Tape(load_graph([MINI], headroom=64))
    entities = [e.id for e in tape.entities]
    live = [tape.ids[p].decode() for p in range(tape.rows)]
    previous = None  # each snapshot borrows what has not changed from the one before, as the writer does
    for seq in range(1, 41):
        roll = rng.random()
        if roll < 0.15:
            entity = {"id": f"e{seq}", "name": f"Entity {seq}", "kind": "state"}
            apply(tape, Draft("create", "entity", entity["id"], None, entity), seq)
            entities.append(entity["id"])
        elif roll < 0.55 or not live:
            relation = _random_relation(rng, f"r{seq}", entities)
            apply(tape, Draft("create", "relation", relation["id"], None, relation), seq)
            live.append(relation["id"])
        elif roll < 0.8:
            target = rng.choice(live)
            relation = _random_relation(rng, target, entities)
            apply(tape, Draft("update", "relation", target, {}, relation), seq)
        else:
            target = live.pop(rng.randrange(len(live)))
            apply(tape, Draft("retract", "relation", target, {}, None), seq)
        tape.tick(seq, f"2026-01-{1 + seq % 28:02d}T00:00:00Z")
        if seq % 5 == 0 or seq > 35:
            current = previous = snapshot(tape, previous=previous)
            in_force = {current.relations.ids[p] for p in current.live.tolist()}
            assert in_force == set(live) and len(in_force) == len(current.live)
            assert current.relation_position(f"r{seq}") is None or f"r{seq}" in live
            _same_answers(current, _fresh(current))
    assert len(snapshot(tape).added) > 5 and len(snapshot(tape).gone) > 0
    for seq in (0, 7, 23):  # earlier states, as as_known builds them
        _same_answers(snapshot(tape, seq), _fresh(snapshot(tape, seq)))
