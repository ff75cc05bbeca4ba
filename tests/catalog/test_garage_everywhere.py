"""C3 everywhere: once a vehicle is in My Garage, every listing and the part
page say whether each part fits it, in one query per page."""

import re

import pytest
from django.urls import reverse

from camshaft.catalog import selectors
from camshaft.search import services as search_services
from tests.factories import (
    CategoryFactory,
    FitmentFactory,
    MakeFactory,
    PartFactory,
    VehicleFactory,
    VehicleModelFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def garage_store():
    dodge = MakeFactory(name="Dodge", slug="dodge")
    durango = VehicleFactory(
        year=2019, model=VehicleModelFactory(make=dodge, name="Durango", slug="durango")
    )
    other = VehicleFactory(year=2005)
    wipers = CategoryFactory(name="Wipers", slug="wipers")
    fits = PartFactory(sku="W-FIT", name="Wiper Blade Durango", category=wipers)
    no_fit = PartFactory(sku="W-NO", name="Wiper Blade Other", category=wipers)
    check = PartFactory(sku="W-ANY", name="Wiper Blade Universal", category=wipers)
    FitmentFactory(part=fits, vehicle=durango)
    FitmentFactory(part=fits, vehicle=other)
    FitmentFactory(part=no_fit, vehicle=other)
    search_services.rebuild_index()
    return {"durango": durango, "other": other, "parts": [fits, no_fit, check]}


def add_to_garage(client, vehicle):
    client.post(reverse("garage_change"), {"action": "add", "vehicle": vehicle.id})


def badges(html: str) -> dict[str, str]:
    """Each result's name and the text of its fit badge."""
    rows = re.findall(r'<li class="result.*?</li>', html, flags=re.S)
    found = {}
    for row in rows:
        name = re.search(r"<h3><a [^>]*>([^<]+)</a>", row).group(1)
        badge = re.search(r'class="badge fit-[a-z-]+"[^>]*>([^<]+)<', row)
        found[name] = badge.group(1) if badge else ""
    return found


def test_C3_fit_badge_on_search_results(client, garage_store):
    add_to_garage(client, garage_store["durango"])
    html = client.get(reverse("search"), {"q": "wiper blade"}).content.decode()
    assert badges(html) == {
        "Wiper Blade Durango": "Fits your 2019 Dodge Durango",
        "Wiper Blade Other": "Does not fit your 2019 Dodge Durango",
        "Wiper Blade Universal": "Check fitment",
    }


def test_C3_fit_badge_on_category_pages(client, garage_store):
    add_to_garage(client, garage_store["durango"])
    html = client.get(reverse("category", args=["wipers"])).content.decode()
    assert badges(html)["Wiper Blade Durango"] == "Fits your 2019 Dodge Durango"
    assert badges(html)["Wiper Blade Universal"] == "Check fitment"


def test_C3_no_fit_badge_without_a_garage_vehicle(client, garage_store):
    html = client.get(reverse("search"), {"q": "wiper blade"}).content.decode()
    assert set(badges(html).values()) == {""}


def test_C3_fit_badges_for_a_whole_page_cost_one_query(django_assert_num_queries, garage_store):
    ids = [p.id for p in garage_store["parts"]]
    selectors.part_summaries(ids)  # brand and category names, once per process
    with django_assert_num_queries(1):
        rows = selectors.part_summaries(ids, vehicle_id=garage_store["durango"].id)
    assert [r.fit_badge for r in rows] == [selectors.FITS, selectors.NO_FIT, selectors.CHECK_FIT]


@pytest.mark.parametrize(
    ("sku", "badge"),
    [
        ("W-FIT", "Fits your 2019 Dodge Durango"),
        ("W-NO", "Does not fit your 2019 Dodge Durango"),
        ("W-ANY", "Check fitment"),
    ],
)
def test_C3_fit_badge_on_the_part_page(client, garage_store, sku, badge):
    add_to_garage(client, garage_store["durango"])
    html = client.get(reverse("part", args=[sku])).content.decode()
    assert (
        re.search(r'id="fit-badge"><span class="badge fit-[a-z-]+"[^>]*>([^<]+)<', html)[1] == badge
    )


def test_C3_part_page_fitment_table_starts_with_the_garage_vehicle(client, garage_store):
    add_to_garage(client, garage_store["durango"])
    page = client.get(reverse("part", args=["W-FIT"]))
    first = page.context["page"].vehicles.items[0]
    assert first.vehicle_id == garage_store["durango"].id
    assert '<tr class="yours"><td>2019</td><td>Dodge</td>' in page.content.decode()


def test_C3_header_switches_the_garage_vehicle_in_one_click(client, garage_store):
    add_to_garage(client, garage_store["other"])
    add_to_garage(client, garage_store["durango"])
    html = client.get(reverse("search"), {"q": "wiper"}).content.decode()
    bar = re.search(r'<div class="garagebar" id="garage-bar">.*?</div>', html, flags=re.S)[0]
    assert "Shopping for: <strong>" in bar and "2019 Dodge Durango" in bar
    assert f'href="{reverse("vehicle_parts", args=[garage_store["durango"].id])}"' in bar
    assert f'name="vehicle" value="{garage_store["other"].id}"' in bar
    reply = client.post(
        reverse("garage_change"),
        {"action": "select", "vehicle": garage_store["other"].id, "next": "/search/?q=wiper"},
    )
    assert reply.status_code == 302 and reply["Location"] == "/search/?q=wiper"
    assert client.get(reply["Location"]).context["garage"].selected_id == garage_store["other"].id


def test_C3_switching_to_a_vehicle_not_in_the_garage_is_refused(client, garage_store):
    add_to_garage(client, garage_store["durango"])
    reply = client.post(
        reverse("garage_change"), {"action": "select", "vehicle": garage_store["other"].id}
    )
    assert reply.status_code == 404
    assert client.get(reverse("garage")).context["garage"].selected_id == garage_store["durango"].id
