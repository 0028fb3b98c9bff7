"""The rulebook: one set of checks, the same words whichever reader calls it."""

from __future__ import annotations

from typing import Any

import pytest

from app import rules
from app.records import EntityRecord, RelationRecord

KNOWN = rules.Known(
    entities={"alpha": 0, "beta": 1, "old-beta": 1},
    entity_ids=["alpha", "beta"],
    sources={"article"},
    relation_taken={"taken"}.__contains__,
)
BASE: dict[str, Any] = {
    "id": "r1",
    "type": "hostility",
    "source": "alpha",
    "target": "beta",
    "start": "2019",
    "evidence": [{"source_id": "article", "locator": "3"}],
}


def _check(**changes: Any) -> tuple[rules.CheckedRelation | None, list[rules.Violation]]:
    record, violations = rules.parse(RelationRecord, {**BASE, **changes})
    if record is None:
        return None, violations
    return rules.check_relation(record, KNOWN)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"id": "taken"}, "id", "duplicate relation id 'taken'"),
        ({"target": "gamma"}, "target", "unknown entity 'gamma'"),
        ({"end": "2018"}, "end", "2018 is before start 2019"),
        ({"type": "friendship"}, "type", "unknown relation type 'friendship'; see /types for the vocabulary"),
        ({"start": "2019-02-30"}, "start", "not a real date"),
        ({"evidence": [{"source_id": "blog", "locator": "1"}]}, "evidence", "unknown source 'blog'"),
        ({"evidence": []}, "evidence", "at least 1"),
        ({"type": "mediation_offer", "attributes": {"parties": ["alpha"]}}, "attributes.parties", "two parties"),
        (
            {"type": "mediation_offer", "attributes": {"parties": ["beta", "old-beta"]}},
            "attributes.parties",
            "must differ",
        ),
        ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
    ],
)
def test_relation_rule_broken_names_field(changes: dict[str, Any], field: str, message: str) -> None:
    checked, violations = _check(**changes)
    assert checked is None
    assert [v.field for v in violations] == [field]
    assert message in violations[0].message


def test_relation_passing_resolves_ends_and_parties() -> None:
    checked, violations = _check(
        type="mediation_offer", source="alpha", target="old-beta", attributes={"parties": ["old-beta", "alpha"]}
    )
    assert violations == []
    assert checked is not None
    assert (checked.source, checked.target, checked.attributes) == (0, 1, {"parties": ["beta", "alpha"]})


def test_entity_reference_unknown_is_a_violation() -> None:
    entity = EntityRecord(id="ana", name="Ana", kind="person", attributes={"affiliation": "nowhere"})
    assert rules.check_entity(entity, {"alpha"}) == [
        rules.Violation("attributes.affiliation", "unknown entity 'nowhere'")
    ]
    assert rules.check_entity(entity, {"nowhere"}) == []
