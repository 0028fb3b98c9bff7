"""Finding entities by id, name or alias, ignoring case, accents and punctuation."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, MutableMapping, Sequence

from .cache import ByteLRU
from .errors import AmbiguousEntity, UnknownEntity
from .fuzzy import MIN_SCORE, TrigramIndex
from .records import EntityRecord

__all__ = ["SEARCH_CACHE_BYTES", "NameIndex", "fold"]

SEARCH_CACHE_BYTES = 8 * 2**20
REBUILD_AFTER = 2_000  # keys indexed apart (written since load) before the trigram index is rebuilt


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
        words: defaultdict[str, set[int]] = defaultdict(set)
        for position, entity in enumerate(entities):
            _add(keys, words, position, entity)
        self._keys = {key: tuple(sorted(found)) for key, found in keys.items()}
        self._words = {word: tuple(sorted(found)) for word, found in words.items()}
        self._fuzzy = TrigramIndex(list(self._keys))
        self._fuzzy_keys = frozenset(self._keys)
        self._fuzzy_added: TrigramIndex | None = None  # keys new since _fuzzy was built (see updated)
        self.cache = ByteLRU("search", max_bytes=SEARCH_CACHE_BYTES)

    def updated(self, entities: Sequence[EntityRecord], changed: Sequence[int]) -> NameIndex:
        """The index of ``entities``, which differ from this index's at positions ``changed`` (edited or new).

        A write changes an entity or two: rebuilding the trigram index of every name took ~0.5 s at 23k
        entities. The new index copies the dictionaries (milliseconds) and indexes the new keys apart; a
        fuzzy match is kept only if its key still names someone. Rebuilt whole once the keys indexed apart
        pass ``REBUILD_AFTER``."""
        index = NameIndex.__new__(NameIndex)
        index._entities, index._ids = entities, dict(self._ids)
        index._fuzzy, index._fuzzy_keys = self._fuzzy, self._fuzzy_keys
        index.cache = ByteLRU("search", max_bytes=SEARCH_CACHE_BYTES)
        keys, words = _Edits(self._keys), _Edits(self._words)
        for position in changed:
            if position < len(self._entities):
                old = self._entities[position]
                index._ids.pop(old.id, None)
                _discard(keys, words, position, old)
            index._ids[entities[position].id] = position
            _add(keys, words, position, entities[position])
        index._keys, index._words = keys.applied(), words.applied()
        added = [key for key in index._keys if key not in self._fuzzy_keys]
        if len(added) > REBUILD_AFTER:
            return NameIndex(entities)
        index._fuzzy_added = TrigramIndex(added) if added else None
        return index

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
        return list(
            self.cache.get_or_compute((folded, limit, min_score), lambda: tuple(self._search(folded, limit, min_score)))
        )

    def _search(self, folded: str, limit: int | None, min_score: float) -> list[int]:
        exact = list(self._keys.get(folded, ()))
        wanted = None if limit is None else limit * 4 + len(exact)
        matches = self._fuzzy.search(folded, limit=wanted, min_score=min_score)
        if self._fuzzy_added is not None:  # keys written since the trigram index was built; keys gone dropped
            matches = sorted(
                [m for m in matches if m[0] in self._keys]
                + self._fuzzy_added.search(folded, limit=wanted, min_score=min_score),
                key=lambda match: -match[1],
            )[:wanted]
        ranked = dict.fromkeys(exact)
        for key, _score in matches:
            ranked.update(dict.fromkeys(self._keys[key]))
        return list(ranked)[:limit]


class _Edits(dict[str, set[int]]):
    """The entries of ``table`` that a change touches, as sets to edit (copied from the table on first use)."""

    def __init__(self, table: dict[str, tuple[int, ...]]) -> None:
        super().__init__()
        self.table = table

    def __missing__(self, key: str) -> set[int]:
        found = self[key] = set(self.table.get(key, ()))
        return found

    def applied(self) -> dict[str, tuple[int, ...]]:
        """A copy of the table with these edits; keys that name nobody now are gone."""
        merged = dict(self.table)
        for key, found in self.items():
            if found:
                merged[key] = tuple(sorted(found))
            else:
                merged.pop(key, None)
        return merged


def _add(
    keys: MutableMapping[str, set[int]], words: MutableMapping[str, set[int]], position: int, entity: EntityRecord
) -> None:
    for key in entity_keys(entity):
        if folded := fold(key):
            keys[folded].add(position)
    for word in _words_of(entity):
        words[word].add(position)


def _discard(
    keys: MutableMapping[str, set[int]], words: MutableMapping[str, set[int]], position: int, entity: EntityRecord
) -> None:
    for key in entity_keys(entity):
        if folded := fold(key):
            keys[folded].discard(position)
    for word in _words_of(entity):
        words[word].discard(position)


def _words_of(entity: EntityRecord) -> Iterable[str]:
    """The words of its names (a surname names a person when no other has it), folded, longer than two."""
    for name in (entity.name, *entity.aliases):
        for word in name.split():
            if len(folded := fold(word)) > 2:
                yield folded
