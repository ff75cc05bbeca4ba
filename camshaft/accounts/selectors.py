"""Reads for My Account: a member sees only their own addresses (A3)."""

from django.db.models import QuerySet

from camshaft.accounts.models import Address, ApiToken, User


def addresses_of(*, user: User) -> QuerySet[Address]:
    return Address.objects.filter(user=user)


def address_of(*, user: User, address_id: int) -> Address:
    """Raises Address.DoesNotExist for an id that is not `user`'s, exactly as
    for one that does not exist, so ids of others' addresses leak nothing."""
    return Address.objects.get(pk=address_id, user=user)


def token_for_key(*, key_hash: str) -> ApiToken | None:
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash, user__is_active=True)
        .first()
    )
