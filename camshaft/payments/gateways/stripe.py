"""Stripe, through the official `stripe` SDK: a PaymentIntent with manual
capture is the authorization, captured per shipment (Y2), cancelled to void,
refunded on returns (Y5).

Cards are typed into Stripe's Payment Element in the browser, which hands
the page a PaymentMethod id (``pm_…``); the card number never reaches
Camshaft (Y3, PCI SAQ A), so `tokenize_card` refuses. When the bank asks
for 3-D Secure, `authorize` answers ACTION_REQUIRED with Stripe's page to
send the shopper to; they come back to the checkout, which authorizes again
with the PaymentIntent's id (``pi_…``) and finds it confirmed."""

from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlsplit

import stripe
from babel.numbers import get_currency_precision
from django.conf import settings
from django.urls import reverse

from camshaft.payments.cards import CardInvalid
from camshaft.payments.gateways.base import (
    CardForm,
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

#: Stripe's answers that mean "try again later": nothing is known to have happened.
_UNAVAILABLE = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)
DECLINED_MESSAGE = "Your card was declined. Please use another card or payment method."
NO_FUNDS_MESSAGE = "Your card was declined for insufficient funds. Please use another card."
#: O2: why an order change that costs more was refused (the clerk reads it).
NO_INCREASE_MESSAGE = (
    "The card cannot raise its authorization, and the shopper has not saved it "
    "and allowed the store to charge it for changes: the shopper must pay the "
    "difference as a new payment."
)
CONFIRM_NEEDED_MESSAGE = (
    "The card's bank wants the shopper to confirm a further charge (3-D Secure), "
    "so it cannot be made for them: the shopper must pay the difference as a new payment."
)
INCREASE_DECLINED_MESSAGE = (
    "The card's bank declined holding more: the shopper must pay the difference "
    "as a new payment or with another card."
)
#: A saved card is "cus_…:pm_…": Stripe charges a kept PaymentMethod only with its Customer.
_SAVED_SEPARATOR = ":"


def minor_units(amount: Decimal, currency: str) -> int:
    """Stripe counts in the currency's smallest unit (cents; yen have none)."""
    return int(amount.scaleb(get_currency_precision(currency)).to_integral_value())


def from_minor_units(value: int, currency: str) -> Decimal:
    return Decimal(value).scaleb(-get_currency_precision(currency.upper()))


