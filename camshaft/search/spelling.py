"""The catalogue's own words, for correcting typos and splitting joined
words in queries (C5). A correction only ever uses a word the catalogue has.

The words are the part names in the search index (with how many parts use
each) plus the names of brands, categories, makes and models. They are read
again when the index has changed, at most every VOCABULARY_SECONDS.
"""

import bisect
import re
import time
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from camshaft.search import backend

WORD_RE = re.compile(r"[0-9a-z]+")
VOCABULARY_SECONDS = 60.0
# Words this short are left alone: "cv" is one edit from too many words.
MIN_CORRECTABLE = 3
# Edits allowed (a swap of two neighbouring letters, "pdas", is one edit):
# one for a word of 3-4 letters, two from 5 letters on ("break" is "brake").
TWO_EDITS_FROM = 5
CANDIDATES = 12
# Candidates weighed against the query's other words, nearest first.
CONTEXT_CANDIDATES = 6
# A word this long that the catalogue has only as the start of longer words
# is read as short for them.
MIN_PREFIX = 4
# ...and at least this many letters shorter: "brak" is a typo of "brake"
# (corrected, and said so), not short for it.
MIN_ABBREVIATED = 3


@dataclass(frozen=True)
class Vocabulary:
    counts: dict[str, int]  # word -> parts named with it (names of things count 1)
    by_length: dict[int, list[str]]
    ordered: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, counts: dict[str, int]) -> "Vocabulary":
        by_length: dict[int, list[str]] = {}
        for word in counts:
            by_length.setdefault(len(word), []).append(word)
        return cls(counts=counts, by_length=by_length, ordered=sorted(counts))

    def completions(self, prefix: str, *, limit: int = 3) -> list[str]:
        """The catalogue's commonest words that begin with `prefix` ("temp"
        is short for "temperature", "crank" for "crankshaft")."""
        if len(prefix) < MIN_PREFIX or prefix in self.counts:
            return []
        start = bisect.bisect_left(self.ordered, prefix)
        found = []
        for word in self.ordered[start : start + 500]:
            if not word.startswith(prefix):
                break
            if len(word) >= len(prefix) + MIN_ABBREVIATED:
                found.append(word)
        return sorted(found, key=lambda w: -self.counts[w])[:limit]

    def __contains__(self, word: str) -> bool:
        return word in self.counts

    def correct(self, word: str, *, context=None) -> str | None:
        """The catalogue word closest to `word`, or None when none is near
        enough or `word` needs no fixing.

        Without context: the fewest edits (one for 3-4 letters, two from 5),
        then the word more parts use. With `context` (a function counting
        the parts whose names hold a candidate beside the query's other
        words), the candidate most parts have in that company wins, and a
        short word may then take two edits: beside "valve", "egr" would
        rather be a word named with valves than the commonest near word."""
        if word in self.counts or len(word) < MIN_CORRECTABLE or any(c.isdigit() for c in word):
            return None
        edits = 2 if len(word) >= TWO_EDITS_FROM else 1
        found = self._near(word, max(edits, 2) if context else edits)
        if not found:
            return None
        if context is not None:
            together = {w: context(w) for w, _ in found[:CONTEXT_CANDIDATES]}
            if any(together.values()):
                return max(found[:CONTEXT_CANDIDATES], key=lambda f: (together[f[0]], -f[1]))[0]
        within = [f for f in found if f[1] <= edits]
        return within[0][0] if within else None

    def _near(self, word: str, edits: int) -> list[tuple[str, int]]:
        """Catalogue words within `edits` of `word`, nearest and commonest first."""
        choices = [
            w
            for size in range(len(word) - edits, len(word) + edits + 1)
            for w in self.by_length.get(size, ())
        ]
        found = process.extract(
            word, choices, scorer=OSA.distance, score_cutoff=edits, limit=CANDIDATES
        )
        ranked = sorted(found, key=lambda f: (f[1], f[0][0] != word[0], -self.counts[f[0]], f[0]))
        return [(w, distance) for w, distance, _ in ranked]

    def split(self, word: str, extra: frozenset[str] = frozenset()) -> tuple[str, str] | None:
        """Two catalogue words written as one ("sparkplug" is "spark plug",
        "oring" is "o ring"); the split whose rarer half is the commonest.
        Words in `extra` (synonyms' words) count as known, once."""
        best, best_count = None, 0
        for cut in range(1, len(word)):
            left, right = word[:cut], word[cut:]
            if len(right) < 2:
                continue
            counts = [self.counts.get(w, 1 if w in extra else 0) for w in (left, right)]
            if all(counts):
                count = min(counts)
                if count > best_count:
                    best, best_count = (left, right), count
        return best


_cache: dict = {}


def vocabulary() -> Vocabulary:
    now = time.monotonic()
    searcher = backend.searcher()
    key = (str(backend.root()), searcher.num_docs)
    if _cache.get("key") != key or now - _cache["at"] > VOCABULARY_SECONDS:
        counts = dict(searcher.terms_with_prefix("words", ""))
        for name in _names():
            for word in WORD_RE.findall(name.lower()):
                counts[word] = counts.get(word, 0) + 1
        _cache.update(key=key, at=now, vocabulary=Vocabulary.of(counts))
    return _cache["vocabulary"]


def _names() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM catalog_brand UNION ALL SELECT name FROM catalog_category "
            "UNION ALL SELECT name FROM fitment_make "
            "UNION ALL SELECT name FROM fitment_vehiclemodel"
        )
        return [row[0] for row in cursor]


def forget() -> None:
    _cache.clear()
