"""B3: `camshaft bench` writes latency percentiles per operation as JSON (shape only)."""

import io
import json

import pytest
from django.core.management import call_command

from camshaft.bench.runner import percentile, summarize

# The bench runs buyers in threads of their own (I2), which only see
# committed rows: these tests commit, and the database is flushed after.
pytestmark = pytest.mark.django_db(transaction=True)

OPERATIONS = {
    "search_text",
    "search_sku",
    "search_shopper",
    "search_listings",
    "suggest",
    "part_finder",
    "vehicle_parts",
    "vehicle_listings",
    "part_page",
    "add_to_cart",
    "place_order",
    "shipping_quote",
    "return_request",
}


def bench(tmp_path, **options) -> dict:
    from django.db import connection

    # SQLite's in-memory test database locks whole tables between threads;
    # the many-buyer run is for PostgreSQL (and SQLite files, as in the bench).
    options.setdefault("buyers", 8 if connection.vendor == "postgresql" else 1)
    path = tmp_path / "bench.json"
    out = io.StringIO()
    call_command(
        "bench", parts=40, json=str(path), iterations=4, no_progress=True, stdout=out, **options
    )
    assert "p95 ms" in out.getvalue()
    return json.loads(path.read_text())


def test_B3_bench_writes_percentiles_for_every_operation(tmp_path):
    result = bench(tmp_path)

    assert set(result["machine"]) >= {"cores", "python", "db"}
    assert set(result["machine"]["db"]) == {"vendor", "version"}
    assert result["catalogue"]["parts"] == 40
    assert result["catalogue"]["vehicles"] > 0
    assert result["catalogue"]["fitment"] >= 400
    assert result["load_seconds"] > 0
    assert set(result["operations"]) == OPERATIONS
    for stats in result["operations"].values():
        assert stats["n"] == 4
        assert 0 <= stats["p50"] <= stats["p95"] <= stats["p99"]
    relevance = result["relevance"]
    assert {"zero_result_share", "precision_at_1", "ndcg_at_10", "by_kind"} <= set(relevance)
    assert 0 <= relevance["zero_result_share"] <= 1
    concurrency = result["concurrency"]
    assert concurrency["errors"] == []
    assert concurrency["orders"] + concurrency["refused_out_of_stock"] == concurrency["attempts"]
    assert concurrency["oversold_units"] == 0 == concurrency["overcommitted_stock_rows"]


def test_B3_bench_leaves_no_orders_behind(tmp_path):
    from camshaft.orders.models import Order
    from camshaft.payments.models import Payment
    from camshaft.returns.models import ReturnRequest

    bench(tmp_path, operation=["place_order", "return_request"])
    assert not Order.objects.exists()
    assert not Payment.objects.exists()
    assert not ReturnRequest.objects.exists()


def test_B3_bench_reuses_a_catalogue_of_the_same_size(tmp_path):
    bench(tmp_path)

    again = bench(tmp_path)

    assert again["load_seconds"] == 0
    assert "Reused" in again["note"]


def test_M1_bench_measures_search_with_listings_in_the_index(tmp_path):
    from camshaft.search.selectors import indexed_counts

    result = bench(tmp_path, listings=20, operation=["search_text", "search_listings"])
    assert result["catalogue"]["listings"] == 20
    assert set(result["operations"]) == {"search_text", "search_listings"}
    assert result["operations"]["search_listings"]["n"] == 4
    assert indexed_counts()["listing"] == 20

    fewer = bench(tmp_path, listings=5, operation=["search_listings"])
    assert fewer["catalogue"]["listings"] == 5
    assert indexed_counts()["listing"] == 5


def test_bench_percentiles_use_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile([7.0], 99) == 7.0
    stats = summarize([3.0, 1.0, 2.0])
    assert (stats.p50, stats.p99, stats.n, stats.max) == (2.0, 3.0, 3, 3.0)