class StripeGateway(PaymentGateway):
    """Keys come from the environment (STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY,
    STRIPE_WEBHOOK_SECRET); test-mode keys (``sk_test_…``) move no money."""

    name = "stripe"

    def __init__(self):
        addresses = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
        self.client = stripe.StripeClient(
            settings.STRIPE_SECRET_KEY or "sk_unset",
            base_addresses=addresses,
            # Retries are ours: the service stores nothing on GatewayUnavailable
            # and the caller tries again with the same idempotency key.
            max_network_retries=0,
            http_client=stripe.RequestsClient(timeout=settings.PAYMENT_GATEWAY_TIMEOUT),
        )

    # ----------------------------------------------------------- browser

    def card_form(self, *, amount: Decimal, currency: str) -> CardForm:
        return CardForm(
            kind="stripe",
            script="camshaft/stripe-checkout.js",
            data={
                "publishable-key": settings.STRIPE_PUBLISHABLE_KEY,
                "amount": str(minor_units(amount, currency)),
                "currency": currency.lower(),
                "js-url": settings.STRIPE_JS_URL,
            },
            origins=stripe_origins(),
        )

    def redirect_origins(self) -> tuple[str, ...]:
        """3-D Secure: the bank's page is reached through Stripe's hooks host."""
        return (_hooks_origin(),)

    def tokenize_card(
        self, *, number: str, exp_month: int, exp_year: int, cvc: str, holder: str
    ) -> CardToken:
        raise CardInvalid("Enter your card in the secure card form (Stripe).")

    def describe_card(self, *, token: str) -> CardToken:
        method_id = token.rsplit(_SAVED_SEPARATOR, 1)[-1]
        method = self._call(self.client.v1.payment_methods.retrieve, method_id)
        card = method.card
        if card is None:
            raise CardInvalid("Stripe holds no card under this token.")
        return CardToken(
            token=token,
            brand=_BRANDS.get(card.brand, card.brand),
            last4=card.last4,
            exp_month=card.exp_month,
            exp_year=card.exp_year,
        )

    def keep_card(self, *, token: str) -> CardToken:
        """A Customer of its own (no name, no email: V10) holds the card, so
        later checkouts may charge it."""
        customer = self._call(
            self.client.v1.customers.create, {}, options={"idempotency_key": f"keep:{token}"}
        )
        self._call(
            self.client.v1.payment_methods.attach,
            token,
            {"customer": customer.id},
            options={"idempotency_key": f"attach:{token}"},
        )
        return self.describe_card(token=f"{customer.id}{_SAVED_SEPARATOR}{token}")

    def forget_card(self, *, token: str) -> None:
        """Delete the card's own Customer, which detaches its PaymentMethod."""
        customer = token.rpartition(_SAVED_SEPARATOR)[0]
        if not customer.startswith("cus_"):
            return  # used once, never kept with a Customer
        try:
            self._call(self.client.v1.customers.delete, customer)
        except stripe.InvalidRequestError:
            return  # already gone

    # ------------------------------------------------------------- money

    def authorize(
        self, *, token: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayResult:
        if token.startswith("pi_"):  # back from 3-D Secure: look, do not create again
            intent = self._call(self.client.v1.payment_intents.retrieve, token)
            expected = (minor_units(amount, currency), currency.lower())
            if (intent.amount, intent.currency) != expected:
                return GatewayResult(
                    GatewayStatus.DECLINED,
                    message="The total changed since your bank confirmed; enter your card again.",
                )
            return _intent_result(intent)
        params = {
            "amount": minor_units(amount, currency),
            "currency": currency.lower(),
            "capture_method": "manual",
            "confirm": True,
            "payment_method_types": ["card"],
            # So an order changed to cost more can raise this hold (O2), where
            # the card's network and the store's category allow it.
            "payment_method_options": {
                "card": {"request_incremental_authorization": "if_available"}
            },
            "return_url": settings.STORE_URL + reverse("checkout_card_confirmed"),
        }
        customer, _, method = token.rpartition(_SAVED_SEPARATOR)
        params["payment_method"] = method
        if customer:
            params["customer"] = customer
        try:
            intent = self._call(
                self.client.v1.payment_intents.create,
                params,
                options={"idempotency_key": idempotency_key},
            )
        except stripe.CardError as error:
            return _declined(error)
        return _intent_result(intent)

    def capture(
        self,
        *,
        authorization_id: str,
        amount: Decimal,
        currency: str,
        final_capture: bool,
        idempotency_key: str,
    ) -> GatewayResult:
        """Stripe captures a PaymentIntent once and releases the rest of its
        hold (an order that shrank is captured for less), unless
        ``final_capture: false`` keeps the rest open for the next shipment,
        which only accounts with multicapture may send: an order shipped
        whole captures on any account."""
        params: dict = {"amount_to_capture": minor_units(amount, currency)}
        if not final_capture:
            params["final_capture"] = False
        try:
            intent = self._call(
                self.client.v1.payment_intents.capture,
                authorization_id,
                params,
                options={"idempotency_key": idempotency_key},
            )
        except stripe.InvalidRequestError as error:
            return GatewayResult(GatewayStatus.DECLINED, message=_message(error))
        # The charge is what a refund acts on.
        return GatewayResult(GatewayStatus.APPROVED, reference=_charge_id(intent))

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
        """Incremental authorization where the card supports it (the charge
        says ``incremental_authorization.status: available``) and nothing
        was captured yet: the PaymentIntent then holds `total`. Otherwise the difference is
        authorized as a second PaymentIntent on the saved card, off-session,
        if the member allowed that (`token`); a bank that wants the shopper
        to confirm (3-D Secure) refuses it, and nothing is held."""
        intent = self._call(
            self.client.v1.payment_intents.retrieve,
            authorization_id,
            {"expand": ["latest_charge"]},
        )
        # Stripe increments only a hold nothing was captured from yet; after
        # a shipment's partial capture the difference needs a hold of its own.
        if not getattr(intent, "amount_received", 0) and _incremental_available(intent):
            try:
                intent = self._call(
                    self.client.v1.payment_intents.increment_authorization,
                    authorization_id,
                    {"amount": minor_units(total, currency)},
                    options={"idempotency_key": idempotency_key},
                )
            except stripe.CardError:
                return GatewayResult(GatewayStatus.DECLINED, message=INCREASE_DECLINED_MESSAGE)
            except stripe.InvalidRequestError as error:
                return GatewayResult(GatewayStatus.DECLINED, message=_message(error))
            return GatewayResult(GatewayStatus.APPROVED, reference=intent.id)
        customer, _, method = token.rpartition(_SAVED_SEPARATOR)
        if not customer:
            return GatewayResult(GatewayStatus.DECLINED, message=NO_INCREASE_MESSAGE)
        params = {
            "amount": minor_units(amount, currency),
            "currency": currency.lower(),
            "capture_method": "manual",
            "confirm": True,
            "off_session": True,
            "customer": customer,
            "payment_method": method,
            "payment_method_types": ["card"],
        }
        try:
            extra = self._call(
                self.client.v1.payment_intents.create,
                params,
                options={"idempotency_key": idempotency_key},
            )
        except stripe.CardError as error:
            if getattr(error, "code", "") == "authentication_required":
                return GatewayResult(GatewayStatus.DECLINED, message=CONFIRM_NEEDED_MESSAGE)
            return GatewayResult(GatewayStatus.DECLINED, message=INCREASE_DECLINED_MESSAGE)
        if extra.status != "requires_capture":
            return GatewayResult(GatewayStatus.DECLINED, extra.id, CONFIRM_NEEDED_MESSAGE)
        return GatewayResult(
            GatewayStatus.APPROVED, reference=extra.id, separate_authorization=True
        )

    def void(self, *, authorization_id: str, idempotency_key: str) -> GatewayResult:
        try:
            intent = self._call(
                self.client.v1.payment_intents.cancel,
                authorization_id,
                options={"idempotency_key": idempotency_key},
            )
        except stripe.InvalidRequestError as error:
            return GatewayResult(GatewayStatus.DECLINED, message=_message(error))
        return GatewayResult(GatewayStatus.APPROVED, reference=intent.id)

    def refund(
        self, *, capture_id: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayResult:
        try:
            refund = self._call(
                self.client.v1.refunds.create,
                {"charge": capture_id, "amount": minor_units(amount, currency)},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.InvalidRequestError as error:
            return GatewayResult(GatewayStatus.DECLINED, message=_message(error))
        if refund.status == "failed":
            return GatewayResult(GatewayStatus.DECLINED, refund.id, "Stripe could not refund.")
        return GatewayResult(GatewayStatus.APPROVED, reference=refund.id)

    def start_wallet(
        self,
        *,
        wallet: Wallet,
        amount: Decimal,
        currency: str,
        return_url: str,
        idempotency_key: str = "",
    ) -> WalletSession:
        raise GatewayUnavailable(
            f"{Wallet(wallet).label} is not taken through Stripe: set PAYPAL_GATEWAY for PayPal."
        )

    # ----------------------------------------------------------- webhooks

    def parse_webhook(self, *, body: bytes, headers: dict[str, str]) -> WebhookEvent:
        """Checked with Stripe's own `Webhook.construct_event` (signature and
        a five-minute tolerance, so an old capture replayed later is refused)."""
        try:
            event = stripe.Webhook.construct_event(
                body, headers.get("Stripe-Signature", ""), settings.STRIPE_WEBHOOK_SECRET
            )
        except (ValueError, stripe.SignatureVerificationError) as error:
            raise WebhookRefused(str(error)) from None
        data = event.data.object
        occurred_at = datetime.fromtimestamp(event.created, tz=UTC)
        if event.type == "charge.refunded":
            return WebhookEvent(
                event_id=event.id,
                kind="refunded",
                authorization_id=data.payment_intent or "",
                refunded_total=from_minor_units(data.amount_refunded, data.currency),
                currency=data.currency.upper(),
                description="Refunded at Stripe",
                occurred_at=occurred_at,
            )
        if event.type in {"charge.dispute.created", "charge.dispute.closed"}:
            closed = event.type.endswith("closed")
            return WebhookEvent(
                event_id=event.id,
                kind="dispute_closed" if closed else "disputed",
                authorization_id=data.payment_intent or "",
                description=f"Dispute ({data.reason}): {data.status}",
                occurred_at=occurred_at,
            )
        if event.type == "payment_intent.canceled":
            return WebhookEvent(
                event_id=event.id,
                kind="voided",
                authorization_id=data.id,
                description=f"Cancelled at Stripe ({data.cancellation_reason or 'no reason'})",
                occurred_at=occurred_at,
            )
        return WebhookEvent(event_id=event.id, kind="ignored", description=event.type)

    # ------------------------------------------------------------ helpers

    def _call(self, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except _UNAVAILABLE as error:
            raise GatewayUnavailable(f"Stripe did not answer: {type(error).__name__}") from None


_BRANDS = {"visa": "visa", "mastercard": "mastercard", "amex": "amex", "discover": "discover"}


def _intent_result(intent) -> GatewayResult:
    if intent.status == "requires_capture":
        return GatewayResult(GatewayStatus.APPROVED, reference=intent.id)
    if intent.status == "requires_action":
        action = intent.next_action
        redirect = action.redirect_to_url.url if action and action.redirect_to_url else ""
        return GatewayResult(GatewayStatus.ACTION_REQUIRED, intent.id, "", redirect)
    error = intent.last_payment_error
    if error is not None and error.decline_code == "insufficient_funds":
        return GatewayResult(GatewayStatus.INSUFFICIENT_FUNDS, intent.id, NO_FUNDS_MESSAGE)
    return GatewayResult(GatewayStatus.DECLINED, intent.id, DECLINED_MESSAGE)


def _incremental_available(intent) -> bool:
    """The card of the intent's charge takes incremental authorizations."""
    charge = intent.latest_charge
    details = getattr(charge, "payment_method_details", None)
    card = getattr(details, "card", None)
    incremental = getattr(card, "incremental_authorization", None)
    return getattr(incremental, "status", "") == "available"


def _declined(error: stripe.CardError) -> GatewayResult:
    if getattr(error, "error", None) and error.error.decline_code == "insufficient_funds":
        return GatewayResult(GatewayStatus.INSUFFICIENT_FUNDS, message=NO_FUNDS_MESSAGE)
    return GatewayResult(GatewayStatus.DECLINED, message=DECLINED_MESSAGE)


def _message(error: stripe.StripeError) -> str:
    return (error.user_message or str(error.error.message if error.error else error))[:300]


def _charge_id(intent) -> str:
    charge = intent.latest_charge
    return charge if isinstance(charge, str) else getattr(charge, "id", intent.id)


def stripe_origins() -> dict[str, tuple[str, ...]]:
    """Exactly what Stripe's security guide asks a Content-Security-Policy
    to allow for Stripe.js and the Payment Element (its Address Element's
    Google Maps sources are left out: the store does not use it), or the
    local fake's origin wherever tests point STRIPE_JS_URL and STRIPE_API_BASE."""
    js = _origin(settings.STRIPE_JS_URL)
    scripts = (js, "https://*.js.stripe.com") if js == "https://js.stripe.com" else (js,)
    return {
        "script-src": scripts,
        "frame-src": (*scripts, _hooks_origin()),
        "connect-src": (_origin(settings.STRIPE_API_BASE or "https://api.stripe.com"),),
    }


def _hooks_origin() -> str:
    """Stripe's host of 3-D Secure pages, or the local fake standing in for all of Stripe."""
    return _origin(settings.STRIPE_API_BASE) if settings.STRIPE_API_BASE else _STRIPE_HOOKS


_STRIPE_HOOKS = "https://hooks.stripe.com"


def _origin(url: str) -> str:
    """scheme://host[:port] of `url`, as a CSP source."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
