"""The built-in test gateway: the default, so a store runs end to end
without a processor account (Y5)."""

import uuid
from dataclasses import replace
from decimal import Decimal
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from camshaft.payments.cards import validate_card
from camshaft.payments.gateways.base import (
    CardToken,
    GatewayResult,
    GatewayStatus,
    GatewayUnavailable,
    PaymentGateway,
    Wallet,
    WalletSession,
)
from camshaft.payments.models import TestGatewayOperation

Kind = TestGatewayOperation.Kind

#: Test cards and what authorizing them does. Any other valid number approves.
TEST_CARDS: dict[str, GatewayStatus] = {
    "4242424242424242": GatewayStatus.APPROVED,  # Visa
    "5555555555554444": GatewayStatus.APPROVED,  # Mastercard
    "378282246310005": GatewayStatus.APPROVED,  # American Express
    "6011111111111117": GatewayStatus.APPROVED,  # Discover
    "4000000000000002": GatewayStatus.DECLINED,
    "4000000000009995": GatewayStatus.INSUFFICIENT_FUNDS,
    "4000000000000119": GatewayStatus.ERROR,  # the processor fails; try again
}

#: Test cards that authorize, but whose bank declines holding more later
#: (an order that grows before it ships, O2).
FIXED_AMOUNT_CARDS = frozenset({"4000000000000341"})
_FIXED = "fixed"

#: What the test wallet account declined@wallet.test hands back: it declines.
DECLINING_WALLET_TOKEN = "wallet_test_declined"  # noqa: S105 (a test value, no secret)

SHOPPER_MESSAGES = {
    GatewayStatus.DECLINED: "Your card was declined. Please use another card or payment method.",
    GatewayStatus.INSUFFICIENT_FUNDS: (
        "Your card was declined for insufficient funds. Please use another card."
    ),
}
_TOKEN_PREFIX = "tok_test_"  # noqa: S105


