"""V2: necessary cookies always, analytics cookies and rows only after
consent, the choice recorded and changeable from the footer at any time."""

from unittest import mock

import pytest
from django.urls import reverse

from camshaft.analytics import cookies
from camshaft.analytics.models import CookieChoice, Event, Visitor
from camshaft.consent.models import ConsentRecord
from camshaft.consent.services import current_policy
from tests.shopping import stocked_part

pytestmark = pytest.mark.django_db

BANNER = b'id="cookie-banner"'


def test_V2_banner_is_shown_until_the_visitor_chooses(client):
    assert BANNER in client.get("/").content
    client.post(reverse("cookie-settings"), {"analytics": "reject", "next": "/"})
    page = client.get("/")
    assert BANNER not in page.content
    assert b'id="cookie-settings-link"' in page.content  # the way back to change it


def test_V2_banner_works_without_javascript_and_returns_to_the_page(client):
    part = stocked_part()
    page = client.get(reverse("part", args=[part.sku]))
    assert b'name="analytics" value="accept"' in page.content
    assert b"csrfmiddlewaretoken" in page.content
    response = client.post(
        reverse("cookie-settings"), {"analytics": "accept", "next": f"/parts/{part.sku}/"}
    )
    assert response.status_code == 302
    assert response.url == f"/parts/{part.sku}/"


def test_V2_the_banner_form_is_csrf_protected(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("cookie-settings"), {"analytics": "accept"})
    assert response.status_code == 403
    assert not CookieChoice.objects.exists()


def test_V2_necessary_cookies_work_without_any_choice_and_no_analytics_cookie(client):
    part = stocked_part()
    client.get("/")
    client.post(reverse("cart_add"), {"sku": part.sku, "quantity": "1"})
    client.get(reverse("search"), {"q": "brake"})
    assert "cart" in client.cookies
    assert cookies.VISITOR_COOKIE not in client.cookies
    assert not Event.objects.exists()
    assert not Visitor.objects.exists()


def test_V2_no_analytics_cookie_or_rows_after_a_reject(client):
    response = client.post(reverse("cookie-settings"), {"analytics": "reject"})
    assert response.cookies[cookies.CHOICE_COOKIE].value == cookies.REJECTED
    client.get("/")
    client.get(reverse("search"), {"q": "brake"})
    assert not client.cookies.get(cookies.VISITOR_COOKIE, None) or not (
        client.cookies[cookies.VISITOR_COOKIE].value
    )
    assert not Event.objects.exists()


def test_V2_a_forged_choice_cookie_without_the_signed_id_records_nothing(client):
    client.cookies[cookies.CHOICE_COOKIE] = cookies.ACCEPTED
    client.cookies[cookies.VISITOR_COOKIE] = "made-up"
    client.get("/")
    assert not Event.objects.exists()


def test_V2_after_consent_the_id_cookie_is_set_and_page_views_are_recorded(client):
    response = client.post(reverse("cookie-settings"), {"analytics": "accept"})
    visitor = Visitor.objects.get()
    assert cookies.unsign(response.cookies[cookies.VISITOR_COOKIE].value) == visitor.key
    assert response.cookies[cookies.VISITOR_COOKIE]["httponly"]
    client.get("/")
    view = Event.objects.get()
    assert (view.kind, view.visitor, view.route, view.status) == (
        Event.Kind.PAGE_VIEW,
        visitor.key,
        "home",
        200,
    )
    assert view.duration_ms is not None


def test_V2_the_choice_is_recorded_with_policy_version_time_and_channel(client):
    client.post(reverse("cookie-settings"), {"analytics": "accept"})
    client.post(reverse("cookie-settings"), {"analytics": "reject"})
    accepted, rejected = CookieChoice.objects.order_by("chosen_at", "id")
    assert accepted.analytics and not rejected.analytics
    assert accepted.policy_version == current_policy()
    assert accepted.channel == rejected.channel == "web"
    assert accepted.visitor_key == rejected.visitor_key == Visitor.objects.get().key
    assert Visitor.objects.get().withdrawn_at is not None


