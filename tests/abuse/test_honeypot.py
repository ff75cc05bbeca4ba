"""V11: public forms carry a honeypot people never see; a filled one is
refused quietly, nothing is saved, and the client is recorded."""

from datetime import date

import pytest
from django.conf import settings

from camshaft.abuse.forms import HONEYPOT_FIELD, REFUSED
from camshaft.abuse.models import AbusiveClient
from camshaft.accounts.models import FailedSignIn, User
from camshaft.consent.services import current_policy
from camshaft.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

PASSWORD = "gasket-torque-41"
BOT = "https://cheap-pills.example/"
FORMS = ["/account/register/", "/account/sign-in/", "/account/password-reset/", "/orders/lookup/"]


@pytest.mark.parametrize("url", FORMS)
def test_V11_public_form_carries_a_hidden_honeypot(client, url):
    html = client.get(url).content.decode()
    start = html.index('<div class="hp-field"')
    trap = html[start : html.index("</div>", start)]
    assert 'aria-hidden="true"' in trap
    # moved off screen by the site's stylesheet (no inline style: CSP)
    css = (settings.BASE_DIR / "camshaft/core/static/camshaft/site.css").read_text()
    assert ".hp-field { position:absolute; left:-10000px;" in css
    assert f'name="{HONEYPOT_FIELD}"' in trap
    assert 'tabindex="-1"' in trap
    assert 'autocomplete="off"' in trap
    assert "Leave this empty" in trap


def _registration(**extra) -> dict:
    return {
        "email": "new@example.com",
        "password": PASSWORD,
        "date_of_birth": date(1990, 1, 1).isoformat(),
        "accepted_policy_version": current_policy().version,
        "accept_policy": "on",
        **extra,
    }


def _recorded(door: str) -> AbusiveClient:
    record = AbusiveClient.objects.get()
    assert record.doors == {f"honeypot:{door}": 1}
    return record


def test_V11_filled_honeypot_refuses_registration_and_saves_nothing(client):
    answer = client.post("/account/register/", _registration(**{HONEYPOT_FIELD: BOT}))

    assert answer.status_code == 400
    assert REFUSED in answer.content.decode()
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session
    _recorded("registration")


def test_V11_empty_honeypot_lets_a_person_register(client):
    answer = client.post("/account/register/", _registration(**{HONEYPOT_FIELD: ""}))
    assert answer.status_code == 302
    assert User.objects.filter(email="new@example.com").exists()
    assert not AbusiveClient.objects.exists()


def test_V11_filled_honeypot_refuses_sign_in_even_with_the_right_password(client):
    User.objects.create_user("pat@example.com", PASSWORD)
    answer = client.post(
        "/account/sign-in/",
        {"email": "pat@example.com", "password": PASSWORD, HONEYPOT_FIELD: BOT},
    )
    assert answer.status_code == 400
    assert REFUSED in answer.content.decode()
    assert "_auth_user_id" not in client.session
    assert not FailedSignIn.objects.exists()
    _recorded("sign_in")


def test_V11_filled_honeypot_sends_no_reset_mail(client):
    User.objects.create_user("pat@example.com", PASSWORD)
    answer = client.post(
        "/account/password-reset/", {"email": "pat@example.com", HONEYPOT_FIELD: BOT}
    )
    assert answer.status_code == 400
    assert not OutboxMessage.objects.exists()
    _recorded("password_reset")
    # The same request without the honeypot, from someone else, mails the link.
    answer = client.post(
        "/account/password-reset/", {"email": "pat@example.com"}, REMOTE_ADDR="192.0.2.44"
    )
    assert answer.status_code == 302
    assert OutboxMessage.objects.count() == 1


def test_V11_filled_honeypot_refuses_order_lookup(client):
    answer = client.post(
        "/orders/lookup/", {"number": "CS-NONE", "email": "a@b.co", HONEYPOT_FIELD: BOT}
    )
    assert answer.status_code == 400  # refused before any order is looked up (404)
    assert REFUSED in answer.content.decode()
    _recorded("order_lookup")


def test_V11_a_client_caught_by_a_honeypot_is_slowed(client):
    client.post("/orders/lookup/", {"number": "CS-1", "email": "a@b.co", HONEYPOT_FIELD: BOT})
    again = client.post("/orders/lookup/", {"number": "CS-1", "email": "a@b.co"})
    assert again.status_code == 429
    assert int(again["Retry-After"]) >= 1


def test_V11_honeypot_mixin_refuses_any_form_it_is_added_to():
    from django import forms

    from camshaft.abuse.forms import HoneypotMixin

    class ContactForm(HoneypotMixin, forms.Form):
        message = forms.CharField()

    assert ContactForm({"message": "Hi"}).is_valid()
    caught = ContactForm({"message": "Hi", HONEYPOT_FIELD: BOT})
    assert not caught.is_valid()
    assert caught.non_field_errors() == [REFUSED]
