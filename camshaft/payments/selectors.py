"""Reads of the payments app."""

from django.db.models import QuerySet

from camshaft.payments.models import SavedCard


def saved_cards_of(*, user) -> QuerySet[SavedCard]:
    """The member's own saved cards (brand, last four, expiry; a token only)."""
    return SavedCard.objects.filter(user=user)
