"""The price-match API (P2, B2): guests file with an email, members with
their token and list their own claims; refusals say why and store nothing;
another person's claim is a 404; the door is rate limited."""

from decimal import Decimal

import pytest

from camshaft.accounts.services import issue_api_token
from camshaft.pricematch.models import PriceMatchClaim
from tests.factories import MemberFactory
from tests.pricematch.helpers import claim_fields, file_claim
from tests.shopping import stocked_part

pytestmark = pytest.mark.django_db

URL = "/api/v1/price-match/claims"


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {issue_api_token(user=user).key}"}


def body(part, **overrides) -> dict:
    fields = claim_fields(part)
    data = {
        "sku": part.sku,
        "email": fields["email"],
        "competitor": fields["competitor"],
        "url": fields["url"],
        "brand": fields["brand"],
        "mpn": fields["mpn"],
        "condition": "new",
        "in_stock": True,
        "quantity": 1,
        "price": str(fields["unit_price"]),
        "shipping": "0.00",
        "currency": "USD",
        "country": fields["country"],
        "region": fields["region"],
        "postal_code": fields["postal_code"],
    }
    return {**data, **overrides}


def post(client, data, headers=None):
    return client.post(URL, data, content_type="application/json", headers=headers or {})


def test_P2_a_guest_files_a_claim_through_the_api(client):
    part = stocked_part()
    response = post(client, body(part, email="guest@example.com"))
    assert response.status_code == 201, response.content
    claim = response.json()
    assert claim["status"] == "pending" and claim["sku"] == part.sku and claim["quote"] is None
    assert Decimal(claim["their_total"]) < Decimal(claim["our_total"])
    assert PriceMatchClaim.objects.get().email == "guest@example.com"


@pytest.mark.parametrize(
    "overrides, words",
    [
        ({"brand": "Another Maker"}, "same manufacturer"),
        ({"condition": "used"}, "new parts only"),
        ({"price": "0"}, "price of 0"),
        ({"price": "9999.00"}, "not below ours"),
    ],
)
def test_P2_a_claim_that_cannot_qualify_is_409_with_the_reason(client, overrides, words):
    response = post(client, body(stocked_part(), **overrides))
    assert response.status_code == 409
    assert words in response.json()["detail"]
    assert not PriceMatchClaim.objects.exists()


def test_P2_a_price_in_a_currency_without_a_rate_is_422_saying_so(client):
    response = post(client, body(stocked_part(), currency="JPY"))
    assert response.status_code == 422
    assert "no exchange rate" in response.json()["errors"][0]["message"]
    assert not PriceMatchClaim.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"price": 12.5},  # money is a string, never a float
        {"price": "-1"},
        {"quantity": 0},
        {"condition": "like new"},
        {"unexpected": "field"},
        {"url": "x" * 501},
    ],
)
def test_P2_malformed_claims_are_422_and_store_nothing(client, overrides):
    response = post(client, body(stocked_part(), **overrides))
    assert response.status_code == 422, response.content
    assert not PriceMatchClaim.objects.exists()


def test_P2_an_unknown_part_is_404(client):
    response = post(client, body(stocked_part(), sku="NO-SUCH-PART"))
    assert response.status_code == 404


def test_P2_members_list_their_own_claims_and_quotes_only(client):
    me, other = MemberFactory(), MemberFactory()
    mine = file_claim(user=me)
    theirs = file_claim(user=other)
    listed = client.get(URL, headers=bearer(me))
    assert listed.status_code == 200
    assert [c["number"] for c in listed.json()] == [mine.number]
    assert client.get(f"{URL}/{mine.number}", headers=bearer(me)).status_code == 200
    assert client.get(f"{URL}/{theirs.number}", headers=bearer(me)).status_code == 404


def test_P2_listing_claims_needs_a_member(client):
    assert client.get(URL).status_code == 401


def test_P2_a_members_claim_through_the_api_is_theirs(client):
    member = MemberFactory(email="member@example.com")
    response = post(client, body(stocked_part(), email=""), headers=bearer(member))
    assert response.status_code == 201
    assert PriceMatchClaim.objects.get().user == member


def test_P2_the_rules_are_there_to_show_before_filing(client):
    response = client.get("/api/v1/price-match/rules")
    assert response.status_code == 200 and response.json()["quote_days"] == 7


def test_P2_the_claim_door_is_rate_limited(client, settings):
    settings.CAMSHAFT_RATE_LIMITS = {"price_match": "2/m"}
    part = stocked_part()
    assert post(client, body(part, brand="Other")).status_code == 409
    assert post(client, body(part, brand="Other")).status_code == 409
    refused = post(client, body(part))
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert not PriceMatchClaim.objects.exists()
