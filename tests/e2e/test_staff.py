"""A clerk's first sign-in in a real browser: password, authenticator set-up
with the key the page shows, backup codes, then the back office (A2, B1)."""

from base64 import b32decode

import pytest
from django_otp.oath import TOTP

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_A2_clerk_sets_up_two_factor_and_reaches_the_back_office(page, django_user_model):
    django_user_model.objects.create_superuser("clerk@example.com", "a long staff password")
    page.goto("/staff/")
    page.wait_for_url("**/account/sign-in/**")
    page.fill("#id_email", "clerk@example.com")
    page.fill("#id_password", "a long staff password")
    page.click("main button[type=submit]")
    page.wait_for_url("**/account/two-factor/**")
    assert page.locator("#qr svg").count() == 1
    secret = page.inner_text("#secret")
    code = TOTP(b32decode(secret)).token()
    page.fill("#id_code", f"{code:06d}")
    page.click("main button[type=submit]")
    assert page.locator("#backup-codes li").count() == 10
    page.click("text=Continue")
    page.wait_for_url("**/staff/")
    assert "Store administration" in page.inner_text("body")
