"""O2 with PayPal: an order changed before it ships may be captured for up
to 115 % of what the buyer approved, and never more than 75 USD more, with
no new authorization; beyond that the change is refused. An order that
shrank is captured for less and the rest released by the final capture."""

import json
from decimal import Decimal

import pytest

from camshaft.payments import services
from camshaft.payments.models import PaymentStatus
from tests.payments.fakes import paypal_api
from tests.payments.fakes.paypal_api import AUTHORIZATION_ID, ORDER_ID

pytestmark = pytest.mark.django_db
CAPTURE_PATH = f"/v2/payments/authorizations/{AUTHORIZATION_ID}/capture"


def authorized(fake, value="109.99"):
    fake.expect_request(f"/v2/checkout/orders/{ORDER_ID}/authorize").respond_with_json(
        paypal_api.authorized_order(value=value), status=201
    )
    fake.expect_request(
        f"/v2/payments/authorizations/{AUTHORIZATION_ID}", method="GET"
    ).respond_with_json(paypal_api.authorization(value=value))
    return services.authorize_wallet_payment(
        wallet="paypal",
        amount=Decimal(value),
        currency="USD",
        wallet_token=ORDER_ID,
        idempotency_key="authorize:1",
    )


def captures_sent(fake) -> list[dict]:
    return [
        json.loads(request.get_data(as_text=True))
        for request, _ in fake.log
        if request.path == CAPTURE_PATH
    ]


@pytest.mark.parametrize(
    ("approved", "new_total", "allowed"),
    [
        ("109.99", "126.48", True),  # 115 % of 109.99 is 126.4885
        ("109.99", "126.49", False),
        ("1000.00", "1075.00", True),  # 115 % would be 1150: 75 USD more at most
        ("1000.00", "1075.01", False),
    ],
)
def test_O2_change_paypal_within_its_limit_needs_no_new_authorization(
    paypal_fake, approved, new_total, allowed
):
    payment = authorized(paypal_fake, approved)
    new_total = Decimal(new_total)
    if not allowed:
        with pytest.raises(services.PaymentRefused, match="must pay the difference"):
            services.change_payment_amount(
                payment=payment, amount=new_total, idempotency_key="change:1"
            )
        payment.refresh_from_db()
        assert payment.amount == Decimal(approved)
        return
    services.change_payment_amount(payment=payment, amount=new_total, idempotency_key="change:1")
    payment.refresh_from_db()
    assert payment.amount == new_total
    assert list(payment.authorizations.values_list("reference", "amount")) == [
        (AUTHORIZATION_ID, new_total)
    ]
    # Nothing was authorized again: only the authorization was read.
    assert not [r for r, _ in paypal_fake.log if "reauthorize" in r.path]
    paypal_fake.expect_request(CAPTURE_PATH).respond_with_json(paypal_api.capture(), status=201)
    services.capture_payment(payment=payment, amount=new_total, idempotency_key="cap:1")
    assert captures_sent(paypal_fake) == [
        {"amount": {"currency_code": "USD", "value": str(new_total)}, "final_capture": True}
    ]


def test_O2_change_paypal_outside_usd_is_refused_without_asking_paypal(paypal_fake):
    paypal_fake.expect_request(f"/v2/checkout/orders/{ORDER_ID}/authorize").respond_with_json(
        {
            **paypal_api.authorized_order(),
            "purchase_units": [
                {
                    "payments": {
                        "authorizations": [
                            {
                                "id": AUTHORIZATION_ID,
                                "status": "CREATED",
                                "amount": {"currency_code": "EUR", "value": "109.99"},
                            }
                        ]
                    }
                }
            ],
        },
        status=201,
    )
    payment = services.authorize_wallet_payment(
        wallet="paypal",
        amount=Decimal("109.99"),
        currency="EUR",
        wallet_token=ORDER_ID,
        idempotency_key="authorize:1",
    )
    paypal_fake.clear_log()
    with pytest.raises(services.PaymentRefused, match="must pay the difference"):
        services.change_payment_amount(
            payment=payment, amount=Decimal("110.00"), idempotency_key="change:1"
        )
    assert not [r for r, _ in paypal_fake.log if r.path.startswith("/v2/")]


def test_O2_change_paypal_reduction_captures_less_and_the_final_capture_releases_the_rest(
    paypal_fake,
):
    payment = authorized(paypal_fake)
    paypal_fake.clear_log()
    services.change_payment_amount(
        payment=payment, amount=Decimal("90.00"), idempotency_key="change:1"
    )
    assert not [r for r, _ in paypal_fake.log if r.path.startswith("/v2/")]  # no call
    paypal_fake.expect_request(CAPTURE_PATH).respond_with_json(paypal_api.capture(), status=201)
    services.capture_payment(payment=payment, amount=Decimal("50.00"), idempotency_key="cap:1")
    services.capture_payment(payment=payment, amount=Decimal("40.00"), idempotency_key="cap:2")
    assert captures_sent(paypal_fake) == [
        {"amount": {"currency_code": "USD", "value": "50.00"}, "final_capture": False},
        # The last capture is final: PayPal releases the other 19.99 held.
        {"amount": {"currency_code": "USD", "value": "40.00"}, "final_capture": True},
    ]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED
