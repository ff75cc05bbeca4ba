"""Writing mail to the outbox and delivering it (N4).

Callers use `queue_email` inside their own transaction: the mail is stored
with the order, refund or account change that caused it, and is handed to a
worker only once that transaction commits. `deliver_due_messages` (the
`deliver_outbox` task, and the worker every cycle) sends what is due and
retries failures with growing pauses.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email, validate_slug
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone

from camshaft.notifications.models import OutboxMessage

log = logging.getLogger(__name__)

# Pause before the 1st, 2nd, ... retry; the last one repeats until max_attempts.
RETRY_BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
# How long a worker may hold a mail it claimed before another may try it.
SENDING_LEASE = timedelta(minutes=15)
MAX_ERROR_CHARS = 1_000


class InvalidEmailAddress(ValidationError):
    """The recipient address is not one we can send to."""

    def __init__(self, address: str):
        self.address = address
        super().__init__(f"{address!r} is not a valid email address.", code="invalid_email")


def queue_email(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict,
    kind: str = "transactional",
    category: str,
    reference: str = "",
    headers: dict | None = None,
) -> OutboxMessage:
    """Store a mail in the caller's transaction and have it delivered once
    that commits. `template` names `<template>.txt` (required) and
    `<template>.html` (optional), e.g. "orders/email/confirmation"."""
    to = to.strip()
    try:
        validate_email(to)
    except ValidationError:
        raise InvalidEmailAddress(to) from None
    if kind not in OutboxMessage.Kind.values:
        raise ValueError(
            f"Unknown mail kind {kind!r}; expected one of {OutboxMessage.Kind.values}."
        )
    validate_slug(category)
    context = {"store_name": settings.STORE_NAME, **context}
    message = OutboxMessage.objects.create(
        to_address=to,
        # A line break in a subject would let it smuggle in mail headers.
        subject=" ".join(subject.split()),
        body_text=_render(f"{template}.txt", context, autoescape=False).strip() + "\n",
        body_html=_render_optional(f"{template}.html", context),
        kind=kind,
        category=category,
        reference=reference,
        headers=headers or {},
    )
    transaction.on_commit(_request_delivery)
    return message


def _render(name: str, context: dict, *, autoescape: bool) -> str:
    # Plain text must not be HTML-escaped ("O'Brien", "Nuts & bolts").
    return get_template(name).template.render(Context(context, autoescape=autoescape))


def _render_optional(name: str, context: dict) -> str:
    try:
        return _render(name, context, autoescape=True)
    except TemplateDoesNotExist as exc:
        if exc.args and exc.args[0] != name:
            raise  # the HTML template exists but extends or includes a missing one
        return ""


def _request_delivery() -> None:
    from camshaft.notifications.tasks import deliver_outbox

    try:
        deliver_outbox.enqueue()
    except Exception:  # the worker's periodic delivery still picks the mail up
        log.exception("could not enqueue outbox delivery")


def deliver_due_messages(*, limit: int = 100, now: datetime | None = None) -> int:
    """Send up to `limit` mails that are due; returns how many were sent.
    Safe to run in many workers at once: each mail is claimed by one."""
    now = now or timezone.now()
    sent = 0
    mail_connection = get_connection()
    try:
        for message in _claim_due(now=now, limit=limit):
            sent += _send(message, mail_connection=mail_connection, now=now)
    finally:
        try:
            mail_connection.close()
        except Exception:
            log.exception("could not close the mail connection")
    return sent


def _claim_due(*, now: datetime, limit: int) -> list[OutboxMessage]:
    """Mark due mails as being sent by this worker and return them.

    On PostgreSQL other workers' rows are skipped rather than waited for; on
    SQLite the IMMEDIATE transaction serialises workers. Either way the
    conditional UPDATE per mail is what decides who won it."""
    due = Q(status=OutboxMessage.Status.QUEUED) | Q(status=OutboxMessage.Status.SENDING)
    due &= Q(next_attempt_at__lte=now, attempts__lt=F("max_attempts"))
    with transaction.atomic():
        # A worker died mid-send on its last allowed attempt: stop there.
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.SENDING,
            next_attempt_at__lte=now,
            attempts__gte=F("max_attempts"),
        ).update(status=OutboxMessage.Status.FAILED, last_error="The worker stopped while sending.")
        candidates = OutboxMessage.objects.filter(due).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("id", flat=True)[:limit])
        won = [
            pk
            for pk in ids
            if OutboxMessage.objects.filter(due, pk=pk).update(
                status=OutboxMessage.Status.SENDING,
                attempts=F("attempts") + 1,
                next_attempt_at=now + SENDING_LEASE,
            )
        ]
    return list(OutboxMessage.objects.filter(pk__in=won).order_by("next_attempt_at", "id"))


def _send(message: OutboxMessage, *, mail_connection, now: datetime) -> int:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        headers=message.headers,
        connection=mail_connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    try:
        email.send()
    except Exception as exc:
        _record_failure(message, error=exc, now=now)
        return 0
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return 1


def _record_failure(message: OutboxMessage, *, error: Exception, now: datetime) -> None:
    if message.attempts >= message.max_attempts:
        changes = {"status": OutboxMessage.Status.FAILED}
        log.error("giving up on outbox message %s after %s attempts", message.pk, message.attempts)
    else:
        pause = RETRY_BACKOFF[min(message.attempts, len(RETRY_BACKOFF)) - 1]
        changes = {"status": OutboxMessage.Status.QUEUED, "next_attempt_at": now + pause}
        log.warning("outbox message %s failed, retrying in %s", message.pk, pause)
    OutboxMessage.objects.filter(pk=message.pk).update(last_error=_describe(error), **changes)


def _describe(error: Exception) -> str:
    """The error for staff to read, without the mail server password."""
    text = f"{type(error).__name__}: {error}"
    if password := getattr(settings, "EMAIL_HOST_PASSWORD", ""):
        text = text.replace(password, "***")
    return text[:MAX_ERROR_CHARS]


def retry_now(*, messages: QuerySet[OutboxMessage]) -> int:
    """Give failed or waiting mails a fresh round of attempts, starting now."""
    count = messages.exclude(
        status__in=(OutboxMessage.Status.SENT, OutboxMessage.Status.SENDING)
    ).update(status=OutboxMessage.Status.QUEUED, attempts=0, next_attempt_at=timezone.now())
    if count:
        transaction.on_commit(_request_delivery)
    return count
