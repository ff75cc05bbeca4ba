"""B1 for orders: staff find an order by name and date (O2), read its
history (O1), ship it (captures, Y2), cancel it (O3), record offline money (Y1)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from camshaft.checkout import services as checkout
from camshaft.orders.models import Order, OrderStatus
from camshaft.orders.selectors import waiting_to_ship
from camshaft.payments.models import PaymentStatus
from tests.shopping import ready_cart
from tests.staff import sign_in_staff

pytestmark = pytest.mark.django_db


def placed(method="card", key="k", email="pat@example.com") -> Order:
    cart = ready_cart(method=method, email=email)
    return checkout.place(cart=cart, user=None, currency="USD", idempotency_key=key).order


def act(client, action, *orders):
    return client.post(
        reverse("admin:orders_order_changelist"),
        {"action": action, "_selected_action": [o.pk for o in orders]},
        follow=True,
    )


def test_O2_staff_find_an_order_by_customer_name_and_date(admin_client):
    order = placed()
    by_name = admin_client.get(reverse("admin:orders_order_changelist"), {"q": "Pat Shopper"})
    assert order.number in by_name.content.decode()
    day = order.placed_at
    by_date = admin_client.get(
        reverse("admin:orders_order_changelist"),
        {"placed_at__year": day.year, "placed_at__month": day.month, "placed_at__day": day.day},
    )
    assert order.number in by_date.content.decode()
    nobody = admin_client.get(reverse("admin:orders_order_changelist"), {"q": "Nobody Here"})
    assert order.number not in nobody.content.decode()


def ship_in_back_office(client, order, tracking="1Z999AA10123456784"):
    from camshaft.shipping.models import Carrier

    parcel = waiting_to_ship(order_id=order.pk)[0]
    url = reverse("admin:orders_order_ship", args=[order.pk])
    return client.post(
        url,
        {
            "warehouse": parcel.warehouse.pk,
            "carrier": Carrier.objects.get(code="ups").pk,
            "tracking_number": tracking,
        },
    )


def test_S4_staff_see_the_history_and_ship_with_a_tracking_number(admin_client, admin_user):
    order = placed()
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Visa ending 4242" in content and "Waiting to ship" in content
    act(admin_client, "start_processing", order)
    form = admin_client.get(reverse("admin:orders_order_ship", args=[order.pk]))
    assert form.status_code == 200
    bad = ship_in_back_office(admin_client, order, tracking="")
    assert bad.status_code == 400
    response = ship_in_back_office(admin_client, order)
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert order.payment.status == PaymentStatus.CAPTURED
    assert order.events.get(action="shipped").by == admin_user
    shipment = order.shipments.get()
    assert (shipment.carrier.code, shipment.tracking_number) == ("ups", "1Z999AA10123456784")
    history = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert "1Z999AA10123456784" in history.content.decode()
    assert "Waiting to ship" not in history.content.decode()


def test_O3_staff_cancel_any_unshipped_order_even_from_the_weekend(admin_client):
    order = placed()
    Order.objects.filter(pk=order.pk).update(placed_at="2026-11-21T15:00:00Z")  # a Saturday
    act(admin_client, "cancel", order)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.payment.status == PaymentStatus.VOIDED
    shipped = placed(key="k2")
    ship_in_back_office(admin_client, shipped)
    response = act(admin_client, "cancel", shipped)
    assert "already shipped" in response.content.decode()
    shipped.refresh_from_db()
    assert shipped.status == OrderStatus.SHIPPED


def test_Y1_staff_record_a_check_and_the_order_is_placed(admin_client):
    order = placed(method="check")
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert "Record a payment" in page.content.decode()
    url = reverse("admin:orders_order_record_payment", args=[order.pk])
    too_much = admin_client.post(url, {"amount": "100000.00", "reference": "check 55"})
    assert too_much.status_code == 200 and "still owed" in too_much.content.decode()
    response = admin_client.post(url, {"amount": str(order.grand_total), "reference": "check 55"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    assert order.payment.amount_received == order.grand_total
    # Submitting the same check again records nothing more.
    admin_client.post(url, {"amount": str(order.grand_total), "reference": "check 55"})
    order.payment.refresh_from_db()
    assert order.payment.amount_received == order.grand_total


def test_B1_a_clerk_without_the_permission_cannot_ship_or_record_money(client, django_user_model):
    clerk = django_user_model.objects.create_user(
        email="cs@example.com", password="a long clerk password", is_staff=True
    )
    clerk.user_permissions.add(Permission.objects.get(codename="view_order"))
    sign_in_staff(client, clerk)
    order = placed(method="check")
    listing = client.get(reverse("admin:orders_order_changelist"))
    assert listing.status_code == 200
    action_form = listing.context["action_form"]  # None when no action is allowed
    actions = dict(action_form.fields["action"].choices) if action_form else {}
    assert "ship" not in actions and "cancel" not in actions
    url = reverse("admin:orders_order_record_payment", args=[order.pk])
    assert client.post(url, {"amount": "1.00", "reference": "x"}).status_code == 403
    assert client.get(reverse("admin:orders_order_ship", args=[order.pk])).status_code == 403
    order.payment.refresh_from_db()
    assert order.payment.amount_received == Decimal(0)
