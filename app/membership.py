"""Organs of a state act for it: who belongs to whom, and when.

The one rule, for curated and imported data alike (``docs/data-format.md``, "Organs of a state"):

- A body that is part of a state (or of any organisation): a parliament, a ministry, the armed
  forces, an ICEWS sector actor such as ``Government (Israel)``, is linked to it by a ``member_of``
  relation. A person is linked by ``holds_office``, one relation per office, dated.
- A member acts for its owner while the link is in force: a relation of the member counts for the
  owner when it starts within the link's days (a minister's visit while in office). A link without
  dates always holds; a relation without a start counts only through such a link, since nothing
  shows it began while a dated office was held.
- One step: a member of a member is not rolled up; link a body to its state directly.
- Attributes (``affiliation``, ``country``, ``group``) describe an entity; they never make a member.

``members=true`` on the dyad routes (timeline, status, series), the camps of the mediator
candidates and ``/mediations`` (a state is listed beside the organ or office holder that mediated
for it) follow these links and nothing else.
"""

from __future__ import annotations

import numpy as np

from .indexes import EMPTY, GroupIndex
from .store import TYPE_CODE, RelationTable

__all__ = ["BELONGING_TYPES", "Membership"]

BELONGING_TYPES = ("member_of", "holds_office")


class Membership:
    """The belonging links of a relation table, by owner and by member.

    Examples
    --------
    >>> from app.loader import load_graph
    >>> kg = load_graph(["graph_data"])
    >>> sorted(kg.entity(int(m)).id for m in kg.membership.members(kg.resolve("Azerbaijan")))[:3]
    ['azerbaijani-armed-forces', 'hikmet-hajiyev', 'ilham-aliyev']
    """

    def __init__(self, table: RelationTable, live: np.ndarray | None = None) -> None:
        """``live``: the positions of the relations in force, when not all of the table (``snapshot.py``)."""
        self._table = table  # read at the links only: a later snapshot shares this over a longer table
        if live is None:
            belonging = np.isin(table.type, [TYPE_CODE[t] for t in BELONGING_TYPES]) & (table.source != table.target)
            links = np.flatnonzero(belonging).astype(np.int32)
        else:
            belonging = np.isin(table.type[live], [TYPE_CODE[t] for t in BELONGING_TYPES]) & (
                table.source[live] != table.target[live]
            )
            links = np.sort(live[belonging]).astype(np.int32)
        # Within an owner's group, links are sorted by member, so a member's links are found by bisection.
        self.by_owner = GroupIndex(table.target[links].astype(np.int64), links, table.source[links])
        self.by_member = GroupIndex(table.source[links].astype(np.int64), links, table.target[links])
        # The days of each link, aligned with ``by_owner``: read as slices, never gathered per request.
        self._lo, self._hi = table.lo[self.by_owner.values], table.hi[self.by_owner.values]

    def links(self, owner: int) -> np.ndarray:
        """Positions of the relations linking a member to ``owner``, sorted by member."""
        return self.by_owner.get(owner)

    def members(self, owner: int) -> np.ndarray:
        """The entities that belong to ``owner`` at some time, each once."""
        return np.unique(self._table.source[self.links(owner)]).astype(np.int32)

    def owner_links(self, member: int) -> np.ndarray:
        """Positions of the relations linking ``member`` to the entities it belongs to."""
        return self.by_member.get(member)

    def owners_on(self, member: int, day: int) -> list[int]:
        """The entities ``member`` acts for on ``day`` (a day ordinal), in link order."""
        table = self._table
        return [
            int(table.target[link])
            for link in self.owner_links(member).tolist()
            if table.lo[link] <= day <= table.hi[link]
        ]

    def acts_for(self, ends: np.ndarray, owner: int, starts: np.ndarray) -> np.ndarray:
        """For each relation ``i``: is ``ends[i]`` the owner, or its member on ``starts[i]``, the day it starts?"""
        result = ends == owner
        slot = self.by_owner.slot(owner)
        if slot is None or result.all():
            return result
        first, last = int(self.by_owner.bounds[slot]), int(self.by_owner.bounds[slot + 1])
        members = self.by_owner.sorted_by[first:last]
        lo, hi = self._lo[first:last], self._hi[first:last]
        at = members.searchsorted(ends, side="left")
        count = members.searchsorted(ends, side="right") - at
        for offset in range(int(count.max(initial=0))):  # a member rarely has more than one link to an owner
            link = np.minimum(at + offset, len(members) - 1)
            result |= (offset < count) & (lo[link] <= starts) & (starts <= hi[link])
        return result

    def rolled_up(self, table: RelationTable, found: np.ndarray, a: int, b: int) -> np.ndarray:
        """The relations of ``found`` (positions in ``table``) that run between ``a``'s side and ``b``'s, each
        end acting in time.

        ``table`` is the graph's own: a snapshot after writes keeps the membership of an earlier one while no
        link changed, and ``found`` may hold relations recorded since, beyond the table it was built on.
        """
        if not len(found):
            return EMPTY
        source, target, starts = table.source[found], table.target[found], table.lo[found]
        forward = self.acts_for(source, a, starts) & self.acts_for(target, b, starts)
        backward = self.acts_for(source, b, starts) & self.acts_for(target, a, starts)
        return found[forward | backward]
