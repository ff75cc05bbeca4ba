"""C5: suggestions as the shopper types (part names, brands, categories,
vehicles), for the storefront's search box and the mobile app."""

from decimal import Decimal

import pytest
from django.urls import reverse

from camshaft.search import services
from camshaft.search.suggestions import BadPrefix, suggest
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    MakeFactory,
    PartFactory,
    VehicleFactory,
    VehicleModelFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    electrical = CategoryFactory(name="Electrical")
    alternators = CategoryFactory(name="Alternators", parent=electrical)
    brakes = CategoryFactory(name="Brake Pads")
    bosch = BrandFactory(name="Bosch")
    BrandFactory(name="Brembo")
    honda = MakeFactory(name="Honda")
    VehicleFactory(year=2012, model=VehicleModelFactory(make=honda, name="Civic"))
    VehicleFactory(year=2012, model=VehicleModelFactory(make=honda, name="CR-V"))
    parts = [
        PartFactory(name="Remanufactured Alternator", category=alternators, brand=bosch),
        PartFactory(name="High Output Alternator", category=alternators, brand=bosch),
        PartFactory(name="Ceramic Brake Pad Set", category=brakes, brand=bosch),
        PartFactory(name="Brake Pad Wear Sensor", category=brakes, price=Decimal("9")),
    ]
    services.queue_reindex([p.id for p in parts])
    services.sync_index()


def texts(found):
    return [(s.text, s.kind) for s in found]


def test_C5_suggests_categories_brands_and_part_words_as_typed(store):
    found = texts(suggest(prefix="br"))
    assert ("Brake Pads", "category") in found
    assert ("Bosch", "brand") not in found  # "br" does not begin "bosch"
    assert ("Brembo", "brand") in found
    assert ("brake", "part") in found
    assert found[0] == ("Brake Pads", "category")


def test_C5_suggests_part_names_word_by_word(store):
    assert ("ceramic brake", "part") in texts(suggest(prefix="ceramic bra"))
    assert texts(suggest(prefix="alter"))[0] == ("Alternators", "category")


def test_C5_suggests_vehicles_and_keeps_a_typed_year(store):
    assert ("Honda Civic", "vehicle") in texts(suggest(prefix="honda ci"))
    assert sorted(texts(suggest(prefix="2012 hon"))) == [
        ("2012 Honda CR-V", "vehicle"),
        ("2012 Honda Civic", "vehicle"),
    ]


def test_C5_suggestions_are_limited_and_input_checked(store):
    assert len(suggest(prefix="b", limit=2)) == 2
    assert suggest(prefix="  --  ") == []
    with pytest.raises(BadPrefix):
        suggest(prefix="x" * 101)
    with pytest.raises(BadPrefix):
        suggest(prefix="brake", limit=0)


def test_C5_suggest_api_for_the_mobile_app(client, store):
    body = client.get("/api/v1/search/suggest", {"q": "alter", "limit": 3}).json()
    assert body["query"] == "alter"
    assert body["suggestions"][0] == {"text": "Alternators", "kind": "category"}
    assert len(body["suggestions"]) <= 3
    assert client.get("/api/v1/search/suggest", {"q": "x" * 101}).status_code in {400, 422}
    assert client.get("/api/v1/search/suggest", {"q": "a", "limit": 99}).status_code in {400, 422}
    assert client.get("/api/v1/search/suggest").status_code in {400, 422}


def test_C5_search_box_loads_suggestions_from_our_own_script_without_inline_code(client, store):
    html = client.get(reverse("search"), {"q": "brake"}).content.decode()
    assert 'data-suggest="/api/v1/search/suggest"' in html
    assert "camshaft/suggest.js" in html
    # Every script is a file of ours: nothing inline for a strict CSP to block.
    assert html.count("<script") == html.count("<script src=")
