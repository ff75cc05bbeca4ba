"""V6: the breach register finds the affected people who live in the EU/EEA
from their addresses, mails each once, keeps every notice and every breach,
and shows the 72-hour clock."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from camshaft.notifications.models import OutboxMessage
from camshaft.privacy import selectors, services
from camshaft.privacy.models import BreachIncident, BreachNotice
from tests.factories import AddressFactory, MemberFactory, OrderAddressFactory, OrderFactory
from tests.staff import sign_in_staff

pytestmark = pytest.mark.django_db

FOUND = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Selection = BreachIncident.Selection


def breach(**fields) -> BreachIncident:
    fields = {
        "title": "Backup copied by a former contractor",
        "description": "A database backup was copied to a personal laptop.",
        "data_categories": ["email", "address"],
        "discovered_at": FOUND,
        "measures_taken": "We revoked the contractor's access and had the copy erased.",
        **fields,
    }
    return services.record_breach(by=None, now=FOUND + timedelta(hours=1), **fields)


def us_address(**fields):
    return OrderAddressFactory(country="US", city="Columbus", postal_code="43004", **fields)


@pytest.fixture
def people():
    french = MemberFactory(email="amelie@example.fr")
    AddressFactory(user=french, country="FR", default_billing=True)
    american = MemberFactory(email="joe@example.com")
    AddressFactory(user=american, country="US", city="Columbus", default_billing=True)
    OrderFactory(
        email="Gast@Example.de",
        billing_address=OrderAddressFactory(country="DE"),
        shipping_address=OrderAddressFactory(country="DE"),
    )
    return french, american


def listing(*emails) -> dict:
    return {"selection": Selection.LISTED, "affected_emails": "\n".join(emails)}


def test_V6_a_french_member_and_a_german_guest_are_notified_an_american_is_not(people):
    french, american = people
    incident = breach(**listing(french.email, american.email, "gast@example.de"))

    done = services.notify_breach(incident=incident, now=FOUND + timedelta(hours=2))

    assert (done.sent, done.outside_eu_eea, done.unknown_country) == (2, 1, 0)
    notices = {n.email: n for n in incident.notices.select_related("message")}
    assert set(notices) == {"amelie@example.fr", "gast@example.de"}
    assert notices["amelie@example.fr"].user == french
    assert notices["amelie@example.fr"].country == "FR"
    assert notices["gast@example.de"].user is None
    assert notices["gast@example.de"].country == "DE"
    for notice in notices.values():
        mail = notice.message
        assert mail.to_address == notice.email
        assert (mail.kind, mail.category) == ("transactional", "breach_notice")
        assert mail.reference == f"breach:{incident.pk}"
    assert not OutboxMessage.objects.filter(to_address=american.email).exists()


def test_V6_the_notice_says_what_happened_which_data_what_we_did_and_whom_to_ask(people, settings):
    settings.PRIVACY_CONTACT_EMAIL = "dpo@camshaft.example"
    incident = breach(**listing("amelie@example.fr"), data_categories=["phone", "password_hashes"])
    services.notify_breach(incident=incident)
    body = BreachNotice.objects.get().message.body_text
    assert "Backup copied by a former contractor" in body
    assert "Phone number" in body and "Password hashes" in body
    assert "Postal address" not in body
    assert "revoked the contractor's access" in body
    assert "dpo@camshaft.example" in body
    assert f"BR-{incident.pk}" in body


def test_V6_a_member_without_an_address_book_is_placed_by_their_latest_order():
    member = MemberFactory(email="sean@example.ie")
    OrderFactory(
        user=member,
        email=member.email,
        placed_at=FOUND - timedelta(days=90),
        billing_address=us_address(),
        shipping_address=us_address(),
    )
    OrderFactory(
        user=member,
        email=member.email,
        placed_at=FOUND - timedelta(days=3),
        billing_address=OrderAddressFactory(country="IE"),
        shipping_address=OrderAddressFactory(country="IE"),
    )
    incident = breach(selection=Selection.ALL_MEMBERS)
    assert [p.country for p in selectors.affected_people(incident)] == ["IE"]
    assert services.notify_breach(incident=incident).sent == 1


def test_V6_the_address_book_outranks_orders_and_billing_outranks_other_addresses():
    member = MemberFactory(email="moved@example.com")
    AddressFactory(user=member, country="NO")  # an old address, not a default
    AddressFactory(user=member, country="US", city="Reno", default_billing=True)
    OrderFactory(user=member, email=member.email)  # shipped to Germany once
    incident = breach(selection=Selection.ALL_MEMBERS)
    assert [p.country for p in selectors.affected_people(incident)] == ["US"]


def test_V6_notifying_twice_sends_nothing_new_and_a_newly_listed_person_only_once(people):
    french, _ = people
    incident = breach(**listing(french.email))
    assert services.notify_breach(incident=incident).sent == 1

    again = services.notify_breach(incident=incident)
    assert (again.sent, again.already_notified) == (0, 1)
    assert OutboxMessage.objects.filter(category="breach_notice").count() == 1

    services.update_breach(incident=incident, affected_emails=f"{french.email}\ngast@example.de")
    third = services.notify_breach(incident=incident)
    assert (third.sent, third.already_notified) == (1, 1)
    assert BreachNotice.objects.filter(incident=incident).count() == 2


def test_V6_a_breach_with_nobody_in_the_eu_eea_is_still_recorded_with_0_notified():
    AddressFactory(user=MemberFactory(), country="US", city="Reno", default_billing=True)
    AddressFactory(user=MemberFactory(), country="CA", city="Toronto", default_billing=True)
    incident = breach(selection=Selection.ALL_MEMBERS)

    done = services.notify_breach(incident=incident, now=FOUND + timedelta(hours=5))

    assert (done.sent, done.outside_eu_eea) == (0, 2)
    incident.refresh_from_db()
    assert incident.people_notified_at == FOUND + timedelta(hours=5)
    assert selectors.breach_register().get(pk=incident.pk).notice_count == 0
    assert not OutboxMessage.objects.exists()


def test_V6_orders_placed_in_a_period_name_their_members_and_guests():
    inside = OrderFactory(email="in@example.nl", placed_at=FOUND - timedelta(days=2))
    OrderFactory(email="before@example.nl", placed_at=FOUND - timedelta(days=40))
    member = MemberFactory(email="member@example.se")
    OrderFactory(user=member, email=member.email, placed_at=FOUND - timedelta(days=1))
    incident = breach(
        selection=Selection.ORDERS_BETWEEN,
        period_start=FOUND - timedelta(days=7),
        period_end=FOUND,
    )
    people = {p.email: p.country for p in selectors.affected_people(incident)}
    assert people == {"member@example.se": "DE", inside.email: "DE"}


def test_V6_accounts_created_in_a_period_are_chosen_by_their_creation_date():
    old = MemberFactory(email="old@example.fi", date_joined=FOUND - timedelta(days=400))
    new = MemberFactory(email="new@example.fi", date_joined=FOUND - timedelta(days=4))
    for member in (old, new):
        AddressFactory(user=member, country="FI")
    incident = breach(
        selection=Selection.ACCOUNTS_CREATED_BETWEEN,
        period_start=FOUND - timedelta(days=30),
        period_end=FOUND,
    )
    assert selectors.breach_preview(incident) == selectors.BreachPreview(1, 0, 0, 0)


def test_V6_a_listed_address_nobody_knows_is_counted_as_of_unknown_country():
    incident = breach(**listing("stranger@example.org"))
    preview = selectors.breach_preview(incident)
    assert (preview.in_eu_eea, preview.unknown) == (0, 1)


def test_V6_the_eu_eea_list_is_the_27_member_states_and_iceland_liechtenstein_norway():
    assert len(selectors.EU_EEA_COUNTRIES) == 30
    assert {"IS", "LI", "NO", "FR", "DE", "HR"} <= selectors.EU_EEA_COUNTRIES
    assert not {"GB", "CH", "US"} & selectors.EU_EEA_COUNTRIES


def test_V6_the_clock_shows_time_left_at_70_hours_and_overdue_at_73():
    incident = breach()
    at_70 = selectors.breach_clock(incident, now=FOUND + timedelta(hours=70))
    assert at_70.deadline == FOUND + timedelta(hours=72)
    assert not at_70.overdue
    assert str(at_70) == "2 h 00 min left"
    at_73 = selectors.breach_clock(incident, now=FOUND + timedelta(hours=73, minutes=5))
    assert at_73.overdue
    assert str(at_73) == "Overdue by 1 h 05 min"


def test_V6_recording_when_the_authority_was_told_stops_the_clock():
    incident = breach()
    services.update_breach(
        incident=incident,
        authority_notified_at=FOUND + timedelta(hours=50),
        authority_reference="CNIL-2026-0042",
        now=FOUND + timedelta(hours=51),
    )
    clock = selectors.breach_clock(incident, now=FOUND + timedelta(hours=80))
    assert clock.authority_in_time is True
    assert str(clock) == "Authority notified in time"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"discovered_at": FOUND + timedelta(days=1)}, "discovered_at"),
        ({"data_categories": []}, "data_categories"),
        ({"data_categories": ["shoe_size"]}, "data_categories"),
        (listing("amelie@example.fr", "not an address"), "affected_emails"),
        ({"selection": Selection.ORDERS_BETWEEN}, "period_end"),
        (
            {
                "selection": Selection.ACCOUNTS_CREATED_BETWEEN,
                "period_start": FOUND,
                "period_end": FOUND - timedelta(days=1),
            },
            "period_end",
        ),
        ({"authority_notified_at": FOUND - timedelta(hours=1)}, "authority_notified_at"),
    ],
)
def test_V6_a_breach_entered_wrongly_is_refused_and_nothing_is_recorded(fields, field):
    with pytest.raises(ValidationError) as refused:
        breach(**fields)
    assert field in refused.value.message_dict
    assert not BreachIncident.objects.exists()


# ---------------------------------------------------------------- back office


def privacy_officer(django_user_model, *, notify=True):
    user = django_user_model.objects.create_user(
        "dpo@camshaft.example", "a long password!", is_staff=True
    )
    perms = Permission.objects.filter(content_type__app_label="privacy")
    if not notify:
        perms = perms.exclude(codename="notify_breach")
    user.user_permissions.set(perms)
    return user


def test_V6_the_privacy_officer_records_previews_and_notifies_in_the_back_office(
    client, django_user_model, people
):
    officer = privacy_officer(django_user_model)
    sign_in_staff(client, officer)
    response = client.post(
        reverse("admin:privacy_breachincident_add"),
        {
            "title": "Laptop stolen",
            "description": "A laptop with an order export was stolen from a car.",
            "data_categories": ["name", "address", "order_history"],
            "discovered_at_0": "2026-03-02",
            "discovered_at_1": "09:00:00",
            "status": "open",
            "selection": "listed",
            "affected_emails": "amelie@example.fr, joe@example.com; gast@example.de",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = BreachIncident.objects.get()
    assert incident.recorded_by == officer
    assert incident.data_categories == ["name", "address", "order_history"]

    change = client.get(reverse("admin:privacy_breachincident_change", args=[incident.pk]))
    assert change.status_code == 200
    assert "Overdue by" in change.content.decode()  # discovered in the past: 72 h are long gone
    assert "Notify affected people" in change.content.decode()

    notify_url = reverse("admin:privacy_breachincident_notify", args=[incident.pk])
    preview = client.get(notify_url)
    assert preview.status_code == 200
    assert preview.context["preview"] == selectors.BreachPreview(2, 1, 0, 0)
    assert "Notify 2 people" in preview.content.decode()

    assert client.post(notify_url).status_code == 302
    assert set(incident.notices.values_list("email", flat=True)) == {
        "amelie@example.fr",
        "gast@example.de",
    }
    notices = client.get(
        reverse("admin:privacy_breachnotice_changelist"), {"incident__id__exact": incident.pk}
    )
    assert notices.status_code == 200
    assert "amelie@example.fr" in notices.content.decode()


def test_V6_a_bad_entry_in_the_back_office_is_shown_and_nothing_is_recorded(
    client, django_user_model
):
    sign_in_staff(client, privacy_officer(django_user_model))
    response = client.post(
        reverse("admin:privacy_breachincident_add"),
        {
            "title": "Odd export",
            "description": "?",
            "data_categories": ["email"],
            "discovered_at_0": "2026-03-02",
            "discovered_at_1": "09:00:00",
            "status": "open",
            "selection": "orders_between",
        },
    )
    assert response.status_code == 200
    assert "needs the start and the end of the period" in response.content.decode()
    assert not BreachIncident.objects.exists()


def test_V6_a_plain_staff_member_cannot_open_the_register_or_notify(client, django_user_model):
    incident = breach()
    clerk = django_user_model.objects.create_user(
        "clerk@camshaft.example", "pw long enough", is_staff=True
    )
    sign_in_staff(client, clerk)
    assert client.get(reverse("admin:privacy_breachincident_changelist")).status_code == 403
    notify_url = reverse("admin:privacy_breachincident_notify", args=[incident.pk])
    assert client.post(notify_url).status_code == 403
    assert incident.people_notified_at is None


def test_V6_without_notify_permission_the_officer_sees_but_cannot_notify(
    client, django_user_model, people
):
    incident = breach(**listing("amelie@example.fr"))
    sign_in_staff(client, privacy_officer(django_user_model, notify=False))
    change = client.get(reverse("admin:privacy_breachincident_change", args=[incident.pk]))
    assert change.status_code == 200
    assert "Notify affected people" not in change.content.decode()
    notify_url = reverse("admin:privacy_breachincident_notify", args=[incident.pk])
    assert client.post(notify_url).status_code == 403
    assert not BreachNotice.objects.exists()


def test_V6_breaches_are_never_deleted_from_the_register(admin_client):
    incident = breach()
    delete_url = reverse("admin:privacy_breachincident_delete", args=[incident.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert BreachIncident.objects.filter(pk=incident.pk).exists()


def test_V6_the_register_pages_render_for_an_administrator(admin_client, people):
    incident = breach(**listing("amelie@example.fr"))
    services.notify_breach(incident=incident)
    for url in (
        reverse("admin:privacy_breachincident_changelist"),
        reverse("admin:privacy_breachincident_add"),
        reverse("admin:privacy_breachincident_change", args=[incident.pk]),
        reverse("admin:privacy_breachincident_notify", args=[incident.pk]),
        reverse("admin:privacy_breachnotice_changelist"),
        reverse("admin:privacy_breachnotice_change", args=[incident.notices.get().pk]),
    ):
        assert admin_client.get(url).status_code == 200, url


def test_V6_the_register_lists_incidents_without_a_query_per_row(
    admin_client, django_assert_max_num_queries
):
    for _ in range(5):
        breach()
    url = reverse("admin:privacy_breachincident_changelist")
    admin_client.get(url)
    with django_assert_max_num_queries(15):
        assert admin_client.get(url).status_code == 200
