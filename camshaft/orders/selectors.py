"""Reading orders: a member sees their own, a guest the one whose number and
billing email they know, and nobody anyone else's (O2)."""

import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch, QuerySet, Sum

from camshaft.inventory.models import Allocation
from camshaft.orders.models import Order, OrderAddress, OrderEvent, OrderLine, OrderStatus
from camshaft.payments.models import PaymentMethod
from camshaft.shipping.models import Shipment


def _with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.select_related("payment", "billing_address", "shipping_address").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("events", queryset=OrderEvent.objects.select_related("by").order_by("at", "id")),
        Prefetch(
            "shipments",
            queryset=Shipment.objects.select_related("carrier", "warehouse").order_by("id"),
        ),
    )


def orders_of(*, user) -> QuerySet[Order]:
    """The member's orders, newest first, for a list (one query per page)."""
    return Order.objects.belonging_to(user).select_related("payment").order_by("-placed_at", "-id")


def order_for_member(*, user, number: str) -> Order:
    """`user`'s order with this number. Another member's number raises
    Order.DoesNotExist exactly as a number that does not exist."""
    return _with_details(Order.objects.belonging_to(user)).get(number=_clean(number))


def order_for_guest(*, number: str, email: str) -> Order:
    """The order with this number if `email` is its billing email (compared
    without case). Either one wrong raises Order.DoesNotExist, so the answer
    never tells which of the two was wrong."""
    order = _with_details(Order.objects.all()).filter(number=_clean(number)).first()
    given = (email or "").strip().lower().encode()
    if order is None or not hmac.compare_digest(order.email.lower().encode(), given):
        raise Order.DoesNotExist
    return order


def order_by_number(*, number: str) -> Order:
    """For code that already checked the caller may see the order."""
    return _with_details(Order.objects.all()).get(number=_clean(number))


def orders_by_customer_name(orders: QuerySet[Order], *, name: str) -> QuerySet[Order] | None:
    """Of `orders`, those billed or shipped to a name holding every word of
    `name`, in any case (O2); None if `name` has no word. Names are encrypted
    (V8), so whole words match through their keyed hashes, never parts."""
    words = OrderAddress._meta.get_field("name_words")
    billed = words.words_lookup(name, prefix="billing_address__")
    if billed is None:
        return None
    return orders.filter(billed | words.words_lookup(name, prefix="shipping_address__"))


def _clean(number: str) -> str:
    """Numbers are read out on the phone and typed in any case."""
    return (number or "").strip().upper()[:16]


def payment_summary(order: Order) -> str:
    """How the order is paid, as the shopper may see it: only the last four (Y3)."""
    payment = order.payment
    if payment.method == PaymentMethod.CARD:
        return f"{payment.get_card_brand_display()} ending {payment.card_last4}"
    return payment.get_method_display()


def mail_context(order: Order) -> dict:
    """What the order mails show: lines, totals, address, payment (last four only)."""
    order = order_by_number(number=order.number)
    return {
        "order": order,
        "lines": [
            {
                "quantity": line.quantity,
                "name": line.name,
                "sku": line.sku,
                "unit_price": order.money(line.unit_price),
                "line_total": order.money(line.line_total),
                "tax": order.money(line.tax_amount) if line.tax_amount else None,
                "core": order.money(line.core_total) if line.unit_core_charge else None,
            }
            for line in order.lines.all()
        ],
        "items_total": order.money(order.items_total),
        "core_total": order.money(order.core_total),
        "shipping_total": order.money(order.shipping_total),
        "tax_total": order.money(order.tax_total),
        "shipping_tax": order.money(order.shipping_tax),
        "discount_total": order.money(order.discount_total),
        "grand_total": order.total,
        "captured": order.money(order.payment.amount_captured),
        "refunded": order.money(order.payment.amount_refunded),
        "payment": payment_summary(order),
        "offline": order.payment.is_offline,
        "ship_to": order.shipping_address.lines(),
        "remit_to": settings.STORE_REMIT_ADDRESS,
        "wire_instructions": settings.STORE_WIRE_INSTRUCTIONS,
    }


@dataclass(frozen=True)
class WaitingParcel:
    warehouse: object
    items: list[dict]


def waiting_to_ship(*, order_id: int) -> list[WaitingParcel]:
    """What each warehouse still has to send for the order (S4)."""
    parcels: dict[int, WaitingParcel] = {}
    allocations = (
        Allocation.objects.filter(order_line__order_id=order_id, status=Allocation.Status.RESERVED)
        .select_related("warehouse", "order_line")
        .order_by("warehouse__code", "id")
    )
    for allocation in allocations:
        parcel = parcels.setdefault(
            allocation.warehouse_id, WaitingParcel(allocation.warehouse, [])
        )
        parcel.items.append(
            {
                "quantity": allocation.quantity,
                "sku": allocation.order_line.sku,
                "name": allocation.order_line.name,
                "made_to_order": allocation.made_to_order,
            }
        )
    return list(parcels.values())


def shipped_units(*, order_id: int) -> dict[int, int]:
    """{order line id: units of it that left in a shipment}, for the lines
    something of which shipped (O2: those units never change)."""
    return dict(
        Allocation.objects.filter(order_line__order_id=order_id, status=Allocation.Status.SHIPPED)
        .values_list("order_line")
        .annotate(units=Sum("quantity"))
        .values_list("order_line", "units")
    )


# --- "customers also bought" ------------------------------------------------------

ALSO_BOUGHT_MIN_ORDERS = 3  # fewer orders than this could point at one shopper
ALSO_BOUGHT_LIMIT = 6
ALSO_BOUGHT_CACHE_SECONDS = 60 * 60
ALSO_BOUGHT_SQL = """
SELECT other.part_id
FROM orders_orderline mine
JOIN orders_orderline other ON other.order_id = mine.order_id AND other.part_id <> mine.part_id
JOIN orders_order o ON o.id = mine.order_id
WHERE mine.part_id = %s AND other.part_id IS NOT NULL AND o.status <> %s
GROUP BY other.part_id
HAVING COUNT(DISTINCT mine.order_id) >= %s
ORDER BY COUNT(DISTINCT mine.order_id) DESC, other.part_id
LIMIT %s
"""


def also_bought(*, part_id: int) -> list[int]:
    """Parts most often in the same (not cancelled) orders as `part_id`:
    counts over all orders only, and only parts bought together in at least
    ALSO_BOUGHT_MIN_ORDERS orders, so nothing tells what one person bought.
    Cached for an hour per part: order history moves slowly."""
    key = f"orders:also-bought:{part_id}"
    found = cache.get(key)
    if found is None:
        with connection.cursor() as cursor:
            cursor.execute(
                ALSO_BOUGHT_SQL,
                [part_id, OrderStatus.CANCELLED, ALSO_BOUGHT_MIN_ORDERS, ALSO_BOUGHT_LIMIT],
            )
            found = [row[0] for row in cursor.fetchall()]
        cache.set(key, found, ALSO_BOUGHT_CACHE_SECONDS)
    return found
