"""C5, C6, C7 through the storefront: search page, browsing, the part page."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from camshaft.catalog import selectors as catalog_selectors
from camshaft.catalog.models import Returnability
from camshaft.core.paging import PageRequest
from camshaft.fitment import selectors as fitment_selectors
from camshaft.search import services as search_services
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    FitmentFactory,
    PartFactory,
    StockLevelFactory,
    VehicleFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    engine = CategoryFactory(name="Engine", slug="engine")
    alternators = CategoryFactory(name="Alternators", slug="alternators", parent=engine)
    bosch = BrandFactory(name="Bosch", slug="bosch")
    alternator = PartFactory(
        sku="ALT-1",
        mpn="AL6543X",
        name="Remanufactured Alternator",
        brand=bosch,
        category=alternators,
        price=Decimal("189.99"),
        core_charge=Decimal("45.00"),
        attributes={"amperage": "130 A"},
    )
    battery = PartFactory(
        sku="BAT-1",
        name="AGM Battery",
        brand=bosch,
        category=engine,
        is_hazardous=True,
        returnability=Returnability.UNOPENED_ONLY,
    )
    StockLevelFactory(part=alternator, quantity=4, warehouse__name="Columbus")
    vehicles = [VehicleFactory(year=2000 + n) for n in range(30)]
    for vehicle in vehicles:
        FitmentFactory(part=alternator, vehicle=vehicle)
    search_services.rebuild_index()
    return {
        "alternator": alternator,
        "battery": battery,
        "engine": engine,
        "alternators": alternators,
        "bosch": bosch,
        "vehicle": vehicles[0],
    }


def test_C5_search_page_shows_results_and_facets(client, store):
    page = client.get(reverse("search"), {"q": "alternator"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Remanufactured Alternator" in html and "$189.99" in html
    assert 'id="category-facets"' in html and 'Engine</a> <span class="count">(1)' in html


def test_C5_search_page_exact_sku_first(client, store):
    page = client.get(reverse("search"), {"q": "al-6543x"})
    html = page.content.decode()
    assert "Exact part number match" in html
    assert page.context["result"].exact_matches[0].sku == "ALT-1"


def test_C5_search_zero_results_page_is_useful(client, store):
    # "Search instead for alternatr": the words as typed, with a hint.
    page = client.get(reverse("search"), {"q": "alternatr", "spell": "0"})
    html = page.content.decode()
    assert 'id="no-results"' in html
    assert "Did you mean" in html and "alternator" in html
    assert reverse("finder") in html


def test_C5_search_typo_shows_the_corrected_results_at_once(client, store):
    page = client.get(reverse("search"), {"q": "alternatr"})
    html = page.content.decode()
    assert 'id="no-results"' not in html
    assert "Showing results for <strong><em>alternator</em></strong>" in html
    assert "Search instead for" in html and "spell=0" in html


@pytest.mark.parametrize(
    "query",
    [
        {"q": "x" * 10_000},
        {"q": "alt", "min_price": "-5"},
        {"q": "alt", "min_price": "abc"},
        {"q": "alt", "min_price": "NaN"},
        {"q": "alt", "page": str(10**9)},
        {"q": "alt", "page": "two"},
        {"q": "alt", "sort": "random"},
        {"q": "alt", "category": "-1"},
        {"q": "alt", "brand": "1e9999"},
    ],
)
def test_C5_bad_search_input_gets_a_clear_400(client, store, query):
    page = client.get(reverse("search"), query)
    assert page.status_code == 400
    assert b"Traceback" not in page.content


def test_C5_sql_and_html_in_the_query_are_harmless(client, store):
    page = client.get(reverse("search"), {"q": "<script>alert(1)</script>' OR 1=1 --"})
    assert page.status_code == 200
    assert b"<script>alert(1)</script>" not in page.content
    assert b"&lt;script&gt;" in page.content


def test_C5_fits_my_vehicle_uses_the_garage(client, store):
    client.post(reverse("garage_change"), {"action": "add", "vehicle": store["vehicle"].id})
    page = client.get(reverse("search"), {"q": "bosch", "fits": "1"})
    assert [p.sku for p in page.context["result"].items] == ["ALT-1"]


def test_C5_search_page_query_count_is_fixed(client, store, django_assert_max_num_queries):
    for n in range(30):
        PartFactory(name=f"Alternator bracket {n}", category=store["alternators"])
    search_services.rebuild_index()
    # The first search of a process reads the words, vehicles and synonyms
    # it keeps for the next ones; every later page costs the same.
    client.get(reverse("search"), {"q": "starter"})
    with django_assert_max_num_queries(10):
        assert client.get(reverse("search"), {"q": "alternator"}).status_code == 200


def test_C6_category_tree_and_category_page(client, store):
    tree = client.get(reverse("category_list"))
    assert b"Engine" in tree.content and b"Alternators" in tree.content
    page = client.get(reverse("category", args=["engine"]))
    assert page.status_code == 200
    assert {p.sku for p in page.context["result"].items} == {"ALT-1", "BAT-1"}
    sub = client.get(reverse("category", args=["engine/alternators"]))
    assert [p.sku for p in sub.context["result"].items] == ["ALT-1"]
    assert client.get(reverse("category", args=["nope"])).status_code == 404


def test_C6_brand_list_and_brand_page(client, store):
    assert b"Bosch" in client.get(reverse("brand_list")).content
    page = client.get(reverse("brand", args=["bosch"]))
    assert {p.sku for p in page.context["result"].items} == {"ALT-1", "BAT-1"}
    assert client.get(reverse("brand", args=["nobody"])).status_code == 404


def test_C7_part_page_shows_price_core_stock_fitment_returns(client, store):
    page = client.get(reverse("part", args=["alt-1"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "$189.99" in html
    assert "refundable core deposit of $45.00" in html
    assert "In stock, ships in 24 hours" in html
    assert "Columbus" in html
    assert "30 vehicles" in html and "Page 1 of 2" in html  # fitting vehicles, paginated
    assert "Returnable within 30 days" in html
    assert "130 A" in html


def test_C7_part_page_out_of_stock_and_non_returnable_battery(client, store):
    html = client.get(reverse("part", args=["BAT-1"])).content.decode()
    assert "Out of stock" in html
    assert "Not returnable once installed" in html
    assert "Hazardous material" in html


def test_C7_part_page_query_count_is_fixed(client, store, django_assert_max_num_queries):
    # The part, its stock, pictures, one page of fitment with its total, bought
    # together, whether the marketplace lists it; the policy notice; the
    # category tree (cached afterwards).
    with django_assert_max_num_queries(8):
        assert client.get(reverse("part", args=["ALT-1"])).status_code == 200


def test_C7_part_page_query_count_does_not_grow_with_its_fitment_table(
    store, django_assert_num_queries
):
    Client().get(reverse("part", args=["BAT-1"]))  # the category tree, cached from now on
    few = PartFactory(sku="FEW-1")
    FitmentFactory(part=few, vehicle=store["vehicle"])
    with CaptureQueriesContext(connection) as one_vehicle:
        Client().get(reverse("part", args=["FEW-1"]))
    with django_assert_num_queries(len(one_vehicle.captured_queries)):
        html = Client().get(reverse("part", args=["ALT-1"])).content.decode()
    assert html.count("<tr><td>20") == 25  # a full page of the 30 vehicles


def test_C7_fitment_page_past_the_last_still_counts_the_vehicles(store):
    page = fitment_selectors.vehicles_fitting_part(
        part_id=store["alternator"].id, page=PageRequest(3, 25)
    )
    assert page.items == [] and page.total == 30 and page.pages == 2


def test_C3_part_page_says_the_garage_vehicle_fits_on_any_page_of_the_table(store):
    fitting, other = store["vehicle"], VehicleFactory(year=1999)
    on_page_two = catalog_selectors.part_for_page(
        sku="ALT-1", vehicles_page=PageRequest(2, 25), vehicle_id=fitting.id
    )
    assert on_page_two.fits_selected is True
    assert fitting.id not in [f.vehicle_id for f in on_page_two.vehicles.items]
    first = catalog_selectors.part_for_page(
        sku="ALT-1", vehicles_page=PageRequest(1, 25), vehicle_id=fitting.id
    )
    assert first.fits_selected is True and first.vehicles.items[0].vehicle_id == fitting.id
    for number in (1, 2):
        elsewhere = catalog_selectors.part_for_page(
            sku="ALT-1", vehicles_page=PageRequest(number, 25), vehicle_id=other.id
        )
        assert elsewhere.fits_selected is False and elsewhere.vehicles.total == 30


def test_C7_part_page_bad_input(client, store):
    assert client.get(reverse("part", args=["NOPE"])).status_code == 404
    assert client.get(reverse("part", args=["ALT-1"]), {"vehicles_page": "x"}).status_code == 400
    assert (
        client.get(reverse("part", args=["ALT-1"]), {"vehicles_page": str(10**9)}).status_code
        == 400
    )


def test_C7_inactive_parts_are_hidden(client, store):
    part = store["battery"]
    part.is_active = False
    part.save()
    assert client.get(reverse("part", args=["BAT-1"])).status_code == 404


def test_home_page_and_health_check(client, store):
    assert client.get("/").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/no/such/page/").status_code == 404


def test_C3_listings_say_whether_each_part_fits_the_garage_vehicle(client, store):
    client.post(reverse("garage_change"), {"action": "add", "vehicle": store["vehicle"].id})
    page = client.get(reverse("brand", args=["bosch"]))
    fits = {p.sku: p.fits for p in page.context["result"].items}
    assert fits == {"ALT-1": True, "BAT-1": False}
    # The battery lists no vehicle at all: the shopper is asked to check.
    assert b"Check fitment" in page.content and b"Does not fit" not in page.content


def test_C7_part_attributes_read_as_words():
    from camshaft.catalog.templatetags.catalog_extras import attribute_label, attribute_value

    assert attribute_label("rotor_diameter_in") == "Rotor diameter (in)"
    assert attribute_label("material") == "Material"
    assert attribute_value(True) == "Yes" and attribute_value("False") == "No"
