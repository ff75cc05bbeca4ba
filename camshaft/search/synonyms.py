"""Synonyms and abbreviations that staff keep, applied to queries as they
are searched (C5): no reindex, a change shows within a few seconds.

A rule is written as in Solr's and Elasticsearch's synonym files:

- ``o2, oxygen`` — two-way: any of the terms finds parts named with any other;
- ``chevy => chevrolet`` — one-way: the words on the left are searched as
  the words on the right, never the other way round.

A term may be several words (``passenger side => right``); punctuation is
ignored as it is in queries (``a/c`` is the words ``a c``).
"""

import time
from dataclasses import dataclass
from importlib import resources

from camshaft.search.synonym_rules import (  # noqa: F401  (the rule language, re-exported)
    MAX_TERM_WORDS,
    ONE_WAY,
    BadRule,
    Rule,
    Words,
    parse_rule,
    singular,
    words,
)

# Each process reads the rules again at most this often, so a change made in
# the back office reaches every app server within this many seconds.
RELOAD_SECONDS = 5.0
STARTER_FILE = "starter_synonyms.txt"


@dataclass(frozen=True)
class Thesaurus:
    """Every active rule, indexed by the words a shopper types."""

    by_term: dict[Words, tuple[Words, ...]]  # term -> every term it finds (itself included)
    replaced: frozenset[Words]  # one-way terms: searched only as their targets
    longest: int
    words: frozenset[str] = frozenset()  # every word of every term

    @classmethod
    def of(cls, rules: list[Rule]) -> "Thesaurus":
        by_term: dict[Words, dict[Words, None]] = {}
        replaced = set()
        for rule in rules:
            targets = {singular(t) for t in rule.targets}
            for term in rule.terms:
                found = by_term.setdefault(singular(term), {})
                if not rule.one_way:
                    found[term] = None
                found.update(dict.fromkeys(rule.targets))
                if rule.one_way and singular(term) not in targets:
                    replaced.add(singular(term))
        # A term also two-way elsewhere keeps itself as an alternative.
        replaced = {t for t in replaced if t not in {singular(f) for f in by_term[t]}}
        return cls(
            by_term={t: tuple(found) for t, found in by_term.items()},
            replaced=frozenset(replaced),
            longest=max((len(t) for t in by_term), default=0),
            words=frozenset(w for term in by_term for w in term),
        )

    def match(self, tokens: list[str], start: int) -> tuple[int, tuple[Words, ...]] | None:
        """The longest term at `tokens[start:]`: (its length, what it finds)."""
        for size in range(min(self.longest, len(tokens) - start), 0, -1):
            term = singular(tuple(tokens[start : start + size]))
            if term in self.by_term:
                return size, self.by_term[term]
        return None

    def rewrite(self, tokens: list[str]) -> list[str]:
        """Apply one-way rules only (chevy => chevrolet), for what follows
        (the vehicle named in a query) to read the words meant."""
        out, i = [], 0
        while i < len(tokens):
            found = self.match(tokens, i)
            if found and singular(tuple(tokens[i : i + found[0]])) in self.replaced:
                out.extend(found[1][0])
                i += found[0]
            else:
                out.append(tokens[i])
                i += 1
        return out


_cache: dict = {}


def thesaurus() -> Thesaurus:
    """The active rules, read again at most every RELOAD_SECONDS."""
    now = time.monotonic()
    if _cache.get("at") is None or now - _cache["at"] > RELOAD_SECONDS:
        from camshaft.search.models import SynonymRule

        rules = []
        for text in SynonymRule.objects.filter(is_active=True).values_list("rule", flat=True):
            try:
                rules.append(parse_rule(text))
            except BadRule:
                continue  # saved before a stricter check; the back office shows it
        _cache.update(at=now, thesaurus=Thesaurus.of(rules))
    return _cache["thesaurus"]


def forget() -> None:
    """Read the rules again at the next query (after staff change them)."""
    _cache.clear()


def starter_rules() -> list[str]:
    """The starter list shipped with Camshaft, one rule a line."""
    text = resources.files(__package__).joinpath("data", STARTER_FILE).read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
