"""B2: token authentication and the account endpoints of the JSON API."""

from datetime import date

import pytest

from camshaft.accounts import services
from camshaft.accounts.models import Address, ApiToken, User
from camshaft.consent.models import ConsentRecord
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def post(client, url, body, **kwargs):
    return client.post(url, body, content_type="application/json", **kwargs)


def patch(client, url, body, **kwargs):
    return client.patch(url, body, content_type="application/json", **kwargs)


def test_B2_token_auth_round_trip(client, member):
    answer = post(client, "/api/v1/auth/token", {"email": "PAT@example.com", "password": PASSWORD})
    assert answer.status_code == 200
    token = answer.json()["token"]
    stored = ApiToken.objects.get()
    assert stored.key_hash == services.hash_token(token) != token
    assert token.startswith(stored.prefix)
    auth = {"Authorization": f"Bearer {token}"}

    me = client.get("/api/v1/me", headers=auth)
    assert me.status_code == 200
    assert me.json()["email"] == "pat@example.com"
    stored.refresh_from_db()
    assert stored.last_used_at is not None

    assert client.delete("/api/v1/auth/token", headers=auth).status_code == 204
    assert client.get("/api/v1/me", headers=auth).status_code == 401
    assert not ApiToken.objects.exists()


def test_B2_no_or_bad_token_is_401(client, member):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    member.is_active = False
    member.save()
    key = services.issue_api_token(user=member).key
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_B2_wrong_password_is_401_then_429_with_retry_after(client, member):
    for _ in range(services.ACCOUNT_MAX_FAILURES):
        answer = post(client, "/api/v1/auth/token", {"email": member.email, "password": "no"})
        assert answer.status_code == 401
        assert answer.json() == {"detail": "The email or password is not right."}
    locked = post(client, "/api/v1/auth/token", {"email": member.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 14 * 60
    assert "Too many failed sign-ins" in locked.json()["detail"]
    assert not ApiToken.objects.exists()


def test_A1_register_through_the_api(client):
    policy = client.get("/api/v1/accounts/policy").json()
    body = {
        "email": "Lee@Example.com",
        "password": PASSWORD,
        "date_of_birth": "2001-07-08",
        "accepted_policy_version": policy["version"],
    }
    answer = post(client, "/api/v1/accounts", body)
    assert answer.status_code == 201
    assert answer.json()["email"] == "lee@example.com"
    assert ConsentRecord.objects.get().channel == "api"

    again = post(client, "/api/v1/accounts", body)
    assert again.status_code == 422
    assert again.json()["errors"] == [
        {"field": "email", "message": "An account with this email already exists."}
    ]


def test_A1_api_registration_problems_are_422_and_store_nothing(client):
    answer = post(
        client,
        "/api/v1/accounts",
        {
            "email": "kid@example.com",
            "password": "abc",
            "date_of_birth": "2020-01-01",
            "accepted_policy_version": "0.1",
        },
    )
    assert answer.status_code == 422
    fields = {problem["field"] for problem in answer.json()["errors"]}
    assert fields == {"password", "date_of_birth", "accepted_policy_version"}
    assert not User.objects.exists()
    bad_json = post(client, "/api/v1/accounts", {"email": "x@example.com"})
    assert bad_json.status_code == 422


def test_A3_profile_through_the_api(client, member, bearer):
    auth = bearer(member)
    answer = patch(
        client, "/api/v1/me", {"first_name": "Pat", "phone": "+44 20 7946 0000"}, headers=auth
    )
    assert answer.status_code == 200
    assert answer.json()["first_name"] == "Pat"
    refused = patch(client, "/api/v1/me", {"first_name": "Zed", "phone": "nope"}, headers=auth)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "phone"
    young = patch(client, "/api/v1/me", {"date_of_birth": "2020-01-01"}, headers=auth)
    assert young.status_code == 422
    member.refresh_from_db()
    assert (member.first_name, member.date_of_birth) == ("Pat", date(1990, 5, 17))


def test_A3_addresses_through_the_api(client, member, bearer):
    auth = bearer(member)
    body = {
        "full_name": "Pat Driver",
        "line1": "12 Piston Street",
        "city": "Columbus",
        "postal_code": "43004",
        "country": "us",
        "default_billing": True,
    }
    created = post(client, "/api/v1/me/addresses", body, headers=auth)
    assert created.status_code == 201
    address_id = created.json()["id"]
    assert created.json()["country"] == "US"

    bad = patch(client, f"/api/v1/me/addresses/{address_id}", {"country": "ZZ"}, headers=auth)
    assert bad.status_code == 422
    assert Address.objects.get().country == "US"

    moved = patch(client, f"/api/v1/me/addresses/{address_id}", {"city": "Akron"}, headers=auth)
    assert moved.json()["city"] == "Akron"
    assert client.delete(f"/api/v1/me/addresses/{address_id}", headers=auth).status_code == 204
    assert client.get("/api/v1/me/addresses", headers=auth).json() == []


def test_B2_session_or_token_accepts_either(rf, member):
    from django.contrib.auth.models import AnonymousUser

    from camshaft.accounts.api_auth import SessionOrToken

    auth = SessionOrToken()
    key = services.issue_api_token(user=member).key
    request = rf.get("/", headers={"Authorization": f"Bearer {key}"})
    request.user = AnonymousUser()
    assert auth(request) == member
    request = rf.get("/")
    request.user = member
    assert auth(request) == member
    request = rf.get("/")
    request.user = AnonymousUser()
    assert not auth(request)
