"""Reading a query the way a shopper means it (C5).

"2012 chevy silverdo alternater" is read as the vehicle (2012 Chevrolet
Silverado, a fit filter) plus the part words ("alternator"). On the words:

- staff's synonyms (``synonyms.py``): one-way rules rewrite what was typed
  (chevy => chevrolet), two-way rules make each term an alternative of the
  others (o2, oxygen);
- joined and split words: "sparkplug" is also tried as "spark plug" and
  "head light" as "headlight", when the catalogue has those words;
- shortened words: a word the catalogue has only as the start of longer
  ones also finds them ("temp" finds "temperature", "crank" "crankshaft");
- typos, only when asked (the caller asks when the words as typed find
  nothing or very little): an unknown word becomes the nearest word the
  catalogue has (``spelling.py``);
- a vehicle: a model year, a make, a model and an engine size, as far as
  given, matched on letters and digits ("f150" is the F-150). A make or
  model that is also a word of part names ("Spark", "Ram") counts only
  beside a year, or as the last word beside the other half.

Every word left must match (AND); each word's alternatives are ORed.
"""

import datetime
import re
import time
from dataclasses import dataclass, field

import tantivy

from camshaft.fitment import selectors as fitment_selectors
from camshaft.search import backend, spelling, synonyms

WORD_RE = re.compile(r"[0-9a-z]+")
MAX_WORDS = 12
FIRST_YEAR = 1950
# Words that carry no meaning in a parts search ("brake pads for my civic").
STOP_WORDS = frozenset({"for", "my", "the", "an", "of", "to", "on", "fits", "fit", "fitting"})
LEXICON_SECONDS = 60.0
# "5.3", "3.6L", "2.0 liter": an engine, as the Part Finder names them ("5.3L V8").
DISPLACEMENT_RE = re.compile(r"(?<![\w.])([1-9]\.\d)\s*(?:l|liter|litre)?(?![\w.])", re.IGNORECASE)
MAX_MODEL_WORDS = 4
# Beyond this many vehicles a fit filter costs more than matching the words.
MAX_VEHICLE_IDS = 20_000


def _key(words) -> str:
    return "".join(words)


@dataclass(frozen=True)
class VehicleMention:
    """The vehicle a query names, as far as it names it."""

    year: int | None
    make_id: int | None
    make: str | None
    model_ids: tuple[int, ...]
    model: str | None
    vehicle_ids: tuple[int, ...] = ()
    words: tuple[str, ...] = ()  # the query's words that named it

    @property
    def label(self) -> str:
        """The chip's words: "2012 Honda Civic", or "2012 vehicles" for a year alone."""
        if not (self.make or self.model):
            return f"{self.year} vehicles"
        return " ".join(str(p) for p in (self.year, self.make, self.model) if p)

    @property
    def single_vehicle_id(self) -> int | None:
        return self.vehicle_ids[0] if len(self.vehicle_ids) == 1 else None

    @property
    def finder_query(self) -> dict[str, int]:
        """How far the Part Finder can be filled: it starts at the year."""
        query: dict[str, int] = {}
        if self.year:
            query["year"] = self.year
            if self.make_id:
                query["make"] = self.make_id
                if len(self.model_ids) == 1:
                    query["model"] = self.model_ids[0]
        return query


@dataclass(frozen=True)
class Understood:
    words: tuple[str, ...]  # the words searched for, corrections applied
    slots: tuple[tuple[str, ...], ...]  # each: alternatives, any of which may match
    vehicle: VehicleMention | None = None
    corrections: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def merged(self, other: "Understood") -> "Understood":
        """This reading with `other`'s alternatives added word by word (the
        words as typed and as corrected), when both read the query alike."""
        if other is self or len(other.slots) != len(self.slots) or other.vehicle != self.vehicle:
            return self
        slots = tuple(
            tuple(dict.fromkeys((*mine, *theirs)))
            for mine, theirs in zip(self.slots, other.slots, strict=True)
        )
        return Understood(words=self.words, slots=slots, vehicle=self.vehicle)

    def query(
        self, index: tantivy.Index, *, relaxed: bool = False, any_vehicle: bool = False
    ) -> tantivy.Query:
        """Every slot must match (or, relaxed, any of them), within the
        vehicle (unless `any_vehicle`)."""
        occur = tantivy.Occur.Should if relaxed else tantivy.Occur.Must
        clauses = [(occur, _slot_query(index, slot)) for slot in self.slots]
        if not any_vehicle:
            clauses.extend((tantivy.Occur.Must, q) for q in self._vehicle_clauses(index))
        if not clauses:
            return tantivy.Query.all_query()
        if len(clauses) == 1 and clauses[0][0] == tantivy.Occur.Must:
            return clauses[0][1]
        return tantivy.Query.boolean_query(clauses)

    def _vehicle_clauses(self, index: tantivy.Index) -> list[tantivy.Query]:
        vehicle = self.vehicle
        if vehicle is None:
            return []
        if vehicle.vehicle_ids:
            ids = list(vehicle.vehicle_ids)
            return [tantivy.Query.term_set_query(backend.SCHEMA, "vehicles", ids)]
        # A make alone (or too many vehicles to list): the make and model
        # names of the vehicles each part fits are in its keywords.
        return [
            index.parse_query(" ".join(vehicle.words), ["keywords"], conjunction_by_default=True)
        ]


