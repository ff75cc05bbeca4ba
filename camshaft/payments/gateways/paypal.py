"""PayPal, through the official `paypal-server-sdk`: an Orders v2 order with
intent AUTHORIZE is the wallet payment; its authorization is captured per
shipment (Y2), voided on cancellation and its captures refunded (Y5).

The shopper approves on PayPal's site (`start_wallet` answers with PayPal's
approval link) and comes back with the order id as the wallet token, which
`authorize` turns into an authorization. Cards stay with PAYMENT_GATEWAY;
Amazon Pay and Visa Checkout are not wired to a processor yet.

Webhooks are checked as PayPal's self-verification describes (its SDK has no
helper): PayPal signs ``transmission id|time|webhook id|CRC32 of the body``
with SHA256withRSA, and the certificate comes from PayPal's own host."""

import base64
import binascii
import hashlib
import json
import zlib
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from urllib.parse import urlsplit

import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.conf import settings
from django.core.cache import cache
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
    WebhookEvent,
    WebhookRefused,
)

DECLINED_MESSAGE = "PayPal declined the payment. Please choose another way to pay."
#: PayPal's rule for capturing more than the buyer authorized (US accounts):
#: up to 115 % of the authorization, and never more than 75 USD more.
OVERCAPTURE_SHARE = Decimal("1.15")
OVERCAPTURE_CAP_USD = Decimal("75")
OVER_LIMIT_MESSAGE = (
    "PayPal does not let the store take this much more than the buyer approved: "
    "the shopper must pay the difference as a new payment."
)


#: Where PayPal serves the certificates its webhooks are signed with (live, sandbox).
CERTIFICATE_HOSTS = frozenset(
    {"api.paypal.com", "api-m.paypal.com", "api.sandbox.paypal.com", "api-m.sandbox.paypal.com"}
)
#: A notice sent longer ago than this is refused: a replay of a captured one.
WEBHOOK_TOLERANCE = timedelta(minutes=5)
_CERTIFICATE_CACHE_SECONDS = 24 * 3600


def _value(amount: Decimal, currency: str) -> dict:
    places = Decimal(1) if currency == "JPY" else Decimal("0.01")  # PayPal: JPY has no minor unit
    return {"currency_code": currency, "value": str(amount.quantize(places))}


