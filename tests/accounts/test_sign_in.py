"""A2/V11: sign-in and sign-out with session rotation; lock-outs of an account
after 5 failures and of a client after 20, each for 15 minutes."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from camshaft.accounts import services
from camshaft.accounts.models import FailedSignIn
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, email="pat@example.com", password=PASSWORD, ip="198.51.100.7"):
    return client.post("/account/sign-in/", {"email": email, "password": password}, REMOTE_ADDR=ip)


def session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_A2_session_rotates_at_sign_in_and_dies_at_sign_out(client, member):
    anonymous = client.session
    anonymous["seen_garage"] = True
    anonymous.save()
    before = session_key(client)

    assert sign_in(client).status_code == 302
    signed_in = session_key(client)
    assert signed_in != before
    assert not SessionStore().exists(before)
    assert client.get("/account/").status_code == 200

    assert client.get("/account/sign-out/").status_code == 405  # POST only
    assert client.post("/account/sign-out/").status_code == 302
    assert not SessionStore().exists(signed_in)
    client.cookies[settings.SESSION_COOKIE_NAME] = signed_in  # replaying the old cookie
    assert client.get("/account/")["Location"].startswith("/account/sign-in/")


def test_A2_wrong_password_gives_a_plain_message(client, member):
    answer = sign_in(client, password="not-it")
    assert answer.status_code == 400
    assert "The email or password is not right." in answer.content.decode()
    unknown = sign_in(client, email="nobody@example.com")
    assert unknown.status_code == 400
    assert "The email or password is not right." in unknown.content.decode()


def test_A2_sign_in_returns_to_a_local_next_page_only(client, member):
    answer = client.post(
        "/account/sign-in/?next=/account/addresses/",
        {"email": member.email, "password": PASSWORD, "next": "/account/addresses/"},
    )
    assert answer["Location"] == "/account/addresses/"
    client.post("/account/sign-out/")
    answer = client.post(
        "/account/sign-in/",
        {"email": member.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert answer["Location"] == "/account/"


def test_A2_account_locked_after_repeated_failures(client, member):
    for attempt in range(services.ACCOUNT_MAX_FAILURES):
        # From different clients: the account lock does not depend on the IP.
        assert sign_in(client, password="guess", ip=f"203.0.113.{attempt}").status_code == 400

    locked = sign_in(client, ip="192.0.2.99")  # even the right password
    assert locked.status_code == 429
    assert 14 * 60 < int(locked["Retry-After"]) <= 15 * 60
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "try again at" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same client is not affected.
    other = services.User.objects.create_user("sam@example.com", PASSWORD)
    assert sign_in(client, email=other.email).status_code == 302


def test_A2_account_lock_lasts_15_minutes_and_success_clears_failures(member):
    start = timezone.now()
    for minute in range(5):
        with pytest.raises(services.InvalidCredentials):
            services.check_credentials(
                email=member.email,
                password="guess",
                client_ip="203.0.113.5",
                now=start + timedelta(minutes=minute),
            )
    with pytest.raises(services.SignInLocked) as locked:
        services.check_credentials(
            email=member.email,
            password=PASSWORD,
            client_ip="203.0.113.5",
            now=start + timedelta(minutes=18),
        )
    assert locked.value.until == start + timedelta(minutes=4 + 15)

    at = start + timedelta(minutes=19, seconds=1)
    user = services.check_credentials(
        email=member.email, password=PASSWORD, client_ip="203.0.113.5", now=at
    )
    assert user == member
    assert not FailedSignIn.objects.filter(
        account_digest=services.account_digest(member.email)
    ).exists()


def test_A2_four_failures_then_success_does_not_lock(member):
    for _ in range(4):
        with pytest.raises(services.InvalidCredentials):
            services.check_credentials(email=member.email, password="x", client_ip="1.2.3.4")
    services.check_credentials(email=member.email, password=PASSWORD, client_ip="1.2.3.4")
    for _ in range(4):
        with pytest.raises(services.InvalidCredentials):
            services.check_credentials(email=member.email, password="x", client_ip="1.2.3.4")
    assert services.check_credentials(email=member.email, password=PASSWORD, client_ip="1.2.3.4")


def test_A2_client_locked_after_many_failures_across_accounts(client, member):
    for attempt in range(services.CLIENT_MAX_FAILURES):
        email = f"guess{attempt % 5}@example.com"  # 4 tries each: no account lock
        assert sign_in(client, email=email, password="guess", ip="198.51.100.50").status_code == 400

    locked = sign_in(client, ip="198.51.100.50")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 14 * 60
    # The account itself is fine: another client signs in.
    assert sign_in(client, ip="198.51.100.51").status_code == 302


def test_V11_client_address_is_stored_only_as_a_keyed_hash(member):
    with pytest.raises(services.InvalidCredentials):
        services.check_credentials(email=member.email, password="x", client_ip="198.51.100.77")
    row = FailedSignIn.objects.get()
    assert "198.51.100.77" not in row.client_digest
    assert member.email not in row.account_digest
    assert len(row.client_digest) == 64
    assert row.client_digest == services.client_digest("198.51.100.77")


def at(minute: int) -> datetime:
    return datetime(2026, 1, 1, 12, 0, tzinfo=UTC) + timedelta(minutes=minute)


@pytest.mark.parametrize(
    ("failures", "lock_ends_at"),
    [
        ([0, 1, 2, 3], None),
        ([0, 1, 2, 3, 4], 19),
        ([0, 1, 2, 3, 16], None),  # the first has left the 15-minute window
        ([0, 4, 8, 12, 15], 30),  # exactly 15 minutes apart still counts
        ([0, 1, 2, 3, 4, 40, 41, 42, 43, 44], 59),  # the newest lock wins
    ],
)
def test_A2_lock_rule(failures, lock_ends_at):
    ends = services.lock_ends(
        [at(m) for m in failures],
        threshold=5,
        window=timedelta(minutes=15),
        duration=timedelta(minutes=15),
    )
    assert ends == (at(lock_ends_at) if lock_ends_at is not None else None)
