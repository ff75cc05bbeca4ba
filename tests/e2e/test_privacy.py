"""Privacy in a real browser: the cookie choice, a one-click unsubscribe
from a newsletter link, and a member deleting their account (V2, N2, V4)."""

import pytest

from camshaft.analytics.models import CookieChoice
from camshaft.consent.models import Subscription
from camshaft.notifications import selectors, services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_V2_visitor_refuses_analytics_then_allows_it_from_the_footer(page):
    page.goto("/")
    assert page.locator("#cookie-banner").is_visible()
    page.click("#cookie-banner >> text=Necessary only")
    page.wait_for_load_state()
    assert page.locator("#cookie-banner").count() == 0
    cookies = {c["name"] for c in page.context.cookies()}
    assert not any("analytics" in name and "id" in name for name in cookies)
    page.click("#cookie-settings-link")
    page.click("text=Allow analytics cookies")
    page.wait_for_load_state()
    assert list(CookieChoice.objects.order_by("id").values_list("analytics", flat=True)) == [
        False,
        True,
    ]


def test_N2_subscriber_unsubscribes_with_the_link_of_a_newsletter(page):
    services.subscribe(email="pat@example.com", source="web")
    token = selectors.confirm_link("pat@example.com").split("/")[-2]
    services.confirm_subscription(token=token)
    path = selectors.unsubscribe_link("pat@example.com").split("/", 3)[-1]
    page.goto(f"/{path}")
    assert Subscription.objects.get().status == "confirmed"  # opening the link is not enough
    page.click("#unsubscribe")
    page.wait_for_selector("text=You are unsubscribed")
    assert Subscription.objects.get().status == "unsubscribed"


def test_V4_member_deletes_their_account(page, django_user_model):
    django_user_model.objects.create_user(email="sam@example.com", password="x-long-pass-1")
    page.goto("/account/sign-in/")
    page.fill("#id_email", "sam@example.com")
    page.fill("#id_password", "x-long-pass-1")
    page.click("main button[type=submit]")
    page.goto("/account/data/")
    page.click("text=Delete my account")
    page.fill("#id_password", "x-long-pass-1")
    page.check("#id_understood")
    page.click("#delete-account")
    page.wait_for_selector("text=Your account is deleted")
    assert not django_user_model.objects.filter(email="sam@example.com").exists()
