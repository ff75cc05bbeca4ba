"""V11: every limited door, on the web and in the API, answers 429 with
Retry-After once a client goes over its limit; sign-in and password reset
are limited per account too; the client is found behind trusted proxies."""

import pytest
from django.test import RequestFactory

from camshaft.abuse import services
from camshaft.abuse.clients import client_address, client_ip
from camshaft.abuse.models import AbusiveClient

pytestmark = pytest.mark.django_db

LIMIT = 3
WINDOW = 3600


def _json(client, method, url, body=None, **extra):
    if method == "get":
        return client.get(url, **extra)
    return client.post(url, body or {}, content_type="application/json", **extra)


# door, method, URL and what one try sends: each is a plain request a person
# could make, refused or not for its own reasons (a wrong password, no order).
WEB_DOORS = [
    (services.REGISTRATION, "post", "/account/register/", {"email": "x"}),
    (services.SIGN_IN, "post", "/account/sign-in/", {"email": "a@example.com", "password": "x"}),
    (services.PASSWORD_RESET, "post", "/account/password-reset/", {"email": "n{n}@example.com"}),
    (services.SEARCH, "get", "/search/", {"q": "brake pads"}),
    (services.ORDER_LOOKUP, "post", "/orders/lookup/", {"number": "CS-NONE", "email": "a@b.co"}),
]
API_DOORS = [
    (services.REGISTRATION, "post", "/api/v1/accounts", {}),
    (services.SIGN_IN, "post", "/api/v1/auth/token", {"email": "a@example.com", "password": "x"}),
    (services.PASSWORD_RESET, "post", "/api/v1/auth/password-reset", {"email": "n{n}@x.com"}),
    (services.SEARCH, "get", "/api/v1/search?q=brake+pads", None),
    (services.ORDER_LOOKUP, "post", "/api/v1/orders/lookup", {"number": "CS-X", "email": "a@b.co"}),
]


def _fill(data, n):
    return {k: v.format(n=n) for k, v in data.items()} if data else data


@pytest.mark.parametrize(("door", "method", "url", "data"), WEB_DOORS, ids=lambda v: str(v))
def test_V11_web_door_answers_429_with_retry_after_after_n_tries(
    client, limits, door, method, url, data
):
    limits(**{door: f"{LIMIT}/h"})
    ip = "198.51.100.20"
    for n in range(LIMIT):
        answer = getattr(client, method)(url, _fill(data, n), REMOTE_ADDR=ip)
        assert answer.status_code != 429, f"try {n + 1} of {LIMIT} was refused"

    refused = getattr(client, method)(url, _fill(data, LIMIT), REMOTE_ADDR=ip)

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= WINDOW
    assert refused["Content-Type"].startswith("text/html")
    assert "Too many requests. Please wait" in refused.content.decode()
    # Another client is not slowed by this one.
    other = getattr(client, method)(url, _fill(data, 99), REMOTE_ADDR="198.51.100.21")
    assert other.status_code != 429


@pytest.mark.parametrize(("door", "method", "url", "data"), API_DOORS, ids=lambda v: str(v))
def test_V11_api_door_answers_429_with_retry_after_after_n_tries(
    client, limits, door, method, url, data
):
    limits(**{door: f"{LIMIT}/h"})
    ip = "2001:db8:1:2::20"
    for n in range(LIMIT):
        answer = _json(client, method, url, _fill(data, n), REMOTE_ADDR=ip)
        assert answer.status_code != 429, f"try {n + 1} of {LIMIT} was refused"

    refused = _json(client, method, url, _fill(data, LIMIT), REMOTE_ADDR=ip)

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= WINDOW
    assert refused.json()["detail"].startswith("Too many requests. Please wait")
    other = _json(client, method, url, _fill(data, 99), REMOTE_ADDR="2001:db8:1:3::20")
    assert other.status_code != 429


def test_V11_within_the_limit_every_search_is_answered(client, limits):
    limits(search="5/m")
    answers = [client.get("/search/", {"q": "rotor"}).status_code for _ in range(5)]
    assert answers == [200] * 5
    assert not AbusiveClient.objects.exists()


def test_V11_showing_a_form_does_not_count_only_sending_it(client, limits):
    limits(sign_in="2/m")
    assert [client.get("/account/sign-in/").status_code for _ in range(5)] == [200] * 5
    answer = client.post("/account/sign-in/", {"email": "a@example.com", "password": "x"})
    assert answer.status_code == 400  # a wrong password, not a rate limit


def test_V11_sign_in_is_limited_per_account_from_any_client(client, limits, django_user_model):
    django_user_model.objects.create_user("pat@example.com", "gasket-torque-41")
    limits(**{"sign_in:account": "2/10m"})
    tries = [
        client.post(
            "/account/sign-in/",
            {"email": "Pat@Example.com", "password": "guess"},
            REMOTE_ADDR=f"203.0.113.{n}",
        )
        for n in range(3)
    ]
    assert [t.status_code for t in tries] == [400, 400, 429]
    assert int(tries[-1]["Retry-After"]) >= 1
    # Another account from the last client is fine, and nobody is recorded:
    # the client over an account's limit may be the account's owner.
    other = client.post(
        "/account/sign-in/",
        {"email": "sam@example.com", "password": "x"},
        REMOTE_ADDR="203.0.113.2",
    )
    assert other.status_code == 400
    assert not AbusiveClient.objects.exists()


