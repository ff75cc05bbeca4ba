"""Who may be sent what (N1-N3), decided here and nowhere else.

Transactional mail (order, shipping, return, refund, account) always goes,
except to an address on the do-not-send list, which gets order status mail
only. Marketing mail goes only to a confirmed newsletter subscriber who is
not on the do-not-send list."""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from camshaft.core.crypto import lookup_digest
from camshaft.notifications.models import OutboxMessage, Subscription, Suppression

# Order status mail (confirmation, payment received, shipped, cancelled...)
# is the one kind an address on the do-not-send list still gets (N3).
ORDER_STATUS_PREFIX = "order_"
# A mail's unsubscribe link works this long after the mail was sent (N2).
UNSUBSCRIBE_LINK_DAYS = 30
CONFIRM_LINK_DAYS = 7


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
        return kind == OutboxMessage.Kind.TRANSACTIONAL and is_order_status(category)
    if kind == OutboxMessage.Kind.MARKETING:
        return is_subscribed(address)
    return True


@dataclass(frozen=True)
class SignedLink:
    """A link in a mail that carries its address, signed, for `days`."""

    route: str
    salt: str
    days: int

    def url(self, address: str) -> str:
        token = signing.dumps(normalize(address), salt=self.salt, compress=True)
        return settings.STORE_URL + reverse(self.route, args=[token])

    def address(self, token: str) -> str | None:
        """The address the link was made for, or None if forged or too old."""
        try:
            return signing.loads(token, salt=self.salt, max_age=self.days * 24 * 3600)
        except signing.BadSignature:  # includes SignatureExpired
            return None


CONFIRM = SignedLink("newsletter_confirm", "camshaft.newsletter.confirm", CONFIRM_LINK_DAYS)
UNSUBSCRIBE = SignedLink(
    "newsletter_unsubscribe", "camshaft.newsletter.unsubscribe", UNSUBSCRIBE_LINK_DAYS
)


def unsubscribe_link(address: str) -> str:
    """A link that unsubscribes `address` from marketing mail, for 30 days."""
    return UNSUBSCRIBE.url(address)


def confirm_link(address: str) -> str:
    return CONFIRM.url(address)


#: The states in which a person has asked for the newsletter and not left it.
WANTS_NEWSLETTER = frozenset({Subscription.Status.PENDING, Subscription.Status.CONFIRMED})


def preferences_of(address: str) -> dict:
    subscription = Subscription.objects.filter(email=normalize(address)).first()
    return {
        "newsletter": subscription.status if subscription else "not_subscribed",
        "do_not_send": is_suppressed(address),
    }
