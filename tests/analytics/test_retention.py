"""V9 retention and the hooks privacy work relies on: the purge job, a
member's events in their export (V3), and their erasure (V4)."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from camshaft.analytics import selectors, services
from camshaft.analytics.models import CookieChoice, Event, Visitor
from tests.factories import AnalyticsEventFactory as E
from tests.factories import AnalyticsVisitorFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


def test_V9_purge_deletes_events_past_retention_and_keeps_the_rest():
    old = E(at=NOW - services.EVENT_RETENTION - timedelta(seconds=1))
    kept = E(at=NOW - services.EVENT_RETENTION + timedelta(hours=1))
    gone_visitor = AnalyticsVisitorFactory(
        withdrawn_at=NOW - services.EVENT_RETENTION - timedelta(days=1)
    )
    recent = AnalyticsVisitorFactory(withdrawn_at=NOW - timedelta(days=1))
    active = AnalyticsVisitorFactory()
    summary = services.purge_expired(now=NOW)
    assert summary == "deleted 1 analytics events and 1 withdrawn visitor ids"
    assert list(Event.objects.all()) == [kept]
    assert not Event.objects.filter(pk=old.pk).exists()
    assert set(Visitor.objects.all()) == {recent, active}
    assert not Visitor.objects.filter(pk=gone_visitor.pk).exists()


def test_V9_purge_is_listed_in_camshaft_jobs_and_runs_from_it():
    E(at=datetime(2000, 1, 1, tzinfo=UTC))
    out = StringIO()
    call_command("jobs", "--only", "purge_expired", stdout=out)
    assert "purge_expired: deleted 1 analytics events" in out.getvalue()


def test_V9_no_client_ip_is_stored_anywhere_in_analytics():
    fields = {f.name for model in (Event, Visitor, CookieChoice) for f in model._meta.get_fields()}
    assert not {name for name in fields if "ip" in name.split("_")}


def test_V9_search_text_is_normalised_and_email_addresses_are_not_kept():
    assert services.normalise_query("  Brake   PADS ") == "brake pads"
    assert services.normalise_query("pat@example.com brake") == "[email] brake"
    assert len(services.normalise_query("x" * 500)) == services.QUERY_CHARS


@pytest.fixture
def member_with_events(client, django_user_model):
    member = django_user_model.objects.create_user("pat@example.com", "a long password 123")
    client.force_login(member)
    client.post(reverse("cookie-settings"), {"analytics": "accept"})
    client.get("/")
    client.get(reverse("cookie-settings"))
    E(visitor="someone-else", route="home")
    return member


def test_V3_a_members_events_are_in_their_export_as_plain_rows(member_with_events):
    rows = selectors.events_for_user(member_with_events)
    assert [(r["kind"], r["route"]) for r in rows] == [
        ("page_view", "home"),
        ("page_view", "cookie-settings"),
    ]
    key = Visitor.objects.get(user=member_with_events).key
    assert {r["pseudonymous_id"] for r in rows} == {key}
    assert isinstance(rows[0]["at"], str)


def test_V4_forgetting_a_member_deletes_their_events_and_mapping_only(member_with_events):
    assert services.forget_user(user=member_with_events) == 2
    assert list(Event.objects.values_list("visitor", flat=True)) == ["someone-else"]
    assert not Visitor.objects.exists()
    choice = CookieChoice.objects.get()
    assert choice.user is None and choice.visitor_key == ""
    assert selectors.events_for_user(member_with_events) == []
