"""Runs the benchmark: an N-part demo catalogue (built or reused), then each
operation K times after a warm-up, reported as latency percentiles.

The bench measures and reports; it never judges a timing."""

import math
import os
import platform
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from django.db import connection
from tqdm import tqdm

from camshaft.bench.judged import run_judged
from camshaft.bench.orders import concurrent_orders
from camshaft.bench.queries import OPERATIONS, Workload
from camshaft.catalog.demo import build_demo_catalogue
from camshaft.catalog.models import Part
from camshaft.fitment.models import Fitment, Vehicle
from camshaft.marketplace import demo as marketplace_demo
from camshaft.marketplace import selectors as marketplace_selectors
from camshaft.marketplace.models import Listing

DEFAULT_ITERATIONS = 300
CONCURRENT_BUYERS = 8
SCARCE_PARTS = 6
PERCENTILES = (50, 95, 99)


@dataclass
class OperationStats:
    p50: float
    p95: float
    p99: float
    n: int
    mean: float
    max: float


@dataclass
class BenchReport:
    machine: dict
    catalogue: dict
    load_seconds: float
    operations: dict[str, OperationStats]
    note: str = ""
    iterations: int = DEFAULT_ITERATIONS
    seed: int = 1
    load_timings: dict[str, float] = field(default_factory=dict)
    #: Eight buyers at once for a few scarce parts (I2): orders/s and oversold units.
    concurrency: dict = field(default_factory=dict)
    #: The judged query set (C5): zero-result share, precision at 1, nDCG at 10.
    relevance: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        data = asdict(self)
        if not self.note:
            del data["note"]
        return data


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        raise ValueError("no values")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(milliseconds: list[float]) -> OperationStats:
    values = sorted(milliseconds)
    p50, p95, p99 = (round(percentile(values, p), 3) for p in PERCENTILES)
    return OperationStats(
        p50=p50,
        p95=p95,
        p99=p99,
        n=len(values),
        mean=round(sum(values) / len(values), 3),
        max=round(values[-1], 3),
    )


def machine_info() -> dict:
    if connection.vendor == "sqlite":
        version = sqlite3.sqlite_version
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "db": {"vendor": connection.vendor, "version": version},
    }


def catalogue_counts() -> dict:
    return {
        "parts": Part.objects.count(),
        "vehicles": Vehicle.objects.count(),
        "fitment": Fitment.objects.count(),
        "listings": marketplace_selectors.on_sale().count(),
    }


def prepare_catalogue(
    *, parts: int, seed: int, progress: bool, listings: int = 0
) -> tuple[float, str, dict[str, float]]:
    """Reuse a catalogue of exactly `parts` parts; otherwise build one,
    replacing whatever is there; then exactly `listings` demo listings.
    Returns (load seconds, note, phase timings)."""
    from camshaft.search import backend, selectors
    from camshaft.search import services as search_services

    timings: dict[str, float] = {}
    notes = []
    demo_listings = Listing.objects.filter(
        seller__user__email__endswith=f"@{marketplace_demo.DEMO_EMAIL_DOMAIN}"
    )
    if Part.objects.count() == parts:
        notes.append(f"Reused the existing catalogue of {parts:,} parts.")
        try:
            indexed = selectors.indexed_counts().get("part", 0)
        except backend.IndexUnavailable:  # missing or damaged: rebuilt below
            indexed = -1
        if indexed != Part.objects.filter(is_active=True).count():
            start = time.perf_counter()
            search_services.rebuild_index(progress=progress)
            timings["search index"] = time.perf_counter() - start
            notes.append("Rebuilt its search index.")
    else:
        start = time.perf_counter()
        marketplace_demo.remove_demo_listings()
        report = build_demo_catalogue(parts=parts, seed=seed, replace=True, progress=progress)
        timings.update(report.timings)
    if demo_listings.count() != listings:
        start = time.perf_counter()
        marketplace_demo.remove_demo_listings()
        marketplace_demo.build_demo_listings(count=listings, seed=seed, progress=progress)
        timings["listings"] = time.perf_counter() - start
        start = time.perf_counter()
        search_services.sync_index()
        timings["listings search index"] = time.perf_counter() - start
    elif listings:
        notes.append(f"Reused its {listings:,} demo listings.")
    return sum(timings.values()), " ".join(notes), timings


