"""A2: staff sign in with a password and a second factor (an authenticator
app or a single-use backup code) before the back office opens."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from camshaft.accounts import services
from camshaft.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

PASSWORD = "a long staff password"


@pytest.fixture
def clerk(django_user_model):
    return django_user_model.objects.create_user(
        email="clerk@example.com", password=PASSWORD, is_staff=True, is_superuser=True
    )


def code_of(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(client, email="clerk@example.com", password=PASSWORD, next_url="/staff/"):
    return client.post(
        reverse("sign_in") + f"?next={next_url}",
        {"email": email, "password": password, "next": next_url},
    )


def test_A2_a_staff_password_alone_does_not_open_the_back_office(client, clerk):
    response = sign_in(client)
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor"))
    blocked = client.get("/staff/")
    assert blocked.status_code == 302
    follow = client.get(blocked.url)
    assert follow.url.startswith(reverse("two_factor"))
    assert client.get("/staff/orders/order/").status_code == 302


def prove_mailbox(client, user):
    """Ask for the code mailed before a first authenticator and type it in."""
    client.post(reverse("two_factor"), {"send_code": "1"})
    client.post(reverse("two_factor"), {"mail_code": mailed_code(user)})


def mailed_code(user) -> str:
    mail = OutboxMessage.objects.filter(to_address=user.email, category="sign_in_code").latest("id")
    return re.search(r"^(\d{8})$", mail.body_text, re.MULTILINE).group(1)


def test_A2_staff_set_up_an_authenticator_and_get_backup_codes(client, clerk):
    sign_in(client)
    prove_mailbox(client, clerk)
    page = client.get(reverse("two_factor") + "?next=/staff/")
    assert page.status_code == 200
    assert b"<svg" in page.content and page.context["secret"]
    device = TOTPDevice.objects.get(user=clerk, confirmed=False)
    assert client.get(reverse("two_factor")).context["secret"] == page.context["secret"]

    wrong = client.post(reverse("two_factor"), {"code": "000000", "next": "/staff/"})
    assert wrong.status_code == 400
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wait after a wrong code has passed
    device.save()
    confirmed = client.post(reverse("two_factor"), {"code": code_of(device), "next": "/staff/"})
    assert confirmed.status_code == 200
    codes = confirmed.context["codes"]
    assert len(codes) == services.BACKUP_CODE_COUNT
    assert client.get("/staff/").status_code == 200


def test_A2_staff_sign_in_with_a_code_or_a_backup_code_once(client, clerk):
    device = TOTPDevice.objects.create(user=clerk, name="app", confirmed=True)
    codes = services.new_backup_codes(user=clerk)
    sign_in(client)
    assert b"<svg" not in client.get(reverse("two_factor")).content  # no new setup
    response = client.post(reverse("two_factor"), {"code": code_of(device), "next": "/staff/"})
    assert response.status_code == 302 and response.url == "/staff/"
    assert client.get("/staff/").status_code == 200

    client.post(reverse("sign_out"))
    sign_in(client)
    ok = client.post(reverse("two_factor"), {"code": codes[0], "next": "/staff/"})
    assert ok.status_code == 302
    client.post(reverse("sign_out"))
    sign_in(client)
    again = client.post(reverse("two_factor"), {"code": codes[0], "next": "/staff/"})
    assert again.status_code == 400  # a backup code works once
    assert client.get("/staff/").status_code == 302


def test_A2_guessing_codes_is_slowed_down(client, clerk, settings):
    # A wrong code locks the device for factor × 2^(failures − 1) seconds; a
    # factor of a minute keeps the lock in force however slow the machine.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = TOTPDevice.objects.create(user=clerk, name="app", confirmed=True)
    sign_in(client)
    client.post(reverse("two_factor"), {"code": "123456"})
    right_but_too_soon = client.post(reverse("two_factor"), {"code": code_of(device)})
    assert right_but_too_soon.status_code == 400
    assert client.get("/staff/").status_code == 302


def test_A2_a_code_cannot_be_used_twice(client, clerk):
    device = TOTPDevice.objects.create(user=clerk, name="app", confirmed=True)
    code = code_of(device)
    sign_in(client)
    assert client.post(reverse("two_factor"), {"code": code}).status_code == 302
    client.post(reverse("sign_out"))
    sign_in(client)
    assert client.post(reverse("two_factor"), {"code": code}).status_code == 400


def test_A2_shoppers_sign_in_without_a_second_factor(client, django_user_model):
    django_user_model.objects.create_user(email="pat@example.com", password="gasket-torque-41")
    response = client.post(
        reverse("sign_in"), {"email": "pat@example.com", "password": "gasket-torque-41"}
    )
    assert response.url == reverse("my_account")
    assert client.get("/staff/").status_code == 302
    assert client.get("/staff/login/").status_code == 403
