"""The claim form on a part's page (P2, V11): the rules before submitting,
a refusal with the reason at once, the honeypot and the rate limit."""

import pytest
from django.urls import reverse

from camshaft.abuse.forms import HONEYPOT_FIELD, REFUSED
from camshaft.abuse.models import AbusiveClient
from camshaft.pricematch.models import PriceMatchClaim
from tests.factories import MemberFactory
from tests.pricematch.helpers import claim_fields
from tests.shopping import stocked_part

pytestmark = pytest.mark.django_db


def form_data(part, **overrides) -> dict:
    fields = claim_fields(part)
    data = {
        "email": fields["email"],
        "competitor": fields["competitor"],
        "url": fields["url"],
        "brand": fields["brand"],
        "mpn": fields["mpn"],
        "condition": "new",
        "in_stock": "on",
        "quantity": "1",
        "price": str(fields["unit_price"]),
        "shipping": "0.00",
        "currency": "USD",
        "country": fields["country"],
        "region": fields["region"],
        "postal_code": fields["postal_code"],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_P2_the_part_page_links_to_the_claim_form_which_explains_the_rules_first(client):
    part = stocked_part()
    page = client.get(reverse("part", args=[part.sku])).content.decode()
    assert reverse("pricematch_claim", args=[part.sku]) in page
    form = client.get(reverse("pricematch_claim", args=[part.sku])).content.decode()
    rules_at = form.index('id="price-match-rules"')
    assert rules_at < form.index('id="price-match-form"')
    assert "same manufacturer" in form and "in stock and ready to ship" in form
    assert f'name="{HONEYPOT_FIELD}"' in form


def test_P2_a_guest_files_a_claim_from_the_part_page(client):
    part = stocked_part()
    answer = client.post(reverse("pricematch_claim", args=[part.sku]), form_data(part))
    assert answer.status_code == 302
    claim = PriceMatchClaim.objects.get()
    assert claim.channel == "web" and claim.email == "pat@example.com"


def test_P2_a_member_files_without_typing_an_email(client):
    member = MemberFactory()
    client.force_login(member)
    part = stocked_part()
    answer = client.post(reverse("pricematch_claim", args=[part.sku]), form_data(part, email=None))
    assert answer.status_code == 302
    assert PriceMatchClaim.objects.get().user == member


def test_P2_claim_for_another_brand_is_refused_on_the_page_with_the_reason(client):
    part = stocked_part()
    answer = client.post(
        reverse("pricematch_claim", args=[part.sku]), form_data(part, brand="Another Maker")
    )
    assert answer.status_code == 409
    assert "We match only the same manufacturer" in answer.content.decode()
    assert not PriceMatchClaim.objects.exists()


def test_P2_a_guest_without_an_email_is_told_to_give_one(client):
    part = stocked_part()
    answer = client.post(reverse("pricematch_claim", args=[part.sku]), form_data(part, email=""))
    assert answer.status_code == 400
    assert not PriceMatchClaim.objects.exists()


def test_P2_a_filled_honeypot_refuses_the_claim_and_records_the_client(client):
    part = stocked_part()
    answer = client.post(
        reverse("pricematch_claim", args=[part.sku]),
        form_data(part, **{HONEYPOT_FIELD: "https://bot.example/"}),
    )
    assert answer.status_code == 400 and REFUSED in answer.content.decode()
    assert not PriceMatchClaim.objects.exists()
    assert AbusiveClient.objects.get().doors == {"honeypot:price_match": 1}


def test_P2_the_claim_form_is_rate_limited(client, settings):
    settings.CAMSHAFT_RATE_LIMITS = {"price_match": "1/m"}
    part = stocked_part()
    url = reverse("pricematch_claim", args=[part.sku])
    assert client.post(url, form_data(part, brand="Other")).status_code == 409
    refused = client.post(url, form_data(part))
    assert refused.status_code == 429
    assert not PriceMatchClaim.objects.exists()


def test_P2_a_part_we_do_not_sell_has_no_claim_form(client):
    assert client.get(reverse("pricematch_claim", args=["NO-SUCH"])).status_code == 404
