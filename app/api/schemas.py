"""Response models: the JSON shapes of the REST API, each declared here once (never raw graph dicts).

These models are the source of truth of each shape: routes name them as ``response_model``, the OpenAPI
document is made from them, and ``tests/test_response_shapes.py`` holds every answer to them field by
field. The read routes do not build them: they serialise dicts (``queries/views.py`` for entities and
relations, the route for the envelope) straight to JSON, a model per relation costing more than the
query on list routes. Answers computed in a heavy-work process may build their model
(``analysis_schemas.py``): there the cost is nothing next to the computation.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from ..records import EntityKind
from ..vocabulary import RelationType

__all__ = [
    "DyadOut",
    "EntityOut",
    "EntityPage",
    "Health",
    "MediationPage",
    "NeighborhoodOut",
    "PathsOut",
    "Problem",
    "RelationOut",
    "RelationPage",
    "RelationType",
    "StatusOut",
]

PolarityOut = Literal["positive", "negative", "neutral"]


class EvidenceOut(BaseModel):
    source_id: str = Field(description="A source of `graph_data/sources.yaml` or an imported dataset.")
    locator: str = Field(description="Where in the source: a paragraph number (1-13) for the article.")


class EntityOut(BaseModel):
    id: str = Field(examples=["azerbaijan"])
    name: str = Field(examples=["Azerbaijan"])
    kind: EntityKind
    aliases: list[str] = Field(examples=[["Azeri", "Republic of Azerbaijan"]])
    attributes: dict[str, Any] = Field(description="ISO 3166 codes for states; role and affiliation for people.")
    note: str | None = None


class RelationOut(BaseModel):
    id: str
    type: str = Field(description="A type of the vocabulary (`GET /types`).", examples=["arms_trade"])
    source: str = Field(description="Entity id.")
    target: str = Field(description="Entity id.")
    start: str | None = Field(description="Partial ISO date: YYYY, YYYY-MM or YYYY-MM-DD.", examples=["2018"])
    end: str | None = Field(description="Last period of a state; null for events and open states.")
    polarity: PolarityOut
    description: str
    evidence: list[EvidenceOut]
    attributes: dict[str, Any] = Field(description="Figures (share, amount, rank); `parties` of a mediation.")
    kind: Literal["state", "event"] = Field(description="Whether the type holds over time or happens once.")
    note: str | None = Field(default=None, description="Corrections of the source and outside facts used.")


class Page(BaseModel):
    total: int = Field(description="How many match, across all pages.")
    limit: int
    offset: int


class EntityPage(Page):
    items: list[EntityOut]


class RelationPage(Page):
    items: list[RelationOut]


class Health(BaseModel):
    status: Literal["ok"]
    entities: int
    relations: int


class Ready(BaseModel):
    status: Literal["ready"]
    version: str = Field(description="The snapshot served: changes when the data does (ETags are made of it).")


class DyadSummary(BaseModel):
    count: int = Field(description="Relations in the window, over all pages.")
    by_type: dict[str, int] = Field(
        description="Relations per type, most frequent first; ties in the order of `/types`."
    )
    by_polarity: dict[str, int] = Field(description="Relations per polarity: negative, neutral, positive.")
    first: str | None = Field(description="Start of the earliest relation.")
    last: str | None = Field(description="Start of the latest relation.")


class DyadOut(BaseModel):
    a: EntityOut
    b: EntityOut
    relations: list[RelationOut] = Field(description="Both directions, oldest first (one page).")
    summary: DyadSummary
    limit: int
    offset: int


class StatusOut(BaseModel):
    a: EntityOut
    b: EntityOut
    as_of: str
    status: str = Field(examples=["restored"], description="`unknown` when nothing is known.")
    polarity: Literal["positive", "negative", "neutral", "mixed", "unknown"]
    basis: list[RelationOut] = Field(description="The relations the status rests on.")
    rule: str = Field(description="Which rule decided (see the docs of this route).")


class MediationOut(BaseModel):
    mediator: EntityOut
    relations: list[RelationOut]


class MediationPage(Page):
    items: list[MediationOut]


class PathOut(BaseModel):
    nodes: list[str] = Field(description="Entity ids from source to target.")
    hops: int
    edges: list[RelationOut] = Field(description="One relation per hop.")


class PathsOut(BaseModel):
    source: str
    target: str
    paths: list[PathOut]
    complete: bool = Field(description="False when the time budget ran out before the search ended.")


class NeighborOut(EntityOut):
    distance: int = Field(description="Steps from the center.")


class NeighborhoodOut(BaseModel):
    center: EntityOut
    nodes: list[NeighborOut]
    edges: list[RelationOut]
    truncated: bool = Field(description="True when the node or edge limit cut the answer short.")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    suggestions: list[str] | None = None
    candidates: list[str] | None = None
    parameter: str | None = None
    errors: list[dict[str, Any]] | None = None


class SeriesPeriod(BaseModel):
    period: str = Field(examples=["2022-Q3"])
    count: int
    by_type: dict[str, int]
    by_polarity: dict[str, int]
    score: float | None = Field(description="Cooperation (+10) to conflict (-10); null for an empty period.")


class ChangePoint(BaseModel):
    period: str
    previous_period: str
    from_score: float
    to_score: float
    direction: Literal["improved", "worsened"]


class SeriesOut(BaseModel):
    a: EntityOut
    b: EntityOut
    freq: Literal["month", "quarter", "year"]
    periods: list[SeriesPeriod]
    change_points: list[ChangePoint] = Field(description="Periods where the relationship turned.")
    truncated: bool = Field(
        False, description="Whether the window held more periods than are served (1200): then only the most recent are."
    )


class StatusBrief(BaseModel):
    status: str
    polarity: str


class DyadChangeOut(BaseModel):
    a: str
    b: str
    status_before: StatusBrief = Field(description="Status on the day before the window.")
    status_after: StatusBrief = Field(description="Status on the last day of the window.")
    status_changed: bool
    began: list[RelationOut] = Field(description="Relations that started in the window, newest first.")
    ended: list[RelationOut] = Field(description="States that ended in the window, newest first.")


class ChangesPage(Page):
    items: list[DyadChangeOut]
