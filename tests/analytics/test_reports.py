"""V9: staff see aggregates only (top and zero-result searches, funnel,
slowest pages, views per day) as tables and SVG charts, behind a permission."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from camshaft.analytics import selectors
from camshaft.analytics.models import Event
from camshaft.analytics.selectors import DateRange
from camshaft.search import services as search_services
from tests.factories import AnalyticsEventFactory as E
from tests.shopping import place_from_review, stocked_part, web_checkout
from tests.staff import sign_in_staff

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)
NOON = datetime(2026, 3, 10, 12, tzinfo=UTC)
PERIOD = DateRange(start=DAY, end=DAY)
REPORT = "/staff/analytics/analyticsreport/"


def searches(query, visitors, results):
    for visitor in visitors:
        E(kind="search", visitor=visitor, query=query, results=results, at=NOON)


def test_V9_top_searches_count_searches_and_distinct_visitors():
    searches("brake pads", ["a", "a", "b"], results=12)
    searches("oil filter", ["c"], results=4)
    searches("brake pads", ["z"], results=12)
    E(kind="search", visitor="a", query="brake pads", results=1, at=NOON - timedelta(days=1))
    top = selectors.top_searches(PERIOD)
    assert [(r.query, r.searches, r.visitors) for r in top] == [
        ("brake pads", 4, 3),
        ("oil filter", 1, 1),
    ]


def test_V9_zero_result_searches_are_listed_apart():
    searches("flux capacitor", ["a", "b"], results=0)
    searches("brake pads", ["a"], results=3)
    assert [(r.query, r.searches) for r in selectors.zero_result_searches(PERIOD)] == [
        ("flux capacitor", 2)
    ]


def test_V9_funnel_counts_distinct_visitors_per_step_with_rates():
    for v in "abcdefghij":  # ten visitors
        E(visitor=v, route="home", at=NOON)
    for v in "abcde":
        E(kind="search", visitor=v, query="x", results=1, at=NOON)
    for v in "abcd":
        E(visitor=v, route="part", at=NOON)
        E(visitor=v, route="part", at=NOON)  # twice, still one visitor
    for v in "ab":
        E(kind="add_to_cart", visitor=v, at=NOON)
        E(kind="checkout_started", visitor=v, at=NOON)
    E(kind="order_placed", visitor="a", at=NOON)
    steps = selectors.funnel(PERIOD)
    assert [(s.label, s.visitors) for s in steps] == [
        ("Visitors", 10),
        ("Searched", 5),
        ("Viewed a part", 4),
        ("Added to cart", 2),
        ("Started checkout", 2),
        ("Ordered", 1),
    ]
    assert [s.of_previous for s in steps] == [None, 50.0, 80.0, 50.0, 100.0, 50.0]
    assert steps[-1].of_first == 10.0


def test_V9_funnel_of_an_empty_period_has_no_rates():
    assert [s.of_previous for s in selectors.funnel(PERIOD)] == [None] * 6


def test_V9_slowest_pages_give_p50_and_p95_per_route():
    for ms in range(1, 101):  # 1..100 ms
        E(visitor="a", route="part", duration_ms=ms, at=NOON)
    for ms in (5, 5, 7):
        E(visitor="b", route="home", duration_ms=ms, at=NOON)
    timings = selectors.slowest_pages(PERIOD)
    assert [(t.route, t.views, t.p50_ms, t.p95_ms) for t in timings] == [
        ("part", 100, 50, 95),
        ("home", 3, 5, 7),
    ]


def test_V9_views_per_day_fill_the_range_with_zeros():
    E(visitor="a", at=NOON)
    E(visitor="a", at=NOON)
    E(visitor="b", at=NOON + timedelta(days=2))
    E(kind="search", visitor="b", query="x", results=0, at=NOON)  # not a page view
    days = selectors.views_per_day(DateRange(start=DAY, end=DAY + timedelta(days=2)))
    assert [(d.views, d.visitors) for d in days] == [(2, 1), (0, 0), (1, 1)]


def test_V9_the_date_range_includes_both_ends_in_utc():
    E(visitor="a", at=datetime(2026, 3, 10, 0, 0, tzinfo=UTC))
    E(visitor="b", at=datetime(2026, 3, 10, 23, 59, 59, tzinfo=UTC))
    E(visitor="c", at=datetime(2026, 3, 11, 0, 0, tzinfo=UTC))
    assert selectors.funnel(PERIOD)[0].visitors == 2


def test_V9_percentile_uses_the_nearest_rank():
    assert selectors.percentile([(10, 1)], 0.95) == 10
    assert selectors.percentile([(1, 19), (500, 1)], 0.95) == 1
    assert selectors.percentile([(1, 18), (500, 2)], 0.95) == 500


@pytest.fixture
def marketer(client, django_user_model):
    user = django_user_model.objects.create_user(
        "marketing@example.com", "a long staff password", is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(codename="view_analytics_report"))
    return sign_in_staff(client, user)


def test_V9_the_report_shows_tables_and_svg_charts_of_aggregates(marketer):
    searches("brake pads", ["a", "b"], results=7)
    searches("flux capacitor", ["c"], results=0)
    E(visitor="a", route="part", duration_ms=40, at=NOON)
    response = marketer.get(REPORT, {"start": "2026-03-10", "end": "2026-03-10"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" width=') == 5
    zero = page.split('id="zero-result-searches"')[1].split("</section>")[0]
    assert "flux capacitor" in zero and "brake pads" not in zero
    assert "<td>part</td>" in page
    report = response.context["report"]
    assert [(r.query, r.searches) for r in report.top_searches] == [
        ("brake pads", 2),
        ("flux capacitor", 1),
    ]
    assert report.funnel[0].visitors == 3
    # Aggregates only: no visitor's pseudonymous id is on the page.
    assert 'visitor="' not in page and ">a<" not in page


def test_V9_the_report_needs_its_permission(client, django_user_model):
    clerk = django_user_model.objects.create_user(
        "clerk@example.com", "a long staff password", is_staff=True
    )
    sign_in_staff(client, clerk)
    assert client.get(REPORT).status_code == 403
    assert b"Analytics reports" not in client.get("/staff/").content


def test_V9_the_report_is_listed_in_the_back_office_for_marketing(marketer):
    assert REPORT.encode() in marketer.get("/staff/").content


def test_V9_event_rows_have_no_pages_of_their_own(marketer):
    event = E(visitor="a", at=NOON)
    assert marketer.get(f"{REPORT}{event.pk}/change/").status_code == 404


@pytest.mark.parametrize(
    "dates",
    [
        {"start": "2026-03-11", "end": "2026-03-10"},
        {"start": "not a date"},
        {"start": "2024-01-01", "end": "2026-03-10"},
    ],
)
def test_V9_a_bad_date_range_is_refused_with_a_message(marketer, dates):
    response = marketer.get(REPORT, dates)
    assert response.status_code == 400
    assert b"errorlist" in response.content


def test_V9_the_report_runs_a_bounded_number_of_queries(marketer, django_assert_max_num_queries):
    for i in range(30):
        searches(f"query {i}", [f"v{i}"], results=i % 3)
        E(visitor=f"v{i}", route=f"route_{i}", duration_ms=i, at=NOON)
    # Session, user, second factor and permissions, then one query per report.
    with django_assert_max_num_queries(14):
        response = marketer.get(REPORT, {"start": "2026-03-01", "end": "2026-03-31"})
    assert response.status_code == 200


def test_V9_a_shoppers_path_through_the_store_feeds_the_funnel(client):
    part = stocked_part(name="Ceramic Brake Pad")
    search_services.rebuild_index()
    client.post(reverse("cookie-settings"), {"analytics": "accept"})
    client.get(reverse("search"), {"q": "Brake  PAD"})
    client.get(reverse("search"), {"q": "brake pad", "page": "2"})  # same search, next page
    client.get(reverse("search"), {"q": "unobtainium"})
    client.get(reverse("part", args=[part.sku]))
    client.post(reverse("cart_add"), {"sku": part.sku, "quantity": "1"})
    assert client.get(reverse("checkout")).status_code == 302  # the cart's "Check out"
    review = web_checkout(client, part, quantity=None)
    assert place_from_review(client, review).status_code == 302

    kinds = list(Event.objects.exclude(kind="page_view").values_list("kind", "query", "results"))
    assert kinds == [
        ("search", "brake pad", 1),
        ("search", "unobtainium", 0),
        ("add_to_cart", "", None),
        ("checkout_started", "", None),
        ("order_placed", "", None),
    ]
    today = Event.objects.first().at.date()
    steps = selectors.funnel(DateRange(start=today, end=today))
    assert [s.visitors for s in steps] == [1, 1, 1, 1, 1, 1]
