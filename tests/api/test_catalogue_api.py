"""B2: the catalogue, Part Finder, VIN and search through the JSON API."""

from decimal import Decimal

import pytest

from camshaft.search import services as search_services
from tests.factories import (
    FitmentFactory,
    MakeFactory,
    PartFactory,
    StockLevelFactory,
    VehicleFactory,
    VehicleModelFactory,
    add_pictures,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    honda = MakeFactory(name="Honda")
    accord = VehicleModelFactory(make=honda, name="Accord")
    vehicle = VehicleFactory(year=2003, model=accord)
    pad = PartFactory(sku="PAD-1", mpn="D465", name="Ceramic Brake Pads", price=Decimal("39.95"))
    FitmentFactory(part=pad, vehicle=vehicle, position="front")
    StockLevelFactory(part=pad, quantity=2)
    search_services.rebuild_index()
    return {"honda": honda, "accord": accord, "vehicle": vehicle, "pad": pad}


def test_B2_openapi_document_is_served(client):
    doc = client.get("/api/v1/openapi.json").json()
    paths = set(doc["paths"])
    assert {
        "/api/v1/search",
        "/api/v1/finder/years",
        "/api/v1/vin/{vin}",
        "/api/v1/parts/{sku}",
        "/api/v1/vehicles/{vehicle_id}/parts",
    } <= paths


def test_C3_api_finder_walks_down_to_a_vehicle(client, data):
    v = data["vehicle"]
    assert client.get("/api/v1/finder/years").json() == [2003]
    makes = client.get("/api/v1/finder/makes", {"year": 2003}).json()
    assert makes == [{"id": data["honda"].id, "name": "Honda"}]
    q = {"year": 2003, "make": data["honda"].id}
    assert client.get("/api/v1/finder/models", q).json()[0]["name"] == "Accord"
    q["model"] = data["accord"].id
    q["submodel"] = client.get("/api/v1/finder/submodels", q).json()[0]["id"]
    q["engine"] = client.get("/api/v1/finder/engines", q).json()[0]["id"]
    assert client.get("/api/v1/finder/vehicle", q).json()["id"] == v.id
    parts = client.get(f"/api/v1/vehicles/{v.id}/parts").json()
    assert parts["groups"][0]["parts"][0]["sku"] == "PAD-1"
    assert parts["groups"][0]["parts"][0]["position"] == "front"


@pytest.mark.parametrize(
    "url, params, status",
    [
        ("/api/v1/finder/makes", {"year": "abc"}, 422),
        ("/api/v1/finder/makes", {"year": 1492}, 422),
        ("/api/v1/finder/makes", {"year": 1995}, 404),
        ("/api/v1/finder/models", {"year": 2003}, 422),
        ("/api/v1/vehicles/999999/parts", {}, 404),
        ("/api/v1/vehicles/1/parts", {"page": 10**9}, 422),
        ("/api/v1/vehicles/1/parts", {"category": -456696993586949652480}, 422),
        ("/api/v1/vehicles/1/parts", {"category": 2**63}, 422),
        ("/api/v1/search", {"q": "x" * 10_000}, 422),
        ("/api/v1/search", {"min_price": -1}, 422),
        ("/api/v1/search", {"sort": "random"}, 422),
        ("/api/v1/search", {"page": 10**9}, 422),
        ("/api/v1/parts/NOPE", {}, 404),
    ],
)
def test_B2_bad_input_gets_a_clear_4xx(client, data, url, params, status):
    reply = client.get(url, params)
    assert reply.status_code == status, reply.content
    assert "detail" in reply.json()


def test_C5_api_search_with_filters_and_facets(client, data):
    body = client.get(
        "/api/v1/search", {"q": "brake pads", "in_stock": "true", "vehicle": data["vehicle"].id}
    ).json()
    assert body["total"] == 1
    assert body["results"][0]["sku"] == "PAD-1" and body["results"][0]["fits"] is True
    assert body["brands"][0]["count"] == 1
    exact = client.get("/api/v1/search", {"q": "d465"}).json()
    assert exact["exact_matches"][0]["sku"] == "PAD-1"


def test_C7_api_part_detail(client, data):
    body = client.get("/api/v1/parts/pad-1").json()
    assert body["price"] == "39.95" and body["currency"] == "USD"
    assert body["availability"].startswith("In stock")
    assert body["vehicles_total"] == 1 and body["vehicles"][0]["vehicle"]["make"] == "Honda"
    assert body["pictures"] == []


def test_C7_api_part_detail_lists_pictures_primary_first_with_absolute_urls(client, data):
    add_pictures(data["pad"], count=2)
    pictures = client.get("/api/v1/parts/pad-1").json()["pictures"]
    assert [p["primary"] for p in pictures] == [True, False]
    main = pictures[0]
    assert main["alt"] == f"{data['pad'].brand.name} Ceramic Brake Pads"
    assert main["src"].startswith("http://testserver/media/thumbs/")
    assert main["webp_srcset"].endswith("640w") and ".webp 160w" in main["webp_srcset"]
    assert all(u.startswith("http://testserver/") for u in main["jpeg_srcset"].split(", "))


def test_C3_api_garage_round_trip(client, data):
    v = data["vehicle"]
    added = client.post("/api/v1/garage", {"vehicle": v.id}, content_type="application/json")
    assert added.json()["selected"] == v.id
    assert client.get("/api/v1/garage").json()["vehicles"][0]["id"] == v.id
    assert client.delete(f"/api/v1/garage/{v.id}").json()["vehicles"] == []
    assert (
        client.post(
            "/api/v1/garage", {"vehicle": 424242}, content_type="application/json"
        ).status_code
        == 404
    )


def test_C6_api_categories_and_brands(client, data):
    assert client.get("/api/v1/categories").json()
    brands = client.get("/api/v1/brands").json()
    assert any(b["parts"] == 1 for b in brands)
