"""V3 download my data, V4 erasure, V5 retention, V7 children, V1 policy
changes: through the services, the pages, the back office and the API."""

import csv
import io
import json
import zipfile
from datetime import date, timedelta

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.db import models
from django.utils import timezone

from camshaft.accounts.models import Address, User
from camshaft.accounts.services import issue_api_token
from camshaft.checkout import services as checkout
from camshaft.core.models import AuditEntry
from camshaft.notifications import services as notifications
from camshaft.notifications.models import OutboxMessage, Subscription
from camshaft.orders.models import Order, OrderStatus
from camshaft.privacy import services
from camshaft.privacy.models import ConsentRecord, DataRequest, RetentionWarning
from tests.shopping import card, ship_everything, stocked_part

pytestmark = pytest.mark.django_db

THEO = {
    "email": "theo.quill@example.com",
    "first_name": "Theodora",
    "last_name": "Quillfeather",
    "phone": "+1 614 555 0177",
    "street": "77 Wren Hollow Lane",
    "postal_code": "43085",
}
HOME = {
    "full_name": "Theodora Quillfeather",
    "line1": THEO["street"],
    "line2": "Flat 3",
    "city": "Worthington",
    "region": "OH",
    "postal_code": THEO["postal_code"],
    "country": "US",
    "phone": THEO["phone"],
}
PASSWORD = "x-long-pass-1"


def order_for(user, *, key: str) -> Order:
    from camshaft.cart import services as carts

    cart = carts.cart_for(user=user)
    carts.add_to_cart(cart=cart, sku=stocked_part().sku, quantity=1)
    checkout.set_addresses(cart=cart, user=user, email=user.email, billing=HOME)
    checkout.set_shipping_method(cart=cart, code="standard", currency="USD")
    checkout.choose_payment(cart=cart, user=user, method="card", card=card(), save_card=True)
    return checkout.place(cart=cart, user=user, currency="USD", idempotency_key=key).order


@pytest.fixture
def theo(db, on_a_weekday):
    """A customer who has done everything a customer can do."""
    user = User.objects.create_user(
        email=THEO["email"],
        password=PASSWORD,
        first_name=THEO["first_name"],
        last_name=THEO["last_name"],
        phone=THEO["phone"],
        date_of_birth=date(1987, 6, 5),
    )
    Address.objects.create(user=user, **HOME, default_billing=True, default_shipping=True)
    services.record_consent(user=user, version=services.current_policy(), channel="web")
    notifications.subscribe(email=user.email, source="account", user=user)
    token = notifications.selectors.confirm_link(user.email).split("/")[-2]
    notifications.confirm_subscription(token=token)
    shipped = order_for(user, key="theo-1")
    staff = User.objects.create_user(email="packer@example.com", password="x", is_staff=True)
    ship_everything(shipped, by=staff)
    return user


