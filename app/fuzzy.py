"""Fuzzy search over many names through an index: trigram candidates first, rapidfuzz on the few.

Scoring every one of 30,000 names with ``rapidfuzz`` for each query took 50-300 ms. A name that
scores well against a query shares some of its trigrams (XX). ``TrigramIndex`` keeps, per trigram, the names holding
it; a query gathers the names sharing most trigrams with it (at most ``candidates``, in their
original order, so ties rank as a full scan ranks them) and scores only those, with the same
scorer and cutoff as a full scan. ``scan`` is that full scan, kept as the reference the tests
compare the index with.

>>> index = TrigramIndex(["turkiye", "turkmenistan", "iran", "israel"])
>>> [key for key, _ in index.search("trkiye", limit=2)]
['turkiye']
>>> index.search("isreal", limit=1) == scan(index.keys, "isreal", limit=1)
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz, process

__all__ = ["CANDIDATES", "MIN_SCORE", "TrigramIndex", "scan"]

MIN_SCORE = 70.0
CANDIDATES = 500
SHORTEST = 4  # shorter keys (ISO codes: "il", "isr") match exactly or not at all, never inside a longer query


def grams(text: str) -> set[str]:
    """The letter pairs of ``text`` padded at both ends."""
    padded = f" {text} "
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


def scan(
    keys: Sequence[str], query: str, *, limit: int | None, min_score: float = MIN_SCORE
) -> list[tuple[str, float]]:
    """Every key of ``SHORTEST`` letters or more scored against ``query`` (WRatio), best first, ties in
    key order: the reference the index is tested against."""
    long_enough = [key for key in keys if len(key) >= SHORTEST]
    found = process.extract(query, long_enough, scorer=fuzz.WRatio, limit=limit, score_cutoff=min_score)
    return [(key, score) for key, score, _ in found]


class TrigramIndex:
    """Keys (already folded) by the trigrams and letters they hold."""

    def __init__(self, keys: Sequence[str], *, candidates: int = CANDIDATES) -> None:
        self.keys = list(keys)
        self.candidates = candidates
        postings: dict[str, list[int]] = {}
        for position, key in enumerate(self.keys):
            if len(key) < SHORTEST:
                continue
            for gram in grams(key):
                postings.setdefault(gram, []).append(position)
        self._postings = {gram: np.asarray(found, dtype=np.int32) for gram, found in postings.items()}
        self._sizes = np.array([len(grams(key)) for key in self.keys], dtype=np.float64)

    def search(self, query: str, *, limit: int | None, min_score: float = MIN_SCORE) -> list[tuple[str, float]]:
        """The keys best matching ``query``, best first, as ``scan`` ranks them among the candidates."""
        wanted = grams(query)
        lists = [self._postings[g] for g in wanted if g in self._postings]
        if not lists:
            return []
        shared = np.bincount(np.concatenate(lists), minlength=len(self.keys))
        chosen = np.flatnonzero(shared)
        if len(chosen) > self.candidates:
            # Closest first: by the larger of the share of the query's pairs a key holds (a query inside a
            # longer name) and the pairs the two have in common over all they hold (Dice: a misspelling).
            common = shared[chosen]
            closeness = np.maximum(common / len(wanted), 2 * common / (len(wanted) + self._sizes[chosen]))
            best = np.argpartition(-closeness, self.candidates - 1)[: self.candidates]
            chosen = np.sort(chosen[best])
        return scan([self.keys[i] for i in chosen.tolist()], query, limit=limit, min_score=min_score)
