"""A delivered order, placed, shipped and delivered through the services."""

from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from camshaft.checkout import services as checkout
from camshaft.orders import services as orders
from tests.shopping import flat_rates, ready_cart, ship_everything, stocked_part


def clerk():
    user, _ = get_user_model().objects.get_or_create(
        email="clerk@example.com", defaults={"is_staff": True}
    )
    return user


def delivered_order(
    *,
    parts=None,
    quantity: int = 2,
    user=None,
    method: str = "card",
    delivered_at: datetime | None = None,
    key: str = "order-1",
    email: str = "",
):
    """An order of `quantity` of each part (one $49.99 part by default),
    paid by card, shipped from one warehouse and delivered `delivered_at`."""
    flat_rates()
    parts = parts or [stocked_part(price=Decimal("49.99"))]
    cart = ready_cart(user=user, parts=parts, quantity=quantity, method=method, email=email)
    order = checkout.place(cart=cart, user=user, currency="USD", idempotency_key=key).order
    if method != "card":
        orders.record_offline_payment(
            order=order,
            amount=order.grand_total,
            reference="CHK-1",
            by=clerk(),
            idempotency_key=f"offline:{key}",
        )
    ship_everything(order, by=clerk())
    orders.mark_delivered(order=order, by=clerk(), now=delivered_at or timezone.now())
    order.refresh_from_db()
    return order
