"""A2, A4, B3: `camshaft check-deploy` names what a real store must not run with."""

import io

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from camshaft.core.checks import TEST_GATEWAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_store(settings):
    """Settings of a store set up as docs/operations.md says."""
    settings.PRODUCTION = True
    settings.SECRET_KEY_FROM_FILE = False
    settings.FIELD_ENCRYPTION_KEYS = ["a key from the environment"]
    settings.FIELD_LOOKUP_KEY = "a lookup key from the environment"
    settings.PAYMENT_GATEWAY = "shop.payments.RealGateway"
    settings.EMAIL_TO_FILES = False
    return settings


def camshaft_warnings() -> set[str]:
    return {
        message.id
        for message in run_checks(include_deployment_checks=True, databases=["default"])
        if message.id.startswith("camshaft.")
    }


def test_B3_a_store_set_up_as_documented_passes(real_store):
    assert camshaft_warnings() == set()


@pytest.mark.parametrize(
    ("setting", "value", "warning"),
    [
        ("PRODUCTION", False, "camshaft.W101"),
        ("SECRET_KEY_FROM_FILE", True, "camshaft.W102"),
        ("FIELD_ENCRYPTION_KEYS", [], "camshaft.W103"),
        ("FIELD_LOOKUP_KEY", "", "camshaft.W103"),
        ("PAYMENT_GATEWAY", TEST_GATEWAY, "camshaft.W104"),
        ("EMAIL_TO_FILES", True, "camshaft.W105"),
    ],
)
def test_B3_each_unsafe_setting_is_named(real_store, setting, value, warning):
    setattr(real_store, setting, value)
    assert camshaft_warnings() == {warning}


def test_A4_staff_with_a_known_default_password_is_named(real_store, django_user_model):
    django_user_model.objects.create_user("staff@example.com", "camshaft-demo-staff", is_staff=True)
    warnings = run_checks(include_deployment_checks=True, databases=["default"])
    found = [w for w in warnings if w.id == "camshaft.W110"]
    assert found and "staff@example.com" in found[0].msg
    assert "camshaft.W111" not in camshaft_warnings()


def test_A4_staff_whose_password_was_never_changed_is_named(real_store, django_user_model):
    django_user_model.objects.create_user("set-by-someone@example.com", "x" * 20, is_staff=True)
    chose = django_user_model.objects.create_user("chose@example.com", "y" * 20, is_staff=True)
    chose.password_chosen_at = chose.date_joined
    chose.save()
    django_user_model.objects.create_user("shopper@example.com", "z" * 20)
    warnings = run_checks(include_deployment_checks=True, databases=["default"])
    (found,) = [w for w in warnings if w.id == "camshaft.W111"]
    assert "set-by-someone@example.com" in found.msg
    assert "chose@example.com" not in found.msg and "shopper@" not in found.msg


def test_B3_check_deploy_fails_on_a_warning(real_store):
    real_store.EMAIL_TO_FILES = True
    with pytest.raises(SystemCheckError, match=r"camshaft\.W105"):
        call_command("check_deploy", stdout=io.StringIO(), stderr=io.StringIO())
