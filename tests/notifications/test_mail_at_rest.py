"""V8, V5: mail kept in the outbox holds no personal data in clear, and its
bodies go once the mail is long finished, leaving the record of it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from camshaft.core.models import AuditEntry
from camshaft.notifications.models import OutboxMessage
from tests.core.test_encryption import stored_text
from tests.staff import BILLING_STREET, SHIPPING_STREET, customer_with_order

pytestmark = pytest.mark.django_db


def test_V8_outbox_bodies_encrypted():
    _, order = customer_with_order()
    mail = OutboxMessage.objects.get(reference=f"order:{order.number}")
    assert SHIPPING_STREET in mail.body_text  # the shopper's confirmation shows it
    assert order.number in mail.subject
    raw = stored_text("notifications_outboxmessage", "subject", "body_text", "body_html")
    for clear in (SHIPPING_STREET, BILLING_STREET, order.number, "Robin"):
        assert clear not in raw


def test_V8_rotate_keys_reseals_mail_too(settings, capsys):
    _, order = customer_with_order()
    before = stored_text("notifications_outboxmessage", "body_text")
    call_command("rotate_keys", "--new-key", "--no-progress")
    assert "notifications.OutboxMessage" in capsys.readouterr().out
    new_key = settings.FIELD_ENCRYPTION_KEY_FILE.read_text().split()[0]
    settings.FIELD_ENCRYPTION_KEY_FILE.write_text(new_key + "\n")  # the old key retired
    assert stored_text("notifications_outboxmessage", "body_text") != before
    mail = OutboxMessage.objects.get(reference=f"order:{order.number}")
    assert SHIPPING_STREET in mail.body_text


def test_V8_staff_read_the_mailbox_with_an_audit_entry(admin_client, admin_user):
    _, order = customer_with_order()
    mail = OutboxMessage.objects.get(reference=f"order:{order.number}")
    page = admin_client.get(reverse("admin:notifications_outboxmessage_change", args=[mail.pk]))
    assert SHIPPING_STREET in page.content.decode()
    assert AuditEntry.objects.filter(staff=admin_user, object_ids=str(mail.pk)).exists()
    found = admin_client.get(
        reverse("admin:notifications_outboxmessage_changelist"), {"q": mail.to_address}
    )
    assert found.status_code == 200 and mail.to_address in found.content.decode()


def mail(status, *, age_days, sent=True, **fields):
    when = timezone.now() - timedelta(days=age_days)
    return OutboxMessage.objects.create(
        to_address="pat@example.com",
        subject="Your order",
        body_text="Ship to 9 Gasket Road",
        body_html="<p>9 Gasket Road</p>",
        category="order_confirmation",
        status=status,
        created_at=when,
        sent_at=when if sent else None,
        **fields,
    )


def test_V5_finished_mail_loses_its_body_after_the_retention_period(settings):
    settings.OUTBOX_BODY_RETENTION_DAYS = 90
    old_sent = mail("sent", age_days=91)
    old_suppressed = mail("suppressed", age_days=120, sent=False)
    recent = mail("sent", age_days=30)
    waiting = mail("queued", age_days=200, sent=False)

    call_command("jobs", "--only", "blank_old_bodies")

    for message in (old_sent, old_suppressed):
        message.refresh_from_db()
        assert (message.body_text, message.body_html) == ("", "")
        assert message.body_blanked_at is not None
        # The record stays: who, what kind, when, delivered or not.
        assert message.to_address == "pat@example.com"
        assert message.category == "order_confirmation" and message.subject == "Your order"
    assert old_sent.status == "sent" and old_suppressed.status == "suppressed"
    for message in (recent, waiting):
        message.refresh_from_db()
        assert message.body_text == "Ship to 9 Gasket Road"
