"""B3: degraded, not down. With this host's search index missing or damaged
the store still serves its pages, finds SKUs and part numbers from the
database, says so in search, reports "degraded" on /healthz with the
reason, and `camshaft reindex` repairs it."""

import shutil
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from camshaft.search import backend, services
from camshaft.search.selectors import SEARCH_DOWN_NOTICE
from tests.factories import BrandFactory, CategoryFactory, PartFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    brakes = CategoryFactory(name="Brakes", slug="brakes")
    pads = CategoryFactory(name="Pads", slug="pads", parent=brakes)
    akebono = BrandFactory(name="Akebono", slug="akebono")
    pad = PartFactory(
        sku="PAD-77", mpn="ACT787", name="Ceramic Brake Pad Set", category=pads, brand=akebono
    )
    rotor = PartFactory(
        sku="ROT-9", mpn="RT-5570", name="Brake Rotor", category=brakes, price=Decimal("80")
    )
    services.sync_index()
    return {"pad": pad, "rotor": rotor}


def lose_the_index():
    shutil.rmtree(backend.current_generation())
    backend.reset_cache()


def damage_the_index():
    (backend.current_generation() / "meta.json").write_text("{not json")
    backend.reset_cache()


BREAKAGES = {"missing": lose_the_index, "damaged": damage_the_index}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_B3_health_says_degraded_with_the_reason_and_reindex_repairs_it(client, store, breakage):
    assert client.get("/healthz").json() == {"status": "ok"}
    BREAKAGES[breakage]()

    answer = client.get("/healthz")
    assert answer.status_code == 200  # still serving: keep it behind the load balancer
    body = answer.json()
    assert body["status"] == "degraded"
    assert breakage in body["reasons"]["search"]
    assert "camshaft reindex" in body["reasons"]["search"]

    call_command("reindex", no_progress=True)
    assert client.get("/healthz").json() == {"status": "ok"}
    found = client.get(reverse("search"), {"q": "brake pad"})
    assert found.context["result"].notice is None
    assert [p.sku for p in found.context["result"].items] == ["PAD-77"]


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_B3_search_degrades_when_index_is_damaged_or_missing(client, store, breakage):
    BREAKAGES[breakage]()

    by_name = client.get(reverse("search"), {"q": "brake pad"})
    assert by_name.status_code == 200
    assert SEARCH_DOWN_NOTICE in by_name.content.decode()
    assert 'id="no-results"' not in by_name.content.decode()  # not "nothing matched"

    by_sku = client.get(reverse("search"), {"q": "pad-77"})
    assert [p.sku for p in by_sku.context["result"].exact_matches] == ["PAD-77"]
    by_mpn = client.get(reverse("search"), {"q": "rt 5570"})
    assert [p.sku for p in by_mpn.context["result"].exact_matches] == ["ROT-9"]

    api = client.get("/api/v1/search", {"q": "act787"}).json()
    assert api["notice"] == SEARCH_DOWN_NOTICE
    assert [p["sku"] for p in api["exact_matches"]] == ["PAD-77"]
    assert client.get("/api/v1/search/suggest", {"q": "bra"}).json()["suggestions"] == []


def test_B3_pages_are_served_from_the_database_without_the_index(client, store):
    damage_the_index()

    assert client.get("/").status_code == 200
    part = client.get(reverse("part", args=["PAD-77"]))
    assert part.status_code == 200 and "Ceramic Brake Pad Set" in part.content.decode()
    category = client.get(reverse("category", args=["brakes"]), {"sort": "price_asc"})
    assert category.status_code == 200
    listed = category.context["result"]
    assert [p.sku for p in listed.items] == ["PAD-77", "ROT-9"]  # 49.99, then 80 (the subtree)
    assert listed.total == 2 and listed.notice == SEARCH_DOWN_NOTICE
    brands = client.get(reverse("brand_list"))
    assert brands.status_code == 200 and "Akebono" in brands.content.decode()


def test_B3_empty_catalogue_without_an_index_is_healthy(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get(reverse("search"), {"q": "anything"}).context["result"].notice is None
