"""A clerk's first sign-in in a real browser: an invitation link, their own
password, the authenticator set up with the key the page shows, backup
codes, then the back office (A2, A4, B1)."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from camshaft.accounts import services
from camshaft.accounts.roles import WAREHOUSE
from camshaft.notifications.models import OutboxMessage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def enrol_authenticator(page) -> None:
    assert page.locator("#qr svg").count() == 1
    secret = page.inner_text("#secret")
    code = TOTP(b32decode(secret)).token()
    page.fill("#id_code", f"{code:06d}")
    page.click("main button[type=submit]")
    assert page.locator("#backup-codes li").count() == 10
    page.click("text=Continue")
    page.wait_for_url("**/staff/")


def test_A2_invited_clerk_sets_a_password_and_two_factor_and_reaches_the_back_office(
    page, live_server, settings
):
    settings.STORE_URL = live_server.url
    issued = services.invite_staff(email="kim@example.com", role=WAREHOUSE)
    page.goto(issued.link)
    assert "kim@example.com" in page.inner_text("main")
    page.fill("#id_password", "torque wrench 1987")
    page.fill("#id_password_again", "torque wrench 1987")
    page.click("main button[type=submit]")
    page.wait_for_url("**/account/two-factor/**")
    enrol_authenticator(page)
    body = page.inner_text("body")
    assert "Store administration" in body and "Orders" in body

    page.goto(issued.link)  # the link worked once
    assert "cannot be used" in page.inner_text("main")


def test_A2_a_clerk_with_only_a_password_proves_the_mailbox_first(page, django_user_model):
    clerk = django_user_model.objects.create_superuser("clerk@example.com", "a long staff password")
    page.goto("/staff/")
    page.wait_for_url("**/account/sign-in/**")
    page.fill("#id_email", "clerk@example.com")
    page.fill("#id_password", "a long staff password")
    page.click("main button[type=submit]")
    page.wait_for_url("**/account/two-factor/**")
    assert page.locator("#qr svg").count() == 0
    page.click("#send-mail-code")
    page.wait_for_selector("#id_mail_code")
    mail = OutboxMessage.objects.get(to_address=clerk.email, category="sign_in_code")
    page.fill("#id_mail_code", re.search(r"^(\d{8})$", mail.body_text, re.M).group(1))
    page.click("#confirm-mail-code")
    page.wait_for_selector("#qr svg")
    enrol_authenticator(page)
