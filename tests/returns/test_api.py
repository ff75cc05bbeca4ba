"""Returns through the JSON API (R1-R4, B2): members with their token,
guests with the billing email; another person's order is a 404."""

from decimal import Decimal

import pytest

from camshaft.accounts.services import issue_api_token
from camshaft.returns.models import CoreReturn, ReturnRequest
from tests.factories import MemberFactory
from tests.returns.helpers import delivered_order
from tests.shopping import stocked_part

pytestmark = pytest.mark.django_db

BASE = "/api/v1/orders/{}/returns"
AS_SOLD = {"unused": True, "original_packaging": True, "complete": True}


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {issue_api_token(user=user).key}"}


def post(client, url, body, *, key=None, headers=None):
    headers = dict(headers or {})
    if key:
        headers["Idempotency-Key"] = key
    return client.post(url, body, content_type="application/json", headers=headers)


def return_body(order, **overrides) -> dict:
    line = order.lines.get()
    body = {
        "email": order.email,
        "reason": "not_needed",
        "condition": AS_SOLD,
        "lines": [{"line_id": line.pk, "quantity": 1}],
    }
    return {**body, **overrides}


def test_R2_a_guest_files_and_follows_a_return_with_the_billing_email(client):
    order = delivered_order(email="guest@example.com")
    overview = post(client, BASE.format(order.number) + "/overview", {"email": order.email})
    assert overview.status_code == 200
    line = overview.json()["lines"][0]
    assert line["returnable"] == 2 and line["refusal"] == ""
    filed = post(client, BASE.format(order.number), return_body(order), key="k1")
    assert filed.status_code == 201, filed.content
    assert filed.json()["status"] == "requested" and filed.json()["ship_to"] == []
    again = post(client, BASE.format(order.number), return_body(order), key="k1")
    assert again.status_code == 200 and again.json()["number"] == filed.json()["number"]
    assert ReturnRequest.objects.count() == 1
    listed = post(client, BASE.format(order.number) + "/overview", {"email": order.email})
    assert [r["number"] for r in listed.json()["returns"]] == [filed.json()["number"]]


def test_R2_a_member_files_with_their_token(client):
    member = MemberFactory()
    order = delivered_order(user=member)
    body = return_body(order, email="")
    filed = post(client, BASE.format(order.number), body, key="k", headers=bearer(member))
    assert filed.status_code == 201


def test_R2_someone_elses_order_is_a_404_and_nothing_is_filed(client):
    order = delivered_order(email="owner@example.com")
    stranger = MemberFactory()
    for headers, email in (({}, "thief@example.com"), (bearer(stranger), "")):
        body = return_body(order, email=email)
        response = post(client, BASE.format(order.number), body, key="k", headers=headers)
        assert response.status_code == 404
    assert not ReturnRequest.objects.exists()


def test_R1_a_refused_line_is_a_409_saying_which_rule(client):
    order = delivered_order(parts=[stocked_part(is_special_order=True)])
    response = post(client, BASE.format(order.number), return_body(order), key="k")
    assert response.status_code == 409
    assert "special-order" in response.json()["detail"]


@pytest.mark.parametrize(
    "change",
    [
        {"reason": "bored"},
        {"lines": []},
        {"lines": [{"line_id": 1, "quantity": 0}]},
        {"lines": [{"line_id": 2**40, "quantity": 1}]},
        {"note": "x" * 1001},
    ],
)
def test_R2_bad_input_is_a_422_and_nothing_is_filed(client, change):
    order = delivered_order()
    response = post(client, BASE.format(order.number), return_body(order, **change), key="k")
    assert response.status_code == 422
    assert not ReturnRequest.objects.exists()


def test_R2_a_line_of_another_order_is_a_422(client):
    mine, theirs = delivered_order(key="a"), delivered_order(key="b")
    body = return_body(mine, lines=[{"line_id": theirs.lines.get().pk, "quantity": 1}])
    response = post(client, BASE.format(mine.number), body, key="k")
    assert response.status_code == 422 and "not part of this order" in str(response.json())


def test_R2_the_idempotency_key_is_required(client):
    order = delivered_order()
    assert post(client, BASE.format(order.number), return_body(order)).status_code == 422


def test_R4_a_core_return_through_the_api(client):
    part = stocked_part(core_charge=Decimal("25.00"))
    order = delivered_order(parts=[part], quantity=1)
    overview = post(client, BASE.format(order.number) + "/overview", {"email": order.email})
    core = overview.json()["cores"][0]
    assert core["deposits_left"] == 1 and Decimal(core["deposit_per_unit"]) == Decimal("25.00")
    body = {"email": order.email, "line_id": core["line_id"], "quantity": 1}
    url = f"/api/v1/orders/{order.number}/core-returns"
    filed = post(client, url, body, key="c")
    assert filed.status_code == 201 and filed.json()["status"] == "requested"
    too_many = post(client, url, body, key="d")
    assert too_many.status_code == 409
    assert CoreReturn.objects.count() == 1
