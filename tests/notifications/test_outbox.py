"""N4: every mail is stored, then sent by a worker with retries; staff can read the mailbox."""

import copy
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.utils import timezone

from camshaft.accounts.models import User
from camshaft.notifications.models import OutboxMessage
from camshaft.notifications.services import (
    InvalidEmailAddress,
    deliver_due_messages,
    queue_email,
)
from tests.concurrency import at_once
from tests.staff import sign_in_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def email_templates(settings, tmp_path):
    """A mail template of the kind other apps write, extending the base."""
    folder = tmp_path / "templates" / "shop" / "email"
    folder.mkdir(parents=True)
    (folder / "hello.txt").write_text(
        '{% extends "notifications/email/base.txt" %}'
        "{% block content %}Your order {{ number }} for {{ name }} is confirmed.{% endblock %}"
    )
    (folder / "hello.html").write_text(
        '{% extends "notifications/email/base.html" %}'
        "{% block content %}<p>Your order <b>{{ number }}</b> for {{ name }}.</p>{% endblock %}"
    )
    (folder / "plain.txt").write_text("Just text for {{ name }}.")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path / "templates"]
    settings.TEMPLATES = templates
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def queue(**overrides):
    args = {
        "to": "ann@example.com",
        "subject": "Order CS-7K3P9 confirmed",
        "template": "shop/email/hello",
        "context": {"number": "CS-7K3P9", "name": "O'Brien & Sons"},
        "category": "order_confirmation",
        "reference": "order:CS-7K3P9",
    }
    return queue_email(**(args | overrides))


