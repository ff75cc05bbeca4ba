"""A1: registration with consent to the current privacy policy, 13 or older."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from camshaft.accounts import services
from camshaft.accounts.models import User
from camshaft.consent.models import ConsentRecord, PrivacyPolicyVersion
from camshaft.consent.services import current_policy
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def register(**overrides) -> User:
    fields = {
        "email": "New.Member@Example.com ",
        "password": PASSWORD,
        "date_of_birth": date(1990, 1, 1),
        "accepted_policy_version": current_policy().version,
        "channel": "web",
        **overrides,
    }
    return services.register(**fields)


def refusal(**overrides) -> dict:
    with pytest.raises(services.ValidationError) as refused:
        register(**overrides)
    assert not User.objects.exists()
    assert not ConsentRecord.objects.exists()
    return refused.value.message_dict


def test_A1_registration_records_consent_to_current_policy():
    now = timezone.now()
    PrivacyPolicyVersion.objects.create(
        version="2.0", body="Newer text.", published_at=now, effective_at=now
    )
    PrivacyPolicyVersion.objects.create(  # posted, not yet in force
        version="3.0",
        body="Future text.",
        published_at=now,
        effective_at=now + timedelta(days=30),
    )
    assert current_policy().version == "2.0"

    user = register(accepted_policy_version="2.0")

    assert user.email == "new.member@example.com"
    assert user.password.startswith("argon2")
    consent = ConsentRecord.objects.get()
    assert (consent.user, consent.email) == (user, "new.member@example.com")
    assert consent.policy_version.version == "2.0"
    assert consent.purpose == "privacy_policy"
    assert consent.channel == "web"
    assert consent.withdrawn_at is None


def test_A1_consent_to_an_old_or_missing_version_is_refused():
    now = timezone.now()
    PrivacyPolicyVersion.objects.create(
        version="2.0", body="Newer.", published_at=now, effective_at=now
    )
    for stale in ("1.0", "", None):
        problems = refusal(accepted_policy_version=stale)
        assert "current privacy policy (version 2.0)" in problems["accepted_policy_version"][0]


@pytest.mark.parametrize(
    ("born", "today", "allowed"),
    [
        (date(2013, 6, 15), date(2026, 6, 15), True),  # 13th birthday today
        (date(2013, 6, 16), date(2026, 6, 15), False),  # tomorrow
        (date(2012, 2, 29), date(2025, 2, 28), False),  # leap-day baby, common year
        (date(2012, 2, 29), date(2025, 3, 1), True),
        (date(2012, 2, 29), date(2024, 2, 29), False),  # only 12 on a leap day
        (date(2011, 2, 28), date(2024, 2, 28), True),
    ],
)
def test_A1_under_13_refused(born, today, allowed):
    if allowed:
        assert register(date_of_birth=born, today=today).date_of_birth == born
    else:
        problems = refusal(date_of_birth=born, today=today)
        assert problems["date_of_birth"] == ["You must be at least 13 to register."]


def test_A1_date_of_birth_in_the_future_or_absurd_is_refused():
    today = date(2026, 1, 10)
    assert "future" in refusal(date_of_birth=date(2026, 1, 11), today=today)["date_of_birth"][0]
    assert "check" in refusal(date_of_birth=date(1800, 1, 1), today=today)["date_of_birth"][0]


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("short1", "too short"),
        ("password123", "too common"),
        ("48151623429876", "entirely numeric"),
    ],
)
def test_A1_weak_password_refused(password, words):
    problems = refusal(password=password)
    assert any(words in message for message in problems["password"])


def test_A1_password_like_the_email_refused():
    problems = refusal(email="wrenchmonkey@example.com", password="wrenchmonkey")
    assert any("too similar" in message for message in problems["password"])


def test_A1_email_is_unique_whatever_its_case(member):
    with pytest.raises(services.ValidationError) as refused:
        register(email="PAT@example.com")
    assert refused.value.message_dict["email"] == ["An account with this email already exists."]
    assert User.objects.count() == 1


def test_A1_bad_email_refused():
    assert refusal(email="not-an-email")["email"]


def test_A1_register_page_signs_the_new_member_in(client):
    page = client.get("/account/register/")
    assert page.status_code == 200
    assert b"Privacy policy, version 1.0" in page.content
    answer = client.post(
        "/account/register/",
        {
            "email": "kim@example.com",
            "password": PASSWORD,
            "date_of_birth": "2000-03-04",
            "accepted_policy_version": "1.0",
            "accept_policy": "on",
        },
    )
    assert answer.status_code == 302
    assert answer["Location"] == "/account/"
    assert client.get("/account/").context["user"].email == "kim@example.com"
    assert ConsentRecord.objects.get().channel == "web"


def test_A1_register_page_explains_every_problem_and_stores_nothing(client):
    answer = client.post(
        "/account/register/",
        {
            "email": "kim@example.com",
            "password": "123",
            "date_of_birth": str(timezone.localdate() - timedelta(days=365 * 5)),
            "accepted_policy_version": "1.0",
        },
    )
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Please accept the privacy policy to register." in text
    assert not User.objects.exists()
    answer = client.post(
        "/account/register/",
        {
            "email": "kim@example.com",
            "password": "123",
            "date_of_birth": str(timezone.localdate() - timedelta(days=365 * 5)),
            "accepted_policy_version": "1.0",
            "accept_policy": "on",
        },
    )
    text = answer.content.decode()
    assert "You must be at least 13 to register." in text
    assert "too short" in text
    assert not User.objects.exists()