def _slot_query(index: tantivy.Index, alternatives: tuple[str, ...]) -> tantivy.Query:
    queries = [
        index.parse_query(
            alternative,
            list(backend.TEXT_FIELDS),
            field_boosts=backend.FIELD_BOOSTS,
            conjunction_by_default=True,
        )
        for alternative in alternatives
    ]
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def tokens_of(query: str) -> list[str]:
    return [w for w in WORD_RE.findall(query.lower()) if len(w) <= 40][:MAX_WORDS]


def _displacement(query: str) -> tuple[str | None, str]:
    """An engine's displacement named in the query ("5.3", "3.6L") and the
    query without it."""
    found = DISPLACEMENT_RE.search(query)
    if found is None:
        return None, query
    return found.group(1), query[: found.start()] + " " + query[found.end() :]


def understand(query: str, *, spell: bool = False, vehicles: bool = True) -> Understood:
    thesaurus = synonyms.thesaurus()
    vocabulary = spelling.vocabulary()
    litres, query = _displacement(query) if vehicles else (None, query)
    tokens = thesaurus.rewrite(_split_joined(tokens_of(query), thesaurus, vocabulary))
    corrections: dict[str, str] = {}
    if spell:
        tokens, corrections = _corrected(tokens, thesaurus, vocabulary)
    shown = tuple(tokens)  # as typed, in order, corrections applied
    vehicle = None
    if vehicles:
        vehicle, tokens = _vehicle(tokens, litres=litres)
    slots: list[tuple[str, ...]] = []
    i = 0
    while i < len(tokens):
        found = thesaurus.match(tokens, i)
        if found:
            size, alternatives = found
            slots.append(tuple(" ".join(t) for t in alternatives))
            i += size
            continue
        token = tokens[i]
        if token in STOP_WORDS and len(tokens) > 1:
            i += 1
            continue
        if i + 1 < len(tokens) and (joined := token + tokens[i + 1]) in vocabulary:
            slots.append((f"{token} {tokens[i + 1]}", joined))
            i += 2
            continue
        slots.append((token, *vocabulary.completions(token)))
        i += 1
    return Understood(words=shown, slots=tuple(slots), vehicle=vehicle, corrections=corrections)


def _split_joined(tokens, thesaurus, vocabulary) -> list[str]:
    """Words the catalogue has only apart ("sparkplug", "o2sensor") split."""
    out = []
    for token in tokens:
        known = token in vocabulary or (token,) in thesaurus.by_term
        halves = None if known else vocabulary.split(token, thesaurus.words)
        out.extend(halves or (token,))
    return out


def _corrected(tokens, thesaurus, vocabulary) -> tuple[list[str], dict[str, str]]:
    """Unknown words replaced by the catalogue's nearest words, weighed
    against the query's other words of part names."""
    lexicon = _lexicon()

    def known(i: int, token: str) -> bool:
        return (
            token in vocabulary
            or thesaurus.match(tokens, i) is not None
            or token in lexicon.words
            or token in STOP_WORDS
        )

    company = [t for i, t in enumerate(tokens) if known(i, t) and _is_part_word((t,))]
    context = _cooccurrence(company) if company else None
    out, corrections = [], {}
    for i, token in enumerate(tokens):
        fixed = None if known(i, token) else vocabulary.correct(token, context=context)
        if fixed:
            corrections[token] = fixed
        out.append(fixed or token)
    return out, corrections


def _cooccurrence(company: list[str]):
    """How many parts are named with a word beside all of `company`."""
    searcher = backend.searcher()
    schema = backend.SCHEMA

    def count(word: str) -> int:
        terms = [tantivy.Query.term_query(schema, "words", w) for w in (*company, word)]
        both = tantivy.Query.boolean_query([(tantivy.Occur.Must, t) for t in terms])
        return searcher.search(both, limit=1, count=True).count or 0

    return count


@dataclass(frozen=True)
class _Lexicon:
    makes: dict[str, fitment_selectors.Choice]  # key of the name -> make
    models: dict[str, list[fitment_selectors.ModelName]]  # key of the name -> models
    model_words: dict[tuple[str, ...], list[fitment_selectors.ModelName]]  # words -> models
    words: frozenset[str]


_lexicon_cache: dict = {}


