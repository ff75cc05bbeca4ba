"""The price-match desk (P2): customer service sees the queue, approves
into a quote or declines with a reason; below the floor only a supervisor;
the report by competitor with its chart; other roles are kept out."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from camshaft.accounts.roles import CUSTOMER_SERVICE, MARKETING
from camshaft.pricematch.models import ClaimStatus, PriceMatchQuote
from tests.factories import PartFactory, PriceFloorFactory, PriceMatchClaimFactory
from tests.pricematch.helpers import file_claim
from tests.shopping import stocked_part
from tests.staff import sign_in_with_role

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"admin:pricematch_claim_{name}", args=args)


def test_P2_customer_service_sees_the_queue_of_claims(client):
    claim = file_claim()
    sign_in_with_role(client, CUSTOMER_SERVICE)
    page = client.get(reverse("admin:pricematch_pricematchclaim_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert claim.number in html and "Waiting for a decision: 1" in html
    detail = client.get(reverse("admin:pricematch_pricematchclaim_change", args=[claim.pk]))
    assert url("decide", claim.pk) in detail.content.decode()


def test_P2_customer_service_approves_a_claim_into_a_quote(client):
    part = stocked_part()
    PriceFloorFactory(category=part.category, min_percent=Decimal(50))
    claim = file_claim(part)
    sign_in_with_role(client, CUSTOMER_SERVICE)
    page = client.get(url("decide", claim.pk))
    assert page.status_code == 200 and 'id="suggested"' in page.content.decode()
    answer = client.post(url("decide", claim.pk), {"decision": "approve", "unit_price": "41.00"})
    assert answer.status_code == 302
    quote = PriceMatchQuote.objects.get()
    assert quote.unit_price == Decimal("41.00") and quote.email == claim.email


def test_P2_declining_without_a_reason_is_refused_on_the_page(client):
    claim = file_claim()
    sign_in_with_role(client, CUSTOMER_SERVICE)
    answer = client.post(url("decide", claim.pk), {"decision": "decline", "reason": ""})
    assert answer.status_code == 400 and "Say why" in answer.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING


def test_P2_customer_service_cannot_go_below_the_floor(client):
    part = stocked_part(price=Decimal("100.00"))
    PriceFloorFactory(category=part.category, min_percent=Decimal(90))
    claim = file_claim(part)
    sign_in_with_role(client, CUSTOMER_SERVICE)
    answer = client.post(url("decide", claim.pk), {"decision": "approve", "unit_price": "80.00"})
    assert answer.status_code == 400 and "supervisor" in answer.content.decode()
    assert not PriceMatchQuote.objects.exists()


def test_P2_marketing_cannot_open_the_claims_nor_decide(client):
    claim = file_claim()
    sign_in_with_role(client, MARKETING)
    assert client.get(reverse("admin:pricematch_pricematchclaim_changelist")).status_code == 403
    assert client.get(url("decide", claim.pk)).status_code == 403


def test_P2_report_shows_claims_approval_rate_and_money_given_away_by_competitor(client):
    part = PartFactory(price=Decimal("50.00"))
    now = timezone.now()
    for status in (ClaimStatus.APPROVED, ClaimStatus.APPROVED, ClaimStatus.DECLINED):
        claim = PriceMatchClaimFactory(part=part, competitor="Rival Parts", status=status)
        if status == ClaimStatus.APPROVED:
            PriceMatchQuote.objects.create(
                claim=claim,
                part=part,
                quantity=2,
                unit_price=Decimal("45.00"),
                regular_unit_price=Decimal("50.00"),
                created_at=now,
                expires_at=now,
                used_at=now,
                order_number="X",
            )
    PriceMatchClaimFactory(part=part, competitor="Other Store")
    sign_in_with_role(client, CUSTOMER_SERVICE)
    page = client.get(url("report"))
    assert page.status_code == 200
    rows = page.context["rows"]
    rival = next(r for r in rows if r["competitor"] == "rival parts")
    # Two of three decided claims approved; each used quote gave 2 × 5.00 away.
    assert (rival["claims"], rival["approved"], rival["declined"]) == (3, 2, 1)
    assert rival["approval_rate"] == pytest.approx(2 / 3)
    assert rival["given_away"] == Decimal("20.00")
    html = page.content.decode()
    assert 'id="claims-chart-title"' in html and "<svg" in html
    assert "$20.00" in html
