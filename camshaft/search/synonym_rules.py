"""How a synonym rule is written and read (C5): pure text handling, shared
by the model that stores rules (to check them) and `synonyms`, which
applies them to queries."""

import re
from dataclasses import dataclass

WORD_RE = re.compile(r"[0-9a-z]+")
ONE_WAY = "=>"
MAX_TERM_WORDS = 4

Words = tuple[str, ...]


class BadRule(ValueError):
    """A rule a member of staff can fix; str() says how."""


@dataclass(frozen=True, slots=True)
class Rule:
    terms: tuple[Words, ...]  # what the shopper may type
    targets: tuple[Words, ...]  # what those words find (the terms, for a two-way rule)
    one_way: bool


def words(text: str) -> Words:
    return tuple(WORD_RE.findall(text.lower()))


def singular(term: Words) -> Words:
    """Terms match whether typed in the singular or the plural ("hood
    struts" matches a rule on "hood strut"): a plain English plural's s is
    dropped on both sides."""
    return tuple(
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in term
    )


def parse_rule(text: str) -> Rule:
    """Parse one line; BadRule says what is wrong with it."""
    text = text.strip()
    if text.count(ONE_WAY) > 1:
        raise BadRule("Write at most one “=>” in a rule.")
    one_way = ONE_WAY in text
    left, _, right = text.partition(ONE_WAY)
    terms = _terms(left)
    targets = _terms(right) if one_way else terms
    if one_way and (not terms or not targets):
        raise BadRule("A one-way rule needs words on both sides of “=>”, e.g. chevy => chevrolet.")
    if not one_way and len(terms) < 2:
        raise BadRule("A two-way rule needs two or more terms between commas, e.g. o2, oxygen.")
    return Rule(terms=terms, targets=targets, one_way=one_way)


def _terms(text: str) -> tuple[Words, ...]:
    found = []
    for piece in text.split(","):
        term = words(piece)
        if not term:
            if piece.strip():
                raise BadRule(f"“{piece.strip()}” has no letters or digits to search for.")
            continue
        if len(term) > MAX_TERM_WORDS:
            raise BadRule(f"A term has at most {MAX_TERM_WORDS} words; “{piece.strip()}” has more.")
        found.append(term)
    return tuple(dict.fromkeys(found))
