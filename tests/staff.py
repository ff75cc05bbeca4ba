"""Staff in tests: signed in and past the second factor, as the back office requires (A2)."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def pass_second_factor(client, user) -> TOTPDevice:
    """Give `user` a confirmed authenticator and mark the client's session
    as verified with it, as the two-factor page does after a right code."""
    device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def sign_in_staff(client, user):
    client.force_login(user)
    pass_second_factor(client, user)
    return client


def sign_in_with_role(client, role, email=None):
    """A staff member holding only `role` (A4), signed in past the second factor."""
    from camshaft.accounts.models import User
    from camshaft.accounts.roles import grant_role

    user = User.objects.create_user(email or f"{role.slug}@staff.example.com", "staff password")
    grant_role(user=user, role=role)
    sign_in_staff(client, user)
    return user


#: A customer's personal data, each value unique so a page showing any of
#: them can be caught (A4: marketing never sees an address or a phone).
CUSTOMER_PHONE = "+1 614 555 0177"
BILLING_STREET = "41 Camshaft Avenue"
BILLING_PHONE = "+1 614 555 0142"
SHIPPING_STREET = "9 Gasket Road"
SHIPPING_PHONE = "+1 740 555 0199"
BOOK_STREET = "3 Rocker Arm Lane"
CUSTOMER_BIRTHDAY = "1984-02-29"


def customer_with_order():
    """A member with a phone, date of birth and saved address, who placed a
    card order billed to one address and shipped to another."""
    from datetime import date

    from camshaft.accounts.models import Address, User
    from camshaft.cart import services as cart_services
    from camshaft.checkout import services as checkout
    from tests.shopping import ADDRESS, card, stocked_part

    customer = User.objects.create_user(
        "robin@example.com",
        "a customer password",
        first_name="Robin",
        last_name="Driver",
        phone=CUSTOMER_PHONE,
        date_of_birth=date.fromisoformat(CUSTOMER_BIRTHDAY),
    )
    Address.objects.create(
        user=customer, **{**ADDRESS, "full_name": "Robin Driver", "line1": BOOK_STREET}
    )
    cart = cart_services.cart_for(user=customer)
    cart_services.add_to_cart(cart=cart, sku=stocked_part().sku, quantity=1)
    checkout.set_addresses(
        cart=cart,
        user=customer,
        billing={
            **ADDRESS,
            "full_name": "Robin Driver",
            "line1": BILLING_STREET,
            "phone": BILLING_PHONE,
        },
        shipping={
            **ADDRESS,
            "full_name": "Sam Receiver",
            "line1": SHIPPING_STREET,
            "phone": SHIPPING_PHONE,
        },
    )
    checkout.set_shipping_method(cart=cart, code="standard", currency="USD")
    checkout.choose_payment(cart=cart, user=customer, method="card", card=card())
    order = checkout.place(
        cart=cart, user=customer, currency="USD", idempotency_key="robin-1"
    ).order
    return customer, order