def test_V2_the_footer_page_explains_each_cookie_and_changes_the_choice(client):
    page = client.get(reverse("cookie-settings"))
    assert page.status_code == 200
    for name in ("sessionid", "csrftoken", "cart", "currency", "garage", "analytics_id"):
        assert f"<code>{name}</code>".encode() in page.content
    client.post(reverse("cookie-settings"), {"analytics": "accept"})
    assert b"analytics cookies allowed" in client.get(reverse("cookie-settings")).content
    client.post(reverse("cookie-settings"), {"analytics": "reject"})
    assert b"necessary cookies only" in client.get(reverse("cookie-settings")).content


def test_V2_withdrawal_deletes_the_id_cookie_and_stops_recording(consenting):
    consenting.get("/")
    assert Event.objects.count() == 1
    response = consenting.post(reverse("cookie-settings"), {"analytics": "reject"})
    deleted = response.cookies[cookies.VISITOR_COOKIE]
    assert deleted.value == "" and deleted["max-age"] == 0
    consenting.get("/")
    consenting.get(reverse("search"), {"q": "brake"})
    assert Event.objects.count() == 1


def test_V2_accepting_again_keeps_the_same_id(consenting):
    key = Visitor.objects.get().key
    consenting.post(reverse("cookie-settings"), {"analytics": "accept"})
    assert list(Visitor.objects.values_list("key", flat=True)) == [key]


@pytest.mark.parametrize("data", [{}, {"analytics": "maybe"}])
def test_V2_a_bad_choice_is_refused_with_a_message_and_nothing_recorded(client, data):
    response = client.post(reverse("cookie-settings"), data)
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert not CookieChoice.objects.exists()
    assert cookies.CHOICE_COOKIE not in response.cookies


def test_V2_the_return_address_must_be_on_this_site(client):
    response = client.post(
        reverse("cookie-settings"), {"analytics": "reject", "next": "https://evil.example/"}
    )
    assert response.url == reverse("cookie-settings")


def test_V2_a_member_accepting_gets_an_analytics_consent_and_rejecting_withdraws_it(
    client, django_user_model
):
    member = django_user_model.objects.create_user("pat@example.com", "a long password 123")
    client.force_login(member)
    client.post(reverse("cookie-settings"), {"analytics": "accept"})
    consent = ConsentRecord.objects.get(user=member, purpose="analytics")
    assert consent.channel == "web" and consent.withdrawn_at is None
    assert consent.policy_version == current_policy()
    assert Visitor.objects.get().user == member
    client.post(reverse("cookie-settings"), {"analytics": "reject"})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_V2_signing_in_links_a_consenting_browser_to_the_member(consenting, django_user_model):
    django_user_model.objects.create_user("sam@example.com", "a long password 123")
    response = consenting.post(
        reverse("sign_in"), {"email": "sam@example.com", "password": "a long password 123"}
    )
    assert response.status_code == 302
    assert Visitor.objects.get().user.email == "sam@example.com"


def test_V9_page_views_keep_the_route_name_never_the_typed_path(consenting):
    part = stocked_part(sku="SECRET-42")
    consenting.get(reverse("part", args=[part.sku]), {"ref": "pat@example.com"})
    consenting.get("/no/such/page/pat@example.com/")
    routes = set(Event.objects.values_list("route", flat=True))
    assert routes == {"part", "(no such page)"}
    assert not Event.objects.filter(route__contains="SECRET").exists()


def test_V9_back_office_api_and_static_files_are_not_page_views(consenting, admin_client):
    consenting.get("/api/v1/search", {"q": "x"})
    consenting.get("/api/v1/docs")
    consenting.get("/static/camshaft/site.css")
    consenting.get("/staff/")
    consenting.get("/healthz")
    assert not Event.objects.filter(kind=Event.Kind.PAGE_VIEW).exists()


def test_V9_a_failing_recorder_never_breaks_the_page(consenting):
    with mock.patch.object(Event.objects, "create", side_effect=RuntimeError("disk full")):
        response = consenting.get("/")
    assert response.status_code == 200
    assert not Event.objects.exists()


def test_V9_recording_a_page_view_is_one_insert(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from camshaft.analytics import services

    with CaptureQueriesContext(connection) as captured:
        services.record_page_view(visitor="k" * 32, route="home", status=200, duration_ms=5)
    # The savepoint only shows inside the test's transaction; a request runs
    # in autocommit, where the statement is the INSERT alone.
    statements = [q["sql"] for q in captured if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1 and statements[0].startswith("INSERT")
