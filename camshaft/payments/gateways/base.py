"""The one interface every payment gateway adapter implements (Y5).

Camshaft talks to processors only through `PaymentGateway`. Card numbers
and security codes go in through `tokenize_card` and never come back out:
everything after that uses the gateway's token (Y3). Every call that moves
money takes an `idempotency_key`; a gateway must return the first result for
a key it has seen instead of acting again (Y4)."""

import abc
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import TextChoices


class GatewayStatus(TextChoices):
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    INSUFFICIENT_FUNDS = "insufficient_funds", "Insufficient funds"
    ERROR = "error", "Error"


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


class PaymentGateway(abc.ABC):
    """A payment processor adapter. Amounts are Decimals in `currency`."""

    #: Short name stored on payments so staff know which processor holds them.
    name: str = ""

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
        self, *, authorization_id: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayResult:
        """Take `amount` (all or part of what is left) of an authorization."""

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
        self, *, wallet: Wallet, amount: Decimal, currency: str, return_url: str
    ) -> WalletSession:
        """Begin a PayPal, Amazon Pay or Visa Checkout payment."""
