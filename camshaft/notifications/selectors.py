"""The signed links our mails carry (newsletter confirmation, one-click
unsubscribe). Who may be sent what is decided in `consent.selectors`."""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from camshaft.consent.selectors import normalize

# A mail's unsubscribe link works this long after the mail was sent (N2).
UNSUBSCRIBE_LINK_DAYS = 30
CONFIRM_LINK_DAYS = 7


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
