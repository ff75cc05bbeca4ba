"""`camshaft serve` on an empty store (A2, A4, B3): a demo store gets a demo
catalogue and an administrator whose random password only the terminal sees;
a production store gets neither demo data nor any account."""

import io
import re

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from camshaft.accounts import selectors
from camshaft.accounts.models import ApiToken, User
from camshaft.catalog.models import Part
from camshaft.core.management.commands.serve import DEMO_STAFF_EMAIL
from camshaft.pricing.models import ExchangeRate
from camshaft.tax.models import TaxJurisdiction

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _static_root(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"


def serve(**options) -> str:
    out = io.StringIO()
    call_command("serve", setup_only=True, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def printed_password(output: str) -> str:
    return re.search(r"password: (\S+)", output).group(1)


def test_A4_no_default_staff_password(settings):
    settings.PRODUCTION = False
    output = serve(demo_parts=40)
    staff = User.objects.get(email=DEMO_STAFF_EMAIL)
    password = printed_password(output)
    assert len(password) >= 20
    assert staff.check_password(password)
    assert password not in staff.password  # kept only as its hash
    assert staff.password.startswith("argon2")
    assert not any(
        check_password(known, staff.password) for known in selectors.KNOWN_DEFAULT_PASSWORDS
    )
    assert "var/mail" in output or str(settings.MAIL_DIR) in output  # where the code will be

    staff.delete()
    again = printed_password(serve())
    assert again != password  # a new random password each time, never a fixed one


def test_A4_production_serve_creates_no_account(settings):
    settings.PRODUCTION = True
    output = serve()
    assert not User.objects.exists()
    assert "camshaft createstaff EMAIL --role administrator" in output
    assert "password" not in output


def test_B3_production_serve_writes_no_demo_data(settings):
    settings.PRODUCTION = True
    output = serve()
    assert not Part.objects.exists()
    assert not ExchangeRate.objects.exists()
    assert not TaxJurisdiction.objects.exists()
    assert "The catalogue is empty" in output and "camshaft import FILE" in output


def test_B3_production_serve_refuses_demo_parts_with_the_reason(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never gets demo data"):
        serve(demo_parts=100)
    assert not Part.objects.exists() and not User.objects.exists()


def test_A4_serve_disables_a_published_default_password(settings):
    """A store installed with the old fixed demo password: whoever enrolled a
    phone with it is shut out, and the owner is told how to come back."""
    settings.PRODUCTION = True
    old = User.objects.create_user(DEMO_STAFF_EMAIL, "camshaft-demo-staff", is_staff=True)
    TOTPDevice.objects.create(user=old, name="a stranger's phone", confirmed=True)
    ApiToken.objects.create(user=old, key_hash="0" * 64, prefix="abc")
    chosen = User.objects.create_user("owner@example.com", "camshaft", is_staff=True)
    chosen.password_chosen_at = chosen.date_joined
    chosen.save()

    output = serve()

    old.refresh_from_db()
    assert not old.has_usable_password()
    assert not TOTPDevice.objects.filter(user=old).exists()
    assert not ApiToken.objects.filter(user=old).exists()
    assert f"camshaft createstaff {DEMO_STAFF_EMAIL} --role ROLE" in output
    chosen.refresh_from_db()
    assert chosen.has_usable_password()  # chosen by its owner: not tried, not touched
