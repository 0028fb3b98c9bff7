"""Finding entities by name: an index updated for a write answers as one built from scratch."""

from __future__ import annotations

import pytest

from app.errors import AmbiguousEntity, UnknownEntity
from app.graph import KnowledgeGraph
from app.records import EntityRecord
from app.resolve import NameIndex

QUERIES = (
    "Türkiye",
    "turkey",
    "Aliyev",
    "Ilham Aliyev",
    "Ilham Aliev",
    "Erdogan",
    "Gaza",
    "Kerry",
    "Armenia",
    "Azerbaijn",
    "Baku",
    "Zangezur",
    "Caspian",
    "Samsonia",
    "Samsonia Republic",
    "Nikol",
    "iran",
    "tehran",
)


def _answers(index: NameIndex) -> list[object]:
    found: list[object] = []
    for query in QUERIES:
        found.append(index.search(query, limit=8))
        try:
            found.append(index.resolve(query))
        except (UnknownEntity, AmbiguousEntity) as problem:
            found.append(type(problem).__name__)
    return found


@pytest.fixture
def edited(curated: KnowledgeGraph) -> tuple[list[EntityRecord], list[int]]:
    """The curated entities with one renamed (aliases kept), one losing its aliases, and one new."""
    entities = list(curated.entities)
    turkey = next(i for i, e in enumerate(entities) if e.id == "turkiye")
    aliyev = next(i for i, e in enumerate(entities) if e.id == "ilham-aliyev")
    entities[turkey] = entities[turkey].model_copy(update={"name": "Republic of Türkiye"})
    entities[aliyev] = entities[aliyev].model_copy(update={"aliases": []})
    entities.append(EntityRecord(id="samsonia", name="Samsonia Republic", kind="state", aliases=["Baku Two"]))
    return entities, [turkey, aliyev, len(entities) - 1]


def test_an_updated_index_answers_as_one_built_anew(
    curated: KnowledgeGraph, edited: tuple[list[EntityRecord], list[int]]
) -> None:
    entities, changed = edited
    updated = curated.names.updated(entities, changed)
    assert _answers(updated) == _answers(NameIndex(entities)) != _answers(curated.names)
    assert updated.resolve("Samsonia Republic") == len(entities) - 1
    assert _answers(curated.names) == _answers(NameIndex(curated.entities))  # the old index is left as it was


def test_updates_on_updates_answer_as_one_built_anew(
    curated: KnowledgeGraph, edited: tuple[list[EntityRecord], list[int]]
) -> None:
    entities, changed = edited
    once = curated.names.updated(entities, changed)
    again = list(entities)
    again[changed[2]] = again[changed[2]].model_copy(update={"name": "Samsonian Union", "aliases": []})
    twice = once.updated(again, [changed[2]])
    assert _answers(twice) == _answers(NameIndex(again))
    with pytest.raises(UnknownEntity):
        twice.resolve("Samsonia Republic")