def _lexicon() -> _Lexicon:
    now = time.monotonic()
    if _lexicon_cache.get("at") is None or now - _lexicon_cache["at"] > LEXICON_SECONDS:
        makes, models = fitment_selectors.vehicle_names()
        by_key: dict[str, list] = {}
        by_words: dict[tuple[str, ...], list] = {}
        words = set()
        for model in models:
            tokens = tuple(WORD_RE.findall(model.name.lower()))
            words.update(tokens)
            by_key.setdefault(_key(tokens), []).append(model)
            # "Silverado" names "Silverado 1500" and "Silverado 2500 HD".
            for size in range(1, len(tokens)):
                by_words.setdefault(tokens[:size], []).append(model)
        make_keys = {}
        for make in makes:
            tokens = WORD_RE.findall(make.name.lower())
            words.update(tokens)
            make_keys[_key(tokens)] = make
        _lexicon_cache.update(
            at=now,
            lexicon=_Lexicon(
                makes=make_keys, models=by_key, model_words=by_words, words=frozenset(words)
            ),
        )
    return _lexicon_cache["lexicon"]


def forget() -> None:
    _lexicon_cache.clear()


def _is_part_word(words) -> bool:
    searcher = backend.searcher()
    return any(searcher.doc_freq("words", w) for w in words)


def _vehicle(
    tokens: list[str], *, litres: str | None = None
) -> tuple[VehicleMention | None, list[str]]:
    """Find a year, a make and a model among `tokens` (and `litres`, an
    engine's displacement, "5.3"); return the vehicle and the tokens left
    for the part."""
    lexicon = _lexicon()
    latest = datetime.date.today().year + 1
    year = year_at = make = model_matches = None
    make_span = model_span = None
    for i, token in enumerate(tokens):
        if (
            year is None
            and len(token) == 4
            and token.isdigit()
            and FIRST_YEAR <= int(token) <= latest
        ):
            year, year_at = int(token), i
    for size in range(MAX_MODEL_WORDS, 0, -1):
        for i in range(len(tokens) - size + 1):
            span = tuple(tokens[i : i + size])
            if i == year_at or (year_at is not None and i <= year_at < i + size):
                continue
            key = _key(span)
            if make is None and key in lexicon.makes:
                make, make_span = lexicon.makes[key], (i, i + size)
            elif model_matches is None and len(key) >= 2:
                found = lexicon.models.get(key) or lexicon.model_words.get(span)
                if found and not _overlaps((i, i + size), make_span):
                    model_matches, model_span = found, (i, i + size)
    if make is not None and model_matches is not None:
        of_make = [m for m in model_matches if m.make_id == make.id]
        if not of_make:
            model_matches = model_span = None
        else:
            model_matches = of_make
    if make_span and model_span and _overlaps(make_span, model_span):
        model_matches = model_span = None
    # A make or model that is also a part word ("Spark", "Ram") names the
    # vehicle only beside a year, or as the query's last word beside the
    # other half: "2016 chevy spark plugs", "chevy spark", not "chevy spark plugs".
    if year is None:
        if (
            model_span
            and _is_part_word(tokens[model_span[0] : model_span[1]])
            and not (make_span and model_span[1] == len(tokens))
        ):
            model_matches = model_span = None
        if make_span and _is_part_word(tokens[make_span[0] : make_span[1]]) and not model_span:
            make = make_span = None
    parts = [p for p in (make_span, model_span) if p]
    if year is not None and not parts and len(tokens) > 1:
        # "2012 brake pads": parts that fit a vehicle of that year.
        left = tokens[:year_at] + tokens[year_at + 1 :]
        ids = tuple(fitment_selectors.vehicle_ids(year=year, engine_litres=litres)) or (0,)
        mention = VehicleMention(
            year=year, make_id=None, make=None, model_ids=(), model=None, vehicle_ids=ids
        )
        return mention, left
    if year is not None and parts:
        parts.append((year_at, year_at + 1))
    if not parts:
        return None, tokens
    taken = {i for a, b in parts for i in range(a, b)}
    left = [t for i, t in enumerate(tokens) if i not in taken]
    if make is None and model_matches and len({m.make_id for m in model_matches}) == 1:
        make = fitment_selectors.Choice(model_matches[0].make_id, model_matches[0].make)
    model_ids = tuple(m.id for m in model_matches or ())
    model_name = None
    if model_matches:
        names = {m.name for m in model_matches}
        typed = " ".join(tokens[model_span[0] : model_span[1]]).title()
        model_name = names.pop() if len(names) == 1 else typed
    ids: tuple[int, ...] = ()
    if year is not None or model_ids or litres:
        found_ids = fitment_selectors.vehicle_ids(
            year=year,
            make_id=make.id if make else None,
            model_ids=list(model_ids),
            engine_litres=litres,
        )
        if len(found_ids) <= MAX_VEHICLE_IDS:
            ids = tuple(found_ids) or (0,)  # no such vehicle: nothing fits
    spans = [span for span in (make_span, model_span) if span]
    mention = VehicleMention(
        year=year,
        make_id=make.id if make else None,
        make=make.name if make else None,
        model_ids=model_ids,
        model=model_name,
        vehicle_ids=ids,
        words=tuple(w for span in spans for w in tokens[span[0] : span[1]]),
    )
    return mention, left


def _overlaps(a, b) -> bool:
    return bool(a and b and a[0] < b[1] and b[0] < a[1])
