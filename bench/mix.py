"""The interactive mix of the load benchmark: every route, weighted, with realistic parameters.

A team of analysts at work mostly reads timelines and statuses of pairs, looks entities up and
follows their relations; now and then it searches, walks paths and neighbourhoods, asks what
changed, exports a slice, runs an analysis of the states on the first of a month, and makes
mistakes (unknown names, bad dates). Whole-graph analyses on arbitrary days are the storm's part.
``WEIGHTS`` is that mix, in requests per 1,000. Parameters are drawn with a fixed seed from the
served graph: half of the dyads and entities by how often they occur (the hubs people ask
about), half uniformly; dates within the data; curated entities by name, event actors by id.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from urllib.parse import quote

import numpy as np

from app.graph import KnowledgeGraph

__all__ = ["ANALYSIS_WEIGHT", "WEIGHTS", "make_mix"]

WEIGHTS: dict[str, int] = {
    "dyad timeline": 180,
    "dyad status": 160,
    "dyad series": 40,
    "relations": 70,
    "relation by id": 60,
    "entity": 110,
    "entity search": 80,
    "entity relations": 60,
    "neighbours": 30,
    "mediations": 60,
    "paths": 40,
    "changes": 20,
    "types": 10,
    "export": 2,
    "unknown entity (404)": 30,
    "bad date (422)": 38,
    "mediator candidates": 3,
    "balance": 3,
    "centrality": 4,
}
ANALYSIS_WEIGHT = sum(WEIGHTS[name] for name in ("mediator candidates", "balance", "centrality"))
PER_ROUTE = 400
TYPES = ("meeting", "visit", "cooperation", "hostility", "statement", "criticism", "aid", "threat")
SEARCHES = (
    "turkey",
    "Trkiye",
    "aliyev",
    "Milli Majlis",
    "iran",
    "netanyahu",
    "erdogan",
    "gover",
    "ministry of",
    "police",
    "china",
    "obama",
    "kerry",
    "citizen",
    "militant",
    "united nations",
    "russia",
    "ukraine",
    "business",
    "parliament",
    "opposition",
    "media",
    "nigeria",
    "armed forces",
    "azerbaijn",
    "israle",
)


class _Draw:
    """Parameters drawn from the graph, half weighted by activity, half uniform."""

    def __init__(self, kg: KnowledgeGraph, seed: int) -> None:
        self.kg, self.rng = kg, random.Random(seed)
        table = kg.relations
        self.activity = np.bincount(np.r_[table.source, table.target], minlength=len(kg.entities)).astype(float)
        self.active = np.flatnonzero(self.activity)
        self.weights = self.activity[self.active] / self.activity[self.active].sum()
        self.np_rng = np.random.default_rng(seed)
        sizes = np.diff(kg.by_dyad.bounds).astype(float)
        self.dyad_weights = sizes / sizes.sum()
        years = table.lo[table.lo > 0]
        self.first_day, self.last_day = int(np.percentile(years, 1)), int(np.percentile(years, 99))

    def entity(self) -> int:
        if self.rng.random() < 0.5:
            return int(self.np_rng.choice(self.active, p=self.weights))
        return int(self.rng.choice(self.active))

    def ref(self, position: int) -> str:
        entity = self.kg.entity(position)
        # A "/" in a path segment ends it, even escaped (ASGI paths arrive decoded): such names go by id.
        by_name = self.rng.random() < 0.5 and "/" not in entity.name
        return quote(entity.name if by_name else entity.id, safe="")

    def dyad(self) -> tuple[str, str]:
        keys = self.kg.by_dyad.keys
        slot = (
            int(self.np_rng.choice(len(keys), p=self.dyad_weights))
            if self.rng.random() < 0.5
            else self.rng.randrange(len(keys))
        )
        low, high = divmod(int(keys[slot]), max(len(self.kg.entities), 1))
        if low == high:
            return self.dyad()
        return self.ref(low), self.ref(high)

    def day(self) -> str:
        from app.temporal import ordinal_text

        return ordinal_text(self.rng.randint(self.first_day, self.last_day), "day")

    def month(self) -> str:
        return self.day()[:7]

    def year(self) -> str:
        return self.day()[:4]

    def relation_id(self) -> str:
        return quote(self.kg.relations.ids[self.rng.randrange(len(self.kg.relations))], safe="")


def _routes(d: _Draw) -> dict[str, Callable[[], str]]:
    r = d.rng

    def window(unit: Callable[[], str] = d.month) -> str:
        first, last = sorted((unit(), unit()))
        return f"from={first}&to={last}"

    return {
        "dyad timeline": lambda: "/dyads/{}/{}?{}".format(*d.dyad(), window(d.year)),
        "dyad status": lambda: "/dyads/{}/{}/status?as_of={}{}".format(
            *d.dyad(), d.day(), "&members=true" if r.random() < 0.3 else ""
        ),
        "dyad series": lambda: "/dyads/{}/{}/series?freq={}".format(*d.dyad(), r.choice(["month", "quarter", "year"])),
        "relations": lambda: r.choice(
            [
                f"/relations?source={d.ref(d.entity())}&as_of={d.day()}&limit=50",
                f"/relations?target={d.ref(d.entity())}&type={r.choice(TYPES)}",
                f"/relations?type={r.choice(TYPES)}&{window()}&limit=20",
            ]
        ),
        "relation by id": lambda: f"/relations/{d.relation_id()}",
        "entity": lambda: f"/entities/{d.ref(d.entity())}",
        "entity search": lambda: f"/entities?q={quote(r.choice(SEARCHES))}&limit=10",
        "entity relations": lambda: f"/entities/{d.ref(d.entity())}/relations?{window(d.year)}&limit=50",
        "neighbours": lambda: (
            f"/entities/{d.ref(d.entity())}/neighbors?depth={r.choice([1, 1, 2])}&as_of={d.day()}&limit=200"
        ),
        "mediations": lambda: "/mediations?between={}&between={}".format(*d.dyad()),
        "paths": lambda: f"/paths?source={d.ref(d.entity())}&target={d.ref(d.entity())}&k={r.choice([1, 3])}",
        "changes": lambda: r.choice(
            [
                f"/changes?from={(m := d.month())}&to={m}&entity={d.ref(d.entity())}",
                f"/changes?from={(m := d.month())}&to={m}&limit=20",
                f"/changes?from={(y := d.year())}&to={y}&limit=20",
            ]
        ),
        "types": lambda: "/types",
        "export": lambda: (
            f"/export?format={r.choice(['csv', 'node-link', 'graphml'])}&source={d.ref(d.entity())}&{window()}"
        ),
        "unknown entity (404)": lambda: f"/entities/{quote(r.choice(SEARCHES))}zz{r.randrange(1000)}/relations",
        "bad date (422)": lambda: "/dyads/{}/{}/status?as_of={}-13".format(*d.dyad(), d.year()),
        "mediator candidates": lambda: "/analysis/mediator-candidates?between={}&between={}&as_of={}&limit=10".format(
            *d.dyad(), d.day()
        ),
        "balance": lambda: f"/analysis/balance?as_of={d.month()}&limit=20",
        "centrality": lambda: (
            f"/analysis/centrality?measure={r.choice(['degree', 'betweenness', 'pagerank'])}"
            f"&kind=state&as_of={d.month()}-01&limit=20"
        ),
    }


def make_mix(kg: KnowledgeGraph, *, seed: int = 8, per_route: int = PER_ROUTE) -> dict[str, list[str]]:
    """``PER_ROUTE`` request paths per route of ``WEIGHTS``, drawn from ``kg``."""
    draw = _Draw(kg, seed)
    return {name: [make() for _ in range(per_route)] for name, make in _routes(draw).items()}


def storm_paths(kg: KnowledgeGraph, *, count: int = 40, seed: int = 9) -> list[str]:
    """``count`` analysis requests on distinct dates, the heaviest first: whole-graph centralities."""
    draw = _Draw(kg, seed)
    days = sorted({draw.day() for _ in range(count * 3)})
    draw.rng.shuffle(days)
    kinds = [("betweenness", "all"), ("degree", "all"), ("pagerank", "all"), ("betweenness", "state")]
    paths = [
        f"/analysis/centrality?measure={m}&kind={k}&as_of={day}&limit=10"
        for (m, k), day in zip(kinds * count, days[: count - count // 4], strict=False)
    ]
    paths += [
        "/analysis/mediator-candidates?between={}&between={}&as_of={}&limit=10".format(*draw.dyad(), day)
        for day in days[count - count // 4 : count]
    ]
    return paths
