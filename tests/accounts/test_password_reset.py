"""A2: password reset by email; the request page reveals no accounts."""

import re
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail

from camshaft.accounts import services
from camshaft.accounts.models import ApiToken, FailedSignIn
from camshaft.notifications.models import OutboxMessage
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "new-crankshaft-77"


def ask_for_reset(client, email, capture):
    with capture(execute=True):
        return client.post("/account/password-reset/", {"email": email}, follow=True)


def reset_link() -> str:
    (message,) = mail.outbox
    return re.search(r"http://testserver(/account/password-reset/\S+/)", message.body).group(1)


def without_csrf_tokens(page: bytes) -> bytes:
    # Each response carries a fresh masked CSRF token; everything else must match.
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page)


def test_A2_password_reset_by_email_works_once(client, member, django_capture_on_commit_callbacks):
    ask_for_reset(client, "PAT@example.com", django_capture_on_commit_callbacks)
    assert mail.outbox[0].to == ["pat@example.com"]
    assert OutboxMessage.objects.get().category == "password_reset"
    link = reset_link()

    form = client.get(link, follow=True)
    assert b"Choose a new password" in form.content
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done["Location"] == "/account/password-reset/complete/"
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)

    again = client.get(link, follow=True)
    assert b"has been used already or it has expired" in again.content
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_A2_reset_link_expires(client, member, django_capture_on_commit_callbacks):
    ask_for_reset(client, member.email, django_capture_on_commit_callbacks)
    link = reset_link()
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with mock.patch.object(PasswordResetTokenGenerator, "_now", return_value=later):
        page = client.get(link, follow=True)
    assert b"has been used already or it has expired" in page.content
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_A2_weak_new_password_is_refused(client, member, django_capture_on_commit_callbacks):
    ask_for_reset(client, member.email, django_capture_on_commit_callbacks)
    form = client.get(reset_link(), follow=True)
    answer = client.post(
        form.redirect_chain[-1][0], {"new_password1": "12345", "new_password2": "12345"}
    )
    assert answer.status_code == 200
    assert b"too short" in answer.content
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_A2_reset_request_does_not_reveal_accounts(
    client, member, django_capture_on_commit_callbacks
):
    known = ask_for_reset(client, member.email, django_capture_on_commit_callbacks)
    unknown = ask_for_reset(client, "nobody@example.com", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert without_csrf_tokens(known.content) == without_csrf_tokens(unknown.content)
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.count() == 1


def test_A2_reset_request_needs_an_email_address(client):
    answer = client.post("/account/password-reset/", {"email": "not an email"})
    assert answer.status_code == 400
    assert b"Enter a valid email address." in answer.content


def test_A2_a_new_password_ends_the_lock_and_old_tokens(
    client, member, django_capture_on_commit_callbacks
):
    services.issue_api_token(user=member)
    for _ in range(services.ACCOUNT_MAX_FAILURES):
        with pytest.raises(services.InvalidCredentials):
            services.check_credentials(email=member.email, password="x", client_ip="10.0.0.1")
    ask_for_reset(client, member.email, django_capture_on_commit_callbacks)
    form = client.get(reset_link(), follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert not FailedSignIn.objects.exists()
    assert not ApiToken.objects.exists()
    assert services.check_credentials(
        email=member.email, password=NEW_PASSWORD, client_ip="10.0.0.2"
    )


def test_A2_api_password_reset_mails_a_link_and_reveals_no_accounts(client, member):
    from camshaft.notifications.models import OutboxMessage

    known = client.post(
        "/api/v1/auth/password-reset", {"email": member.email}, content_type="application/json"
    )
    unknown = client.post(
        "/api/v1/auth/password-reset",
        {"email": "nobody@example.com"},
        content_type="application/json",
    )
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    mail = OutboxMessage.objects.get()
    assert mail.to_address == member.email and "/account/password-reset/" in mail.body_text
