"""Search suggestions as the shopper types (C5): part names, brands,
categories and vehicles.

Served from memory so they keep up with typing at a million parts: the
phrases (category names, brands, "Make Model" of the vehicles we carry) and
the part-name words with how many parts use each are read once per process
and again when the index changes, at most every PHRASES_SECONDS. A keystroke
is a scan of a few thousand phrases and a bisect into the sorted words; no
query reaches the database or the index.
"""

import bisect
import datetime
import re
import time
from dataclasses import dataclass

from camshaft.search import backend

WORD_RE = re.compile(r"[0-9a-z]+")
PHRASES_SECONDS = 60.0
MAX_PREFIX_CHARS = 100
MAX_SUGGESTIONS = 20
DEFAULT_SUGGESTIONS = 8
FIRST_YEAR = 1950
# How a kind of phrase ranks against another when both match.
KIND_WEIGHT = {"category": 4.0, "vehicle": 3.0, "brand": 2.0, "part": 1.0}


class BadPrefix(ValueError):
    """Input a client can fix; str() says how."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    text: str
    kind: str  # "part", "category", "brand" or "vehicle"


@dataclass(frozen=True)
class _Phrase:
    text: str
    kind: str
    words: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class _Lexicon:
    phrases: tuple[_Phrase, ...]
    words: list[str]  # sorted, for prefix completion
    counts: dict[str, int]


_cache: dict = {}


def _lexicon() -> _Lexicon:
    now = time.monotonic()
    searcher = backend.searcher()
    key = (str(backend.root()), searcher.num_docs)
    if _cache.get("key") != key or now - _cache["at"] > PHRASES_SECONDS:
        counts = dict(searcher.terms_with_prefix("words", ""))
        phrases = []
        for text, kind, popularity in _names():
            words = tuple(WORD_RE.findall(text.lower()))
            if words:
                phrases.append(_Phrase(text, kind, words, KIND_WEIGHT[kind] + popularity))
        _cache.update(
            key=key,
            at=now,
            lexicon=_Lexicon(tuple(phrases), sorted(counts), counts),
        )
    return _cache["lexicon"]


def _names() -> list[tuple[str, str, float]]:
    """(phrase, kind, popularity 0-1) for categories that hold parts, brands
    and the vehicles we carry (make and model, newest models first)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM catalog_category c WHERE NOT EXISTS "
            "(SELECT 1 FROM catalog_category k WHERE k.parent_id = c.id)"
        )
        names = [(row[0], "category", 0.5) for row in cursor]
        cursor.execute("SELECT name FROM catalog_brand")
        names += [(row[0], "brand", 0.5) for row in cursor]
        cursor.execute(
            "SELECT mk.name, m.name, COUNT(*) FROM fitment_vehicle v "
            "JOIN fitment_vehiclemodel m ON m.id = v.model_id "
            "JOIN fitment_make mk ON mk.id = v.make_id GROUP BY mk.name, m.name"
        )
        rows = cursor.fetchall()
    most = max((n for _, _, n in rows), default=1)
    names += [(f"{make} {model}", "vehicle", n / most) for make, model, n in rows]
    return names


def forget() -> None:
    _cache.clear()


def suggest(*, prefix: str, limit: int = DEFAULT_SUGGESTIONS) -> list[Suggestion]:
    """What the shopper may be typing: phrases whose words begin with the
    typed words, in order of kind and popularity, then completions of the
    last word from part names. A leading model year stays in front of a
    vehicle ("2012 hon" suggests "2012 Honda Civic")."""
    if len(prefix) > MAX_PREFIX_CHARS:
        raise BadPrefix(f"Suggestions are given for at most {MAX_PREFIX_CHARS} characters.")
    if not 1 <= limit <= MAX_SUGGESTIONS:
        raise BadPrefix(f"Ask for 1 to {MAX_SUGGESTIONS} suggestions.")
    typed = WORD_RE.findall(prefix.lower())[:8]
    if not typed:
        return []
    year = None
    latest = datetime.date.today().year + 1
    if len(typed[0]) == 4 and typed[0].isdigit() and FIRST_YEAR <= int(typed[0]) <= latest:
        year, typed = typed[0], typed[1:]
    try:
        lexicon = _lexicon()
    except backend.IndexUnavailable:  # degraded: the search page says so
        return []
    found: dict[str, tuple[float, Suggestion]] = {}
    if typed:
        for phrase in lexicon.phrases:
            if year and phrase.kind != "vehicle":
                continue
            score = _match(typed, phrase.words)
            if score:
                text = f"{year} {phrase.text}" if year else phrase.text
                found.setdefault(
                    text.lower(), (score * phrase.weight, Suggestion(text, phrase.kind))
                )
    if not year:
        for text, count in _completions(typed, lexicon, limit):
            found.setdefault(text, (count, Suggestion(text, "part")))
    ranked = sorted(found.values(), key=lambda item: (-item[0], item[1].text))
    return [suggestion for _, suggestion in ranked[:limit]]


def _match(typed: list[str], words: tuple[str, ...]) -> float:
    """0 unless each typed word begins a word of the phrase, in order; more
    when the phrase begins with the first typed word."""
    at = 0
    for i, word in enumerate(typed):
        last = i == len(typed) - 1
        while at < len(words) and not (
            words[at].startswith(word) if last else words[at] == word or words[at].startswith(word)
        ):
            at += 1
        if at == len(words):
            return 0.0
        at += 1
    return 2.0 if words[0].startswith(typed[0]) else 1.0


def _completions(typed: list[str], lexicon: _Lexicon, limit: int) -> list[tuple[str, float]]:
    """The typed words with the last one completed from part names, the
    words most parts use first (scored below any phrase of the same start)."""
    last = typed[-1]
    start = bisect.bisect_left(lexicon.words, last)
    candidates = []
    for word in lexicon.words[start : start + 2_000]:
        if not word.startswith(last):
            break
        if len(word) > 1:
            candidates.append(word)
    candidates.sort(key=lambda w: -lexicon.counts[w])
    head = " ".join(typed[:-1])
    top = candidates[:limit]
    most = max((lexicon.counts[w] for w in top), default=1)
    return [((f"{head} {w}" if head else w), lexicon.counts[w] / most) for w in top]
