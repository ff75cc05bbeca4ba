"""The one interface every payment gateway adapter implements (Y5).

Camshaft talks to processors only through `PaymentGateway`. Card numbers
and security codes go in through `tokenize_card` and never come back out:
everything after that uses the gateway's token (Y3). Every call that moves
money takes an `idempotency_key`; a gateway must return the first result for
a key it has seen instead of acting again (Y4)."""

import abc
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import TextChoices


class GatewayStatus(TextChoices):
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    INSUFFICIENT_FUNDS = "insufficient_funds", "Insufficient funds"
    ERROR = "error", "Error"
    #: The shopper's bank asks them to confirm (3-D Secure): nothing is held
    #: yet; send them to `GatewayResult.redirect_url`, then authorize again.
    ACTION_REQUIRED = "action_required", "Action required"


class Wallet(TextChoices):
    PAYPAL = "paypal", "PayPal"
    AMAZON_PAY = "amazon_pay", "Amazon Pay"
    VISA_CHECKOUT = "visa_checkout", "Visa Checkout"


class GatewayUnavailable(Exception):
    """The processor could not be reached or failed; nothing happened and the
    same call, with the same idempotency key, may be tried again."""


@dataclass(frozen=True, slots=True)
class CardToken:
    """What Camshaft keeps of a card: the gateway's token, brand, last four
    digits and expiry — never the number or the security code (Y3)."""

    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True, slots=True)
class GatewayResult:
    status: GatewayStatus
    reference: str = ""
    message: str = ""
    #: ACTION_REQUIRED only: where the shopper confirms the payment with their bank.
    redirect_url: str = ""
    #: `increase_authorization` only: the difference is held by a new,
    #: separate authorization, whose id is `reference`.
    separate_authorization: bool = False

    @property
    def approved(self) -> bool:
        return self.status == GatewayStatus.APPROVED


