"""M1's stock under contention, with real threads on PostgreSQL: many
buyers race for the last units of one listing; it is never oversold, and
the buyers refused have no hold left on their card."""

import threading

import pytest
from django.db import connection

from camshaft.marketplace.models import Listing, Sale
from camshaft.orders.models import Order
from camshaft.orders.services import CheckoutProblem
from camshaft.payments.models import Payment, PaymentStatus
from tests.concurrency import at_once
from tests.marketplace.buying import buyer, cart_with, listing, place

BUYERS = 8
UNITS = 3


@pytest.mark.django_db(transaction=True)
def test_M1_many_buyers_race_for_the_last_units_of_a_listing_and_it_never_oversells():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    item = listing(quantity=UNITS)
    carts = []
    for _ in range(BUYERS):
        member = buyer()
        carts.append((cart_with(member, (item, 1)), member))
    queue = list(carts)
    lock = threading.Lock()

    def buy():
        with lock:
            cart, member = queue.pop()
        return place(cart, member, key=f"race-{member.pk}").order.pk

    results, errors = at_once(buy, threads=BUYERS)

    assert len(results) == UNITS
    assert len(errors) == BUYERS - UNITS
    assert all(isinstance(error, CheckoutProblem) for error in errors), errors
    item.refresh_from_db()
    assert item.quantity == 0
    assert Sale.objects.filter(listing=item).count() == UNITS
    assert sum(Sale.objects.values_list("quantity", flat=True)) == UNITS
    assert Order.objects.count() == UNITS
    # Every authorization no order holds was released: no hold is left.
    orphans = Payment.objects.filter(order__isnull=True)
    assert orphans.count() == BUYERS - UNITS
    assert set(orphans.values_list("status", flat=True)) == {PaymentStatus.VOIDED}
    assert Listing.objects.filter(quantity__lt=0).count() == 0
