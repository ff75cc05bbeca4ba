"""B2: API operations that change something on the strength of a cookie
(a signed-in browser session, a guest's cart cookie) are refused without
the CSRF token, so another site cannot make a visitor's browser send them.
Bearer tokens and the X-Cart-Token header need none: no other site's form
or script can send them."""

import pytest
from django.test import Client

from camshaft.accounts.services import issue_api_token
from tests.factories import MemberFactory
from tests.shopping import stocked_part

pytestmark = pytest.mark.django_db

JSON = "application/json"


def browser() -> Client:
    return Client(enforce_csrf_checks=True)


def test_B2_a_signed_in_session_needs_the_csrf_token_to_change_anything():
    part = stocked_part()
    client = browser()
    client.force_login(MemberFactory())
    body = {"sku": part.sku, "quantity": 1}
    refused = client.post("/api/v1/cart/lines", body, content_type=JSON)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert client.get("/api/v1/cart").json()["lines"] == []  # reading needs no token
    client.get("/account/")  # a page of the store sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    allowed = client.post(
        "/api/v1/cart/lines", body, content_type=JSON, headers={"X-CSRFToken": token}
    )
    assert allowed.status_code == 200


def test_B2_a_guest_cart_cookie_alone_cannot_change_the_cart():
    part = stocked_part()
    client = browser()
    client.get("/")  # csrftoken cookie
    body = {"sku": part.sku, "quantity": 1}
    token = client.cookies["csrftoken"].value
    first = client.post(
        "/api/v1/cart/lines", body, content_type=JSON, headers={"X-CSRFToken": token}
    )
    assert first.status_code == 200 and "cart" in client.cookies
    forged = client.post("/api/v1/cart/lines", body, content_type=JSON)
    assert forged.status_code == 403
    cart_token = first.json()["token"]
    by_header = client.post(
        "/api/v1/cart/lines", body, content_type=JSON, headers={"X-Cart-Token": cart_token}
    )
    assert by_header.status_code == 200


def test_B2_a_bearer_token_needs_no_csrf_token():
    member = MemberFactory()
    client = browser()
    headers = {"Authorization": f"Bearer {issue_api_token(user=member).key}"}
    part = stocked_part()
    body = {"sku": part.sku, "quantity": 1}
    response = client.post("/api/v1/cart/lines", body, content_type=JSON, headers=headers)
    assert response.status_code == 200