def measure(
    name: str,
    operation: Callable,
    workload: Workload,
    *,
    iterations: int,
    warmup: int,
    progress: bool,
) -> OperationStats:
    for _ in range(warmup):
        operation(workload)()
    timings = []
    for _ in tqdm(range(iterations), desc=name, unit="op", disable=not progress, leave=False):
        thunk = operation(workload)
        start = time.perf_counter_ns()
        thunk()
        timings.append((time.perf_counter_ns() - start) / 1e6)
    return summarize(timings)


def scarce_parts(workload: Workload) -> list[int]:
    """A few stocked parts for the buyers to fight over."""
    from camshaft.inventory.selectors import free_stock

    skus = [p.sku for p in workload.parts[:200]]
    candidates = Part.objects.filter(
        sku__in=skus, is_special_order=False, is_custom_made=False
    ).values_list("id", flat=True)
    stocked = free_stock(candidates)
    ids = [pid for pid, by_site in stocked.items() if sum(by_site.values()) > 0]
    return sorted(ids)[:SCARCE_PARTS]


def run_bench(
    *,
    parts: int,
    iterations: int = DEFAULT_ITERATIONS,
    seed: int = 1,
    progress: bool = False,
    operations: Sequence[str] | None = None,
    buyers: int = CONCURRENT_BUYERS,
    listings: int = 0,
) -> BenchReport:
    if parts < 1 or iterations < 1:
        raise ValueError("parts and iterations must be at least 1")
    if listings < 0:
        raise ValueError("listings must be 0 or more")
    load_seconds, note, load_timings = prepare_catalogue(
        parts=parts, seed=seed, progress=progress, listings=listings
    )
    workload = Workload.sample(seed=seed)
    warmup = min(30, max(1, iterations // 10))
    try:
        stats = {
            name: measure(
                name,
                OPERATIONS[name],
                workload,
                iterations=iterations,
                warmup=warmup,
                progress=progress,
            )
            for name in (operations or OPERATIONS)
        }
        relevance = {}
        if "search_text" in (operations or OPERATIONS):
            relevance = run_judged(seed=seed).as_json()
        concurrency = {}
        if "place_order" in (operations or OPERATIONS):
            concurrency = concurrent_orders(
                part_ids=scarce_parts(workload), threads=buyers, seed=seed
            )
    finally:
        for cleanup in workload.cleanups:
            cleanup()
    return BenchReport(
        machine=machine_info(),
        catalogue=catalogue_counts(),
        load_seconds=round(load_seconds, 2),
        operations=stats,
        note=note,
        iterations=iterations,
        seed=seed,
        load_timings={k: round(v, 2) for k, v in load_timings.items()},
        concurrency=concurrency,
        relevance=relevance,
    )


def format_table(report: BenchReport) -> str:
    lines = [
        f"{report.catalogue['parts']:,} parts, {report.catalogue['vehicles']:,} vehicles, "
        f"{report.catalogue['fitment']:,} fitment rows, "
        f"{report.catalogue.get('listings', 0):,} marketplace listings "
        f"on {report.machine['db']['vendor']} "
        f"{report.machine['db']['version']}, {report.machine['cores']} cores",
        f"load: {report.load_seconds:.1f} s" + (f" ({report.note})" if report.note else ""),
        "",
        f"{'operation':<16}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'n':>7}",
    ]
    for name, s in report.operations.items():
        lines.append(f"{name:<16}{s.p50:>10.2f}{s.p95:>10.2f}{s.p99:>10.2f}{s.n:>7}")
    if r := report.relevance:
        lines.append(
            f"\njudged queries: {r['answerable']} of {r['queries']} answerable here; "
            f"zero results {r['zero_result_share']:.1%}, precision@1 {r['precision_at_1']:.3f}, "
            f"nDCG@10 {r['ndcg_at_10']:.3f}"
        )
        for kind, k in r["by_kind"].items():
            lines.append(
                f"  {kind:<14}{k['queries']:>5} queries  zero {k['zero_result_share']:>6.1%}  "
                f"P@1 {k['precision_at_1']:.3f}  nDCG@10 {k['ndcg_at_10']:.3f}"
            )
    if c := report.concurrency:
        lines.append(
            f"\n{c['threads']} buyers at once: {c['orders']} orders of {c['attempts']} tries "
            f"in {c['seconds']} s ({c['orders_per_second']} orders/s), "
            f"{c['refused_out_of_stock']} refused as out of stock, "
            f"{c['oversold_units']} units oversold"
        )
    return "\n".join(lines)
