"""Reads of the payments app."""

from decimal import Decimal

from django.db.models import QuerySet

from camshaft.payments.gateways import CardForm, configured_gateways, get_gateway
from camshaft.payments.models import SavedCard


def saved_cards_of(*, user) -> QuerySet[SavedCard]:
    """The member's own saved cards (brand, last four, expiry; a token only)."""
    return SavedCard.objects.filter(user=user)


def card_form(*, amount: Decimal, currency: str) -> CardForm:
    """How the payment page takes a card with the configured gateway: our
    own fields (the test gateway) or the processor's hosted ones (Stripe)."""
    return get_gateway().card_form(amount=amount, currency=currency)


def checkout_origins() -> dict[str, tuple[str, ...]]:
    """What the checkout pages' Content-Security-Policy must allow, by
    directive (script-src, frame-src, connect-src), for every configured
    gateway's browser script; other pages need none of it."""
    origins: dict[str, list[str]] = {}
    for gateway in configured_gateways():
        for directive, allowed in gateway.checkout_origins.items():
            merged = origins.setdefault(directive, [])
            merged.extend(origin for origin in allowed if origin not in merged)
    return {directive: tuple(allowed) for directive, allowed in origins.items()}
