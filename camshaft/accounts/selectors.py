"""Reads for My Account: a member sees only their own addresses (A3)."""

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, check_password
from django.db.models import QuerySet
from django.utils import timezone

from camshaft.accounts.models import Address, ApiToken, EnrolmentCode, User


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


def enrolment_code_waiting(*, user: User) -> bool:
    """Whether a code mailed to `user` can still be typed in."""
    return EnrolmentCode.objects.filter(
        user=user, used_at=None, expires_at__gt=timezone.now()
    ).exists()


#: Passwords anyone may know: the fixed demo password earlier versions of
#: `camshaft serve` printed and published, and the usual first guesses.
KNOWN_DEFAULT_PASSWORDS = ("camshaft-demo-staff", "password", "admin", "changeme", "camshaft")


def staff_with_unchosen_passwords() -> QuerySet[User]:
    """Staff whose password their owner never chose (someone else set it)."""
    return User.objects.filter(is_staff=True, is_active=True, password_chosen_at=None).exclude(
        password__startswith=UNUSABLE_PASSWORD_PREFIX  # waiting for an invitation link
    )


def staff_with_default_passwords() -> list[User]:
    """Staff accounts whose password is a known default. Only passwords their
    owner never chose are tried (a chosen one passed the validators), so a
    store whose staff came through invitations pays for no hashing here."""
    return [
        user
        for user in staff_with_unchosen_passwords().order_by("email")
        if any(check_password(guess, user.password) for guess in KNOWN_DEFAULT_PASSWORDS)
    ]
