"""How well search answers shoppers (C5): the judged query set, run against
whatever catalogue is loaded, scored by zero-result share, precision at 1
and nDCG at 10.

`data/judged_queries.csv` holds queries in shoppers' words (typos,
abbreviations, joined words, vehicles in the query, part numbers with and
without dashes), each with what a right first page holds: parts of the
named categories that, when the query names a vehicle, fit it. Judgements
are rules, not part ids, so the set means the same on a demo catalogue of
any size; part-number queries are templates filled from parts drawn from
the catalogue ("{mpn_compact}" is a part number without its dashes).

A query whose right answer the catalogue does not hold (no 2012 Civic
alternator in a 5,000-part demo) is counted apart, not as a failure.
"""

import csv
import math
import random
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from importlib import resources

from django.db.models import Q

from camshaft.catalog.models import Part, normalize_code
from camshaft.core.paging import PageRequest
from camshaft.fitment.models import Fitment
from camshaft.search.selectors import search_parts

FIRST_PAGE = 10
JUDGED_FILE = "judged_queries.csv"


@dataclass(frozen=True)
class Judged:
    query: str
    kind: str
    categories: tuple[str, ...] = ()
    year: int | None = None
    make: str | None = None
    model: str | None = None
    part_ids: tuple[int, ...] = ()  # for part numbers: the parts meant


@dataclass
class RelevanceReport:
    queries: int
    answerable: int
    zero_results: int
    zero_result_share: float
    precision_at_1: float
    ndcg_at_10: float
    by_kind: dict[str, dict] = field(default_factory=dict)
    zero_result_queries: list[str] = field(default_factory=list)
    missed_first: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return asdict(self)


def judged_rows() -> list[dict[str, str]]:
    source = resources.files(__package__).joinpath("data", JUDGED_FILE)
    with source.open(encoding="utf-8", newline="") as rows:
        return list(csv.DictReader(rows))


def judged_queries(*, seed: int = 1) -> list[Judged]:
    """The judged set, part-number templates filled from this catalogue."""
    rng = random.Random(f"camshaft-judged:{seed}")
    ids = list(Part.objects.filter(is_active=True).order_by("id").values_list("id", flat=True))
    out = []
    for row in judged_rows():
        if row["kind"] == "part_number":
            if not ids:
                continue
            part = Part.objects.select_related("brand").get(id=rng.choice(ids))
            query = row["query"].format(**_codes(part))
            meant = Part.objects.filter(
                Q(sku=part.sku) | Q(mpn_key=part.mpn_key), is_active=True
            ).values_list("id", flat=True)
            out.append(Judged(query=query, kind="part_number", part_ids=tuple(meant)))
            continue
        out.append(
            Judged(
                query=row["query"],
                kind=row["kind"],
                categories=tuple(c for c in row["categories"].split("|") if c),
                year=int(row["year"]) if row["year"] else None,
                make=row["make"] or None,
                model=row["model"] or None,
            )
        )
    return out


def _codes(part: Part) -> dict[str, str]:
    return {
        "sku": part.sku,
        "sku_lower": part.sku.lower(),
        "mpn": part.mpn,
        "mpn_lower": part.mpn.lower(),
        "mpn_compact": normalize_code(part.mpn),
        "mpn_spaced": re.sub(r"[-.]", " ", part.mpn),
        "brand": part.brand.name,
    }


def _relevant(judged: Judged):
    """The catalogue's parts a right first page holds."""
    if judged.kind == "part_number":
        return Part.objects.filter(id__in=judged.part_ids)
    parts = Part.objects.filter(is_active=True, category__name__in=judged.categories)
    if judged.make or judged.model or judged.year:
        fits = Fitment.objects.all()
        if judged.year:
            fits = fits.filter(vehicle__year=judged.year)
        if judged.make:
            fits = fits.filter(vehicle__make__name=judged.make)
        if judged.model:
            fits = fits.filter(vehicle__model__name=judged.model)
        parts = parts.filter(id__in=fits.values("part_id"))
    return parts


def _dcg(gains: list[int]) -> float:
    return sum(g / math.log2(rank + 2) for rank, g in enumerate(gains))


def run_judged(*, seed: int = 1) -> RelevanceReport:
    """Search every judged query and score the first pages."""
    totals = defaultdict(lambda: {"queries": 0, "zero": 0, "p1": 0.0, "ndcg": 0.0})
    zero_queries, missed = [], []
    judged_set = judged_queries(seed=seed)
    answerable = 0
    for judged in judged_set:
        relevant = _relevant(judged)
        ideal = relevant.count() if judged.kind == "part_number" else relevant[:FIRST_PAGE].count()
        if ideal == 0:
            continue
        answerable += 1
        result = search_parts(query=judged.query, page=PageRequest(1, FIRST_PAGE))
        shown = [p.id for p in result.exact_matches + result.items][:FIRST_PAGE]
        right = set(relevant.filter(id__in=shown).values_list("id", flat=True))
        gains = [1 if pid in right else 0 for pid in shown]
        ndcg = _dcg(gains) / _dcg([1] * min(ideal, FIRST_PAGE))
        stats = totals[judged.kind]
        stats["queries"] += 1
        if not shown:
            stats["zero"] += 1
            zero_queries.append(judged.query)
        elif not gains[0]:
            missed.append(judged.query)
        stats["p1"] += gains[0] if gains else 0
        stats["ndcg"] += ndcg
    by_kind = {
        kind: {
            "queries": s["queries"],
            "zero_result_share": round(s["zero"] / s["queries"], 4),
            "precision_at_1": round(s["p1"] / s["queries"], 4),
            "ndcg_at_10": round(s["ndcg"] / s["queries"], 4),
        }
        for kind, s in sorted(totals.items())
    }
    n = max(answerable, 1)
    zero = sum(s["zero"] for s in totals.values())
    return RelevanceReport(
        queries=len(judged_set),
        answerable=answerable,
        zero_results=zero,
        zero_result_share=round(zero / n, 4),
        precision_at_1=round(sum(s["p1"] for s in totals.values()) / n, 4),
        ndcg_at_10=round(sum(s["ndcg"] for s in totals.values()) / n, 4),
        by_kind=by_kind,
        zero_result_queries=zero_queries,
        missed_first=missed[:40],
    )
