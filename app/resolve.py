"""Finding entities by id, name or alias, ignoring case, accents and punctuation."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence

from .cache import ByteLRU
from .errors import AmbiguousEntity, UnknownEntity
from .fuzzy import MIN_SCORE, TrigramIndex
from .records import EntityRecord

__all__ = ["SEARCH_CACHE_BYTES", "NameIndex", "fold"]

SEARCH_CACHE_BYTES = 8 * 2**20


def fold(text: str) -> str:
    """The key a name is matched by: no accents, no case, letters and digits only.

    >>> fold("Türkiye") == fold("turkiye") == fold("TURKIYE!")
    True
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum() and not unicodedata.combining(ch))


def entity_keys(entity: EntityRecord) -> Iterable[str]:
    """Every string an entity answers to: id, name, aliases and, for states, ISO codes."""
    yield entity.id
    yield entity.name
    yield from entity.aliases
    for code in ("iso_alpha2", "iso_alpha3"):
        value = entity.attributes.get(code)
        if isinstance(value, str):
            yield value


class NameIndex:
    """Folded keys to entity positions, with fuzzy suggestions for near misses."""

    def __init__(self, entities: Sequence[EntityRecord]) -> None:
        self._entities = entities
        self._ids = {entity.id: position for position, entity in enumerate(entities)}
        keys: defaultdict[str, set[int]] = defaultdict(set)
        for position, entity in enumerate(entities):
            for key in entity_keys(entity):
                if folded := fold(key):
                    keys[folded].add(position)
        self._keys = {key: tuple(sorted(found)) for key, found in keys.items()}
        self._fuzzy = TrigramIndex(list(self._keys))
        self.cache = ByteLRU("search", max_bytes=SEARCH_CACHE_BYTES)
        words: defaultdict[str, set[int]] = defaultdict(set)
        for position, entity in enumerate(entities):
            for key in (entity.name, *entity.aliases):
                for word in key.split():
                    if len(folded := fold(word)) > 2:
                        words[folded].add(position)
        self._words = {word: tuple(sorted(found)) for word, found in words.items()}

    def resolve(self, ref: str) -> int:
        """The position of the one entity ``ref`` names.

        An id, a name or an alias names its entity; failing that, a single word of
        names (a surname: ``Bayramov``) names the entity it belongs to, or is
        ambiguous when it belongs to several (``Smith``). Raises ``UnknownEntity``
        (with suggestions) or ``AmbiguousEntity`` (with the candidates).
        """
        if ref in self._ids:
            return self._ids[ref]
        folded = fold(ref)
        found = self._keys.get(folded) or self._words.get(folded, ())
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousEntity(ref, [self._entities[i].id for i in found])
        raise UnknownEntity(ref, [self._entities[i].id for i in self.search(ref, limit=5)])

    def search(self, query: str, *, limit: int | None, min_score: float = MIN_SCORE) -> list[int]:
        """Entity positions whose keys best match ``query``, best first (all matches when no limit).

        Exact matches first, then fuzzy ones from the trigram index (``fuzzy.py``). Answers are kept
        in a cache of ``SEARCH_CACHE_BYTES``: people search for the same few names again and again.
        """
        folded = fold(query)
        if not folded:
            return []
        return list(self.cache.get_or_compute((folded, limit, min_score),
                                              lambda: tuple(self._search(folded, limit, min_score))))

    def _search(self, folded: str, limit: int | None, min_score: float) -> list[int]:
        exact = list(self._keys.get(folded, ()))
        matches = self._fuzzy.search(folded, limit=None if limit is None else limit * 4 + len(exact),
                                     min_score=min_score)
        ranked = dict.fromkeys(exact)
        for key, _score in matches:
            ranked.update(dict.fromkeys(self._keys[key]))
        return list(ranked)[:limit]
