"""A1, V3, V4: a member confirms their address by a mailed link; from then
on the orders they placed as a guest under it, before or after registering,
are theirs to see, download and erase, and an open one stops an erasure.
An address nobody confirmed proves nothing."""

import io
import json
import re
import zipfile
from datetime import date

import pytest
from django.urls import reverse

from camshaft.accounts import services as accounts
from camshaft.consent.services import current_policy
from camshaft.notifications.models import OutboxMessage
from camshaft.orders.models import Order
from camshaft.orders.services import ERASED
from camshaft.privacy import services
from tests.privacy.test_data_rights import HOME, PASSWORD, order_for
from tests.shopping import card, ship_everything, stocked_part

pytestmark = pytest.mark.django_db

EMAIL = "wren@example.com"


@pytest.fixture(autouse=True)
def _weekday(on_a_weekday):
    """Orders placed on a weekday afternoon may be cancelled by the shopper (O3)."""


def guest_order(email=EMAIL, *, key) -> Order:
    from camshaft.cart import services as carts
    from camshaft.checkout import services as checkout

    cart = carts.cart_for(user=None)
    carts.add_to_cart(cart=cart, sku=stocked_part().sku, quantity=1)
    checkout.set_addresses(cart=cart, user=None, email=email, billing=HOME)
    checkout.set_shipping_method(cart=cart, code="standard", currency="USD")
    checkout.choose_payment(cart=cart, user=None, method="card", card=card())
    return checkout.place(cart=cart, user=None, currency="USD", idempotency_key=key).order


def register(email=EMAIL):
    return accounts.register(
        email=email,
        password=PASSWORD,
        date_of_birth=date(1990, 4, 1),
        accepted_policy_version=current_policy(),
        channel="web",
    )


def confirmation_link(user) -> str:
    mail = OutboxMessage.objects.get(category="email_confirmation", to_address=user.email)
    return re.search(r"https?://\S+/account/confirm-email/\S+/", mail.body_text).group(0)


def confirm(client, user):
    client.force_login(user)
    path = confirmation_link(user).split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email_verified_at is not None


def shipped(order):
    ship_everything(order, by=None)
    return order


def exported_orders(user) -> set[str]:
    archive = zipfile.ZipFile(
        io.BytesIO(services.export_personal_data(user=user, by=None, channel="account"))
    )
    return {order["number"] for order in json.loads(archive.read("data.json"))["orders"]}


def test_A1_registration_mails_a_link_that_confirms_the_address(client):
    user = register()
    assert user.email_verified_at is None
    confirm(client, user)
    bad = client.get(reverse("confirm_email", args=["forged-token"]))
    assert bad.status_code == 400 and b"not valid" in bad.content


def test_A1_the_link_confirms_only_the_account_signed_in(client, django_user_model):
    """Someone registered with Wren's address; Wren, receiving the link,
    opens it: it does not confirm the stranger's account for them."""
    impostor = register()
    path = "/" + confirmation_link(impostor).split("://", 1)[1].split("/", 1)[1]
    signed_out = client.get(path)
    assert signed_out.status_code == 302 and reverse("sign_in") in signed_out.url
    someone = django_user_model.objects.create_user("someone@example.com", "x-long-pass-9")
    client.force_login(someone)
    assert client.get(path).status_code == 400
    impostor.refresh_from_db()
    assert impostor.email_verified_at is None


def test_A1_a_member_asks_for_the_link_again_at_most_once_a_minute(client):
    user = register()
    client.force_login(user)
    page = client.get(reverse("my_account"))
    assert b'id="confirm-email"' in page.content
    client.post(reverse("resend_confirmation"))
    assert OutboxMessage.objects.filter(category="email_confirmation").count() == 1  # too soon
    confirm(client, user)
    assert b'id="confirm-email"' not in client.get(reverse("my_account")).content


def test_V3_guest_orders_join_the_account_once_the_address_is_confirmed(client):
    before = shipped(guest_order(key="g-1"))
    user = register()
    mine = order_for(user, key="m-1")
    assert exported_orders(user) == {mine.number}
    client.force_login(user)
    assert before.number not in client.get(reverse("my_orders")).content.decode()
    assert client.get(reverse("order_detail", args=[before.number])).status_code == 404

    confirm(client, user)
    assert exported_orders(user) == {mine.number, before.number}
    assert before.number in client.get(reverse("my_orders")).content.decode()
    assert client.get(reverse("order_detail", args=[before.number])).status_code == 200


def test_V4_erasure_covers_guest_orders_placed_before_and_after_registering(client):
    before = shipped(guest_order(key="g-1"))
    user = register()
    confirm(client, user)
    shipped(order_for(user, key="m-1"))
    after = shipped(guest_order(key="g-2"))  # signed out, same address
    someone_else = shipped(guest_order("other@example.com", key="g-3"))

    services.delete_own_account(user=user, password=PASSWORD)

    for order in (before, after):
        order.refresh_from_db()
        assert order.email.endswith("@erased.invalid")
        assert order.billing_address.full_name == ERASED
    someone_else.refresh_from_db()
    assert someone_else.email == "other@example.com"


def test_V4_an_open_guest_order_stops_the_erasure_until_cancelled(client):
    user = register()
    confirm(client, user)
    open_order = guest_order(key="g-1")
    with pytest.raises(services.ErasureBlocked, match=open_order.number):
        services.delete_own_account(user=user, password=PASSWORD)
    open_order.refresh_from_db()
    assert open_order.email == EMAIL

    services.erase_person(user=user, reason="asked", cancel_open_orders=True)
    open_order.refresh_from_db()
    assert open_order.status == "cancelled" and open_order.email.endswith("@erased.invalid")


def test_V4_an_unconfirmed_address_erases_nothing_of_the_guest():
    victims = shipped(guest_order(key="g-1"))
    impostor = register()  # typed someone else's address, never confirmed it
    services.delete_own_account(user=impostor, password=PASSWORD)
    victims.refresh_from_db()
    assert victims.email == EMAIL and victims.billing_address.full_name == HOME["full_name"]


def test_A1_the_api_says_whether_the_address_is_confirmed_and_resends_the_link(client):
    user = register()
    token = accounts.issue_api_token(user=user).key
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/me", **auth).json()["email_verified"] is False
    again = client.post("/api/v1/me/email-confirmation", **auth)
    assert again.status_code == 429 and int(again["Retry-After"]) > 0
    confirm(client, user)
    assert client.get("/api/v1/me", **auth).json()["email_verified"] is True