def archive_of(content: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_V3_the_archive_holds_everything_as_json_and_csv(theo):
    from camshaft.privacy.models import BreachIncident, BreachNotice

    now = timezone.now()
    incident = BreachIncident.objects.create(
        title="Lost laptop", description="d", discovered_at=now, recorded_at=now
    )
    BreachNotice.objects.create(incident=incident, email=THEO["email"], country="US", sent_at=now)
    files = archive_of(services.export_personal_data(user=theo, channel="account"))
    assert {"data.json", "profile.csv", "addresses.csv", "orders.csv", "consents.csv"} <= set(files)
    data = json.loads(files["data.json"])
    assert data["profile"][0]["phone"] == THEO["phone"]
    assert data["profile"][0]["date_of_birth"] == "1987-06-05"
    assert data["addresses"][0]["line1"] == THEO["street"]
    assert data["orders"][0]["shipping_address"]["postal_code"] == THEO["postal_code"]
    assert {c["purpose"] for c in data["consents"]} == {"privacy_policy", "newsletter"}
    assert data["subscriptions"][0]["status"] == "confirmed"
    assert data["saved_cards"][0]["last4"] == "4242"
    assert any("shipped" in m["subject"].lower() for m in data["mail_sent_to_you"])
    assert THEO["street"] in files["addresses.csv"]
    assert [n["breach"] for n in data["breach_notices"]] == ["Lost laptop"]
    request = DataRequest.objects.get()
    assert request.kind == "export" and request.status == "done"
    assert request.due_at - request.requested_at >= timedelta(days=28)


def test_V3_member_downloads_their_data_in_the_browser(client, theo):
    assert client.get("/account/data/").status_code == 302  # signed out
    client.force_login(theo)
    assert client.get("/account/data/").status_code == 200  # GET builds nothing
    assert not DataRequest.objects.exists()
    response = client.post("/account/data/")
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    files = archive_of(response.content)
    assert json.loads(files["data.json"])["profile"][0]["email"] == THEO["email"]


def test_V3_api_export_is_for_the_token_holder_only(client, theo):
    other = User.objects.create_user(email="eve@example.com", password=PASSWORD)
    assert client.post("/api/v1/me/data-export").status_code == 401
    headers = {"Authorization": f"Bearer {issue_api_token(user=other).key}"}
    response = client.post("/api/v1/me/data-export", headers=headers)
    assert response.status_code == 200
    data = json.loads(archive_of(response.content)["data.json"])
    assert data["profile"][0]["email"] == "eve@example.com"
    assert THEO["street"] not in json.dumps(data)
    listed = client.get("/api/v1/me/data-requests", headers=headers).json()
    assert [r["kind"] for r in listed] == ["export"]


def test_V3_privacy_officer_answers_a_verified_request_and_it_is_audited(admin_client, theo):
    add = admin_client.post(
        "/staff/privacy/datarequest/add/",
        {"kind": "export", "email": THEO["email"], "notes": "asked by letter"},
    )
    assert add.status_code == 302
    request = DataRequest.objects.get()
    assert request.user == theo and request.status == "open" and request.channel
    answer = {"action": "carry_out", "_selected_action": [request.pk]}
    refused = admin_client.post("/staff/privacy/datarequest/", answer, follow=True)
    assert b"identity verified" in refused.content
    DataRequest.objects.filter(pk=request.pk).update(identity_verified=True)
    response = admin_client.post("/staff/privacy/datarequest/", answer)
    assert response["Content-Type"] == "application/zip"
    request.refresh_from_db()
    assert request.status == "done"
    assert AuditEntry.objects.filter(action="exported", subject_user_id=theo.pk).count() == 1
    listing = admin_client.get("/staff/privacy/datarequest/")
    assert listing.status_code == 200


TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def everything_in_the_database() -> list[tuple[str, str]]:
    """Every text value of every table, read through the ORM (so encrypted
    fields are read decrypted), as (table, value)."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, TEXT_FIELDS) or f.get_internal_type() in ("TextField", "CharField")
        ]
        if not names:
            continue
        for row in model._default_manager.values_list(*names):
            found += [(model._meta.db_table, str(value)) for value in row if value]
    return found


def test_V4_erasure_leaves_nothing_of_the_person_outside_pseudonymised_sales_records(theo):
    needles = [
        THEO["email"],
        THEO["first_name"],
        THEO["last_name"],
        THEO["phone"],
        THEO["street"],
        "Worthington",
        "1987-06-05",
    ]
    before = everything_in_the_database()
    for needle in needles:  # the search can find them: it is not blind
        assert any(needle.lower() in value.lower() for _, value in before), needle
    order = theo.orders.get()
    services.erase_person(user=theo, reason="asked by phone", by=None)
    notifications.deliver_due_messages()
    goodbye = [m for m in mail.outbox if m.subject == "Your account is deleted"]
    assert goodbye and goodbye[0].to == [THEO["email"]]

    leftovers = [
        (table, value)
        for table, value in everything_in_the_database()
        for needle in needles
        if needle.lower() in value.lower()
    ]
    assert leftovers == []
    assert not User.objects.filter(email=THEO["email"]).exists()
    order.refresh_from_db()
    assert order.user is None and order.grand_total > 0  # the sale is still on the books
    assert order.shipping_address.country == "US" and order.shipping_address.region == "OH"
    assert order.shipping_address.full_name == services.ERASED
    assert DataRequest.objects.get(kind="erasure").status == "done"


def test_V4_member_deletes_their_account_with_their_password(client, theo):
    client.force_login(theo)
    assert client.get("/account/delete/").status_code == 200
    wrong = client.post("/account/delete/", {"password": "nope", "understood": "on"})
    assert wrong.status_code == 400 and b"not your password" in wrong.content
    assert User.objects.filter(pk=theo.pk).exists()
    gone = client.post("/account/delete/", {"password": PASSWORD, "understood": "on"})
    assert gone.status_code == 200 and b"deleted" in gone.content
    assert not User.objects.filter(pk=theo.pk).exists()
    assert client.get("/account/").status_code == 302  # signed out


def test_V4_an_order_on_its_way_stops_the_deletion_until_it_ships(client, theo):
    open_order = order_for(theo, key="theo-2")
    client.force_login(theo)
    page = client.get("/account/delete/")
    assert open_order.number.encode() in page.content
    headers = {"Authorization": f"Bearer {issue_api_token(user=theo).key}"}
    refused = client.post(
        "/api/v1/me/delete",
        {"password": PASSWORD},
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 409 and open_order.number in refused.json()["detail"]
    assert User.objects.filter(pk=theo.pk).exists()
    staff = User.objects.get(email="packer@example.com")
    ship_everything(open_order, by=staff)
    done = client.post(
        "/api/v1/me/delete",
        {"password": PASSWORD},
        content_type="application/json",
        headers=headers,
    )
    assert done.status_code == 200
    assert not User.objects.filter(pk=theo.pk).exists()


def test_V7_a_childs_account_is_erased_at_once_by_staff(admin_client, theo):
    open_order = order_for(theo, key="theo-2")
    page = admin_client.get("/staff/privacy/datarequest/child/")
    assert page.status_code == 200
    unknown = admin_client.post(
        "/staff/privacy/datarequest/child/",
        {"email": "nobody@example.com", "note": "x", "confirm": "on"},
    )
    assert b"No customer account" in unknown.content
    response = admin_client.post(
        "/staff/privacy/datarequest/child/",
        {"email": THEO["email"], "note": "a parent wrote to us", "confirm": "on"},
    )
    assert response.status_code == 302
    assert not User.objects.filter(email=THEO["email"]).exists()
    open_order.refresh_from_db()
    assert open_order.status == OrderStatus.CANCELLED and open_order.user is None
    assert AuditEntry.objects.filter(action="erased", subject_user_id=theo.pk).exists()


def test_V7_staff_without_the_permission_cannot_erase(client, theo):
    from tests.staff import sign_in_staff

    sign_in_staff(client, User.objects.get(email="packer@example.com"))
    response = client.get("/staff/privacy/datarequest/child/")
    assert response.status_code in (302, 403)
    assert User.objects.filter(pk=theo.pk).exists()


def test_V5_inactive_accounts_are_warned_at_35_months_and_erased_at_36(theo):
    joined = theo.date_joined
    active = User.objects.create_user(email="busy@example.com", password=PASSWORD)
    staff = User.objects.create_user(email="old-staff@example.com", password="x", is_staff=True)
    User.objects.filter(pk__in=[theo.pk, staff.pk]).update(last_login=joined)
    Order.objects.filter(user=theo).update(placed_at=joined)

    with time_machine.travel(joined + timedelta(days=30 * 35 - 10)):
        assert services.retention_job(now=timezone.now()).startswith("0 warned")
    warn_at = joined + timedelta(days=30 * 35 + 20)
    with time_machine.travel(warn_at):
        User.objects.filter(pk=active.pk).update(last_login=timezone.now())
        assert services.retention_job(now=timezone.now()).startswith("1 warned")
        assert services.retention_job(now=timezone.now()).startswith("0 warned")  # once
    warning = OutboxMessage.objects.get(category="retention_warning")
    assert warning.to_address == THEO["email"]
    assert RetentionWarning.objects.get().user == theo
    # 36 months after the last activity, and the warning a month old: gone.
    with time_machine.travel(joined + timedelta(days=30 * 36 + 25)):
        summary = services.retention_job(now=timezone.now())
    assert "1 erased" in summary
    assert not User.objects.filter(pk=theo.pk).exists()
    assert User.objects.filter(pk__in=[active.pk, staff.pk]).count() == 2


def test_V5_signing_in_after_the_warning_keeps_the_account(theo):
    joined = theo.date_joined
    User.objects.filter(pk=theo.pk).update(last_login=joined)
    Order.objects.filter(user=theo).update(placed_at=joined)
    with time_machine.travel(joined + timedelta(days=30 * 35 + 20)):
        services.retention_job(now=timezone.now())
    with time_machine.travel(joined + timedelta(days=30 * 36)):
        User.objects.filter(pk=theo.pk).update(last_login=timezone.now())
    with time_machine.travel(joined + timedelta(days=30 * 36 + 25)):
        summary = services.retention_job(now=timezone.now())
    assert "0 erased" in summary and "1 came back" in summary
    assert User.objects.filter(pk=theo.pk).exists()
    assert not RetentionWarning.objects.exists()


def test_V5_the_jobs_command_runs_retention(theo, capsys):
    from django.core.management import call_command

    call_command("jobs", only=["retention_job", "data_request_deadlines"])
    out = capsys.readouterr().out
    assert "retention_job: 0 warned" in out and "data_request_deadlines: 0 late" in out


def test_V1_a_material_change_is_mailed_to_members_before_it_applies(client, theo):
    now = timezone.now()
    with pytest.raises(services.ValidationError, match="earliest"):
        services.publish_policy(
            version="2.0",
            summary="s",
            body="b",
            effective_at=now + timedelta(days=5),
            material=True,
        )
    policy = services.publish_policy(
        version="2.0",
        summary="We now share order weights with a second carrier.",
        body="Full text.",
        effective_at=now + timedelta(days=31),
        material=True,
    )
    assert policy.members_notified_at is not None
    notices = OutboxMessage.objects.filter(category="policy_change")
    assert list(notices.values_list("to_address", flat=True)) == [THEO["email"]]
    assert "/account/delete/" in notices.get().body_text
    from django.core.cache import cache

    cache.clear()
    page = client.get("/")
    assert b"policy-notice" in page.content
    policy_page = client.get("/privacy/")
    assert b"second carrier" in policy_page.content
    assert services.current_policy().version == "1.0"  # not in effect yet


def test_V1_staff_publish_a_policy_in_the_back_office(admin_client, theo):
    soon = timezone.now() + timedelta(days=3)
    refused = admin_client.post(
        "/staff/privacy/privacypolicyversion/add/",
        {
            "version": "2.0",
            "summary": "s",
            "body": "b",
            "effective_at_0": soon.strftime("%Y-%m-%d"),
            "effective_at_1": "12:00:00",
            "material": "on",
        },
    )
    assert refused.status_code == 200 and b"earliest" in refused.content
    later = timezone.now() + timedelta(days=40)
    added = admin_client.post(
        "/staff/privacy/privacypolicyversion/add/",
        {
            "version": "2.0",
            "summary": "s",
            "body": "b",
            "effective_at_0": later.strftime("%Y-%m-%d"),
            "effective_at_1": "12:00:00",
            "material": "on",
        },
    )
    assert added.status_code == 302
    assert OutboxMessage.objects.filter(category="policy_change").count() == 1


def test_V4_consent_records_and_subscription_go_with_the_account(theo):
    services.erase_person(user=theo, reason="asked", by=None)
    assert not ConsentRecord.objects.filter(email=THEO["email"]).exists()
    assert not Subscription.objects.exists()


def test_V4_every_erasure_leaves_an_audit_entry_without_personal_data(theo):
    theo_id = theo.pk
    services.delete_own_account(user=theo, password=PASSWORD, channel="api")
    entry = AuditEntry.objects.get(action="erased", subject_user_id=theo_id)
    assert entry.staff is None and entry.staff_email == "the customer"
    assert THEO["email"] not in str(entry.__dict__)
    assert DataRequest.objects.get(kind="erasure").channel == "api"


def test_V4_privacy_officer_erases_a_guest_known_by_email_only(admin_client):
    from camshaft.cart import services as carts

    cart = carts.cart_for(user=None)
    carts.add_to_cart(cart=cart, sku=stocked_part().sku, quantity=1)
    checkout.set_addresses(cart=cart, user=None, email=THEO["email"], billing=HOME)
    checkout.set_shipping_method(cart=cart, code="standard", currency="USD")
    checkout.choose_payment(cart=cart, user=None, method="card", card=card())
    order = checkout.place(cart=cart, user=None, currency="USD", idempotency_key="g").order
    admin_client.post(
        "/staff/privacy/datarequest/add/",
        {"kind": "erasure", "email": THEO["email"], "identity_verified": "on"},
    )
    request = DataRequest.objects.get()
    answer = {"action": "carry_out", "_selected_action": [request.pk]}
    blocked = admin_client.post("/staff/privacy/datarequest/", answer, follow=True)
    assert order.number.encode() in blocked.content  # still on its way
    order.refresh_from_db()
    assert order.email == THEO["email"]
    staff = User.objects.create_user(email="packer@example.com", password="x", is_staff=True)
    ship_everything(order, by=staff)
    admin_client.post("/staff/privacy/datarequest/", answer)
    notifications.deliver_due_messages()
    order.refresh_from_db()
    assert order.email.endswith("@erased.invalid")
    assert order.billing_address.line1 == "" and order.billing_address.country == "US"
    assert not OutboxMessage.objects.filter(to_address=THEO["email"]).exists()
    assert [m.subject for m in mail.outbox][-1] == "Your personal data is deleted"
    request.refresh_from_db()
    assert request.status == "done" and request.email == ""
    assert AuditEntry.objects.filter(action="erased", subject_user_id=None).exists()


def test_V3_privacy_officer_exports_a_guests_orders(admin_client):
    from camshaft.cart import services as carts

    cart = carts.cart_for(user=None)
    carts.add_to_cart(cart=cart, sku=stocked_part().sku, quantity=1)
    checkout.set_addresses(cart=cart, user=None, email=THEO["email"], billing=HOME)
    checkout.set_shipping_method(cart=cart, code="standard", currency="USD")
    checkout.choose_payment(cart=cart, user=None, method="card", card=card())
    checkout.place(cart=cart, user=None, currency="USD", idempotency_key="g")
    admin_client.post(
        "/staff/privacy/datarequest/add/",
        {"kind": "export", "email": THEO["email"], "identity_verified": "on"},
    )
    request = DataRequest.objects.get()
    response = admin_client.post(
        "/staff/privacy/datarequest/", {"action": "carry_out", "_selected_action": [request.pk]}
    )
    data = json.loads(archive_of(response.content)["data.json"])
    assert data["profile"] == [{"email": THEO["email"], "email_do_not_send": False}]
    assert data["orders"][0]["billing_address"]["line1"] == THEO["street"]


def test_V3_export_neutralises_formulas(theo):
    """A name typed as a formula lands in profile.csv as text (CSV injection)."""
    theo.first_name = '=HYPERLINK("http://evil.example/","Click")'
    theo.save(update_fields=["first_name"])
    files = archive_of(services.export_personal_data(user=theo, channel="account"))
    rows = list(csv.DictReader(io.StringIO(files["profile.csv"])))
    assert rows[0]["first_name"] == "'" + theo.first_name
    assert json.loads(files["data.json"])["profile"][0]["first_name"] == theo.first_name