def test_V11_api_token_and_password_reset_are_limited_per_account(client, limits):
    limits(**{"sign_in:account": "1/10m", "password_reset:account": "1/h"})
    body = {"email": "pat@example.com", "password": "guess"}
    first = _json(client, "post", "/api/v1/auth/token", body, REMOTE_ADDR="203.0.113.1")
    second = _json(client, "post", "/api/v1/auth/token", body, REMOTE_ADDR="203.0.113.2")
    assert (first.status_code, second.status_code) == (401, 429)
    assert int(second["Retry-After"]) >= 1

    reset = {"email": "pat@example.com"}
    first = _json(client, "post", "/api/v1/auth/password-reset", reset, REMOTE_ADDR="203.0.113.3")
    second = _json(client, "post", "/api/v1/auth/password-reset", reset, REMOTE_ADDR="203.0.113.4")
    assert (first.status_code, second.status_code) == (202, 429)


def test_V11_limits_come_from_settings_over_the_defaults(settings):
    assert services.limit_for(services.SEARCH) == services.CLIENT_LIMITS[services.SEARCH]
    settings.CAMSHAFT_RATE_LIMITS = {"search": "300/2m", "sign_in:account": "4/h"}
    assert services.limit_for(services.SEARCH) == services.Limit(300, 120)
    assert services.limit_for(services.SIGN_IN, per_account=True) == services.Limit(4, 3600)
    for wrong in ("", "ten/m", "0/m", "5/w"):
        with pytest.raises(ValueError):
            services.parse_limit(wrong)


def test_V11_unknown_door_fails_at_once():
    from camshaft.abuse.decorators import rate_limited

    with pytest.raises(ValueError, match="Unknown door"):
        rate_limited("serach")


# Finding the client ---------------------------------------------------------


def _request(remote="192.0.2.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_V11_forwarded_for_is_ignored_without_trusted_proxies(settings):
    settings.CAMSHAFT_TRUSTED_PROXIES = 0
    assert client_ip(_request("192.0.2.1", "203.0.113.9")) == "192.0.2.1"


def test_V11_forwarded_for_names_the_client_behind_trusted_proxies(settings):
    settings.CAMSHAFT_TRUSTED_PROXIES = 1
    # The client wrote the left entry itself; the proxy appended the right one.
    assert client_ip(_request("10.0.0.2", "1.1.1.1, 203.0.113.9")) == "203.0.113.9"
    settings.CAMSHAFT_TRUSTED_PROXIES = 2
    assert client_ip(_request("10.0.0.2", "1.1.1.1, 203.0.113.9, 10.0.0.1")) == "203.0.113.9"
    # Fewer entries than proxies, or rubbish: the connecting address counts.
    assert client_ip(_request("10.0.0.2", "203.0.113.9")) == "10.0.0.2"
    assert client_ip(_request("10.0.0.2", "not-an-ip, 10.0.0.1")) == "10.0.0.2"


def test_V11_spoofed_forwarded_for_does_not_escape_the_limit(client, limits, settings):
    settings.CAMSHAFT_TRUSTED_PROXIES = 0
    limits(search="2/m")
    answers = [
        client.get(
            "/search/", {"q": "x"}, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}"
        ).status_code
        for n in range(3)
    ]
    assert answers == [200, 200, 429]


def test_V11_clients_behind_a_trusted_proxy_are_counted_apart(client, limits, settings):
    settings.CAMSHAFT_TRUSTED_PROXIES = 1
    limits(search="1/m")

    def search(forwarded):
        return client.get(
            "/search/", {"q": "x"}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    assert [search("203.0.113.1"), search("203.0.113.2")] == [200, 200]
    assert search("6.6.6.6, 203.0.113.1") == 429  # the same client, whatever it wrote


def test_V11_an_ipv6_host_is_counted_by_its_64_block():
    first = client_address(_request("2001:db8:aa:bb:1::1"))
    assert first == client_address(_request("2001:db8:aa:bb:ffff::9")) == "2001:db8:aa:bb::/64"
    assert first != client_address(_request("2001:db8:aa:bc::1"))
    assert client_address(_request("::ffff:192.0.2.7")) == "192.0.2.7"


def test_V11_openapi_shows_429_with_retry_after_on_limited_operations(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    limited = [
        ("/api/v1/auth/token", "post"),
        ("/api/v1/accounts", "post"),
        ("/api/v1/auth/password-reset", "post"),
        ("/api/v1/search", "get"),
        ("/api/v1/orders/lookup", "post"),
    ]
    for path, method in limited:
        too_many = paths[path][method]["responses"]["429"]
        assert "Retry-After" in too_many["headers"], path