def test_N4_mail_is_stored_then_sent_by_the_worker(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            message = queue(headers={"List-Unsubscribe": "<https://shop.example/u/1>"})
            assert mail.outbox == []
            assert OutboxMessage.objects.get().status == OutboxMessage.Status.QUEUED
        assert mail.outbox == []  # sent by the task, which runs after commit

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    [sent] = mail.outbox
    assert sent.to == ["ann@example.com"]
    assert sent.subject == "Order CS-7K3P9 confirmed"
    assert "Your order CS-7K3P9 for O'Brien & Sons is confirmed." in sent.body
    assert "Camshaft Auto Parts" in sent.body  # the base template signs with the store name
    [(html, mimetype)] = sent.alternatives
    assert mimetype == "text/html"
    assert "<b>CS-7K3P9</b> for O&#x27;Brien &amp; Sons" in html
    assert sent.extra_headers["List-Unsubscribe"] == "<https://shop.example/u/1>"


def test_N4_mail_is_stored_then_sent_by_the_worker_into_the_local_mailbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    queue(template="shop/email/plain", context={"name": "Ann"})

    assert deliver_due_messages() == 1

    [mailbox_file] = (tmp_path / "mail").iterdir()
    content = mailbox_file.read_text()
    assert "Subject: Order CS-7K3P9 confirmed" in content
    assert "Just text for Ann." in content
    assert OutboxMessage.objects.get().body_html == ""  # no HTML template, text only


def test_N4_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue()
        raise RuntimeError("the order failed")

    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert deliver_due_messages() == 0
    assert mail.outbox == []


class FlakyBackend(BaseEmailBackend):
    """A mail server that refuses the first `failures` messages."""

    failures = 2
    calls = 0

    def send_messages(self, email_messages):
        FlakyBackend.calls += 1
        if FlakyBackend.calls <= FlakyBackend.failures:
            raise ConnectionRefusedError("mail server unavailable")
        return LocmemBackend().send_messages(email_messages)


@pytest.fixture
def flaky_backend(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.calls = 0
    FlakyBackend.failures = 2
    return FlakyBackend


def test_N4_failed_send_is_retried_with_backoff(flaky_backend):
    message = queue()
    start = timezone.now()

    assert deliver_due_messages(now=start) == 0
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED
    assert message.attempts == 1
    assert message.next_attempt_at == start + timedelta(minutes=1)
    assert message.last_error == "ConnectionRefusedError: mail server unavailable"

    assert deliver_due_messages(now=start + timedelta(seconds=59)) == 0  # not due yet
    assert flaky_backend.calls == 1

    second = start + timedelta(minutes=1)
    assert deliver_due_messages(now=second) == 0
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at == second + timedelta(minutes=5)

    assert deliver_due_messages(now=second + timedelta(minutes=5)) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 3
    assert message.last_error == ""
    assert len(mail.outbox) == 1


def test_N4_gives_up_after_max_attempts(flaky_backend):
    flaky_backend.failures = 1_000
    message = queue()
    now = timezone.now()

    for _ in range(10):
        deliver_due_messages(now=now)
        now += timedelta(days=1)

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == message.max_attempts == 6
    assert flaky_backend.calls == 6
    assert "mail server unavailable" in message.last_error
    assert mail.outbox == []


def test_N4_a_mail_held_by_a_crashed_worker_is_tried_again():
    message = queue()
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENDING, attempts=1, next_attempt_at=now + timedelta(minutes=15)
    )

    assert deliver_due_messages(now=now) == 0  # another worker may still be sending it
    assert deliver_due_messages(now=now + timedelta(minutes=15)) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 2


def test_N4_invalid_address_refused():
    for address in ("not-an-address", "ann@", "", "ann@example.com\nBcc: all@example.com"):
        with pytest.raises(InvalidEmailAddress, match="is not a valid email address"):
            queue(to=address)
    assert not OutboxMessage.objects.exists()


def test_N4_subject_cannot_carry_extra_headers():
    message = queue(subject="Hello\r\nBcc: all@example.com")
    assert message.subject == "Hello Bcc: all@example.com"


def test_N4_marketing_mail_is_recorded_as_such():
    message = queue(kind="marketing", category="newsletter")
    assert message.kind == OutboxMessage.Kind.MARKETING
    with pytest.raises(ValueError, match="Unknown mail kind"):
        queue(kind="spam")


@pytest.fixture
def superuser():
    return User.objects.create_superuser(email="boss@example.com", password="x")


def test_N4_staff_can_read_the_mailbox(client, superuser):
    message = queue()
    sign_in_staff(client, superuser)

    listing = client.get("/staff/notifications/outboxmessage/", {"q": "ann@example.com"})
    assert listing.status_code == 200
    assert "Order CS-7K3P9 confirmed" in listing.text

    page = client.get(f"/staff/notifications/outboxmessage/{message.pk}/change/")
    assert page.status_code == 200
    assert "Your order CS-7K3P9 for O&#x27;Brien &amp; Sons is confirmed." in page.text
    assert '<iframe sandbox=""' in page.text
    assert "&lt;b&gt;CS-7K3P9&lt;/b&gt;" in page.text  # the HTML body, inert in srcdoc
    assert "<b>CS-7K3P9</b>" not in page.text


def test_N4_customers_cannot_read_the_mailbox(client):
    queue()
    client.force_login(User.objects.create_user(email="ann@example.com", password="x"))

    response = client.get("/staff/notifications/outboxmessage/")

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_N4_staff_can_retry_a_failed_mail_now(
    client, superuser, django_capture_on_commit_callbacks
):
    message = queue()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.FAILED, attempts=6, last_error="SMTPException: down"
    )
    sign_in_staff(client, superuser)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/staff/notifications/outboxmessage/",
            {"action": "retry_now", "_selected_action": [message.pk]},
        )

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert len(mail.outbox) == 1


class SlowBackend(LocmemBackend):
    """Sending takes a moment, so two workers overlap."""

    def send_messages(self, email_messages):
        time.sleep(0.01)
        return super().send_messages(email_messages)


@pytest.mark.django_db(transaction=True)
def test_N4_two_workers_never_send_the_same_mail(settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL")
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    for n in range(30):
        OutboxMessage.objects.create(
            to_address=f"buyer{n}@example.com", subject=f"Mail {n}", body_text="hi", category="test"
        )

    def worker() -> int:
        sent = 0
        while batch := deliver_due_messages(limit=5):
            sent += batch
        return sent

    results, errors = at_once(worker, threads=2)

    assert errors == []
    assert sum(results) == 30
    assert sorted(m.subject for m in mail.outbox) == sorted(f"Mail {n}" for n in range(30))
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("sent", 1)}
