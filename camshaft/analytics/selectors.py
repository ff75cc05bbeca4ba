"""Reads: the aggregate reports staff see (V9), a member's events for their
data export (V3), and an app's consent state (V2). Each report is one query."""

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from camshaft.analytics.models import Channel, CookieChoice, Event, Visitor

TOP_ROWS = 20
PART_PAGE_ROUTE = "part"


@dataclass(frozen=True)
class DateRange:
    """Whole UTC days, both ends included."""

    start: date
    end: date

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)


def _events(period: DateRange, kind: str | None = None):
    events = Event.objects.filter(at__gte=period.since, at__lt=period.until)
    return events.filter(kind=kind) if kind else events


@dataclass(frozen=True)
class SearchRow:
    query: str
    searches: int
    visitors: int
    results: int | None = None


def top_searches(period: DateRange, *, limit: int = TOP_ROWS) -> list[SearchRow]:
    rows = (
        _events(period, Event.Kind.SEARCH)
        .values("query")
        .annotate(searches=Count("id"), visitors=Count("visitor", distinct=True))
        .order_by("-searches", "query")[:limit]
    )
    return [SearchRow(**row) for row in rows]


def zero_result_searches(period: DateRange, *, limit: int = TOP_ROWS) -> list[SearchRow]:
    """What shoppers looked for and did not find: parts to add, or synonyms."""
    rows = (
        _events(period, Event.Kind.SEARCH)
        .filter(results=0)
        .values("query")
        .annotate(searches=Count("id"), visitors=Count("visitor", distinct=True))
        .order_by("-searches", "query")[:limit]
    )
    return [SearchRow(**row, results=0) for row in rows]


@dataclass(frozen=True)
class FunnelStep:
    label: str
    visitors: int
    of_previous: float | None  # share of the step before, in percent
    of_first: float | None  # share of all visitors, in percent


FUNNEL = (
    ("Visitors", Q()),
    ("Searched", Q(kind=Event.Kind.SEARCH)),
    ("Viewed a part", Q(kind=Event.Kind.PAGE_VIEW, route=PART_PAGE_ROUTE)),
    ("Added to cart", Q(kind=Event.Kind.ADD_TO_CART)),
    ("Started checkout", Q(kind=Event.Kind.CHECKOUT_STARTED)),
    ("Ordered", Q(kind=Event.Kind.ORDER_PLACED)),
)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def funnel(period: DateRange) -> list[FunnelStep]:
    """Distinct visitors who did each step in the period. A visitor counts
    at every step they reached, whether or not they took the steps before
    (many shoppers find a part by vehicle, never searching)."""
    counts = _events(period).aggregate(
        **{
            f"step{i}": Count("visitor", distinct=True, filter=condition)
            for i, (_, condition) in enumerate(FUNNEL)
        }
    )
    values = [counts[f"step{i}"] for i in range(len(FUNNEL))]
    return [
        FunnelStep(
            label=label,
            visitors=value,
            of_previous=_share(value, values[i - 1]) if i else None,
            of_first=_share(value, values[0]) if i else None,
        )
        for i, ((label, _), value) in enumerate(zip(FUNNEL, values, strict=True))
    ]


@dataclass(frozen=True)
class PageTiming:
    route: str
    views: int
    p50_ms: int
    p95_ms: int


def percentile(histogram: list[tuple[int, int]], share: float) -> int:
    """Nearest-rank percentile of sorted (value, count) pairs."""
    total = sum(count for _, count in histogram)
    rank = max(1, math.ceil(total * share))
    seen = 0
    for value, count in histogram:
        seen += count
        if seen >= rank:
            return value
    raise ValueError("empty histogram")


def slowest_pages(period: DateRange, *, limit: int = TOP_ROWS) -> list[PageTiming]:
    """p50 and p95 server time per route, slowest p95 first. The database
    counts each (route, millisecond) pair, so a million views come back as a
    few thousand rows and the percentiles are exact."""
    rows = (
        _events(period, Event.Kind.PAGE_VIEW)
        .values_list("route", "duration_ms")
        .annotate(n=Count("id"))
        .order_by("route", "duration_ms")
    )
    histograms: dict[str, list[tuple[int, int]]] = {}
    for route, duration, n in rows:
        histograms.setdefault(route, []).append((duration or 0, n))
    timings = [
        PageTiming(
            route=route,
            views=sum(n for _, n in histogram),
            p50_ms=percentile(histogram, 0.5),
            p95_ms=percentile(histogram, 0.95),
        )
        for route, histogram in histograms.items()
    ]
    timings.sort(key=lambda t: (-t.p95_ms, -t.p50_ms, t.route))
    return timings[:limit]


@dataclass(frozen=True)
class DailyViews:
    day: date
    views: int
    visitors: int


def views_per_day(period: DateRange) -> list[DailyViews]:
    """Every day of the period, days without views included (as zeros)."""
    rows = (
        _events(period, Event.Kind.PAGE_VIEW)
        .annotate(day=TruncDate("at", tzinfo=UTC))
        .values("day")
        .annotate(views=Count("id"), visitors=Count("visitor", distinct=True))
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    days = (period.end - period.start).days + 1
    result = []
    for offset in range(days):
        day = period.start + timedelta(days=offset)
        row = by_day.get(day, {"views": 0, "visitors": 0})
        result.append(DailyViews(day=day, views=row["views"], visitors=row["visitors"]))
    return result


@dataclass(frozen=True)
class ChoiceCounts:
    accepted: int
    rejected: int


def choice_counts(period: DateRange) -> ChoiceCounts:
    counts = CookieChoice.objects.filter(
        chosen_at__gte=period.since, chosen_at__lt=period.until
    ).aggregate(
        accepted=Count("id", filter=Q(analytics=True)),
        rejected=Count("id", filter=Q(analytics=False)),
    )
    return ChoiceCounts(**counts)


@dataclass(frozen=True)
class Report:
    period: DateRange
    choices: ChoiceCounts
    top_searches: list[SearchRow]
    zero_result_searches: list[SearchRow]
    funnel: list[FunnelStep]
    slowest_pages: list[PageTiming]
    views_per_day: list[DailyViews]


def report(period: DateRange) -> Report:
    return Report(
        period=period,
        choices=choice_counts(period),
        top_searches=top_searches(period),
        zero_result_searches=zero_result_searches(period),
        funnel=funnel(period),
        slowest_pages=slowest_pages(period),
        views_per_day=views_per_day(period),
    )


def events_for_user(user) -> list[dict]:
    """Everything analytics holds about a member, for their data export (V3):
    the events recorded under ids linked to them, oldest first."""
    keys = Visitor.objects.filter(user=user).values_list("key", flat=True)
    rows = (
        Event.objects.filter(visitor__in=keys)
        .order_by("at", "id")
        .values("visitor", "kind", "at", "route", "status", "duration_ms", "query", "results")
    )
    return [
        {
            "pseudonymous_id": row["visitor"],
            "kind": row["kind"],
            "at": row["at"].isoformat(),
            "route": row["route"],
            "status": row["status"],
            "duration_ms": row["duration_ms"],
            "query": row["query"],
            "results": row["results"],
        }
        for row in rows
    ]


def active_visitor(key: str | None) -> Visitor | None:
    """The Visitor for an id whose consent still stands."""
    if not key:
        return None
    return Visitor.objects.filter(key=key, withdrawn_at__isnull=True).first()


def member_api_visitor(user) -> Visitor | None:
    """A member's newest app id that still has consent, if any."""
    return (
        Visitor.objects.filter(user=user, channel=Channel.API, withdrawn_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )
