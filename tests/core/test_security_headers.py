"""B2 and V2 on every page: a strict Content-Security-Policy with no inline
code anywhere, a Permissions-Policy, and cookies no script can read. (The
browser tests fail on any CSP violation, so each page they walk proves the
policy leaves it working.)"""

import pathlib
import re
from decimal import Decimal

import pytest
from django.conf import settings

from camshaft.payments.gateways.stripe import StripeGateway
from tests.factories import PartFactory, StockLevelFactory, VehicleFactory

pytestmark = pytest.mark.django_db

TEMPLATES = sorted(
    path
    for path in (settings.BASE_DIR / "camshaft").rglob("*.html")
    if "email" not in path.parts  # mail is read in mail programs, not under our CSP
)
INLINE = re.compile(
    r"""<style\b|\sstyle\s*=|<script\b(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=\s*["']"""
    r"""|(?:href|src|action)\s*=\s*["']\s*javascript:""",
    re.IGNORECASE,
)


def directives(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: set(sources)
        for name, *sources in (part.split() for part in header.split(";") if part.strip())
    }


def test_B2_every_page_has_a_strict_content_security_policy(client):
    for path in ("/", "/account/sign-in/", "/api/v1/openapi.json", "/no-such-page/"):
        policy = directives(client.get(path))
        assert policy["script-src"] == {"'self'"} and policy["style-src"] == {"'self'"}
        assert policy["frame-ancestors"] == {"'none'"} and policy["object-src"] == {"'none'"}
        assert not any("unsafe" in source for sources in policy.values() for source in sources)


def test_B2_permissions_policy_switches_off_what_the_store_never_uses(client):
    header = client.get("/")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in header


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.name))
def test_B2_no_template_holds_inline_script_or_style(template: pathlib.Path):
    found = INLINE.findall(template.read_text())
    assert found == [], f"{template}: move these to a static file or a class"


def test_Y3_stripe_adds_its_origins_to_the_payment_page_only(settings):
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    form = StripeGateway().card_form(amount=Decimal(10), currency="USD")
    assert form.origins["script-src"] == ("https://js.stripe.com", "https://*.js.stripe.com")
    assert "https://api.stripe.com" in form.origins["connect-src"]


def test_V2_no_cookie_the_store_sets_can_be_read_by_a_script(client, django_user_model):
    part = PartFactory()
    StockLevelFactory(part=part)
    vehicle = VehicleFactory()
    user = django_user_model.objects.create_user("pat@example.com", "a long password 12")
    responses = [
        client.post("/cart/add/", {"sku": part.sku, "quantity": "1"}),
        client.post("/garage/change/", {"vehicle": vehicle.pk, "action": "add"}),
        client.post("/currency/", {"currency": "EUR", "next": "/"}),
        client.post("/privacy/cookies/", {"analytics": "accept"}),
        client.post("/account/sign-in/", {"email": user.email, "password": "a long password 12"}),
    ]
    cookies = {name: morsel for response in responses for name, morsel in response.cookies.items()}
    assert {"cart", settings.GARAGE_COOKIE, "currency", "sessionid"} <= set(cookies)
    readable = [name for name, morsel in cookies.items() if not morsel["httponly"]]
    assert readable == []
