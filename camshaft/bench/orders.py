"""Orders the bench places: carts ready to check out, a run of buyers in
parallel threads, and the clean-up that leaves the store as it was.

Bench orders go to an address that can never receive mail (RFC 2606
reserves .invalid); afterwards their stock is released and every row they
wrote is deleted, so a later `camshaft demo --replace` is not blocked."""

import random
import threading
import time

from django.conf import settings
from django.db import connection
from django.db.models import F

from camshaft.cart import services as cart_services
from camshaft.checkout import services as checkout
from camshaft.checkout.selectors import checkout_summary
from camshaft.inventory.models import StockLevel
from camshaft.inventory.selectors import free_stock

BENCH_EMAIL = "bench@camshaft.invalid"
BENCH_CARD = "4242424242424242"
BENCH_ADDRESS = {
    "full_name": "Bench Shopper",
    "line1": "1 Benchmark Way",
    "city": "Columbus",
    "region": "OH",
    "postal_code": "43004",
    "country": "US",
}


def ready_bench_cart(skus: list[str], *, quantity: int = 1, cart=None):
    """A guest cart of `skus` with address, cheapest shipping and a test card set."""
    cart = cart or cart_services.cart_for(user=None)
    for sku in dict.fromkeys(skus):
        cart_services.add_to_cart(cart=cart, sku=sku, quantity=quantity)
    checkout.set_addresses(cart=cart, user=None, email=BENCH_EMAIL, billing=BENCH_ADDRESS)
    currency = settings.STORE_CURRENCY
    options = checkout_summary(cart=cart, currency=currency).priced.options
    if options:
        checkout.set_shipping_method(cart=cart, code=options[0].code, currency=currency)
    checkout.choose_payment(
        cart=cart,
        user=None,
        method="card",
        card=checkout.CardDetails(
            number=BENCH_CARD, exp_month=12, exp_year=2099, cvc="123", holder="Bench"
        ),
    )
    return cart


def concurrent_orders(
    *, part_ids: list[int], threads: int = 8, attempts_per_thread: int = 25, seed: int = 1
) -> dict:
    """`threads` buyers at once, each trying `attempts_per_thread` one-unit
    orders of the scarce `part_ids`. Reports orders per second and how many
    units were sold beyond the free stock (oversold: must be 0)."""
    from camshaft.catalog.models import Part
    from camshaft.orders.services import CheckoutProblem
    from camshaft.payments.models import Payment

    skus = dict(Part.objects.filter(id__in=part_ids).values_list("id", "sku"))
    payments_before = Payment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    before = {pid: sum(free_stock([pid]).get(pid, {}).values()) for pid in part_ids}
    carts: list[int] = []
    placed, refused, errors = [], [], []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def buyer(n: int):
        rng = random.Random(f"camshaft-bench:{seed}:buyer:{n}")
        try:
            barrier.wait()
            for attempt in range(attempts_per_thread):
                part_id = rng.choice(part_ids)
                cart = cart_services.cart_for(user=None)
                with lock:
                    carts.append(cart.id)
                try:  # the stock may run out while the cart is made ready, too
                    ready_bench_cart([skus[part_id]], cart=cart)
                    checkout.place(
                        cart=cart,
                        user=None,
                        currency=settings.STORE_CURRENCY,
                        idempotency_key=f"bench:{n}:{attempt}",
                        channel="bench",
                    )
                except CheckoutProblem:
                    with lock:
                        refused.append(part_id)
                else:
                    with lock:
                        placed.append(part_id)
        except Exception as error:  # reported, and the run counts as failed
            errors.append(repr(error))
        finally:
            connection.close()

    start = time.perf_counter()
    workers = [threading.Thread(target=buyer, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - start
    sold = {pid: placed.count(pid) for pid in part_ids}
    oversold = sum(max(0, sold[pid] - before[pid]) for pid in part_ids)
    # The database's own view: no stock row may promise more than it holds.
    overcommitted = StockLevel.objects.filter(
        part_id__in=part_ids, reserved__gt=F("quantity")
    ).count()
    report = {
        "threads": threads,
        "attempts": threads * attempts_per_thread,
        "orders": len(placed),
        "refused_out_of_stock": len(refused),
        "seconds": round(seconds, 2),
        "orders_per_second": round(len(placed) / seconds, 1) if seconds else 0.0,
        "oversold_units": oversold,
        "overcommitted_stock_rows": overcommitted,
        "errors": errors[:5],
    }
    delete_bench_orders(carts, voided_after=payments_before)
    return report


def delete_bench_orders(
    cart_ids: list[int], *, voided_after: int | None = None, emails: tuple[str, ...] = ()
) -> None:
    """Release the bench orders' stock (those placed under `emails`, the
    bench's own by default) and remove every row they wrote; with
    `voided_after`, also the payments of buyers who lost the race (voided,
    no order) made after that payment id."""
    emails = emails or (BENCH_EMAIL,)
    from camshaft.cart.models import Cart
    from camshaft.inventory.services import release_stock
    from camshaft.notifications.models import OutboxMessage
    from camshaft.orders.models import Order, OrderAddress
    from camshaft.payments.models import (
        Authorization,
        Payment,
        PaymentTransaction,
        TestGatewayOperation,
    )
    from camshaft.returns.models import CoreReturn, ReturnRequest

    orders = Order.objects.filter(email__in=emails)
    for order in orders:
        release_stock(order=order)
    payments = list(orders.values_list("payment_id", flat=True))
    addresses = [
        pk
        for pair in orders.values_list("billing_address_id", "shipping_address_id")
        for pk in pair
    ]
    references = list(
        Payment.objects.filter(pk__in=payments).values_list("authorization_reference", flat=True)
    )
    if voided_after is not None:
        lost = Payment.objects.filter(
            pk__gt=voided_after, order__isnull=True, status__in=["voided", "declined"]
        )
        payments += list(lost.values_list("pk", flat=True))
        references += list(lost.values_list("authorization_reference", flat=True))
    CoreReturn.objects.filter(order_line__order__in=orders).delete()
    ReturnRequest.objects.filter(order__in=orders).delete()
    orders.delete()
    OrderAddress.objects.filter(pk__in=addresses).delete()
    references += list(
        Authorization.objects.filter(payment_id__in=payments).values_list("reference", flat=True)
    )
    PaymentTransaction.objects.filter(payment_id__in=payments).delete()
    Authorization.objects.filter(payment_id__in=payments).delete()
    Payment.objects.filter(pk__in=payments).delete()
    TestGatewayOperation.objects.filter(reference__in=references).delete()
    OutboxMessage.objects.filter(to_address__in=emails).delete()
    Cart.objects.filter(pk__in=cart_ids).delete()
