"""Analysis that answers the analyst's next question: who could mediate, who sides with whom, who matters."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from ..budget import Budget, OutOfTime
from ..graph import KnowledgeGraph
from ..queries.balance import Balance, TriadCounts, structural_balance
from ..queries.candidates import DEFAULT_KINDS, mediator_candidates
from ..queries.centrality import analysis_cache, blocs, centrality
from ..queries.filters import as_of_or_today
from ..queries.views import entity_view, relation_views
from ..records import EntityKind
from ..temporal import Period
from .analysis_schemas import BalanceOut, CandidatePage, CentralityOut, FocusBalanceOut, TriadOut
from .deps import AsOf, Between, Graph, Limit, Offset, two_parties
from .read_route import GraphReadRoute
from .work import AnalysisWork, SearchWork

router = APIRouter(prefix="/analysis", tags=["analysis"], route_class=GraphReadRoute)

_SIGN: dict[int, Literal["+", "-"]] = {1: "+", -1: "-"}


def _counts(counts: TriadCounts) -> dict[str, Any]:
    return {
        "total": counts.total,
        "balanced": counts.balanced,
        "unbalanced": counts.unbalanced,
        "balance_ratio": counts.ratio,
    }


@router.get(
    "/mediator-candidates", summary="Who is well placed to mediate between two parties", response_model=CandidatePage
)
async def get_mediator_candidates(
    kg: Graph,
    work: SearchWork,  # one pair's neighbourhood, not the whole graph: a storm of analyses must not delay it
    between: Between,
    as_of: AsOf = None,
    kind: Annotated[
        list[EntityKind] | None,
        Query(
            description="Keep candidates of these kinds (repeat the parameter); default `state` and `organization`.",
            examples=[["state"]],
        ),
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Third parties ranked by how well placed they are to mediate on `as_of` (default: today), best first,
    each with the relations that justify its score. Relations count when in force on `as_of`; neutral
    ones never count.

    Candidates are the entities linked by a relation to either party or its members (entities that
    hold office in it or are a `member_of` it on `as_of`: its organs, office holders and sector actors),
    and the organisations those entities belong to; the parties and their members are
    never candidates. Score (caps per side):

    - **ties**: +1 per positive relation with each side, at most 5 per side;
    - **people**: +0.5 per positive relation between the candidate's members and a side or its members,
      at most 5 per side;
    - **both_sides**: +5 when the candidate has positive relations with both sides;
    - **hostility**: -3 per negative relation (hostility, armed conflict, attack, threat...) with either
      side, directly or through members, at most 5 per side;
    - **mediations**: +1 per mediation or offer to mediate (by the candidate or its members) between other
      parties, at most 5; **pair_mediations**: +3 per one between these two parties, at most 3.

    Ties are broken by entity id. For a capped count, the most recent relations are the ones counted.
    """
    a, b = two_parties(kg, between)
    period = as_of_or_today(as_of)
    kinds = tuple(sorted(kind or DEFAULT_KINDS))
    return await work.json(
        ("candidates", a, b, period, kinds, limit, offset), _candidates, kg, a, b, period, kinds, limit, offset
    )


def _candidates(
    kg: KnowledgeGraph, budget: Budget, a: int, b: int, period: Period, kinds: tuple[str, ...], limit: int, offset: int
) -> bytes:
    # One party named twice faces itself: no one mediates that (see deps.two_parties).
    found = [] if a == b else mediator_candidates(kg, a, b, as_of=period, kinds=kinds, budget=budget)
    items = [
        {
            "entity": entity_view(kg, c.entity),
            "score": c.score,
            "breakdown": c.breakdown,
            "relations": relation_views(kg, c.relations),
        }
        for c in found[offset : offset + limit]
    ]
    return (
        CandidatePage(
            between=[kg.entity(a).id, kg.entity(b).id],
            as_of=period.text,
            items=items,  # type: ignore[arg-type]
            total=len(found),
            limit=limit,
            offset=offset,
        )
        .model_dump_json()
        .encode()
    )


