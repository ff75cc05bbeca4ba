"""O2 and O3 in the browser and the API: members see their own orders, a
guest finds one by number and billing email, nobody sees anyone else's."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from camshaft.accounts.services import issue_api_token
from camshaft.checkout import services as checkout
from camshaft.orders.models import Order, OrderStatus
from camshaft.orders.rules import STORE_ZONE
from camshaft.payments.models import PaymentStatus
from tests.shopping import place_from_review, ready_cart, stocked_part, web_checkout

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create_user(email="sam@example.com", password="x-long-pass-1")


@pytest.fixture
def stranger(django_user_model):
    return django_user_model.objects.create_user(email="eve@example.com", password="x-long-pass-2")


def order_of(user=None, email="pat@example.com", key="k") -> Order:
    cart = ready_cart(user=user, email=email)
    return checkout.place(cart=cart, user=user, currency="USD", idempotency_key=key).order


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {issue_api_token(user=user).key}"}


def test_O2_member_sees_their_orders_and_not_anyone_elses(client, member, stranger):
    mine, theirs = order_of(member, key="a"), order_of(stranger, key="b")
    client.force_login(member)
    listing = client.get(reverse("my_orders"))
    assert mine.number.encode() in listing.content
    assert theirs.number.encode() not in listing.content
    assert client.get(reverse("order_detail", args=[mine.number])).status_code == 200
    # Another member's order and a made-up number look exactly the same: 404.
    other = client.get(reverse("order_detail", args=[theirs.number]))
    made_up = client.get(reverse("order_detail", args=["CS-2222-2222"]))
    assert other.status_code == made_up.status_code == 404
    assert theirs.email.encode() not in other.content
    assert client.post(reverse("order_cancel", args=[theirs.number])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == OrderStatus.PLACED


def test_O2_guest_finds_an_order_by_number_and_billing_email(client):
    order = order_of(email="pat@example.com")
    assert client.get(reverse("order_detail", args=[order.number])).status_code == 404
    wrong = client.post(
        reverse("order_lookup"), {"number": order.number, "email": "eve@example.com"}
    )
    assert wrong.status_code == 404
    assert b"no order with that number and billing email" in wrong.content
    found = client.post(
        reverse("order_lookup"), {"number": order.number.lower(), "email": "PAT@example.com"}
    )
    assert found.status_code == 302
    page = client.get(found.url)
    assert page.status_code == 200 and order.number.encode() in page.content
    bad = client.post(reverse("order_lookup"), {"number": "", "email": "nope"})
    assert bad.status_code == 400


def test_O2_the_confirmation_page_is_the_placing_guests_only(client):
    review = web_checkout(client, stocked_part())
    response = place_from_review(client, review)
    assert client.get(response.url).status_code == 200
    client.cookies.clear()  # another browser
    assert client.get(response.url).status_code == 404


def test_O3_shopper_cancels_in_the_browser_within_the_rules(client, member):
    order = order_of(member)
    client.force_login(member)
    page = client.get(reverse("order_detail", args=[order.number]))
    assert b"Cancel this order" in page.content
    response = client.post(reverse("order_cancel", args=[order.number]), {"reason": "mistake"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.payment.status == PaymentStatus.VOIDED


def test_O3_weekend_order_shows_why_it_cannot_be_cancelled(client, member):
    order = order_of(member)
    saturday = datetime(2026, 11, 21, 10, 0, tzinfo=STORE_ZONE).astimezone(UTC)
    Order.objects.filter(pk=order.pk).update(placed_at=saturday)
    client.force_login(member)
    page = client.get(reverse("order_detail", args=[order.number]))
    assert b"weekend processing" in page.content
    assert b"Cancel this order" not in page.content
    response = client.post(reverse("order_cancel", args=[order.number]), follow=True)
    assert b"weekend processing" in response.content
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_O3_after_24_hours_the_shopper_cannot_cancel_through_the_api(client, member):
    order = order_of(member)
    last_wednesday = timezone.now().astimezone(STORE_ZONE).replace(hour=12, minute=0)
    while last_wednesday.weekday() != 2 or last_wednesday > timezone.now() - timedelta(days=1):
        last_wednesday -= timedelta(days=1)
    Order.objects.filter(pk=order.pk).update(placed_at=last_wednesday)
    response = client.post(
        f"/api/v1/orders/{order.number}/cancel",
        {},
        content_type="application/json",
        headers=bearer(member),
    )
    assert response.status_code == 409
    assert "24 hours" in response.json()["detail"]


def test_O2_api_members_see_their_own_orders_only(client, member, stranger):
    mine, theirs = order_of(member, key="a"), order_of(stranger, key="b")
    headers = bearer(member)
    listing = client.get("/api/v1/orders", headers=headers).json()
    assert [o["number"] for o in listing["orders"]] == [mine.number]
    detail = client.get(f"/api/v1/orders/{mine.number}", headers=headers)
    assert detail.status_code == 200
    body = detail.json()
    assert body["payment"] == "Visa ending 4242"
    assert body["grand_total"] == str(mine.grand_total)
    assert client.get(f"/api/v1/orders/{theirs.number}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/orders/{mine.number}").status_code == 401
    cancel = client.post(
        f"/api/v1/orders/{theirs.number}/cancel",
        {"email": "sam@example.com"},
        content_type="application/json",
        headers=headers,
    )
    assert cancel.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == OrderStatus.PLACED


def test_O2_api_guest_lookup_and_cancel_need_the_billing_email(client):
    order = order_of(email="pat@example.com")
    lookup = client.post(
        "/api/v1/orders/lookup",
        {"number": order.number, "email": "pat@example.com"},
        content_type="application/json",
    )
    assert lookup.status_code == 200
    assert lookup.json()["number"] == order.number
    wrong = client.post(
        "/api/v1/orders/lookup",
        {"number": order.number, "email": "eve@example.com"},
        content_type="application/json",
    )
    assert wrong.status_code == 404 and wrong.json() == {"detail": "We found no such order."}
    refused = client.post(
        f"/api/v1/orders/{order.number}/cancel",
        {"email": "eve@example.com"},
        content_type="application/json",
    )
    assert refused.status_code == 404
    cancelled = client.post(
        f"/api/v1/orders/{order.number}/cancel",
        {"email": "pat@example.com", "reason": "changed my mind"},
        content_type="application/json",
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"


def test_O2_order_pages_do_not_grow_queries_with_orders_or_lines(
    client, member, django_assert_max_num_queries
):
    parts = [stocked_part() for _ in range(3)]
    orders = []
    for n in range(6):
        cart = ready_cart(user=member, parts=parts)
        orders.append(
            checkout.place(cart=cart, user=member, currency="USD", idempotency_key=f"k{n}").order
        )
    client.force_login(member)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("my_orders")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("order_detail", args=[orders[0].number])).status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get(f"/api/v1/orders/{orders[0].number}", headers=bearer(member))
        assert response.status_code == 200
