"""Which ICEWS sectors are organs of their state, and so act for it.

An ICEWS sector actor ``Sector (Country)`` is either part of the state (``Government``,
``Foreign Affairs``, ``Military``, ``Police``, ``Legislature``, ``Court Judge``, ``Ministry``...)
or part of its society (``Citizen``, ``Protester``, ``Business``, ``Armed Rebel``, ``Main
Opposition``, ``Lawyer/Attorney``...). Only organs get a ``member_of`` link to the state, the one
rule of ``app/membership.py``: a protest or a rebel attack is not an act of the state. Every
sector actor keeps ``attributes.country``.

A sector is an organ when one of its words (or phrases) names a public body or office and none
names something outside or against the state (an opposition, a rebel, a party, a candidate).
"""

from __future__ import annotations

import re

__all__ = ["is_state_organ"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ORGAN_WORDS = _words("""
    administration administrative admiral agency aircraft airman army assemblies assembly attache authorities
    authority board bomber bureaucrat cabinet chiefs commando commission commissioner congress consul council
    councillors court courts customs defence defense delegation department diplomat duma embassy enforcement
    envoy gendarmerie gendermarie government governor helicopter intelligence judge judges judiciary justice
    lawmaker legislative legislature marine mayor military ministers ministery ministries ministry naval navy
    ombudsman parliament peacekeeping police presidential prosecutor regulator representative representatives
    royal secretariat senate speaker treasury troop troops undersecretary
""")
ORGAN_PHRASES = (
    "air force",
    "armed force",
    "attorney general",
    "central bank",
    "chief of staff",
    "civil servant",
    "civil service",
    "director general",
    "foreign affairs",
    "domestic affairs",
    "head of government",
    "head of state",
    "inspector general",
    "national security",
    "secret agent",
    "state media",
    "public sector",
    "public works",
    "member of parliament",
    "official",
    "charge d'affaires",
)
NOT_ORGAN_WORDS = _words("""
    activist candidate coup defector deserter dissident exiled family industry insurgency insurgent lawyer
    militant opposition parties party rebel rebels separatist student supporter
""")
NOT_ORGAN_PHRASES = ("defense attorney", "defence attorney")


def is_state_organ(sector: str) -> bool:
    """Whether a sector of a state's actors is an organ of that state.

    >>> [is_state_organ(s) for s in ("Government", "Foreign Affairs", "Member of Legislative (Govt)",
    ...                              "Military Personnel - Special", "Head of Government", "Court Judge")]
    [True, True, True, True, True, True]
    >>> [is_state_organ(s) for s in ("Citizen", "Protester", "Armed Rebel", "Main Opposition", "Armed Gang",
    ...                              "Lawyer/Attorney", "Defense Attorney", "Presidential Candidate", "Business")]
    [False, False, False, False, False, False, False, False, False]
    """
    text = " ".join(re.findall(r"[a-z']+", sector.lower()))
    words = set(text.split())
    if words & NOT_ORGAN_WORDS or any(phrase in text for phrase in NOT_ORGAN_PHRASES):
        return False
    return bool(words & ORGAN_WORDS) or any(phrase in text for phrase in ORGAN_PHRASES)
