"""K2-K4 and Y1-Y4 through the checkout pages, as a browser without JavaScript."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from camshaft.accounts.models import Address, User
from camshaft.checkout.models import Checkout
from camshaft.consent.services import current_policy
from camshaft.notifications.models import OutboxMessage
from camshaft.orders.models import Order, OrderStatus
from camshaft.payments.models import Payment, PaymentStatus, SavedCard
from camshaft.pricing.services import set_rate
from tests.shopping import (
    ADDRESS,
    DECLINES,
    MASTERCARD,
    place_from_review,
    stocked_part,
    web_address_form,
    web_card_form,
    web_checkout,
)

pytestmark = pytest.mark.django_db


def test_K2_guest_checks_out_with_a_card_and_sees_the_confirmation(client):
    part = stocked_part(price=Decimal("49.99"))
    review = web_checkout(client, part, quantity=2)
    assert b"Visa ending 4242" in review.content
    response = place_from_review(client, review)
    assert response.status_code == 302
    order = Order.objects.get()
    assert response.url == reverse("order_detail", args=[order.number])
    page = client.get(response.url)
    assert page.status_code == 200
    assert order.number.encode() in page.content
    assert order.status == OrderStatus.PLACED
    assert order.grand_total == Decimal("109.93")  # 2 × 49.99 + 9.95 standard shipping
    assert order.payment.status == PaymentStatus.AUTHORIZED
    assert order.payment.amount == order.grand_total
    confirmation = OutboxMessage.objects.get(category="order_confirmation")
    assert confirmation.to_address == "pat@example.com"
    assert order.number in confirmation.body_text
    assert "Visa ending 4242" in confirmation.body_text


def test_K2_checkout_pages_walk_the_steps_in_order(client):
    assert client.get(reverse("checkout")).url == reverse("cart")  # nothing to check out
    part = stocked_part()
    client.post(reverse("cart_add"), {"sku": part.sku, "quantity": "1"})
    assert client.get(reverse("checkout")).url == reverse("checkout_address")
    # Skipping ahead sends the shopper back to the first missing step.
    assert client.get(reverse("checkout_review")).url == reverse("checkout_address")
    assert client.get(reverse("checkout_payment")).url == reverse("checkout_address")


def test_K2_bad_address_form_is_answered_with_400_and_the_problems(client):
    part = stocked_part()
    client.post(reverse("cart_add"), {"sku": part.sku, "quantity": "1"})
    data = web_address_form(email="nope", billing_city="", billing_country="XX")
    response = client.post(reverse("checkout_address"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert {"email", "billing_city", "billing_country"} <= set(form.errors)
    assert not Checkout.objects.exists()


def test_Y3_card_number_is_never_written_back_into_the_page(client):
    part = stocked_part()
    client.post(reverse("cart_add"), {"sku": part.sku, "quantity": "1"})
    client.post(reverse("checkout_address"), web_address_form())
    client.post(reverse("checkout_shipping"), {"shipping_method": "standard"})
    response = client.post(
        reverse("checkout_payment"), web_card_form("4242 4242 4242 4241", exp_year="2020")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "4242 4242 4242 4241" not in page and "4242424242424241" not in page
    assert 'value="123"' not in page


def test_Y1_declined_card_returns_to_payment_with_the_reason_and_keeps_the_cart(client):
    review = web_checkout(client, stocked_part(), number=DECLINES)
    response = place_from_review(client, review)
    assert response.url == reverse("checkout_payment")
    page = client.get(response.url)
    assert b"declined" in page.content
    assert not Order.objects.exists()
    assert client.get(reverse("cart")).context["cart"].lines


def test_Y4_double_click_on_place_order_places_one_order(client):
    review = web_checkout(client, stocked_part())
    first = place_from_review(client, review)
    second = place_from_review(client, review)
    assert first.url == second.url
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1


def test_Y1_offline_checkout_tells_the_shopper_it_delays_the_order(client):
    review = web_checkout(client, stocked_part(), method="money_order")
    assert b"delays" in review.content
    response = place_from_review(client, review)
    page = client.get(response.url)
    assert b"Awaiting payment" in page.content
    assert Order.objects.get().status == OrderStatus.AWAITING_PAYMENT


def test_Y1_wallet_checkout_goes_to_the_wallet_and_back(client):
    part = stocked_part()
    client.post(reverse("cart_add"), {"sku": part.sku, "quantity": "1"})
    client.post(reverse("checkout_address"), web_address_form())
    client.post(reverse("checkout_shipping"), {"shipping_method": "standard"})
    to_wallet = client.post(reverse("checkout_payment"), {"method": "visa_checkout"})
    assert to_wallet.status_code == 302 and "wallet_token=" in to_wallet.url
    back = client.get(to_wallet.url)
    assert back.url == reverse("checkout_review")
    review = client.get(back.url)
    assert b"Visa Checkout" in review.content
    place_from_review(client, review)
    assert Order.objects.get().payment.method == "visa_checkout"


def test_K4_guest_creates_an_account_at_checkout_in_the_browser(client):
    review = web_checkout(client, stocked_part())
    response = place_from_review(
        client,
        review,
        create_account="on",
        password="gasket-torque-41",
        date_of_birth="1990-05-17",
        accepted_policy_version=current_policy().version,
        accept_policy="on",
    )
    assert response.status_code == 302
    user = User.objects.get(email="pat@example.com")
    order = Order.objects.get()
    assert order.user == user
    listing = client.get(reverse("my_orders"))  # signed in already
    assert order.number.encode() in listing.content


def test_K4_a_child_cannot_open_an_account_at_checkout_and_nothing_is_charged(client):
    review = web_checkout(client, stocked_part())
    response = place_from_review(
        client,
        review,
        create_account="on",
        password="gasket-torque-41",
        date_of_birth=str(date.today().replace(year=date.today().year - 10)),
        accepted_policy_version=current_policy().version,
        accept_policy="on",
    )
    assert response.status_code == 400
    assert b"at least 13" in response.content
    assert not Order.objects.exists() and not Payment.objects.exists()


def test_K2_member_picks_saved_addresses_and_cards_in_the_browser(client, django_user_model):
    member = django_user_model.objects.create_user(email="m@example.com", password="x-long-pass")
    home = Address.objects.create(user=member, default_billing=True, **ADDRESS)
    client.force_login(member)
    part = stocked_part()
    client.post(reverse("cart_add"), {"sku": part.sku, "quantity": "1"})
    page = client.get(reverse("checkout_address"))
    assert page.context["form"].initial["billing_saved"] == str(home.id)
    response = client.post(
        reverse("checkout_address"), {"billing_saved": str(home.id), "shipping_saved": "new"}
    )
    assert response.status_code == 302
    client.post(reverse("checkout_shipping"), {"shipping_method": "two_day"})
    client.post(reverse("checkout_payment"), {**web_card_form(MASTERCARD), "save_card": "on"})
    place_from_review(client, client.get(reverse("checkout_review")))
    saved = SavedCard.objects.get(user=member)
    client.post(reverse("cart_add"), {"sku": part.sku, "quantity": "1"})
    client.post(reverse("checkout_address"), {"billing_saved": str(home.id)})
    client.post(reverse("checkout_shipping"), {"shipping_method": "standard"})
    chosen = client.post(
        reverse("checkout_payment"), {"method": "card", "saved_card": str(saved.id)}
    )
    assert chosen.status_code == 302
    review = client.get(reverse("checkout_review"))
    assert b"Mastercard ending 4444" in review.content
    place_from_review(client, review)
    assert Order.objects.filter(user=member).count() == 2


def test_A3_member_removes_a_saved_card_but_not_someone_elses(client, django_user_model):
    member = django_user_model.objects.create_user(email="m@example.com", password="x-long-pass")
    other = django_user_model.objects.create_user(email="o@example.com", password="x-long-pass")
    fields = {"brand": "visa", "last4": "4242", "exp_month": 1, "exp_year": 2099}
    mine = SavedCard.objects.create(user=member, gateway_token="tok_a", **fields)
    theirs = SavedCard.objects.create(user=other, gateway_token="tok_b", **fields)
    client.force_login(member)
    page = client.get(reverse("saved_cards"))
    assert b"Visa ending 4242" in page.content
    assert client.post(reverse("saved_card_delete", args=[theirs.id])).status_code == 404
    assert client.post(reverse("saved_card_delete", args=[mine.id])).status_code == 302
    assert list(SavedCard.objects.all()) == [theirs]


def test_P1_order_is_placed_in_the_display_currency_at_its_rate(client):
    set_rate(currency="EUR", rate=Decimal("0.9"))
    client.cookies["currency"] = "EUR"
    review = web_checkout(client, stocked_part(price=Decimal("10.00")), quantity=3)
    assert "€" in review.context["summary"].quote.money(Decimal(1)).__str__()
    place_from_review(client, review)
    order = Order.objects.get()
    assert (order.currency, order.exchange_rate) == ("EUR", Decimal("0.9"))
    assert order.items_total == Decimal("27.00")
    assert order.shipping_total == Decimal("8.96")  # 9.95 × 0.9 = 8.955, half up
    assert order.payment.currency == "EUR" and order.payment.amount == Decimal("35.96")


def test_P1_cart_and_checkout_show_the_same_yen(client):
    set_rate(currency="JPY", rate=Decimal("151.237"))
    client.cookies["currency"] = "JPY"
    part = stocked_part(price=Decimal("19.99"))
    client.post(reverse("cart_add"), {"sku": part.sku, "quantity": "3"})
    cart_page = client.get(reverse("cart")).content.decode()
    # 3 × ¥3,023 (19.99 × 151.237 rounded per unit), not ¥9,070 from 59.97 × 151.237.
    assert "¥9,069" in cart_page and "¥9,070" not in cart_page
    review = web_checkout(client, part, quantity=None)
    assert review.context["summary"].quote.items_total == Decimal("9069")


def test_P1_api_cart_in_the_currency_the_app_asks_for(client):
    set_rate(currency="GBP", rate=Decimal("0.8"))
    part = stocked_part(price=Decimal("10.00"), core_charge=Decimal("5.00"))
    response = client.post(
        "/api/v1/cart/lines",
        {"sku": part.sku, "quantity": 2},
        content_type="application/json",
        headers={"X-Currency": "gbp"},
    )
    body = response.json()
    assert body["currency"] == "GBP"
    assert body["lines"][0]["price"] == "8.00"
    assert body["lines"][0]["core_charge"] == "4.00"
    assert (body["items_total"], body["core_total"], body["subtotal"]) == ("16.00", "8.00", "24.00")
