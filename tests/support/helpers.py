"""Building blocks of the support desk's tests."""

from email.message import EmailMessage

from camshaft.checkout import services as checkout
from camshaft.support import services
from tests.shopping import flat_rates, ready_cart

GUEST = "pat@example.com"


def placed_order(*, user=None, email: str = GUEST, key: str = "order-1"):
    flat_rates()
    cart = ready_cart(user=user, email=email)
    return checkout.place(cart=cart, user=user, currency="USD", idempotency_key=key).order


def guest_ticket(*, email: str = GUEST, subject: str = "Brake pads for a 2012 Civic", **extra):
    return services.open_ticket(
        subject=subject, message="Which pads fit the front axle?", email=email, **extra
    )


def mail(*, sender: str, subject: str, text: str, message_id: str = "") -> bytes:
    """A mail as a customer's mail program sends it, raw."""
    message = EmailMessage()
    message["From"] = f"Pat Driver <{sender}>"
    message["To"] = "shop@example.com"
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(text)
    return bytes(message)
