"""The relation vocabulary: every type a relation may have, served at ``/types``.

A type is either a *state* (holds over an interval: ties, hostility, trade)
or an *event* (happens at a date: a visit, a statement, an offer). Types that
carry a ``status`` decide the status of a dyad (see ``queries/status.py``).
``cameo`` is the CAMEO code the type fits, when one does.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["MEDIATION_TYPES", "VOCABULARY", "RelationType"]

Polarity = Literal["positive", "negative", "neutral"]


class RelationType(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    label: str
    kind: Literal["state", "event"]
    polarity: Polarity
    cameo: str | None = None
    status: str | None = None
    description: str


def _t(
    id: str,
    label: str,
    kind: Literal["state", "event"],
    polarity: Polarity,
    cameo: str | None,
    description: str,
    status: str | None = None,
) -> RelationType:
    return RelationType(
        id=id, label=label, kind=kind, polarity=polarity, cameo=cameo, status=status, description=description
    )


_TYPES = [
    # Status-bearing: the latest of these in force decides a dyad's status.
    _t(
        "diplomatic_relations",
        "Diplomatic relations",
        "state",
        "positive",
        "05",
        "Formal diplomatic ties between two states.",
        status="normal",
    ),
    _t(
        "alliance",
        "Alliance or strategic partnership",
        "state",
        "positive",
        "06",
        "A lasting alignment or strategic partnership.",
        status="allied",
    ),
    _t(
        "normalization",
        "Normalisation",
        "event",
        "positive",
        "057",
        "An agreement or decision to normalise relations.",
        status="normalizing",
    ),
    _t(
        "settlement",
        "Settlement of a dispute",
        "event",
        "positive",
        "057",
        "A dispute closed by agreement.",
        status="normalized",
    ),
    _t(
        "restoration",
        "Restoration of relations",
        "event",
        "positive",
        "05",
        "Relations restored in full after a break.",
        status="restored",
    ),
    _t(
        "rupture",
        "Rupture of relations",
        "event",
        "negative",
        "161",
        "Ties cut, downgraded or ambassadors expelled.",
        status="severed",
    ),
    _t(
        "deterioration",
        "Deterioration",
        "event",
        "negative",
        "16",
        "A marked worsening of relations.",
        status="strained",
    ),
    _t("hostility", "Hostility", "state", "negative", "13", "Sustained tension or enmity.", status="hostile"),
    _t(
        "armed_conflict",
        "Armed conflict",
        "state",
        "negative",
        "19",
        "War or armed clashes between the two.",
        status="armed conflict",
    ),
    # Conflict events.
    _t("attack", "Attack", "event", "negative", "18", "A use of force against the target."),
    _t("threat", "Threat", "event", "negative", "13", "A threat made against the target."),
    _t("criticism", "Criticism", "event", "negative", "111", "Public criticism of the target."),
    _t("accusation", "Accusation", "event", "negative", "112", "The source blames the target."),
    _t(
        "military_exercise",
        "Military exercise",
        "event",
        "negative",
        "15",
        "Manoeuvres or a show of force aimed at or near the target.",
    ),
    # Material and diplomatic cooperation.
    _t("arms_trade", "Arms trade", "state", "positive", "062", "The source exports arms to the target."),
    _t(
        "energy_supply",
        "Energy supply",
        "state",
        "positive",
        "061",
        "The source supplies oil, gas or power to the target.",
    ),
    _t("cooperation", "Cooperation", "state", "positive", "06", "Ongoing political, economic or military cooperation."),
    _t(
        "security_cooperation",
        "Security cooperation",
        "event",
        "positive",
        "064",
        "Joint action or shared intelligence against a threat.",
    ),
    _t(
        "military_support", "Military support", "state", "positive", "072", "The source backs the target in a conflict."
    ),
    _t(
        "mediation",
        "Mediation",
        "event",
        "positive",
        "045",
        "The source brokers between two parties (attributes.parties).",
    ),
    _t(
        "mediation_offer",
        "Offer to mediate",
        "event",
        "positive",
        "039",
        "The source offers to mediate between two parties (attributes.parties).",
    ),
    _t("visit", "Visit", "event", "positive", "042", "The source visits the target."),
    _t("meeting", "Meeting", "event", "positive", "04", "The two meet or hold talks."),
    _t("agreement", "Agreement", "event", "positive", "057", "A formal agreement is signed."),
    _t("statement", "Statement", "event", "neutral", "01", "A public statement about the target."),
    _t(
        "recognition", "Recognition", "event", "positive", "054", "The source grants the target diplomatic recognition."
    ),
    _t(
        "policy_decision",
        "Policy decision",
        "event",
        "neutral",
        "014",
        "A government or parliament decision concerning the target.",
    ),
    _t("embassy", "Embassy", "state", "positive", "05", "The source keeps an embassy in the target state."),
    _t("aid", "Aid", "event", "positive", "07", "The source provides aid to the target."),
    _t(
        "sanction",
        "Sanction",
        "event",
        "negative",
        "16",
        "The source reduces relations or imposes sanctions on the target.",
    ),
    # Structure: people, places, named events.
    _t(
        "holds_office", "Holds office", "state", "neutral", None, "A person holds an office in a state or organisation."
    ),
    _t("works_for", "Works for", "state", "neutral", None, "A person serves another person."),
    _t("member_of", "Member of", "state", "neutral", None, "Membership in an organisation."),
    _t("advocacy", "Advocacy", "state", "positive", None, "The source champions the target."),
    _t("cultural_ties", "Cultural ties", "state", "positive", None, "Historical, community or cultural bonds."),
    _t("located_in", "Located in", "state", "neutral", None, "A place lies in a state."),
    _t(
        "participant",
        "Participant",
        "state",
        "neutral",
        None,
        "An actor takes part in a named event (attributes.role).",
    ),
    _t(
        "dependence",
        "Dependence",
        "state",
        "neutral",
        None,
        "The source depends on the target (trade, transit, logistics).",
    ),
    _t(
        "policy",
        "Standing policy",
        "state",
        "neutral",
        None,
        "A policy the source keeps towards the target over a period (attributes.policy, attributes.reasons).",
    ),
    # Event data whose CAMEO code fits none of the above.
    _t(
        "event",
        "Other coded event",
        "event",
        "neutral",
        None,
        "An event-data record without a closer type (see attributes.cameo).",
    ),
]

VOCABULARY: dict[str, RelationType] = {t.id: t for t in _TYPES}

MEDIATION_TYPES = frozenset({"mediation", "mediation_offer"})
