"""A quote at checkout (P2, K3): it prices its part for that shopper and
that quantity, once; it expires; a guest's comes through the mailed link;
someone else's link is a 404 and changes nothing."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from camshaft.checkout import services as checkout
from camshaft.orders.services import quote_cart
from camshaft.pricematch import services
from camshaft.pricematch.models import PriceMatchQuote
from tests.factories import MemberFactory, PriceFloorFactory
from tests.pricematch.helpers import clerk, file_claim
from tests.shopping import ADDRESS, card, ready_cart, stocked_part

pytestmark = pytest.mark.django_db


def granted(part, *, user=None, quantity=1, price=Decimal("41.00"), **fields):
    PriceFloorFactory(category=part.category, min_percent=Decimal(50))
    claim = file_claim(part, user=user, quantity=quantity, **fields)
    return services.approve_claim(claim=claim, by=clerk(), unit_price=price)


def place(cart, user, key="k"):
    return checkout.place(cart=cart, user=user, currency="USD", idempotency_key=key).order


def test_P2_a_members_quote_applies_at_checkout_and_is_then_used():
    part, member = stocked_part(), MemberFactory()
    quote = granted(part, user=member, quantity=2)
    cart = ready_cart(user=member, parts=[part], quantity=2)
    order = place(cart, member)
    line = order.lines.get()
    assert line.unit_price == quote.unit_price and line.line_total == 2 * quote.unit_price
    quote.refresh_from_db()
    assert quote.used_at is not None and quote.order_number == order.number


def test_P2_a_quote_reused_does_not_apply_to_a_second_order():
    part, member = stocked_part(), MemberFactory()
    quote = granted(part, user=member)
    place(ready_cart(user=member, parts=[part]), member, key="first")
    second = place(ready_cart(user=member, parts=[part]), member, key="second")
    assert second.lines.get().unit_price == part.price
    assert PriceMatchQuote.objects.get(pk=quote.pk).order_number != second.number


def test_P2_an_expired_quote_does_not_apply():
    part, member = stocked_part(), MemberFactory()
    quote = granted(part, user=member)
    PriceMatchQuote.objects.filter(pk=quote.pk).update(expires_at=timezone.now())
    order = place(ready_cart(user=member, parts=[part]), member)
    assert order.lines.get().unit_price == part.price
    quote.refresh_from_db()
    assert quote.used_at is None


def test_P2_the_quote_is_for_that_quantity_only_and_the_cart_says_so(client):
    part, member = stocked_part(), MemberFactory()
    quote = granted(part, user=member, quantity=2)
    cart = ready_cart(user=member, parts=[part], quantity=3)
    priced = quote_cart(cart=cart, currency="USD")
    assert priced.quote.lines[0].unit_price == part.price
    client.force_login(member)
    page = client.get(reverse("cart")).content.decode()
    assert "is for exactly 2: set the quantity to 2" in page
    quote.refresh_from_db()
    assert quote.used_at is None


def test_P2_someone_elses_quote_never_prices_my_cart():
    part, owner, other = stocked_part(), MemberFactory(), MemberFactory()
    granted(part, user=owner)
    order = place(ready_cart(user=other, parts=[part]), other)
    assert order.lines.get().unit_price == part.price


def test_P2_a_guest_follows_the_mailed_link_and_checks_out_at_the_quoted_price(client):
    part = stocked_part()
    quote = granted(part, email="guest@example.com", quantity=2)
    response = client.get(urlsplit(services.quote_link(quote)).path)
    assert response.status_code == 302 and response["Location"] == reverse("cart")
    quote.refresh_from_db()
    cart = quote.cart
    assert cart is not None and cart.user is None and cart.lines.get().quantity == 2
    page = client.get(reverse("cart"))
    assert "Your price-match price" in page.content.decode()
    checkout.set_addresses(cart=cart, user=None, email="guest@example.com", billing=ADDRESS)
    checkout.set_shipping_method(cart=cart, code="standard", currency="USD")
    checkout.choose_payment(cart=cart, user=None, method="card", card=card())
    order = place(cart, None)
    assert order.lines.get().unit_price == quote.unit_price


def test_P2_a_members_quote_link_opened_by_another_member_is_404_and_changes_nothing(client):
    part, owner, other = stocked_part(), MemberFactory(), MemberFactory()
    quote = granted(part, user=owner)
    client.force_login(other)
    response = client.get(reverse("pricematch_quote", args=[_token(quote)]))
    assert response.status_code == 404
    quote.refresh_from_db()
    assert quote.cart is None


def test_P2_a_forged_quote_link_is_404(client):
    response = client.get(reverse("pricematch_quote", args=["forged:token"]))
    assert response.status_code == 404


def test_P2_a_used_or_expired_quote_link_says_so_and_changes_nothing(client):
    part = stocked_part()
    quote = granted(part, email="guest@example.com")
    PriceMatchQuote.objects.filter(pk=quote.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(reverse("pricematch_quote", args=[_token(quote)]), follow=True)
    assert "expired" in response.content.decode()
    quote.refresh_from_db()
    assert quote.cart is None


def test_P2_the_order_refuses_a_quote_another_order_took_meanwhile():
    part, member = stocked_part(), MemberFactory()
    quote = granted(part, user=member)
    PriceMatchQuote.objects.filter(pk=quote.pk).update(used_at=timezone.now())
    with pytest.raises(services.ClaimProblem):
        services.redeem_quotes(quote_ids=[quote.pk], order_number="X", now=timezone.now())


def _token(quote) -> str:
    return services.quote_link(quote).rstrip("/").rsplit("/", 1)[-1]
