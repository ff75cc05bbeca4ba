"""A2 (ASVS: brute-force protection without malicious lock-out): strangers'
wrong passwords lock the account for strangers only. A browser or app that
signed in to the account before (a device cookie or token, as OWASP's
"device cookies" describe) gets through, and is locked only by its own
failures; a locked-out owner on a new browser can ask for a link by mail.
Every passage through a lock is audited."""

import re

import pytest
from django.test import Client

from camshaft.accounts import services
from camshaft.core.models import AuditAction, AuditEntry
from camshaft.notifications.models import OutboxMessage
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"


def sign_in(client, email, password=PASSWORD, ip="198.51.100.7"):
    return client.post(SIGN_IN, {"email": email, "password": password}, REMOTE_ADDR=ip)


def stranger_locks(email):
    stranger = Client()
    for attempt in range(services.ACCOUNT_MAX_FAILURES):
        sign_in(stranger, email, password="guess", ip=f"203.0.113.{attempt}")
    assert sign_in(stranger, email, ip="203.0.113.99").status_code == 429


def test_A2_stranger_cannot_lock_out_owner(member):
    owner = Client()
    assert sign_in(owner, member.email).status_code == 302
    cookie = services.device_cookie_name(member.email)
    assert owner.cookies[cookie]["httponly"]
    owner.post("/account/sign-out/")

    stranger_locks(member.email)

    assert sign_in(owner, member.email).status_code == 302
    assert AuditEntry.objects.filter(
        action=AuditAction.LOCK_PASSED, subject_user_id=member.pk
    ).exists()


def test_A2_a_trusted_browser_is_locked_by_its_own_failures_only(member):
    owner = Client()
    sign_in(owner, member.email)
    owner.post("/account/sign-out/")
    for _ in range(services.ACCOUNT_MAX_FAILURES):
        assert sign_in(owner, member.email, password="typo").status_code == 400
    assert sign_in(owner, member.email).status_code == 429
    # its failures did not lock the account for anyone else
    assert sign_in(Client(), member.email, ip="192.0.2.50").status_code == 302


def test_A2_a_device_cookie_of_another_account_does_not_help(member, django_user_model):
    other = django_user_model.objects.create_user("sam@example.com", PASSWORD)
    browser = Client()
    sign_in(browser, other.email)
    browser.post("/account/sign-out/")
    forged = services.device_cookie_name(member.email)
    browser.cookies[forged] = browser.cookies[services.device_cookie_name(other.email)].value
    stranger_locks(member.email)
    assert sign_in(browser, member.email).status_code == 429


def test_A2_a_locked_out_owner_gets_through_with_the_mailed_link(
    member, django_capture_on_commit_callbacks
):
    stranger_locks(member.email)
    owner = Client()
    locked = sign_in(owner, member.email)
    assert locked.status_code == 429 and b'id="request-unlock"' in locked.content
    with django_capture_on_commit_callbacks(execute=True):
        owner.post("/account/sign-in/unlock/", {"email": member.email})
    mail = OutboxMessage.objects.get(category="sign_in_unlock")
    link = re.search(r"/account/sign-in/unlock/\S+/", mail.body_text).group(0)
    assert owner.get(link).status_code == 200  # a button, for mail scanners
    assert owner.post(link).status_code == 302
    assert sign_in(owner, member.email).status_code == 302
    assert owner.get(link).status_code == 410  # used: signing in spent it
    assert AuditEntry.objects.filter(action=AuditAction.LOCK_PASSED).count() == 2


def test_A2_the_unlock_link_reveals_nothing_and_is_not_sent_without_a_lock(client, member):
    for email in (member.email, "nobody@example.com"):
        answer = client.post("/account/sign-in/unlock/", {"email": email})
        assert answer.status_code == 302
    assert not OutboxMessage.objects.filter(category="sign_in_unlock").exists()
    assert client.get("/account/sign-in/unlock/forged-token/").status_code == 410


def test_A2_an_app_with_its_device_token_gets_through_a_lock(client, member):
    first = client.post(
        "/api/v1/auth/token",
        {"email": member.email, "password": PASSWORD},
        content_type="application/json",
    )
    device_token = first.json()["device_token"]
    stranger_locks(member.email)
    body = {"email": member.email, "password": PASSWORD}
    refused = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert refused.status_code == 429
    allowed = client.post(
        "/api/v1/auth/token",
        {**body, "device_token": device_token},
        content_type="application/json",
    )
    assert allowed.status_code == 200
