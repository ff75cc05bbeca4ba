"""V2, B2: no script of ours reads a cookie, so every cookie the store sets
is HttpOnly (a script injected into a page could not steal the cart, the
garage, the session or the consent)."""

import pytest

from tests.factories import FitmentFactory, StockLevelFactory

pytestmark = pytest.mark.django_db


def test_V2_every_cookie_the_storefront_sets_is_httponly(client):
    fitment = FitmentFactory(part__sku="HTTP-1")
    StockLevelFactory(part=fitment.part)
    client.get("/")  # the CSRF cookie
    client.post("/cart/add/", {"sku": "HTTP-1", "quantity": "1"})
    client.post("/garage/change/", {"vehicle": fitment.vehicle_id, "action": "add"})
    client.post("/currency/", {"currency": "EUR", "next": "/"})
    client.post("/privacy/cookies/", {"analytics": "on"})
    client.post("/api/v1/garage", {"vehicle": fitment.vehicle_id}, content_type="application/json")
    assert {"cart", "garage", "csrftoken"} <= set(client.cookies)
    # An emptied cookie (Django deleting its flash messages) carries nothing.
    loose = [
        name for name, morsel in client.cookies.items() if morsel.value and not morsel["httponly"]
    ]
    assert loose == []
