"""Who agreed to what, and who may be sent what (V1, N1-N3), decided here
and nowhere else.

Transactional mail (order, shipping, return, refund, account) always goes,
except to an address on the do-not-send list, which gets order status mail
only. Marketing mail goes only to a confirmed newsletter subscriber who is
not on the do-not-send list."""

from datetime import datetime, timedelta

from django.utils import timezone

from camshaft.consent.models import PrivacyPolicyVersion, Subscription, Suppression
from camshaft.core.crypto import lookup_digest

#: The kinds of mail (the outbox's `kind`).
TRANSACTIONAL = "transactional"
MARKETING = "marketing"
# Order status mail (confirmation, payment received, shipped, cancelled...)
# is the one kind an address on the do-not-send list still gets (N3).
ORDER_STATUS_PREFIX = "order_"
#: V1: a material change is posted and mailed at least this long before it applies.
POLICY_NOTICE_PERIOD = timedelta(days=30)
#: The states in which a person has asked for the newsletter and not left it.
WANTS_NEWSLETTER = frozenset({Subscription.Status.PENDING, Subscription.Status.CONFIRMED})


def normalize(address: str) -> str:
    return address.strip().lower()


def email_digest(address: str) -> str:
    """The keyed hash the do-not-send list is kept under: the store's lookup
    key, which outlives SECRET_KEY and field-key rotations (V8)."""
    return lookup_digest(normalize(address), purpose="do-not-send")


def is_suppressed(address: str) -> bool:
    return Suppression.objects.filter(email_digest=email_digest(address)).exists()


def is_subscribed(address: str) -> bool:
    return Subscription.objects.filter(
        email=normalize(address), status=Subscription.Status.CONFIRMED
    ).exists()


def is_order_status(category: str) -> bool:
    return category.startswith(ORDER_STATUS_PREFIX)


def may_receive(*, address: str, kind: str, category: str) -> bool:
    """Whether a mail of this kind and category may go to this address."""
    if is_suppressed(address):
        return kind == TRANSACTIONAL and is_order_status(category)
    if kind == MARKETING:
        return is_subscribed(address)
    return True


def preferences_of(address: str) -> dict:
    subscription = Subscription.objects.filter(email=normalize(address)).first()
    return {
        "newsletter": subscription.status if subscription else "not_subscribed",
        "do_not_send": is_suppressed(address),
    }


def upcoming_material_policy(*, now: datetime | None = None):
    """The material change members have been told of and that is not yet in
    effect, for the notice on every page (V1)."""
    now = now or timezone.now()
    return (
        PrivacyPolicyVersion.objects.filter(material=True, effective_at__gt=now)
        .order_by("effective_at")
        .first()
    )
