"""Third parties well placed to mediate between two parties, ranked by a documented score.

Each party is a *camp*: the party and its members in force on ``as_of`` (the entities that
``holds_office`` in it or are a ``member_of`` it: the one rule of ``membership.py``). Candidates
are the entities that a relation in force links to a camp, together with the organisations those
entities belong to, so the work is bounded by the camps' degrees, never by the size of the graph.
A relation links candidate ``c`` to side ``s`` *directly* when it runs between ``c`` and ``s``
themselves, *through people* when one end is a member of ``c`` or of ``s``.
Mediations and offers to mediate count only as a record, neutral relations not at all.

Score, with the counts taken on ``as_of`` (caps are per side):

- ``ties``: +1 per positive direct relation with each side, at most 5 per side;
- ``people``: +0.5 per positive relation through people with each side, at most 5 per side;
- ``both_sides``: +5 when the candidate has a positive relation (either kind) with both sides;
- ``hostility``: -3 per negative relation (hostility, armed conflict, attack, threat...), direct or
  through people, with either side, at most 5 per side;
- ``mediations``: +1 per mediation or offer to mediate by the candidate or its members between other
  parties, at most 5; ``pair_mediations``: +3 per one between these two parties, at most 3.

The two parties and their members are never candidates; by default only states and organisations
are. A member of an eligible candidate (a ministry of a state, a party's minister) is not listed apart:
its relations count for the entity it belongs to. Ties are broken by entity id. Each candidate comes
with the relations counted (for a capped count, the most recent ones).
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

import numpy as np

from ..budget import UNLIMITED, Budget
from ..errors import BadParameter
from ..graph import KnowledgeGraph, dyad_key
from ..indexes import EMPTY
from ..store import TYPE_CODE, TYPE_IDS
from ..temporal import Period
from ..vocabulary import MEDIATION_TYPES
from .filters import RelationFilter, apply

__all__ = ["DEFAULT_KINDS", "WEIGHTS", "Candidate", "mediator_candidates"]

DEFAULT_KINDS = ("state", "organization")
# component: (points per relation, most relations counted per side, or in all for mediations)
WEIGHTS: dict[str, tuple[float, int]] = {
    "ties": (1.0, 5),
    "people": (0.5, 5),
    "hostility": (-3.0, 5),
    "mediations": (1.0, 5),
    "pair_mediations": (3.0, 3),
}
BOTH_SIDES_BONUS = 5.0
_MEDIATION = np.array([type_id in MEDIATION_TYPES for type_id in TYPE_IDS], dtype=bool)


@dataclass(frozen=True, slots=True)
class Candidate:
    entity: int
    score: float
    breakdown: dict[str, float]  # points per component of the score
    relations: list[int]  # the relations counted, oldest first


@dataclass(slots=True)
class _Tally:
    """Relations counted for one candidate, by component and side (0, 1; mediations use side 0)."""

    found: dict[tuple[str, int], list[int]] = field(default_factory=dict)

    def add(self, component: str, side: int, positions: list[int]) -> None:
        self.found.setdefault((component, side), []).extend(positions)


def mediator_candidates(
    kg: KnowledgeGraph,
    a: int,
    b: int,
    *,
    as_of: Period,
    kinds: Collection[str] | None = DEFAULT_KINDS,
    budget: Budget = UNLIMITED,
) -> list[Candidate]:
    """Candidates to mediate between ``a`` and ``b`` on ``as_of``, best first (see the module for the score).

    ``kinds`` keeps entities of those kinds (``None``: all kinds). Raises ``OutOfTime`` when ``budget``
    runs out (it is checked for every 256 counterparts counted).

    >>> from app.loader import load_graph
    >>> from app.temporal import parse_period
    >>> kg = load_graph(["graph_data"])
    >>> found = mediator_candidates(kg, kg.resolve("Türkiye"), kg.resolve("Israel"), as_of=parse_period("2020-12-01"))
    >>> [(kg.entity(c.entity).id, c.score) for c in found[:2]]
    [('azerbaijan', 14.0), ('united-states', 3.0)]
    """
    if a == b:
        raise BadParameter("between", "the two parties must be different entities")
    count = _Count(kg, a, b, as_of, kinds)
    for side, (party, camp) in enumerate(zip((a, b), count.camps, strict=True)):
        for end in sorted(camp):
            count.ties_of(end, side, party, budget)
    count.mediations(a, b)
    return count.ranked()


class _Count:
    """The tallies of one question: who may mediate between ``a`` and ``b`` on ``as_of``."""

    def __init__(self, kg: KnowledgeGraph, a: int, b: int, as_of: Period, kinds: Collection[str] | None) -> None:
        self.kg, self.kinds, self.flt = kg, kinds, RelationFilter(as_of=as_of)
        self.members = _Members(kg, as_of)
        self.camps = ({a} | self.members.of(a), {b} | self.members.of(b))
        self.parties = self.camps[0] | self.camps[1]
        self.tallies: dict[int, _Tally] = {}
        self.owners_of: dict[int, list[int]] = {}  # per counterpart: itself and its organisations, if eligible

    def eligible(self, entity: int) -> bool:
        return entity not in self.parties and (self.kinds is None or self.members.kind_of[entity] in self.kinds)

    def ties_of(self, end: int, side: int, party: int, budget: Budget) -> None:
        """The signed relations of ``end`` (a party or one of its members) counted for their counterparts."""
        kg, table = self.kg, self.kg.relations
        found = apply(kg, kg.entity_relations(end), self.flt)
        found = found[~_MEDIATION[table.type[found]] & (table.polarity[found] != 0)]
        others = np.where(table.source[found] == end, table.target[found], table.source[found])
        # Grouped by counterpart: the owners and eligibility of each are looked up once, not per relation
        # (a hub has tens of thousands). _score sorts what it counts, so the order of a tally is free.
        order = np.argsort(others, kind="stable")
        found, others, hostile = found[order], others[order], table.polarity[found[order]] < 0
        counterparts, starts = np.unique(others, return_index=True)
        bounds = np.r_[starts, len(found)].tolist()
        for n, other in enumerate(counterparts.tolist()):
            if n % 256 == 0:
                budget.check()
            owners = [] if other in self.parties else self._owners(other)
            group, against = found[bounds[n] : bounds[n + 1]], hostile[bounds[n] : bounds[n + 1]]
            enemies, friends = group[against].tolist(), group[~against].tolist()
            for owner in owners:
                tally = self.tallies.setdefault(owner, _Tally())
                if enemies:
                    tally.add("hostility", side, enemies)
                if friends:
                    tally.add("ties" if owner == other and end == party else "people", side, friends)

    def _owners(self, entity: int) -> list[int]:
        owners = self.owners_of.get(entity)
        if owners is None:
            owners = self.owners_of[entity] = [o for o in self.members.with_owners(entity) if self.eligible(o)]
        return owners

    def mediations(self, a: int, b: int) -> None:
        """Mediations in force, counted for those already tallied and for whoever mediated between these two."""
        kg, table = self.kg, self.kg.relations
        pair = set(kg.mediations.get(dyad_key(a, b), ()))
        recorded = np.concatenate([kg.by_type.get(TYPE_CODE[t], EMPTY) for t in sorted(MEDIATION_TYPES)])
        by_whom = [(p, self.members.with_owners(int(table.source[p]))) for p in apply(kg, recorded, self.flt).tolist()]
        pool = set(self.tallies) | {owner for p, owners in by_whom if p in pair for owner in owners}
        for position, owners in by_whom:
            for owner in owners:
                if self.eligible(owner) and owner in pool:
                    component = "pair_mediations" if position in pair else "mediations"
                    self.tallies.setdefault(owner, _Tally()).add(component, 0, [position])

    def ranked(self) -> list[Candidate]:
        """The candidates best first; one that belongs to an eligible organisation is counted in it instead."""
        kg = self.kg
        ranked = [
            _score(kg, entity, tally)
            for entity, tally in self.tallies.items()
            if not any(self.eligible(owner) for owner in self.members.with_owners(entity)[1:])
        ]
        return sorted(ranked, key=lambda c: (-c.score, kg.entity(c.entity).id))


def _score(kg: KnowledgeGraph, entity: int, tally: _Tally) -> Candidate:
    lo = kg.relations.lo
    breakdown = dict.fromkeys(WEIGHTS, 0.0)
    counted: list[int] = []
    for (component, _), positions in tally.found.items():
        weight, cap = WEIGHTS[component]
        found = np.asarray(positions)
        kept = found[np.lexsort((found, lo[found]))][-cap:].tolist()  # the latest, by start then position
        breakdown[component] += weight * len(kept)
        counted.extend(kept)
    friendly = [any(tally.found.get((c, side)) for c in ("ties", "people")) for side in (0, 1)]
    breakdown["both_sides"] = BOTH_SIDES_BONUS if all(friendly) else 0.0
    relations = sorted(set(counted), key=lambda p: (int(lo[p]), p))
    return Candidate(entity, sum(breakdown.values()), breakdown, relations)


class _Members:
    """Who belongs to whom on a date, from the per-graph membership index."""

    def __init__(self, kg: KnowledgeGraph, as_of: Period) -> None:
        self.kg, self.as_of = kg, as_of
        self.up, self.down, self.kind_of = _membership_index(kg)
        self._owners: dict[int, list[int]] = {}

    def of(self, owner: int) -> set[int]:
        on = self.as_of
        return {member for member, lo, hi, is_state in self.down.get(owner, ()) if in_force(lo, hi, is_state, on)}

    def with_owners(self, entity: int) -> list[int]:
        """The entity, then the organisations it belongs to on the date, each once."""
        found = self._owners.get(entity)
        if found is None:
            on = self.as_of
            owners = (owner for owner, lo, hi, is_state in self.up.get(entity, ()) if in_force(lo, hi, is_state, on))
            found = self._owners[entity] = list(dict.fromkeys((entity, *owners)))
        return found


# (the other end, and the link's first and last day and whether it is a state: read from the columns
# once, since a hub's question asks hundreds of thousands of times whether a link holds)
_Link = tuple[int, int, int, bool]
_Index = tuple[dict[int, list[_Link]], dict[int, list[_Link]], list[str]]
_INDEXES: WeakKeyDictionary[KnowledgeGraph, _Index] = WeakKeyDictionary()
_LOCK = threading.Lock()


def in_force(lo: int, hi: int, is_state: bool, on: Period) -> bool:
    """``temporal.in_force`` without its keyword: called in the innermost loop."""
    return lo <= on.hi and (not is_state or hi >= on.lo)


def _membership_index(kg: KnowledgeGraph) -> _Index:
    """Per graph, once: member -> [(organisation, link...)], organisation -> [(member, link...)], and each
    entity's kind by position (asked of every counterpart: a list is faster than the entity records)."""
    with _LOCK:
        if kg in _INDEXES:
            return _INDEXES[kg]
    table = kg.relations
    positions = kg.membership.by_owner.values
    ends = (table.source[positions].tolist(), table.target[positions].tolist())
    spans = (table.lo[positions].tolist(), table.hi[positions].tolist(), table.is_state[positions].tolist())
    up: dict[int, list[_Link]] = {}
    down: dict[int, list[_Link]] = {}
    for member, owner, lo, hi, is_state in zip(*ends, *spans, strict=True):
        up.setdefault(member, []).append((owner, lo, hi, is_state))
        down.setdefault(owner, []).append((member, lo, hi, is_state))
    kind_of: list[str] = [entity.kind for entity in kg.entities]
    with _LOCK:
        return _INDEXES.setdefault(kg, (up, down, kind_of))