class TestGateway(PaymentGateway):
    """A gateway that moves no money and keeps its state in the database.

    Test cards (any future expiry, any CVC of the right length):

    ===================  ================  ===================================
    number               brand             authorize gives
    ===================  ================  ===================================
    4242 4242 4242 4242  Visa              approved
    5555 5555 5555 4444  Mastercard        approved
    3782 822463 10005    American Express  approved
    6011 1111 1111 1117  Discover          approved
    4000 0000 0000 0002  Visa              declined
    4000 0000 0000 9995  Visa              insufficient funds
    4000 0000 0000 0119  Visa              processor error (GatewayUnavailable)
    4000 0000 0000 0341  Visa              approved; raising it later is declined
    any other valid      its brand         approved
    ===================  ================  ===================================

    Wallets approve; the test wallet account ``declined@wallet.test``,
    whose token is ``DECLINING_WALLET_TOKEN``, declines.

    The outcome travels in the token (``tok_test_<outcome>_<random>``), never
    the number. Each call is stored under its idempotency key (unique), so a
    retry returns the first result. Capturing more than is left of an
    authorization, capturing a voided one, voiding a captured one and
    refunding more than was captured are declined with a message saying so.
    """

    __test__ = False  # not a pytest test class
    name = "test"
    #: In test mode every wallet approves at once.
    wallets = tuple(Wallet)

    def tokenize_card(
        self, *, number: str, exp_month: int, exp_year: int, cvc: str, holder: str
    ) -> CardToken:
        card = validate_card(number, exp_month, exp_year, cvc, today=timezone.localdate())
        outcome = TEST_CARDS.get(card.number, GatewayStatus.APPROVED)
        fixed = _FIXED if card.number in FIXED_AMOUNT_CARDS else ""
        return CardToken(
            token=f"{_TOKEN_PREFIX}{outcome}_{fixed}{uuid.uuid4().hex}",
            brand=card.brand.value,
            last4=card.number[-4:],
            exp_month=card.exp_month,
            exp_year=card.exp_year,
        )

    def start_wallet(
        self,
        *,
        wallet: Wallet,
        amount: Decimal,
        currency: str,
        return_url: str,
        idempotency_key: str = "",
    ) -> WalletSession:
        token = f"wallet_test_{Wallet(wallet).value}_{uuid.uuid4().hex}"
        # No wallet site to visit: the shopper comes straight back, approved.
        scheme, netloc, path, query, fragment = urlsplit(return_url)
        query = "&".join(filter(None, [query, urlencode({"wallet_token": token})]))
        return WalletSession(
            wallet=Wallet(wallet),
            token=token,
            redirect_url=urlunsplit((scheme, netloc, path, query, fragment)),
        )

    def authorize(
        self, *, token: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayResult:
        def act() -> dict:
            if token == DECLINING_WALLET_TOKEN:
                outcome = GatewayStatus.DECLINED
            elif token.startswith("wallet_test_"):
                outcome = GatewayStatus.APPROVED
            elif token.startswith(_TOKEN_PREFIX):
                outcome = GatewayStatus(token.removeprefix(_TOKEN_PREFIX).rsplit("_", 1)[0])
            else:
                return _refused("This card token is unknown to the test gateway.")
            if outcome == GatewayStatus.ERROR:
                raise GatewayUnavailable("the test processor failed (test card 4000…0119)")
            if amount <= 0:
                return _refused("The amount to authorize must be more than zero.")
            fixed = token.rsplit("_", 1)[-1].startswith(_FIXED)
            return {
                "status": outcome,
                "reference": f"auth_{_FIXED + '_' if fixed else ''}{uuid.uuid4().hex}",
                "amount": amount,
                "currency": currency,
                "message": SHOPPER_MESSAGES.get(outcome, ""),
            }

        return _once(idempotency_key, Kind.AUTHORIZE, act)

    def capture(
        self,
        *,
        authorization_id: str,
        amount: Decimal,
        currency: str,
        final_capture: bool,
        idempotency_key: str,
    ) -> GatewayResult:
        """A final capture leaves nothing to capture from the authorization."""

        def act() -> dict:
            authorization = _approved(Kind.AUTHORIZE, reference=authorization_id)
            if authorization is None:
                return _refused("There is no approved authorization with this id.")
            if _approved(Kind.VOID, parent_reference=authorization_id):
                return _refused("This authorization was voided; nothing can be captured.")
            if currency != authorization.currency:
                return _refused(f"The authorization is in {authorization.currency}.")
            left = authorization.amount - _approved_total(Kind.CAPTURE, authorization_id)
            if not 0 < amount <= left:
                return _refused(f"Cannot capture {amount}: {left} is left of the authorization.")
            if final_capture:  # the rest of the hold is released
                TestGatewayOperation.objects.filter(pk=authorization.pk).update(
                    amount=_approved_total(Kind.CAPTURE, authorization_id) + amount
                )
            return _approve(Kind.CAPTURE, authorization_id, amount, currency)

        return _once(idempotency_key, Kind.CAPTURE, act)

    def void(self, *, authorization_id: str, idempotency_key: str) -> GatewayResult:
        def act() -> dict:
            authorization = _approved(Kind.AUTHORIZE, reference=authorization_id)
            if authorization is None:
                return _refused("There is no approved authorization with this id.")
            if _approved(Kind.VOID, parent_reference=authorization_id):
                return _refused("This authorization is already voided.")
            if _approved_total(Kind.CAPTURE, authorization_id):
                return _refused("Money was captured from this authorization; refund it instead.")
            return _approve(
                Kind.VOID, authorization_id, authorization.amount, authorization.currency
            )

        return _once(idempotency_key, Kind.VOID, act)

    def refund(
        self, *, capture_id: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayResult:
        def act() -> dict:
            capture = _approved(Kind.CAPTURE, reference=capture_id)
            if capture is None:
                return _refused("There is no approved capture with this id.")
            if currency != capture.currency:
                return _refused(f"The capture is in {capture.currency}.")
            left = capture.amount - _approved_total(Kind.REFUND, capture_id)
            if not 0 < amount <= left:
                return _refused(f"Cannot refund {amount}: {left} of the capture is refundable.")
            return _approve(Kind.REFUND, capture_id, amount, currency)

        return _once(idempotency_key, Kind.REFUND, act)

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
        def act() -> dict:
            captured = _approved_total(Kind.CAPTURE, authorization_id)
            if captured and token and amount > 0:
                # As processors do once part of a hold was captured: the
                # difference is held separately on the saved card, if allowed.
                return self._separately(token, amount, currency)
            authorization = _adjustable(authorization_id, currency)
            if isinstance(authorization, dict):
                return authorization
            if authorization_id.startswith(f"auth_{_FIXED}_"):
                return _refused("The card's bank declined holding more (test card 4000…0341).")
            if amount <= 0:
                return _refused("The amount to add must be more than zero.")
            return _adjust(authorization, amount, currency)

        result = _once(idempotency_key, Kind.AUTHORIZE, act)
        # A hold of its own has an authorization's id; an adjustment has not.
        return replace(result, separate_authorization=result.reference.startswith("auth_"))

    @staticmethod
    def _separately(token: str, amount: Decimal, currency: str) -> dict:
        """A further hold of `amount` on the saved card `token`, outright."""
        if not token.startswith(_TOKEN_PREFIX):
            return _refused("This card token is unknown to the test gateway.")
        outcome = GatewayStatus(token.removeprefix(_TOKEN_PREFIX).rsplit("_", 1)[0])
        if outcome != GatewayStatus.APPROVED:
            return _refused(SHOPPER_MESSAGES.get(outcome, "The card was declined."))
        return {
            "status": GatewayStatus.APPROVED,
            "reference": f"auth_{uuid.uuid4().hex}",
            "amount": amount,
            "currency": currency,
            "message": "Held separately on the saved card.",
        }

    def reduce_authorization(
        self, *, authorization_id: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayResult:
        def act() -> dict:
            authorization = _adjustable(authorization_id, currency)
            if isinstance(authorization, dict):
                return authorization
            if not 0 < amount < authorization.amount:
                return _refused(
                    f"Cannot release {amount} of {authorization.amount}; void it instead."
                )
            return _adjust(authorization, -amount, currency)

        return _once(idempotency_key, Kind.AUTHORIZE, act)


def _adjustable(authorization_id: str, currency: str):
    """The authorization an increase or a release acts on, or why not (a dict)."""
    authorization = _approved(Kind.AUTHORIZE, reference=authorization_id)
    if authorization is None:
        return _refused("There is no approved authorization with this id.")
    if _approved(Kind.VOID, parent_reference=authorization_id):
        return _refused("This authorization was voided.")
    if _approved_total(Kind.CAPTURE, authorization_id):
        return _refused("Money was captured from this authorization; it cannot change now.")
    if currency != authorization.currency:
        return _refused(f"The authorization is in {authorization.currency}.")
    return authorization


def _adjust(authorization: TestGatewayOperation, change: Decimal, currency: str) -> dict:
    """The authorization holds `change` more (or less); the adjustment is
    stored as an authorize operation whose signed amount is the change."""
    TestGatewayOperation.objects.filter(pk=authorization.pk).update(
        amount=authorization.amount + change
    )
    return _approve(Kind.AUTHORIZE, authorization.reference, change, currency)


def _once(idempotency_key: str, kind: str, act) -> GatewayResult:
    """Run `act` once per idempotency key; later calls get the stored result."""
    operation = TestGatewayOperation.objects.filter(idempotency_key=idempotency_key).first()
    if operation is None:
        fields = act()
        try:
            with transaction.atomic():  # a savepoint: losing a race must not spoil the caller's
                operation = TestGatewayOperation.objects.create(
                    idempotency_key=idempotency_key, kind=kind, **fields
                )
        except IntegrityError:
            operation = TestGatewayOperation.objects.get(idempotency_key=idempotency_key)
    if operation.kind != kind:
        return GatewayResult(
            GatewayStatus.ERROR, message="This idempotency key was used for another operation."
        )
    return GatewayResult(GatewayStatus(operation.status), operation.reference, operation.message)


def _approved(kind: str, **lookup) -> TestGatewayOperation | None:
    return TestGatewayOperation.objects.filter(
        kind=kind, status=GatewayStatus.APPROVED, **lookup
    ).first()


def _approved_total(kind: str, parent_reference: str) -> Decimal:
    total = TestGatewayOperation.objects.filter(
        kind=kind, status=GatewayStatus.APPROVED, parent_reference=parent_reference
    ).aggregate(total=Sum("amount"))["total"]
    return total or Decimal(0)


def _approve(kind: str, parent_reference: str, amount: Decimal, currency: str) -> dict:
    return {
        "status": GatewayStatus.APPROVED,
        "reference": f"{kind}_{uuid.uuid4().hex}",
        "parent_reference": parent_reference,
        "amount": amount,
        "currency": currency,
    }


def _refused(message: str) -> dict:
    return {"status": GatewayStatus.DECLINED, "message": message}
