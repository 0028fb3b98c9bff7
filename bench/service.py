"""The service's query layer, called as the routes call it, on ``load_graph([folder])``."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import numpy as np

from app.loader import load_graph
from app.queries.filters import make_filter
from app.queries.mediations import mediators
from app.queries.neighbors import neighborhood
from app.queries.paths import find_paths
from app.queries.relations import find_dyad_relations
from app.queries.status import dyad_status
from app.temporal import parse_period

from .peers import MAX_HOPS, Day, common_normalize, entity_ids

__all__ = ["ServiceEngine"]


class ServiceEngine:
    name = "service"

    def __init__(self, folder: Path) -> None:
        self.kg = load_graph([folder])
        ids = entity_ids(folder)
        assert [e.id for e in self.kg.entities] == ids, "entity positions differ from entities.csv order"

    def dyad_window(self, a: int, b: int, lo: Day, hi: Day) -> np.ndarray:
        return find_dyad_relations(self.kg, a, b, flt=make_filter(start=lo.text, end=hi.text))

    def status(self, a: int, b: int, day: Day) -> str:
        return dyad_status(self.kg, a, b, as_of=parse_period(day.text)).status

    def mediators(self, a: int, b: int) -> list[int]:
        return [mediator for mediator, _ in mediators(self.kg, a, b)]

    def two_hop(self, a: int, day: Day, limit: int) -> list[int]:
        hood = neighborhood(self.kg, a, depth=2, flt=make_filter(as_of=day.text), limit=limit)
        return [position for position, _ in hood.nodes[1:]]

    def shortest_path(self, a: int, b: int) -> list[int] | None:
        found = find_paths(self.kg, a, b, max_hops=MAX_HOPS)
        return found.paths[0][0] if found.paths else None

    def normalize(self, kind: str, answer: Any, *, cap: int = 999) -> Hashable:
        ids = [e.id for e in self.kg.entities] if kind != "dyad_window" else self.kg.relations.ids
        if kind in ("dyad_window", "mediators", "two_hop", "shortest_path") and answer is not None:
            answer = [ids[int(p)] for p in answer]
        return common_normalize(kind, answer, cap)
