"""Reads of the payments app."""

from decimal import Decimal

from django.db.models import QuerySet

from camshaft.payments.gateways import CardForm, Wallet, configured_gateways, get_gateway
from camshaft.payments.models import OFFLINE_METHODS, PaymentMethod, SavedCard


def saved_cards_of(*, user) -> QuerySet[SavedCard]:
    """The member's own saved cards (brand, last four, expiry; a token only)."""
    return SavedCard.objects.filter(user=user)


def offered_wallets() -> list[str]:
    """The wallets the configured gateways really take (PayPal through
    PAYPAL_GATEWAY when set, the others through PAYMENT_GATEWAY): a wallet
    no processor is wired for is not offered at all (Y1)."""
    return [wallet.value for wallet in Wallet if wallet in get_gateway(wallet=wallet).wallets]


def offered_methods() -> list[str]:
    """Every way to pay this store offers: card, its wallets, offline."""
    methods = [PaymentMethod.CARD.value, *offered_wallets()]
    return methods + [method for method in PaymentMethod.values if method in OFFLINE_METHODS]


def card_form(*, amount: Decimal, currency: str) -> CardForm:
    """How the payment page takes a card with the configured gateway: our
    own fields (the test gateway) or the processor's hosted ones (Stripe)."""
    return get_gateway().card_form(amount=amount, currency=currency)


def checkout_redirect_origins() -> tuple[str, ...]:
    """Where the checkout's payment and review forms may send the shopper
    (3-D Secure, a wallet's approval page), for every configured gateway:
    the Content-Security-Policy's form-action on those two pages only."""
    origins: list[str] = []
    for gateway in configured_gateways():
        origins.extend(origin for origin in gateway.redirect_origins() if origin not in origins)
    return tuple(origins)
