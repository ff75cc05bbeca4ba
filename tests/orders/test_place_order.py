"""K2-K4, P1, Y1-Y4, O1, O4 through the order and checkout services."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from camshaft.accounts.models import User
from camshaft.cart import services as cart_services
from camshaft.cart.models import CartLine
from camshaft.checkout import services as checkout
from camshaft.checkout.models import Checkout
from camshaft.consent.services import current_policy
from camshaft.notifications.models import OutboxMessage
from camshaft.orders import services as orders
from camshaft.orders.models import Order, OrderEvent, OrderLine, OrderStatus
from camshaft.payments.models import (
    Payment,
    PaymentStatus,
    PaymentTransaction,
    SavedCard,
    TestGatewayOperation,
)
from camshaft.payments.services import PaymentDeclined
from camshaft.pricing.services import set_rate
from tests.concurrency import at_once
from tests.shopping import (
    ADDRESS,
    DECLINES,
    NO_FUNDS,
    PROCESSOR_ERROR,
    card,
    ready_cart,
    ship_everything,
    stocked_part,
)

pytestmark = pytest.mark.django_db


def place(cart, *, user=None, key="key-1", currency="USD", **extra):
    return checkout.place(cart=cart, user=user, currency=currency, idempotency_key=key, **extra)


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create_user(
        email="sam@example.com", password="gasket-torque-41", date_of_birth=date(1980, 1, 2)
    )


def test_K3_totals_come_from_the_catalogue_at_the_moment_of_ordering():
    part = stocked_part(price=Decimal("20.00"), core_charge=Decimal("15.00"))
    cart = ready_cart(parts=[part], quantity=3)
    part.price = Decimal("25.00")  # a price change after the part went into the cart
    part.save()
    order = place(cart).order
    line = order.lines.get()
    assert (line.unit_price, line.unit_core_charge, line.line_total) == (
        Decimal("25.00"),
        Decimal("15.00"),
        Decimal("75.00"),
    )
    assert order.items_total == Decimal("75.00")
    assert order.core_total == Decimal("45.00")
    assert order.shipping_total == Decimal("9.95")
    assert order.grand_total == Decimal("129.95")
    assert order.payment.amount == order.grand_total

    part.price = Decimal("99.00")  # a later change does not touch the order
    part.save()
    order.refresh_from_db()
    assert order.grand_total == Decimal("129.95")


def test_K3_total_that_changed_since_review_is_not_charged():
    part = stocked_part(price=Decimal("20.00"))
    cart = ready_cart(parts=[part])
    with pytest.raises(orders.CheckoutProblem, match="total is now"):
        place(cart, expected_total=Decimal("1.00"))
    assert not Order.objects.exists()
    assert not Payment.objects.exists()
    assert CartLine.objects.filter(cart=cart).count() == 1


def test_P1_order_in_yen_has_whole_yen_and_keeps_its_rate():
    set_rate(currency="JPY", rate=Decimal("151.237"))
    part = stocked_part(price=Decimal("19.99"))
    cart = ready_cart(parts=[part], quantity=3)
    order = place(cart, currency="JPY").order
    assert order.currency == "JPY"
    assert order.exchange_rate == Decimal("151.237")
    line = order.lines.get()
    assert line.unit_price == Decimal("3023")  # 19.99 × 151.237 = 3023.23… → 3023 yen
    assert line.line_total == Decimal("9069")
    assert order.shipping_total == Decimal("1505")  # 9.95 × 151.237 = 1504.8…
    assert order.grand_total == Decimal("10574")
    assert order.payment.currency == "JPY" and order.payment.amount == Decimal("10574")
    assert all(amount == amount.to_integral_value() for amount in (order.grand_total,))
    set_rate(currency="JPY", rate=Decimal("160"))
    order.refresh_from_db()
    assert (order.exchange_rate, order.grand_total) == (Decimal("151.237"), Decimal("10574"))
    assert str(order.total) == "¥10,574"


def test_Y2_card_is_authorized_when_the_order_is_placed_and_not_captured():
    order = place(ready_cart()).order
    assert order.status == OrderStatus.PLACED
    assert order.payment.status == PaymentStatus.AUTHORIZED
    assert order.payment.amount_captured == 0
    assert order.payment.card_last4 == "4242"


def test_Y4_the_same_key_places_one_order_and_one_authorization():
    cart = ready_cart()
    first = place(cart, key="double-click")
    again = place(cart, key="double-click")
    assert not first.replayed and again.replayed
    assert again.order.pk == first.order.pk
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert TestGatewayOperation.objects.filter(kind="authorize").count() == 1


def test_Y4_a_key_only_replays_for_the_client_that_sent_it():
    """Two guests who happen to pick the same key each get their own order;
    neither can read the other's by replaying it."""
    first = place(ready_cart(email="a@example.com"), key="1")
    second = place(ready_cart(email="b@example.com"), key="1")
    assert first.order.pk != second.order.pk
    assert not second.replayed
    assert second.order.email == "b@example.com"


def test_Y4_a_retry_with_another_card_after_a_decline_is_a_new_attempt():
    cart = ready_cart(number=DECLINES)
    with pytest.raises(PaymentDeclined):
        place(cart, key="same-key")
    assert not Order.objects.exists()
    assert CartLine.objects.filter(cart=cart).exists()  # the cart is kept
    checkout.choose_payment(cart=cart, user=None, method="card", card=card())
    order = place(cart, key="same-key").order
    assert order.payment.status == PaymentStatus.AUTHORIZED
    assert Payment.objects.filter(status=PaymentStatus.DECLINED).count() == 1


def test_Y1_declines_say_why_and_place_nothing():
    with pytest.raises(PaymentDeclined, match="insufficient funds"):
        place(ready_cart(number=NO_FUNDS))
    with pytest.raises(PaymentDeclined, match="declined"):
        place(ready_cart(number=DECLINES))
    assert not Order.objects.exists()


def test_Y1_processor_error_asks_to_try_again_and_charges_nothing():
    with pytest.raises(orders.CheckoutProblem, match="try again"):
        place(ready_cart(number=PROCESSOR_ERROR))
    assert not Order.objects.exists()
    assert not Payment.objects.exists()


def test_Y4_a_failure_after_authorizing_voids_the_authorization(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(OrderLine.objects, "bulk_create", broken)
    cart = ready_cart()
    with pytest.raises(RuntimeError):
        place(cart)
    assert not Order.objects.exists()
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.VOIDED  # no hold left on the card
    assert CartLine.objects.filter(cart=cart).exists()


@pytest.mark.parametrize("method", ["check", "money_order", "wire_transfer"])
def test_Y1_offline_order_waits_for_the_money(method, django_user_model):
    clerk = django_user_model.objects.create_user(email="c@example.com", password="x-long-pass")
    placed = place(ready_cart(method=method))
    order = placed.order
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert any("delays" in notice for notice in placed.notices)
    confirmation = OutboxMessage.objects.get(category="order_confirmation")
    assert "delays shipping" in confirmation.body_text
    with pytest.raises(orders.TransitionRefused):
        ship_everything(order, by=clerk)

    half = (order.grand_total / 2).quantize(Decimal("0.01"))
    orders.record_offline_payment(
        order=order, amount=half, reference="check 101", by=clerk, idempotency_key="r1"
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    orders.record_offline_payment(
        order=order,
        amount=order.grand_total - half,
        reference="check 102",
        by=clerk,
        idempotency_key="r2",
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    assert OutboxMessage.objects.filter(category="order_payment_received").count() == 1
    event = order.events.get(action="payment_received")
    assert (event.by, event.actor) == (clerk, "staff")


def test_Y1_wallet_payment_is_authorized_like_a_card():
    cart = ready_cart()
    session = checkout.start_wallet(
        cart=cart, wallet="paypal", currency="USD", return_url="https://shop.example/back"
    )
    assert session.redirect_url.startswith("https://shop.example/back?wallet_token=")
    checkout.choose_payment(cart=cart, user=None, method="paypal", wallet_token=session.token)
    order = place(cart).order
    assert order.payment.method == "paypal"
    assert order.payment.status == PaymentStatus.AUTHORIZED


def test_K2_gift_ships_to_the_recipient_with_a_message():
    cart = ready_cart()
    recipient = {**ADDRESS, "full_name": "Alex Recipient", "line1": "9 Gift Lane"}
    checkout.set_addresses(
        cart=cart,
        user=None,
        email="pat@example.com",
        billing=ADDRESS,
        shipping=recipient,
        is_gift=True,
        gift_message="Happy birthday, enjoy the new brakes!",
    )
    order = place(cart).order
    assert order.is_gift
    assert order.gift_message == "Happy birthday, enjoy the new brakes!"
    assert order.shipping_address.full_name == "Alex Recipient"
    assert order.billing_address.full_name == "Pat Shopper"


def test_K2_bad_addresses_are_refused_field_by_field_and_nothing_is_kept():
    cart = cart_services.cart_for(user=None)
    cart_services.add_to_cart(cart=cart, sku=stocked_part().sku, quantity=1)
    with pytest.raises(ValidationError) as refused:
        checkout.set_addresses(
            cart=cart,
            user=None,
            email="not-an-email",
            billing={**ADDRESS, "country": "XX", "city": ""},
            is_gift=True,
            gift_message="x" * 501,
        )
    problems = refused.value.message_dict
    assert {"email", "billing.country", "billing.city", "gift_message"} <= set(problems)
    assert not Checkout.objects.exists()


def test_K2_member_reuses_a_saved_address_and_card_but_not_someone_elses(member, make_address):
    other = User.objects.create_user(email="o@example.com", password="x-long-pass-1")
    mine, theirs = make_address(member), make_address(other, full_name="Other Person")
    cart = ready_cart(user=member)
    with pytest.raises(ValidationError) as refused:
        checkout.set_addresses(cart=cart, user=member, billing_address_id=theirs.id)
    assert "billing_address_id" in refused.value.message_dict
    checkout.set_addresses(cart=cart, user=member, billing_address_id=mine.id)

    checkout.choose_payment(cart=cart, user=member, method="card", card=card(), save_card=True)
    first = place(cart, user=member).order
    assert first.email == member.email
    assert first.billing_address.line1 == mine.line1
    saved = SavedCard.objects.get(user=member)
    assert saved.last4 == "4242"

    someone_elses = SavedCard.objects.create(
        user=other, gateway_token="tok_x", brand="visa", last4="1111", exp_month=1, exp_year=2099
    )
    cart = ready_cart(user=member)
    with pytest.raises(ValidationError):
        checkout.choose_payment(
            cart=cart, user=member, method="card", saved_card_id=someone_elses.id
        )
    checkout.choose_payment(cart=cart, user=member, method="card", saved_card_id=saved.id)
    second = place(cart, user=member, key="key-2").order
    assert second.payment.status == PaymentStatus.AUTHORIZED
    assert second.payment.card_last4 == "4242"


@pytest.fixture
def make_address():
    from camshaft.accounts.models import Address

    def make(user, **extra):
        return Address.objects.create(user=user, **{**ADDRESS, **extra})

    return make


def new_account(**overrides):
    fields = {
        "password": "gasket-torque-41",
        "date_of_birth": date(1990, 5, 17),
        "accepted_policy_version": current_policy().version,
    }
    return checkout.NewAccount(**{**fields, **overrides})


def test_K4_guest_sets_a_password_at_checkout_and_finds_the_order_in_the_account():
    cart = ready_cart(email="newbie@example.com")
    placed = place(cart, account=new_account())
    user = User.objects.get(email="newbie@example.com")
    assert placed.new_member == user
    assert user.check_password("gasket-torque-41")
    assert placed.order.user == user
    assert user.consents.get().channel == "checkout"
    assert OrderEvent.objects.filter(order=placed.order, action="account_opened").exists()


def test_K4_bad_account_details_are_refused_before_anything_is_charged():
    cart = ready_cart(email="kid@example.com")
    with pytest.raises(ValidationError) as refused:
        place(cart, account=new_account(date_of_birth=date.today().replace(year=2020)))
    assert "date_of_birth" in refused.value.message_dict
    assert not Payment.objects.exists()
    assert not Order.objects.exists()
    assert not User.objects.filter(email="kid@example.com").exists()


def test_K2_an_empty_or_incomplete_checkout_cannot_be_placed():
    cart = cart_services.cart_for(user=None)
    with pytest.raises(orders.CheckoutProblem, match="add parts to your cart"):
        place(cart)
    cart_services.add_to_cart(cart=cart, sku=stocked_part().sku, quantity=1)
    with pytest.raises(orders.CheckoutProblem, match="billing address"):
        place(cart)
    assert not Payment.objects.exists()


def test_O1_order_number_is_readable_and_history_records_who_and_when(django_user_model):
    clerk = django_user_model.objects.create_user(email="c@example.com", password="x-long-pass")
    order = place(ready_cart()).order
    assert order.number.startswith("CS-") and len(order.number) == 12
    orders.start_processing(order=order, by=clerk)
    ship_everything(order, by=clerk)
    orders.mark_delivered(order=order, by=clerk)
    history = list(order.events.values_list("action", "from_status", "to_status", "actor", "by"))
    assert history == [
        ("placed", "", "placed", "shopper", None),
        ("processing", "placed", "processing", "staff", clerk.pk),
        ("shipped", "processing", "shipped", "staff", clerk.pk),
        ("delivered", "shipped", "delivered", "staff", clerk.pk),
    ]
    assert all(event.at for event in order.events.all())


def test_Y2_shipping_captures_the_payment_once(django_user_model):
    clerk = django_user_model.objects.create_user(email="c@example.com", password="x-long-pass")
    order = place(ready_cart()).order
    ship_everything(order, by=clerk)
    ship_everything(order, by=clerk)  # a second click: nothing is left to ship
    order.payment.refresh_from_db()
    assert order.payment.status == PaymentStatus.CAPTURED
    assert order.payment.amount_captured == order.grand_total
    assert PaymentTransaction.objects.filter(kind="capture").count() == 1
    categories = list(OutboxMessage.objects.values_list("category", flat=True))
    assert sorted(categories) == ["order_confirmation", "order_payment_received", "order_shipped"]
    invoice = OutboxMessage.objects.get(category="order_payment_received")
    assert "invoice" in invoice.body_text and str(order.total) in invoice.body_text


def test_O4_cancellation_voids_and_mails(django_user_model):
    order = place(ready_cart()).order
    orders.cancel_order(order=order, by=None, as_staff=False, reason="ordered twice")
    orders.cancel_order(order=order, by=None, as_staff=False)  # a double click
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.payment.status == PaymentStatus.VOIDED
    assert PaymentTransaction.objects.filter(kind="void").count() == 1
    mail = OutboxMessage.objects.get(category="order_cancelled")
    assert order.number in mail.subject and "released" in mail.body_text
    assert order.events.get(action="cancelled").note == "ordered twice"


def test_O3_cancelling_an_offline_order_returns_money_already_received(django_user_model):
    clerk = django_user_model.objects.create_user(email="c@example.com", password="x-long-pass")
    order = place(ready_cart(method="check")).order
    orders.record_offline_payment(
        order=order, amount=Decimal("10.00"), reference="chk 7", by=clerk, idempotency_key="r"
    )
    orders.cancel_order(order=order, by=clerk, as_staff=True)
    order.payment.refresh_from_db()
    assert order.payment.amount_refunded == Decimal("10.00")


@pytest.mark.django_db(transaction=True)
def test_Y4_eight_simultaneous_submits_place_one_order_and_one_authorization():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    cart = ready_cart()
    results, errors = at_once(lambda: place(cart, key="one-click").order.pk)

    assert errors == []
    assert len(set(results)) == 1
    assert Order.objects.count() == 1
    order = Order.objects.get()
    # Every authorization the twins made is the order's own: one payment.
    assert Payment.objects.count() == 1
    assert order.payment.status == PaymentStatus.AUTHORIZED
    assert TestGatewayOperation.objects.filter(kind="authorize").count() == 1
