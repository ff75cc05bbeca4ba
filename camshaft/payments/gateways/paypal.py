"""PayPal, through the official `paypal-server-sdk`: an Orders v2 order with
intent AUTHORIZE is the wallet payment; its authorization is captured per
shipment (Y2), voided on cancellation and its captures refunded (Y5).

The shopper approves on PayPal's site (`start_wallet` answers with PayPal's
approval link) and comes back with the order id as the wallet token, which
`authorize` turns into an authorization. Cards stay with PAYMENT_GATEWAY;
Amazon Pay and Visa Checkout are not wired to a processor yet."""

import json
from decimal import Decimal

import requests
from django.conf import settings
from paypalserversdk.configuration import Environment, Server
from paypalserversdk.exceptions.api_exception import ApiException
from paypalserversdk.http.auth.o_auth_2 import ClientCredentialsAuthCredentials
from paypalserversdk.paypal_serversdk_client import PaypalServersdkClient

from camshaft.payments.cards import CardInvalid
from camshaft.payments.gateways.base import (
    CardToken,
    GatewayResult,
    GatewayStatus,
    GatewayUnavailable,
    PaymentGateway,
    Wallet,
    WalletSession,
)

DECLINED_MESSAGE = "PayPal declined the payment. Please choose another way to pay."


def _value(amount: Decimal, currency: str) -> dict:
    places = Decimal(1) if currency == "JPY" else Decimal("0.01")  # PayPal: JPY has no minor unit
    return {"currency_code": currency, "value": str(amount.quantize(places))}


class PayPalGateway(PaymentGateway):
    """Credentials from PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET;
    PAYPAL_ENVIRONMENT "sandbox" (PayPal's test mode, the default) or "live"."""

    name = "paypal"
    # The shopper leaves for PayPal's site and comes back: no script, no frame.
    checkout_origins = {}

    def __init__(self):
        environment = (
            Environment.PRODUCTION if settings.PAYPAL_ENVIRONMENT == "live" else Environment.SANDBOX
        )
        self.client = PaypalServersdkClient(
            client_credentials_auth_credentials=ClientCredentialsAuthCredentials(
                o_auth_client_id=settings.PAYPAL_CLIENT_ID,
                o_auth_client_secret=settings.PAYPAL_CLIENT_SECRET,
            ),
            environment=environment,
            timeout=settings.PAYMENT_GATEWAY_TIMEOUT,
            max_retries=0,  # ours: nothing stored on GatewayUnavailable, retried with the same key
        )
        if settings.PAYPAL_API_BASE:  # tests: a local fake of PayPal's API
            self.client.config.environments = {
                environment: {Server.DEFAULT: settings.PAYPAL_API_BASE}
            }

    def tokenize_card(
        self, *, number: str, exp_month: int, exp_year: int, cvc: str, holder: str
    ) -> CardToken:
        raise CardInvalid("Cards are not taken through PayPal here.")

    def start_wallet(
        self, *, wallet: Wallet, amount: Decimal, currency: str, return_url: str
    ) -> WalletSession:
        if wallet != Wallet.PAYPAL:
            raise GatewayUnavailable(f"{Wallet(wallet).label} is not wired to a processor yet.")
        body = {
            "intent": "AUTHORIZE",
            "purchase_units": [{"amount": _value(amount, currency)}],
            "payment_source": {
                "paypal": {
                    "experience_context": {
                        "return_url": return_url,
                        "cancel_url": return_url,
                        "user_action": "CONTINUE",
                        "shipping_preference": "NO_SHIPPING",
                    }
                }
            },
        }
        order = self._call(self.client.orders.create_order, {"body": json.dumps(body)})
        approve = next(
            (link.href for link in order.links or [] if link.rel in {"payer-action", "approve"}),
            "",
        )
        return WalletSession(wallet=Wallet.PAYPAL, token=order.id, redirect_url=approve)

    def authorize(
        self, *, token: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayResult:
        try:
            order = self._call(
                self.client.orders.authorize_order,
                {
                    "id": token,
                    "paypal_request_id": idempotency_key,
                    "prefer": "return=representation",
                },
            )
        except _Refused as refused:
            return GatewayResult(GatewayStatus.DECLINED, message=refused.message)
        authorization = order.purchase_units[0].payments.authorizations[0]
        if (authorization.amount.value, authorization.amount.currency_code) != tuple(
            _value(amount, currency)[k] for k in ("value", "currency_code")
        ):
            return GatewayResult(
                GatewayStatus.DECLINED, message="The total changed; please approve it again."
            )
        if authorization.status not in {"CREATED", "PENDING"}:
            return GatewayResult(GatewayStatus.DECLINED, authorization.id, DECLINED_MESSAGE)
        return GatewayResult(GatewayStatus.APPROVED, reference=authorization.id)

    def capture(
        self, *, authorization_id: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayResult:
        body = {"amount": _value(amount, currency), "final_capture": False}
        return self._moved(
            self.client.payments.capture_authorized_payment,
            {"authorization_id": authorization_id, "body": json.dumps(body)},
            idempotency_key,
        )

    def void(self, *, authorization_id: str, idempotency_key: str) -> GatewayResult:
        try:
            self._call(
                self.client.payments.void_payment,
                {"authorization_id": authorization_id, "paypal_request_id": idempotency_key},
            )
        except _Refused as refused:
            return GatewayResult(GatewayStatus.DECLINED, message=refused.message)
        return GatewayResult(GatewayStatus.APPROVED, reference=authorization_id)

    def refund(
        self, *, capture_id: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayResult:
        return self._moved(
            self.client.payments.refund_captured_payment,
            {"capture_id": capture_id, "body": json.dumps({"amount": _value(amount, currency)})},
            idempotency_key,
        )

    # ------------------------------------------------------------ helpers

    def _moved(self, call, options: dict, idempotency_key: str) -> GatewayResult:
        try:
            answer = self._call(call, {**options, "paypal_request_id": idempotency_key})
        except _Refused as refused:
            return GatewayResult(GatewayStatus.DECLINED, message=refused.message)
        if answer.status in {"DECLINED", "FAILED"}:
            return GatewayResult(GatewayStatus.DECLINED, answer.id, DECLINED_MESSAGE)
        return GatewayResult(GatewayStatus.APPROVED, reference=answer.id)

    def _call(self, call, options: dict):
        try:
            return call(options).body
        except requests.RequestException as error:
            raise GatewayUnavailable(f"PayPal did not answer: {type(error).__name__}") from None
        except ApiException as error:
            if error.response_code >= 500 or error.response_code in {401, 429}:
                raise GatewayUnavailable(f"PayPal answered {error.response_code}") from None
            raise _Refused(getattr(error, "message", "") or DECLINED_MESSAGE) from None


class _Refused(Exception):
    """PayPal refused the request (4xx): a decline, not an outage."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = (message or DECLINED_MESSAGE)[:300]
