"""ICEWS actor strings to entities: states, sector actors, people and organisations.

Rules, in order, for one actor string:

1. **State**: the whole string names a country (``countries.find_country``:
   pycountry's names plus the ICEWS spellings it lacks, ``Turkey``,
   ``Russia``, ``Kosovo``...). Its id is the slug of its short name, matching
   the curated graph's ids (``turkiye``, ``iran``, ``united-states``); its
   aliases are pycountry's names and the spellings met; its attributes the ISO
   3166 codes.
2. **Sector actor** ``Sector (Affiliation)``: the last top-level parenthesis
   is the affiliation, usually a country (``Member of Legislative (Govt)
   (Azerbaijan)``: sector ``Member of Legislative (Govt)``, country
   Azerbaijan), sometimes a group (``Militant (Hamas)``). A sector actor is a
   collective, kind ``organization``, with ``attributes.sector`` and
   ``attributes.country`` (a state's id) or ``attributes.group`` (any other
   entity's id). A group's sector actor gets a ``member_of`` link to the group;
   a state's only when its sector is an organ of the state (``sectors.py``:
   ``Government``, ``Police``, ``Legislature``; not ``Citizen`` or ``Protester``).
3. Otherwise a **person** if the string looks like a personal name (see
   ``classify_name``), else a **place** or an **organization**. A name that is
   some sector actor's affiliation is a group, never a person.

Strings that fold to the same key (``fold`` of ``app.resolve``) are one entity,
so the aliases of all entities stay unique, as the loader requires.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..resolve import fold
from .countries import Country, find_country
from .sectors import is_state_organ

__all__ = ["ActorRegistry", "ParsedActor", "classify_name", "find_country", "parse_actor", "slug"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that make a name an organisation's (matched per word, ignoring case).
ORGANIZATION_WORDS = _words("""
    administration agence agency aid airlines airways alliance army assembly association authority bank battalion
    board brigade brigades broadcasting brotherhood bureau cabinet cartel center centre chamber church club
    coalition college command commission committee communion community company congress corporation council
    court crescent cross daily defence defense delegation department doctors embassy federation force forces
    forum foundation front fund government group guard herald hezbollah hospital institute intelligence
    international jamaat jihad journal league media ministers ministry mission movement mujahedeen mujahideen
    national nations navy network news office organisation organization parliament party police post press
    qaeda radio rebels republic school secretariat security senate service services society squad taliban
    television times tribe tribune trust union unit university watch workers
""")
# A short name (up to three words) ending in a region word or starting with a compass word is a place.
PLACE_ENDINGS = _words(
    "africa america asia caucasus east england europe gulf island islands ocean peninsula region sea strait"
)
PLACE_STARTS = _words("central east eastern north northern south southern west western")
# Lower-case particles that personal names may contain ("Saud bin Faisal", "Cristina Fernández de Kirchner").
_PARTICLES = _words("al el bin ibn bint ben abu de da das do dos del della der di du la le ole ould van von y e")
_ROMAN = re.compile(r"^[IVX]+$")


def slug(text: str) -> str:
    """A readable id: ASCII letters and digits joined by hyphens.

    >>> slug("Member of Legislative (Govt) (Azerbaijan)"), slug("Türkiye")
    ('member-of-legislative-govt-azerbaijan', 'turkiye')
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    found = "-".join(re.findall(r"[a-z0-9]+", ascii_text))
    return found or "actor-" + hashlib.sha1(text.encode()).hexdigest()[:10]


def classify_name(name: str) -> str:
    """``person``, ``place`` or ``organization`` for a name that is neither a country nor a sector actor.

    An organisation word (``ORGANIZATION_WORDS``) makes an organisation; else a
    name of up to three words that ends with a region word (``PLACE_ENDINGS``)
    or starts with a compass word (``PLACE_STARTS``) is a place; else a name of
    2-6 words, each capitalised (not an acronym) or a particle such as ``bin``,
    ``de`` or ``al-``, without digits, is a person's (ICEWS writes people
    "First [Middle] Last"); else an organisation (single words: ``Hamas``).

    >>> [classify_name(n) for n in ("Xi Jinping", "Saud bin Faisal", "Human Rights Watch", "Middle East", "Hamas")]
    ['person', 'person', 'organization', 'place', 'organization']
    """
    words = [w.strip(",'\"()") for w in name.split()]
    lowered = [w.lower() for w in words]
    if {part for w in lowered for part in re.split(r"[-/]", w)} & ORGANIZATION_WORDS:
        return "organization"
    if len(words) <= 3 and (lowered[-1] in PLACE_ENDINGS or (len(words) > 1 and lowered[0] in PLACE_STARTS)):
        return "place"
    if (
        2 <= len(words) <= 6
        and words[0][:1].isupper()
        and not any(ch.isdigit() for ch in name)
        and all(map(_name_word, words))
    ):
        return "person"
    return "organization"


def _name_word(word: str) -> bool:
    """Whether a word may be part of a personal name."""
    if word in _PARTICLES or word.split("-")[0] in _PARTICLES or _ROMAN.match(word):
        return True
    return word[:1].isupper() and not (len(word) > 1 and word.isalpha() and word.isupper())


def _split_sector(text: str) -> tuple[str, str] | None:
    """``(sector, affiliation)`` when ``text`` ends with a parenthesised group after some text."""
    if not text.endswith(")"):
        return None
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[index], 0)
        if depth == 0:
            sector, affiliation = text[:index].strip(), text[index + 1 : -1].strip()
            return (sector, affiliation) if sector and affiliation else None
    return None


class ParsedActor(NamedTuple):
    kind: str
    name: str
    sector: str | None
    country: str | None  # the affiliation as written: usually a country


def parse_actor(text: str) -> ParsedActor:
    """Kind, name, sector and affiliation of one actor string, without context.

    >>> kind, name, sector, country = parse_actor("Member of Legislative (Govt) (Azerbaijan)")
    >>> kind, sector, country
    ('organization', 'Member of Legislative (Govt)', 'Azerbaijan')
    >>> parse_actor("Turkey")
    ParsedActor(kind='state', name='Türkiye', sector=None, country=None)
    """
    text = " ".join(text.split())
    if country := find_country(text):
        return ParsedActor("state", country.name, None, None)
    if split := _split_sector(text):
        return ParsedActor("organization", text, *split)
    return ParsedActor(classify_name(text), text, None, None)


@dataclass
class _Entity:
    id: str
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    affiliation: bool = False

    @property
    def final_kind(self) -> str:
        return "organization" if self.affiliation and self.kind == "person" else self.kind


class ActorRegistry:
    """Actor strings to entity ids, merging strings that fold alike; collects ``member_of`` links."""

    def __init__(self) -> None:
        self.entities: list[_Entity] = []
        self.links: list[tuple[str, str, tuple[str, str]]] = []  # (sector actor, affiliation, evidence)
        self._by_id: dict[str, _Entity] = {}
        self._keys: dict[str, _Entity] = {}
        self._by_text: dict[str, str] = {}
        self._states: dict[str, _Entity] = {}

    def resolve(self, text: str, evidence: tuple[str, str]) -> str:
        """The entity id of an actor string, creating the entity on first sight."""
        found = self._by_text.get(text)
        if found is None:
            found = self._by_text[text] = self._resolve(" ".join(text.split()), evidence).id
        return found

    def kinds(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entity in self.entities:
            counts[entity.final_kind] = counts.get(entity.final_kind, 0) + 1
        return counts

    def rows(self) -> list[tuple[str, str, str, list[str], dict[str, Any]]]:
        """``(id, name, kind, aliases, attributes)`` of every entity, in order of first sight."""
        return [(e.id, e.name, e.final_kind, e.aliases, e.attributes) for e in self.entities]

    def _resolve(self, text: str, evidence: tuple[str, str]) -> _Entity:
        known = self._keys.get(fold(text))
        if known is not None:
            if text != known.name and text not in known.aliases:
                known.aliases.append(text)
            return known
        if country := find_country(text):
            return self._state(country, text)
        split = _split_sector(text)
        if split is None:
            return self._new(text, classify_name(text))
        group = self._resolve(split[1], evidence)
        group.affiliation = True
        where = "country" if group.kind == "state" else "group"
        entity = self._new(text, "organization", {"sector": split[0], where: group.id})
        if where == "group" or is_state_organ(split[0]):  # a state's citizens or rebels do not act for it
            self.links.append((entity.id, group.id, evidence))
        return entity

    def _state(self, country: Country, spelling: str) -> _Entity:
        entity = self._states.get(country.alpha2)
        if entity is None:
            codes = {"iso_alpha2": country.alpha2, "iso_alpha3": country.alpha3, "iso_numeric": country.numeric}
            entity = self._new(country.name, "state", {k: v for k, v in codes.items() if v})
            self._states[country.alpha2] = entity
            for alias in country.aliases:
                self._alias(entity, alias)
        self._alias(entity, spelling)
        return entity

    def _alias(self, entity: _Entity, alias: str) -> None:
        key = fold(alias)
        if (
            key
            and self._keys.setdefault(key, entity) is entity
            and alias != entity.name
            and alias not in entity.aliases
        ):
            entity.aliases.append(alias)

    def _new(self, name: str, kind: str, attributes: dict[str, Any] | None = None) -> _Entity:
        entity_id, number = slug(name), 1
        while entity_id in self._by_id or self._keys.get(fold(entity_id), None) is not None:
            number += 1
            entity_id = f"{slug(name)}-{number}"
        entity = _Entity(entity_id, name, kind, attributes=attributes or {})
        self._by_id[entity_id] = entity
        self.entities.append(entity)
        for key in (fold(entity_id), fold(name)):
            self._keys.setdefault(key, entity)
        for code in ("iso_alpha2", "iso_alpha3"):
            if code in entity.attributes:
                self._keys.setdefault(fold(entity.attributes[code]), entity)
        return entity
