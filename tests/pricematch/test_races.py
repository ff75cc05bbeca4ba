"""A quote is used exactly once even when checkouts race (P2), on
PostgreSQL with real threads: one order at the quoted price, the others
refused with nothing charged, the quote used by that one order."""

from decimal import Decimal

import pytest
from django.db import connection, transaction

from camshaft.checkout import services as checkout
from camshaft.orders.models import Order
from camshaft.orders.services import CheckoutProblem
from camshaft.payments.models import Payment, PaymentStatus
from camshaft.pricematch import services
from camshaft.pricematch.models import PriceMatchQuote
from tests.concurrency import at_once
from tests.factories import MemberFactory, PriceFloorFactory
from tests.pricematch.helpers import clerk, file_claim
from tests.shopping import ready_cart, stocked_part

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")


def member_with_quote():
    part, member = stocked_part(), MemberFactory()
    PriceFloorFactory(category=part.category, min_percent=Decimal(50))
    claim = file_claim(part, user=member)
    quote = services.approve_claim(claim=claim, by=clerk(), unit_price=Decimal("41.00"))
    return part, member, quote


def test_P2_two_checkouts_racing_for_one_quote_place_one_order_at_the_quoted_price():
    part, member, quote = member_with_quote()
    cart = ready_cart(user=member, parts=[part])
    keys = iter(["tab-1", "tab-2", "tab-3", "tab-4"])

    def place():
        return checkout.place(
            cart=cart, user=member, currency="USD", idempotency_key=next(keys)
        ).order.number

    results, errors = at_once(place, threads=4)
    assert len(results) == 1, errors
    assert len(errors) == 3 and all(isinstance(e, CheckoutProblem) for e in errors)
    order = Order.objects.get()
    assert order.lines.get().unit_price == quote.unit_price
    quote.refresh_from_db()
    assert quote.order_number == order.number and quote.used_at is not None
    # Nothing is left authorized for the refused checkouts.
    held = Payment.objects.filter(status=PaymentStatus.AUTHORIZED).exclude(pk=order.payment_id)
    assert not held.exists()


def test_P2_eight_orders_redeeming_one_quote_at_once_use_it_once():
    part, member, quote = member_with_quote()
    cart = ready_cart(user=member, parts=[part])
    numbers = iter(f"ORDER-{n}" for n in range(8))

    def redeem():
        with transaction.atomic():
            locked = services.lock_quotes(cart=cart)
            services.redeem_quotes(
                quote_ids=locked, order_number=next(numbers), now=quote.created_at
            )
            return locked

    results, errors = at_once(redeem)
    winners = [ids for ids in results if ids]
    assert len(winners) == 1 and winners[0] == [quote.pk]
    assert errors == []  # the others found no usable quote once the winner committed
    assert PriceMatchQuote.objects.filter(used_at__isnull=False).count() == 1
