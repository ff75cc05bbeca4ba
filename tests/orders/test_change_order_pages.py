"""O2 in the back office and on the order page: customer service changes an
order (preview, then save) with the change_order permission; the shopper
changes the shipping address within O3's window."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from camshaft.accounts.roles import CUSTOMER_SERVICE, WAREHOUSE
from camshaft.checkout import services as checkout
from camshaft.core.models import AuditAction, AuditEntry
from camshaft.orders.models import Order, OrderEvent
from tests.shopping import ADDRESS, ready_cart, ship_everything, stocked_part
from tests.staff import sign_in_with_role

pytestmark = pytest.mark.django_db

MICHIGAN = {**ADDRESS, "city": "Detroit", "region": "MI", "postal_code": "48201"}


def placed(quantity=1, key="k") -> Order:
    cart = ready_cart(parts=[stocked_part()], quantity=quantity)
    return checkout.place(cart=cart, user=None, currency="USD", idempotency_key=key).order


def change_form(order, **overrides) -> dict:
    data = {name: getattr(order.shipping_address, name) for name in ADDRESS}
    data["residential"] = "on" if order.residential else ""
    data["shipping_method"] = order.shipping_method
    for line in order.lines.all():
        data[f"line_{line.pk}"] = str(line.quantity)
    data.update(overrides)
    return data


def test_O2_change_in_the_back_office_previews_then_saves(client):
    clerk = sign_in_with_role(client, CUSTOMER_SERVICE)
    order = placed()
    line = order.lines.get()
    url = reverse("admin:orders_order_change_order", args=[order.pk])
    page = client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert url in page.content.decode()

    shown = client.post(url, {**change_form(order, **{f"line_{line.pk}": "2"}), "preview": "1"})
    assert shown.status_code == 200
    preview = shown.context["preview"]
    assert preview.can_save and f"{line.sku}: quantity 1 → 2" in preview.changes
    order.refresh_from_db()
    assert order.lines.get().quantity == 1  # a preview changes nothing

    saved = client.post(
        url,
        {
            **change_form(order, **{f"line_{line.pk}": "2"}),
            "expected_total": str(preview.quote.grand_total),
            "preview_token": preview.token,
            "save": "1",
        },
    )
    assert saved.status_code == 302
    order.refresh_from_db()
    assert order.lines.get().quantity == 2
    assert order.grand_total == preview.quote.grand_total
    assert OrderEvent.objects.get(order=order, action="changed").by == clerk
    assert AuditEntry.objects.filter(
        staff=clerk, action=AuditAction.CHANGED, object_ids=str(order.pk)
    ).exists()


def test_O2_change_saved_from_an_edited_form_is_refused(client):
    sign_in_with_role(client, CUSTOMER_SERVICE)
    order = placed()
    line = order.lines.get()
    url = reverse("admin:orders_order_change_order", args=[order.pk])
    preview = client.post(
        url, {**change_form(order, **{f"line_{line.pk}": "2"}), "preview": "1"}
    ).context["preview"]
    edited = change_form(order, **{f"line_{line.pk}": "2"}, city="Dayton")  # same total
    answer = client.post(
        url,
        {
            **edited,
            "expected_total": str(preview.quote.grand_total),
            "preview_token": preview.token,
            "save": "1",
        },
    )
    assert answer.status_code == 400
    assert "since this preview" in answer.content.decode()
    order.refresh_from_db()
    assert order.lines.get().quantity == 1 and order.shipping_address.city == ADDRESS["city"]


def test_O2_change_bad_input_in_the_back_office_is_a_400_with_the_reason(client):
    sign_in_with_role(client, CUSTOMER_SERVICE)
    order = placed()
    url = reverse("admin:orders_order_change_order", args=[order.pk])
    answer = client.post(url, {**change_form(order, add_sku_1="NOPE-1", add_quantity_1="1")})
    assert answer.status_code == 400
    assert "no part with SKU" in answer.content.decode()
    answer = client.post(url, {**change_form(order, postal_code="")})
    assert answer.status_code == 400


def test_O2_change_needs_the_change_order_permission(client):
    sign_in_with_role(client, WAREHOUSE)
    order = placed()
    url = reverse("admin:orders_order_change_order", args=[order.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {**change_form(order), "save": "1"}).status_code == 403


def test_O2_change_the_back_office_offers_nothing_once_shipped(client, admin_user):
    sign_in_with_role(client, CUSTOMER_SERVICE)
    order = placed()
    ship_everything(order, by=admin_user)
    url = reverse("admin:orders_order_change_order", args=[order.pk])
    page = client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert url not in page.content.decode()
    answer = client.post(url, {**change_form(order, shipping_method="two_day"), "save": "1"})
    assert "already shipped" in answer.content.decode()
    order.refresh_from_db()
    assert order.shipping_method == "standard"


def test_O2_change_address_on_the_order_page_by_the_shopper(client):
    order = placed()
    session_owner = client.get("/")  # a session to prove the order is this visitor's
    assert session_owner.status_code == 200
    session = client.session
    session["guest_orders"] = [order.number]
    session.save()
    page = client.get(reverse("order_detail", args=[order.number]))
    url = reverse("order_change_address", args=[order.number])
    assert url in page.content.decode()

    shown = client.post(url, {**MICHIGAN, "residential": "on"})
    assert shown.status_code == 200
    preview = shown.context["preview"]
    assert preview.can_save
    saved = client.post(
        url,
        {
            **MICHIGAN,
            "residential": "on",
            "expected_total": str(preview.quote.grand_total),
            "preview_token": preview.token,
            "save": "1",
        },
    )
    assert saved.status_code == 302
    order.refresh_from_db()
    assert order.shipping_address.city == "Detroit"
    assert OrderEvent.objects.get(order=order, action="changed").actor == "shopper"


def test_O2_change_address_on_the_order_page_after_the_window_is_refused(client):
    order = placed()
    Order.objects.filter(pk=order.pk).update(placed_at=timezone.now() - timedelta(days=2))
    session = client.session
    session["guest_orders"] = [order.number]
    session.save()
    url = reverse("order_change_address", args=[order.number])
    answer = client.post(url, {**MICHIGAN, "expected_total": "1.00", "save": "1"})
    assert answer.status_code == 409
    assert "within 24 hours" in answer.content.decode()
    order.refresh_from_db()
    assert order.shipping_address.city == ADDRESS["city"]


def test_O2_change_address_of_another_persons_order_is_a_404(client):
    order = placed()
    url = reverse("order_change_address", args=[order.number])
    assert client.post(url, {**MICHIGAN}).status_code == 404
    assert client.get(url).status_code == 404


def _bearer(user) -> dict:
    from camshaft.accounts.services import issue_api_token

    return {"Authorization": f"Bearer {issue_api_token(user=user).key}"}


def test_O2_change_address_through_the_api_preview_then_save(client):
    order = placed()
    body = {"email": order.email, "shipping_address": MICHIGAN}
    shown = client.post(
        f"/api/v1/orders/{order.number}/address/preview", body, content_type="application/json"
    )
    assert shown.status_code == 200, shown.content
    preview = shown.json()
    assert preview["can_save"] and preview["old_total"] == str(order.grand_total)
    assert any("Shipping address changed" in change for change in preview["changes"])
    order.refresh_from_db()
    assert order.shipping_address.city == ADDRESS["city"]

    saved = client.post(
        f"/api/v1/orders/{order.number}/address",
        {**body, "expected_total": preview["new_total"]},
        content_type="application/json",
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["shipping_address"]["city"] == "Detroit"
    assert saved.json()["grand_total"] == preview["new_total"]


def test_O2_change_address_through_the_api_refuses_a_moved_total_and_bad_input(client):
    order = placed()
    body = {"email": order.email, "shipping_address": MICHIGAN}
    moved = client.post(
        f"/api/v1/orders/{order.number}/address",
        {**body, "expected_total": "0.01"},
        content_type="application/json",
    )
    assert moved.status_code == 409 and "as previewed" in moved.json()["detail"]
    bad = client.post(
        f"/api/v1/orders/{order.number}/address/preview",
        {**body, "shipping_address": {**MICHIGAN, "postal_code": ""}},
        content_type="application/json",
    )
    assert bad.status_code == 422
    order.refresh_from_db()
    assert order.shipping_address.city == ADDRESS["city"]


def test_O2_change_address_through_the_api_is_a_404_for_someone_elses_order(
    client, django_user_model
):
    order = placed()
    stranger = django_user_model.objects.create_user(email="eve@example.com", password="pw-x-9-Y")
    body = {"shipping_address": MICHIGAN, "expected_total": str(order.grand_total)}
    for headers in ({}, _bearer(stranger)):
        answer = client.post(
            f"/api/v1/orders/{order.number}/address",
            {**body, "email": "eve@example.com"},
            content_type="application/json",
            headers=headers,
        )
        assert answer.status_code == 404
    order.refresh_from_db()
    assert order.shipping_address.city == ADDRESS["city"]


def test_O2_change_address_through_the_api_after_the_window_is_a_409(client):
    order = placed()
    Order.objects.filter(pk=order.pk).update(placed_at=timezone.now() - timedelta(days=2))
    answer = client.post(
        f"/api/v1/orders/{order.number}/address/preview",
        {"email": order.email, "shipping_address": MICHIGAN},
        content_type="application/json",
    )
    assert answer.status_code == 409 and "24 hours" in answer.json()["detail"]


def test_O2_change_address_through_the_api_by_a_member_with_their_token(client, django_user_model):
    member = django_user_model.objects.create_user(email="sam@example.com", password="pw-x-9-Y")
    cart = ready_cart(user=member, parts=[stocked_part()])
    order = checkout.place(cart=cart, user=member, currency="USD", idempotency_key="m").order
    headers = _bearer(member)
    body = {"shipping_address": MICHIGAN, "residential": False}
    preview = client.post(
        f"/api/v1/orders/{order.number}/address/preview",
        body,
        content_type="application/json",
        headers=headers,
    ).json()
    saved = client.post(
        f"/api/v1/orders/{order.number}/address",
        {**body, "expected_total": preview["new_total"]},
        content_type="application/json",
        headers=headers,
    )
    assert saved.status_code == 200, saved.content
    order.refresh_from_db()
    assert (order.shipping_address.region, order.residential) == ("MI", False)
    assert OrderEvent.objects.get(order=order, action="changed").by == member
