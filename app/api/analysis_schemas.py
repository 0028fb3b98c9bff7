"""Response models of the ``/analysis`` routes: mediator candidates, structural balance, centrality."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from .schemas import EntityOut, Page, RelationOut

__all__ = [
    "BalanceOut",
    "CandidateOut",
    "CandidatePage",
    "CentralityOut",
    "FocusBalanceOut",
    "RankedOut",
    "ScoreBreakdown",
    "TriadCountsOut",
    "TriadOut",
]


class ScoreBreakdown(BaseModel):
    ties: float = Field(description="+1 per positive relation in force with each side, at most 5 per side.")
    people: float = Field(
        description="+0.5 per positive relation between the candidate's members and a side "
        "or its members, at most 5 per side."
    )
    both_sides: float = Field(description="+5 when the candidate has positive relations with both sides.")
    hostility: float = Field(
        description="-3 per negative relation in force with either side (directly or "
        "through members), at most 5 per side."
    )
    mediations: float = Field(description="+1 per past mediation or offer to mediate between other parties, at most 5.")
    pair_mediations: float = Field(description="+3 per past mediation or offer between these two parties, at most 3.")


class CandidateOut(BaseModel):
    entity: EntityOut
    score: float = Field(description="The sum of the breakdown.", examples=[17.0])
    breakdown: ScoreBreakdown
    relations: list[RelationOut] = Field(description="The relations counted in the score, oldest first.")


class CandidatePage(Page):
    between: list[str] = Field(description="The two parties' ids.", examples=[["turkiye", "israel"]])
    as_of: str = Field(description="The date the score was taken on.", examples=["2020-12-01"])
    items: list[CandidateOut] = Field(description="Candidates, best first.")


class TriadOut(BaseModel):
    members: list[str] = Field(
        min_length=3,
        max_length=3,
        description="Three state ids: the focus first when given, the others in id order.",
        examples=[["azerbaijan", "iran", "israel"]],
    )
    signs: list[Literal["+", "-"]] = Field(
        min_length=3,
        max_length=3,
        description="`signs[i]` is the sign of the tie between `members[i]` and `members[(i + 1) % 3]`.",
        examples=[["-", "-", "+"]],
    )
    balanced: bool = Field(description="True when the product of the three signs is positive.")


class TriadCountsOut(BaseModel):
    total: int = Field(description="Triads: three states tied pairwise.")
    balanced: int
    unbalanced: int
    balance_ratio: float | None = Field(description="balanced / total; null when there is no triad.")


class FocusBalanceOut(TriadCountsOut):
    entity: str = Field(description="The focus state's id; the counts are over the triads it sits in.")


class BalanceOut(TriadCountsOut):
    as_of: str = Field(examples=["2022-11"])
    states: int = Field(description="States with at least one signed tie.")
    positive_ties: int
    negative_ties: int
    focus: FocusBalanceOut | None = Field(description="The focus state's triads, when `focus` is given.")
    triads: list[TriadOut] = Field(description="Triads in id order of their members; with `focus`, only its own.")
    limit: int
    truncated: bool = Field(description="True when more triads exist than `limit` allowed to list.")


class RankedOut(BaseModel):
    entity: EntityOut
    score: float


class CentralityOut(Page):
    measure: Literal["degree", "betweenness", "pagerank"]
    kind: str = Field(description="The kind of entity measured, or `all`.")
    as_of: str
    items: list[RankedOut] = Field(description="Actors, best first (ties by id).")
    samples: int | None = Field(
        description="Source nodes sampled (seed 0) for betweenness on a large graph; null when exact."
    )
    blocs: list[list[str]] = Field(
        description="Alignment blocs: communities of positive ties (ids), largest first.",
        examples=[[["azerbaijan", "israel", "turkiye"], ["iran", "russia"]]],
    )
    complete: bool = Field(
        default=True,
        description="False when the time budget ran out after the ranking: `blocs` is then empty, not computed.",
    )
