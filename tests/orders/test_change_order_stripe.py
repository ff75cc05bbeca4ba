"""O2 end to end with Stripe as the card gateway (a local fake of its API):
customer service adds to an order before it ships; the card's authorization
is raised, or the difference held separately on the card the member saved
and allowed, or the change is refused and nothing changes; shipping then
captures across every authorization."""

from decimal import Decimal
from urllib.parse import parse_qs

import pytest

from camshaft.cart import services as cart_services
from camshaft.checkout import services as checkout
from camshaft.inventory.models import StockLevel
from camshaft.orders import changes
from camshaft.orders.changes import ChangeRefused, OrderChange
from camshaft.orders.models import OrderEvent
from camshaft.payments.models import PaymentStatus
from tests.payments.fakes import stripe_api
from tests.shopping import ADDRESS, ship_everything, stocked_part

pytestmark = pytest.mark.django_db
PI = "pi_3MtwBwLkdIwHu7ix28a3tqPa"
SECOND_PI = "pi_3SeparateLkdIwHu7ix9Qw2"
SECOND_CHARGE = "ch_3SeparateLkdIwHu7ix9Qw2"
PM = "pm_1MtwBwLkdIwHu7ixvtmAbC7t"
CUSTOMER = "cus_NffrFeUfNV2Hib"


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create_user(
        email="member@example.com", password="a-long-member-pass"
    )


@pytest.fixture
def clerk(django_user_model):
    return django_user_model.objects.create_user(
        email="clerk@example.com", password="clutch-plate-77", is_staff=True
    )


def sent(server, path, method="POST"):
    return [
        parse_qs(request.get_data(as_text=True))
        for request, _ in server.log
        if request.path == path and request.method == method
    ]


def placed_with_stripe(fake, *, user, allow_off_session):
    """An order paid with a card typed into Stripe's fields; a member saves
    it and may allow it to be charged for changes they ask for."""
    part = stocked_part(price=Decimal("20.00"))
    cart = cart_services.cart_for(user=user)
    cart_services.add_to_cart(cart=cart, sku=part.sku, quantity=1)
    checkout.set_addresses(cart=cart, user=user, email="pat@example.com", billing=ADDRESS)
    checkout.set_shipping_method(cart=cart, code="standard", currency="USD")
    fake.expect_request("/v1/customers", method="POST").respond_with_json(
        {"id": CUSTOMER, "object": "customer"}
    )
    fake.expect_request(f"/v1/payment_methods/{PM}/attach").respond_with_json(
        stripe_api.payment_method()
    )
    fake.expect_request(f"/v1/payment_methods/{PM}").respond_with_json(stripe_api.payment_method())
    checkout.choose_payment(
        cart=cart,
        user=user,
        method="card",
        card_token=PM,
        save_card=user is not None,
        allow_off_session=allow_off_session,
    )
    fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.payment_intent()
    )
    order = checkout.place(cart=cart, user=user, currency="USD", idempotency_key="k").order
    fake.clear_all_handlers()
    fake.clear_log()
    return order, part


def card_takes_increments(fake, status):
    fake.expect_request(f"/v1/payment_intents/{PI}", method="GET").respond_with_json(
        stripe_api.payment_intent(latest_charge=stripe_api.charge_with_card(status))
    )


def change_quantity(order, clerk, quantity):
    change = OrderChange(quantities=((order.lines.get().pk, quantity),))
    shown = changes.preview_change(order=order, change=change, as_staff=True)
    changes.change_order(
        order=order, change=change, by=clerk, as_staff=True, expected_total=shown.quote.grand_total
    )
    return shown


def cents(amount: Decimal) -> str:
    return str(int(amount * 100))