@dataclass(frozen=True, slots=True)
class WalletSession:
    """A wallet payment under way: send the shopper to `redirect_url`; when
    the wallet approves, `token` can be authorized like a card token."""

    wallet: Wallet
    token: str
    redirect_url: str


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A processor's notice, its signature checked, reduced to what Camshaft
    acts on. `kind` is one of WebhookEvent.KINDS or "ignored". A refund is
    either the processor's running total (Stripe) or one refund known by its
    id (PayPal), so events applied in any order, or twice, agree."""

    KINDS = ("refunded", "disputed", "dispute_closed", "voided")

    event_id: str
    kind: str
    #: The authorization (Stripe PaymentIntent, PayPal authorization) it concerns,
    authorization_id: str = ""
    #: or, when the processor names only that, one of its captures.
    capture_id: str = ""
    #: "refunded", Stripe: everything refunded so far of the payment.
    refunded_total: Decimal | None = None
    #: "refunded", PayPal: one refund, by its id and amount (applied once).
    refund_id: str = ""
    refund_amount: Decimal | None = None
    currency: str = ""
    #: For staff: what happened, in the processor's words.
    description: str = ""
    #: When the processor made the event: an older dispute notice arriving
    #: after a newer one changes nothing.
    occurred_at: datetime | None = None


class WebhookRefused(Exception):
    """A webhook whose signature does not check out (forged, or too old)."""


@dataclass(frozen=True, slots=True)
class CardForm:
    """How the payment page collects a card: `kind` "fields" means our own
    form (the card number reaches the server, then the processor); any other
    kind names a static script that mounts the processor's hosted fields and
    posts back only a token, with `data` as its data-* attributes."""

    kind: str = "fields"
    script: str = ""
    data: dict[str, str] = field(default_factory=dict)
    #: Content-Security-Policy sources the hosted fields need on the page,
    #: by directive ({"script-src": ("https://js.example",)}), added to the
    #: store's strict policy for that page only.
    origins: dict[str, tuple[str, ...]] = field(default_factory=dict)


class PaymentGateway(abc.ABC):
    """A payment processor adapter. Amounts are Decimals in `currency`."""

    #: Short name stored on payments so staff know which processor holds them.
    name: str = ""
    #: The wallets `start_wallet` really takes: checkout offers only these (Y1).
    wallets: tuple[Wallet, ...] = ()

    def card_form(self, *, amount: Decimal, currency: str) -> CardForm:
        """How the payment page takes a card; by default our own fields."""
        return CardForm()

    def redirect_origins(self) -> tuple[str, ...]:
        """Where a checkout form may send the shopper on (the bank's 3-D
        Secure page, a wallet's approval page): the payment and review
        pages add them to the Content-Security-Policy's form-action, which
        browsers also apply to the redirect that answers a form. None by
        default: the shopper stays on the store."""
        return ()

    def describe_card(self, *, token: str) -> CardToken:
        """Brand, last four and expiry of a card tokenized in the browser."""
        raise NotImplementedError(f"{self.name} gateway tokenizes cards on the server")

    def keep_card(self, *, token: str) -> CardToken:
        """Make a card token reusable for the member's next checkouts (K2);
        called before the token pays for anything. By default tokens last."""
        return self.describe_card(token=token)

    def forget_card(self, *, token: str) -> None:
        """A member removed a saved card (A3) or was erased (V4): the processor
        lets go of it too. By default the token holds nothing to forget."""
        return None

    def parse_webhook(self, *, body: bytes, headers: dict[str, str]) -> WebhookEvent:
        """Check a processor's notice and say what it means; raise
        `WebhookRefused` for a bad signature."""
        raise WebhookRefused(f"the {self.name} gateway sends no webhooks")

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
        """Hold `amount` more on an authorization nothing was captured from,
        so that it holds `total` (an order grew before it shipped, O2).

        `token` is the member's saved card that paid, when they allowed the
        store to charge it while they are away, else "": a processor whose
        card cannot raise its hold may then authorize the difference on it
        separately (`GatewayResult.separate_authorization`). Processors that
        cannot raise an authorization decline, and the change is refused."""
        return GatewayResult(
            GatewayStatus.DECLINED,
            message=f"The {self.name or 'payment'} processor cannot raise an authorization; "
            "the shopper must pay the difference as a new payment.",
        )

    def reduce_authorization(
        self, *, authorization_id: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayResult:
        """Release `amount` of an authorization nothing was captured from
        (an order shrank before it shipped, O2). By default no call: the
        payment is then captured for less, and processors release the rest
        of the hold with the final capture."""
        return GatewayResult(
            GatewayStatus.APPROVED,
            reference=authorization_id,
            message="The rest of the hold is released when the payment is captured.",
        )

    @abc.abstractmethod
    def tokenize_card(
        self, *, number: str, exp_month: int, exp_year: int, cvc: str, holder: str
    ) -> CardToken:
        """Hand the card to the processor; raise `cards.CardInvalid` if unusable."""

    @abc.abstractmethod
    def authorize(
        self, *, token: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayResult:
        """Hold `amount` on a card or wallet token; `reference` is the
        authorization id that `capture` and `void` take."""

    @abc.abstractmethod
    def capture(
        self,
        *,
        authorization_id: str,
        amount: Decimal,
        currency: str,
        final_capture: bool,
        idempotency_key: str,
    ) -> GatewayResult:
        """Take `amount` (all or part of what is left) of an authorization;
        `final_capture` when nothing more will be taken from it, so the
        processor releases whatever it still holds (an order that shrank)."""

    @abc.abstractmethod
    def void(self, *, authorization_id: str, idempotency_key: str) -> GatewayResult:
        """Release an authorization nothing has been captured from."""

    @abc.abstractmethod
    def refund(
        self, *, capture_id: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayResult:
        """Give back `amount` of a capture."""

    @abc.abstractmethod
    def start_wallet(
        self,
        *,
        wallet: Wallet,
        amount: Decimal,
        currency: str,
        return_url: str,
        idempotency_key: str = "",
    ) -> WalletSession:
        """Begin a PayPal, Amazon Pay or Visa Checkout payment; a repeat with
        the same key gets the first answer back."""


#: The calls that hand data to the processor: each is checked against the
#: sharing register (V10) before it runs.
GATEWAY_CALLS = (
    "authorize",
    "capture",
    "describe_card",
    "forget_card",
    "increase_authorization",
    "keep_card",
    "reduce_authorization",
    "refund",
    "start_wallet",
    "tokenize_card",
    "void",
)