class PayPalGateway(PaymentGateway):
    """Credentials from PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET;
    PAYPAL_ENVIRONMENT "sandbox" (PayPal's test mode, the default) or "live"."""

    name = "paypal"
    wallets = (Wallet.PAYPAL,)

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

    def redirect_origins(self) -> tuple[str, ...]:
        """The shopper approves on PayPal's site (no script, no frame on ours)."""
        if settings.PAYPAL_API_BASE:  # a local fake stands in for all of PayPal
            parts = urlsplit(settings.PAYPAL_API_BASE)
            return (f"{parts.scheme}://{parts.netloc}",)
        live = settings.PAYPAL_ENVIRONMENT == "live"
        return ("https://www.paypal.com" if live else "https://www.sandbox.paypal.com",)

    def start_wallet(
        self,
        *,
        wallet: Wallet,
        amount: Decimal,
        currency: str,
        return_url: str,
        idempotency_key: str = "",
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
        options = {"body": json.dumps(body)}
        if idempotency_key:
            options["paypal_request_id"] = idempotency_key
        order = self._call(self.client.orders.create_order, options)
        return WalletSession(
            wallet=Wallet.PAYPAL, token=order.id, redirect_url=_approval_link(order)
        )

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
            if "PAYER_ACTION_REQUIRED" in refused.issues:
                # PayPal (or the card's bank, 3-D Secure) wants the buyer back on
                # its site: nothing is held; they return to the wallet's return_url.
                order = self._call(self.client.orders.get_order, {"id": token})
                return GatewayResult(
                    GatewayStatus.ACTION_REQUIRED, token, "", _approval_link(order)
                )
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
        self,
        *,
        authorization_id: str,
        amount: Decimal,
        currency: str,
        final_capture: bool,
        idempotency_key: str,
    ) -> GatewayResult:
        """A final capture makes PayPal release what is left of the
        authorization (an order that shrank: capture less, void the rest)."""
        body = {"amount": _value(amount, currency), "final_capture": final_capture}
        return self._moved(
            self.client.payments.capture_authorized_payment,
            {"authorization_id": authorization_id, "body": json.dumps(body)},
            idempotency_key,
        )

    def increase_authorization(
        self,
        *,
        authorization_id: str,
        amount: Decimal,
        total: Decimal,
        currency: str,
        token: str,
        idempotency_key: str,
    ) -> GatewayResult:
        """PayPal lets a store capture more than the buyer authorized, up to
        OVERCAPTURE_SHARE of it but never more than OVERCAPTURE_CAP_USD more
        (its rule for US accounts; elsewhere it depends on the country, so
        only USD payments are raised). Within that nothing is authorized
        again: the shipments capture `total`. Beyond it the buyer must
        approve a new payment."""
        if currency != "USD":
            return GatewayResult(GatewayStatus.DECLINED, message=OVER_LIMIT_MESSAGE)
        authorization = self._call(
            self.client.payments.get_authorized_payment, {"authorization_id": authorization_id}
        )
        authorized = Decimal(authorization.amount.value)
        limit = min(authorized * OVERCAPTURE_SHARE, authorized + OVERCAPTURE_CAP_USD)
        limit = limit.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        if authorization.status not in {"CREATED", "PENDING"}:
            return GatewayResult(GatewayStatus.DECLINED, message=DECLINED_MESSAGE)
        if total > limit:
            return GatewayResult(
                GatewayStatus.DECLINED,
                message=f"{OVER_LIMIT_MESSAGE} (PayPal captures at most {limit} {currency} "
                f"of the {authorized} {currency} the buyer approved.)",
            )
        return GatewayResult(
            GatewayStatus.APPROVED,
            reference=authorization_id,
            message=f"Within PayPal's limit of {limit} {currency}: captured when the parts ship.",
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

    # ----------------------------------------------------------- webhooks

    def parse_webhook(self, *, body: bytes, headers: dict[str, str]) -> WebhookEvent:
        """Check PayPal's signature on the exact body, refuse one sent more
        than WEBHOOK_TOLERANCE ago, and say what the event means."""
        sent = {name.lower(): value for name, value in headers.items()}
        if not settings.PAYPAL_WEBHOOK_ID:
            raise WebhookRefused("PAYPAL_WEBHOOK_ID is not set")
        if sent.get("paypal-auth-algo") != "SHA256withRSA":
            raise WebhookRefused("not signed with SHA256withRSA")
        transmission_id = sent.get("paypal-transmission-id", "")
        transmission_time = sent.get("paypal-transmission-time", "")
        try:
            sent_at = datetime.fromisoformat(transmission_time)
        except ValueError:
            raise WebhookRefused("no transmission time") from None
        if sent_at.tzinfo is None or abs(datetime.now(UTC) - sent_at) > WEBHOOK_TOLERANCE:
            raise WebhookRefused("sent too long ago (a replay?)")
        signed = f"{transmission_id}|{transmission_time}|{settings.PAYPAL_WEBHOOK_ID}|"
        signed += str(zlib.crc32(body))
        certificate = self._certificate(sent.get("paypal-cert-url", ""))
        try:
            certificate.public_key().verify(
                base64.b64decode(sent.get("paypal-transmission-sig", ""), validate=True),
                signed.encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (InvalidSignature, binascii.Error, ValueError, TypeError):
            raise WebhookRefused("the signature does not match") from None
        try:
            return _event(json.loads(body))
        except (ValueError, KeyError, TypeError, AttributeError, InvalidOperation):
            raise WebhookRefused("not an event PayPal sends") from None

    def _certificate(self, url: str) -> x509.Certificate:
        """PayPal's signing certificate at `url`, which must be on PayPal's
        host (or the configured PAYPAL_API_BASE): a forger cannot bring
        their own. Kept for a day; its validity dates are checked each time."""
        parts = urlsplit(url)
        ours = urlsplit(settings.PAYPAL_API_BASE) if settings.PAYPAL_API_BASE else None
        trusted = (parts.scheme == "https" and parts.hostname in CERTIFICATE_HOSTS) or (
            ours is not None and (parts.scheme, parts.netloc) == (ours.scheme, ours.netloc)
        )
        if not trusted or parts.username or parts.password:
            raise WebhookRefused("the certificate is not on PayPal's host")
        key = "paypal-cert:" + hashlib.sha256(url.encode()).hexdigest()
        pem = cache.get(key)
        if pem is None:
            try:
                answer = requests.get(
                    url, timeout=settings.PAYMENT_GATEWAY_TIMEOUT, allow_redirects=False
                )
                answer.raise_for_status()
            except requests.RequestException as error:
                raise GatewayUnavailable(f"PayPal's certificate: {type(error).__name__}") from None
            pem = answer.content
        try:
            certificate = x509.load_pem_x509_certificate(pem)
        except ValueError:
            raise WebhookRefused("the certificate cannot be read") from None
        now = datetime.now(UTC)
        if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
            raise WebhookRefused("the certificate has expired")
        cache.set(key, pem, _CERTIFICATE_CACHE_SECONDS)
        return certificate

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
            issues = [detail.issue for detail in getattr(error, "details", None) or []]
            raise _Refused(getattr(error, "message", "") or DECLINED_MESSAGE, issues) from None


class _Refused(Exception):
    """PayPal refused the request (4xx): a decline, not an outage; `issues`
    are PayPal's codes (INSTRUMENT_DECLINED, PAYER_ACTION_REQUIRED…)."""

    def __init__(self, message: str, issues: list[str]):
        super().__init__(message)
        self.message = (message or DECLINED_MESSAGE)[:300]
        self.issues = issues


def _approval_link(order) -> str:
    """Where the buyer approves the order on PayPal's site."""
    links = order.links or []
    return next((link.href for link in links if link.rel in {"payer-action", "approve"}), "")


def _event(event: dict) -> WebhookEvent:
    """A PayPal webhook event reduced to what Camshaft acts on."""
    kind, resource = event["event_type"], event["resource"]
    common = {
        "event_id": event["id"],
        "occurred_at": datetime.fromisoformat(event["create_time"]),
    }
    if kind == "PAYMENT.CAPTURE.REFUNDED":
        amount = resource["amount"]
        return WebhookEvent(
            kind="refunded",
            capture_id=_linked_capture(resource),
            refund_id=resource["id"],
            refund_amount=Decimal(amount["value"]),
            currency=amount["currency_code"],
            description="Refunded at PayPal",
            **common,
        )
    if kind in {"CUSTOMER.DISPUTE.CREATED", "CUSTOMER.DISPUTE.RESOLVED"}:
        transactions = resource.get("disputed_transactions") or [{}]
        outcome = (resource.get("dispute_outcome") or {}).get("outcome_code", "")
        return WebhookEvent(
            kind="dispute_closed" if kind.endswith("RESOLVED") else "disputed",
            capture_id=transactions[0].get("seller_transaction_id", ""),
            description=f"Dispute ({resource.get('reason', '')}): "
            f"{resource.get('status', '')} {outcome}".strip(),
            **common,
        )
    if kind == "PAYMENT.AUTHORIZATION.VOIDED":
        return WebhookEvent(
            kind="voided", authorization_id=resource["id"], description="Voided at PayPal", **common
        )
    return WebhookEvent(kind="ignored", description=kind[:300], **common)


def _linked_capture(refund: dict) -> str:
    """The capture a refund belongs to: its "up" link ends with the capture's id."""
    up = next(link["href"] for link in refund.get("links", []) if link.get("rel") == "up")
    return urlsplit(up).path.rstrip("/").rsplit("/", 1)[-1]