def test_O2_change_with_stripe_raises_the_card_authorization_then_ships(stripe_fake, member, clerk):
    order, _ = placed_with_stripe(stripe_fake, user=member, allow_off_session=False)
    card_takes_increments(stripe_fake, "available")
    stripe_fake.expect_request(
        f"/v1/payment_intents/{PI}/increment_authorization"
    ).respond_with_json(stripe_api.payment_intent())

    shown = change_quantity(order, clerk, 3)

    order.refresh_from_db()
    assert order.grand_total == shown.quote.grand_total
    assert order.payment.authorizations.get().amount == order.grand_total
    assert sent(stripe_fake, f"/v1/payment_intents/{PI}/increment_authorization") == [
        {"amount": [cents(order.grand_total)]}
    ]
    assert order.payment.amount == order.grand_total
    stripe_fake.expect_request(f"/v1/payment_intents/{PI}/capture").respond_with_json(
        stripe_api.payment_intent("succeeded")
    )
    ship_everything(order, by=clerk)
    assert sent(stripe_fake, f"/v1/payment_intents/{PI}/capture") == [
        {"amount_to_capture": [cents(order.grand_total)]}
    ]
    order.payment.refresh_from_db()
    assert order.payment.status == PaymentStatus.CAPTURED


def test_O2_change_with_stripe_holds_the_difference_on_the_allowed_saved_card_then_ships(
    stripe_fake, member, clerk
):
    order, _ = placed_with_stripe(stripe_fake, user=member, allow_off_session=True)
    before = order.grand_total
    card_takes_increments(stripe_fake, "unavailable")
    stripe_fake.expect_request("/v1/payment_intents", method="POST").respond_with_json(
        stripe_api.payment_intent(id=SECOND_PI, latest_charge=SECOND_CHARGE)
    )

    change_quantity(order, clerk, 3)

    order.refresh_from_db()
    difference = order.grand_total - before
    ((fields,),) = [sent(stripe_fake, "/v1/payment_intents")]
    assert fields["amount"] == [cents(difference)]
    assert fields["off_session"] == ["true"]
    assert fields["customer"] == [CUSTOMER] and fields["payment_method"] == [PM]
    assert list(order.payment.authorizations.values_list("reference", "amount")) == [
        (PI, before),
        (SECOND_PI, difference),
    ]
    assert OrderEvent.objects.filter(order=order, action="changed").count() == 1

    stripe_fake.expect_request(f"/v1/payment_intents/{PI}/capture").respond_with_json(
        stripe_api.payment_intent("succeeded")
    )
    stripe_fake.expect_request(f"/v1/payment_intents/{SECOND_PI}/capture").respond_with_json(
        stripe_api.payment_intent("succeeded", id=SECOND_PI, latest_charge=SECOND_CHARGE)
    )
    ship_everything(order, by=clerk)
    assert sent(stripe_fake, f"/v1/payment_intents/{PI}/capture") == [
        {"amount_to_capture": [cents(before)]}
    ]
    assert sent(stripe_fake, f"/v1/payment_intents/{SECOND_PI}/capture") == [
        {"amount_to_capture": [cents(difference)]}
    ]
    order.payment.refresh_from_db()
    assert (order.payment.status, order.payment.amount_captured) == (
        PaymentStatus.CAPTURED,
        order.grand_total,
    )


@pytest.mark.parametrize("who", ["guest", "member-not-allowed"])
def test_O2_change_with_stripe_refused_tells_the_clerk_the_shopper_pays_the_difference(
    stripe_fake, member, clerk, who
):
    user = None if who == "guest" else member
    order, part = placed_with_stripe(stripe_fake, user=user, allow_off_session=False)
    total = order.grand_total
    card_takes_increments(stripe_fake, "unavailable")

    with pytest.raises(ChangeRefused, match="the shopper must pay the difference"):
        change_quantity(order, clerk, 3)

    order.refresh_from_db()
    assert (order.grand_total, order.lines.get().quantity) == (total, 1)
    assert StockLevel.objects.get(part=part).reserved == 1
    assert order.payment.amount == total
    assert order.payment.authorizations.count() == 1
    assert not sent(stripe_fake, "/v1/payment_intents")
    assert not OrderEvent.objects.filter(order=order, action="changed").exists()