@router.get("/balance", summary="Structural balance of the states: the enemy of my enemy", response_model=BalanceOut)
async def get_balance(
    kg: Graph,
    work: AnalysisWork,
    as_of: AsOf = None,
    focus: Annotated[
        str | None,
        Query(
            description="A state: list only the triads it sits in, and count them apart. Id, name or alias.",
            examples=["Azerbaijan"],
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most triads listed (at most 1000).")] = 100,
) -> Response:
    """The signed graph of states on `as_of` (default: today), its triads and its balance ratio.

    Each dyad of states gets one sign: the polarity of its status (`GET /dyads/{a}/{b}/status`) when
    that is positive or negative; otherwise the sign of the sum of the polarities (+1, 0, -1) of its
    relations in force; a sum of zero leaves the dyad out. A triad (three states tied pairwise) is
    balanced when the product of its signs is positive (`+++`, or two friends and their common enemy:
    `+--`) and unbalanced otherwise (`++-`, `---`). `balance_ratio` is balanced / total over the whole
    graph; with `focus`, `focus` holds the counts over its triads and only those are listed.
    """
    center = kg.resolve(focus) if focus else None  # empty: not given, as with the other optional filters
    period = as_of_or_today(as_of)
    return await work.json(("balance", period, center, limit), _balance, kg, period, center, limit)


def _balance(kg: KnowledgeGraph, budget: Budget, period: Period, center: int | None, limit: int) -> bytes:
    found = structural_balance(
        kg, as_of=period, focus=center, limit=limit, signs=analysis_cache(kg).signed("state", period, budget)
    )
    return _balance_out(kg, period.text, center, found, limit).model_dump_json().encode()


def _balance_out(kg: KnowledgeGraph, as_of: str, center: int | None, found: Balance, limit: int) -> BalanceOut:
    signs = [sign for _, _, sign in found.graph.edges(data="sign")]
    focus_out = None
    if center is not None and found.focus_counts is not None:
        focus_out = FocusBalanceOut(entity=kg.entity(center).id, **_counts(found.focus_counts))
    triads = [
        TriadOut(members=[kg.entity(p).id for p in t.members], signs=[_SIGN[s] for s in t.signs], balanced=t.balanced)
        for t in found.triads
    ]
    return BalanceOut(
        as_of=as_of,
        states=found.graph.number_of_nodes(),
        positive_ties=signs.count(1),
        negative_ties=signs.count(-1),
        focus=focus_out,
        triads=triads,
        limit=limit,
        truncated=found.truncated,
        **_counts(found.counts),
    )


@router.get(
    "/centrality", summary="Who matters: actors ranked by centrality, and alignment blocs", response_model=CentralityOut
)
async def get_centrality(
    kg: Graph,
    work: AnalysisWork,
    measure: Annotated[
        Literal["degree", "betweenness", "pagerank"],
        Query(
            description="`degree`: share of the others an actor is tied to; `betweenness`: share of shortest "
            "paths through it (brokers between separate groups); `pagerank`: PageRank of the graph weighted "
            "by relations in force."
        ),
    ] = "betweenness",
    kind: Annotated[
        Literal["state", "person", "organization", "place", "event", "all"],
        Query(description="The kind of entity measured (ties between two entities of that kind), or `all`."),
    ] = "state",
    as_of: AsOf = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Actors ranked by `measure` on `as_of` (default: today), best first, and the alignment blocs.

    The graph measured is undirected: entities of `kind` tied when at least one relation between them is
    in force. Betweenness is exact up to 500 nodes; beyond, it is estimated from 100 source nodes drawn
    with the fixed seed 0 (`samples` says so), the same on every call. Blocs are the Louvain communities
    (seed 0) of the positive ties, signed as in `GET /analysis/balance` and weighted by their positive
    relations in force; blocs of one are left out. Computed off the request loop within a time budget
    (`KG_ANALYSIS_TIME_BUDGET`); when the blocs do not fit in it, the ranking comes with `complete: false`;
    when the work cannot start or finish in time, a 503 with `Retry-After`. Each answer is computed once
    per dataset, measure, kind and date, then served from a cache.
    """
    period = as_of_or_today(as_of)
    return await work.json(
        ("centrality", measure, kind, period, limit, offset), _centrality, kg, measure, kind, period, limit, offset
    )


def _centrality(
    kg: KnowledgeGraph, budget: Budget, measure: str, kind: str, period: Period, limit: int, offset: int
) -> bytes:
    selected = None if kind == "all" else kind
    ranking = centrality(kg, measure=measure, kind=selected, as_of=period, budget=budget)
    try:
        found_blocs, complete = blocs(kg, kind=selected, as_of=period, budget=budget), True
    except OutOfTime:
        found_blocs, complete = (), False
    items = [{"entity": entity_view(kg, p), "score": score} for p, score in ranking.scores[offset : offset + limit]]
    return (
        CentralityOut(
            measure=measure,  # type: ignore[arg-type]
            kind=kind,
            as_of=period.text,
            items=items,  # type: ignore[arg-type]
            total=len(ranking.scores),
            limit=limit,
            offset=offset,
            samples=ranking.samples,
            complete=complete,
            blocs=[[kg.entity(p).id for p in bloc] for bloc in found_blocs],
        )
        .model_dump_json()
        .encode()
    )
