"""Writing mail to the outbox and delivering it (N4).

Callers use `queue_email` inside their own transaction: the mail is stored
with the order, refund or account change that caused it, and is handed to a
worker only once that transaction commits. `deliver_due_messages` (the
`deliver_outbox` task, and the worker every cycle) sends what is due and
retries failures with growing pauses.
"""

import email as email_lib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy as email_policy
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email, validate_slug
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.utils.html import strip_tags
from django_tasks import task

from camshaft.consent import selectors as consent
from camshaft.consent import services as consent_services
from camshaft.consent.models import ConsentRecord, Subscription
from camshaft.notifications import selectors
from camshaft.notifications.models import NewsletterIssue, OutboxMessage
from camshaft.notifications.signals import inbound_mail

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
    headers = dict(headers or {})
    if kind == OutboxMessage.Kind.MARKETING:
        # Every marketing mail can be left in one click (N2, RFC 8058).
        link = selectors.unsubscribe_link(to)
        context["unsubscribe_url"] = link
        headers |= {
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    allowed = consent.may_receive(address=to, kind=kind, category=category)
    message = OutboxMessage.objects.create(
        to_address=to,
        # A line break in a subject would let it smuggle in mail headers.
        subject=" ".join(subject.split()),
        body_text=_render(f"{template}.txt", context, autoescape=False).strip() + "\n",
        body_html=_render_optional(f"{template}.html", context),
        kind=kind,
        category=category,
        reference=reference,
        headers=headers,
        status=OutboxMessage.Status.QUEUED if allowed else OutboxMessage.Status.SUPPRESSED,
    )
    if allowed:
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
    try:
        deliver_outbox.enqueue()
    except Exception:  # the worker's periodic delivery still picks the mail up
        log.exception("could not enqueue outbox delivery")


@task()
def deliver_outbox() -> int:
    """The background task that sends what is due (N4): queued after each
    mail is committed; the worker also delivers every cycle."""
    return deliver_due_messages()


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
    # Asked again at the last moment: an unsubscribe takes effect at once,
    # even for a newsletter already queued (N2).
    if not consent.may_receive(
        address=message.to_address, kind=message.kind, category=message.category
    ):
        OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.SUPPRESSED)
        return 0
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
    sent = {"status": OutboxMessage.Status.SENT, "sent_at": timezone.now(), "last_error": ""}
    if message.scrub_after_send:
        sent |= SCRUBBED
    OutboxMessage.objects.filter(pk=message.pk).update(**sent)
    return 1


# What is left of a mail once it holds nothing of the person (V4).
SCRUBBED = {
    "to_address": "erased@invalid",
    "body_text": "(erased)",
    "body_html": "",
    "headers": {},
}


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
        status__in=(
            OutboxMessage.Status.SENT,
            OutboxMessage.Status.SENDING,
            OutboxMessage.Status.SUPPRESSED,
        )
    ).update(status=OutboxMessage.Status.QUEUED, attempts=0, next_attempt_at=timezone.now())
    if count:
        transaction.on_commit(_request_delivery)
    return count


# ---------------------------------------------------------------------------
# Newsletter and the do-not-send list (N1-N3)

NEWSLETTER = ConsentRecord.NEWSLETTER  # the consent purpose a confirmed subscription records


class SubscriptionProblem(ValidationError):
    """The newsletter cannot do this for this address, and says why."""


@transaction.atomic
def subscribe(*, email: str, source: str, user=None, now: datetime | None = None) -> Subscription:
    """Ask for the newsletter: nothing is sent to the address until its
    owner confirms from the mail this sends (double opt-in, N2)."""
    now = now or timezone.now()
    address = consent.normalize(email)
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidEmailAddress(address) from None
    if consent.is_suppressed(address):
        raise SubscriptionProblem(
            "This address is on our do-not-send list, so we cannot send the newsletter to it. "
            "Take it off the list in your email preferences first.",
            code="do_not_send",
        )
    subscription, _ = Subscription.objects.select_for_update().get_or_create(
        email=address, defaults={"source": source, "user": user, "requested_at": now}
    )
    if subscription.status == Subscription.Status.CONFIRMED:
        return subscription
    subscription.status = Subscription.Status.PENDING
    subscription.source = source
    subscription.requested_at = now
    subscription.user = subscription.user or user
    subscription.save()
    queue_email(
        to=address,
        subject=f"Confirm your {settings.STORE_NAME} newsletter subscription",
        template="notifications/email/confirm_subscription",
        context={
            "confirm_url": selectors.confirm_link(address),
            "valid_days": selectors.CONFIRM_LINK_DAYS,
        },
        kind=OutboxMessage.Kind.TRANSACTIONAL,
        category="newsletter_confirm",
        reference=f"subscription:{subscription.pk}",
    )
    return subscription


@transaction.atomic
def confirm_subscription(*, token: str, now: datetime | None = None) -> Subscription:
    """The owner of the address clicked the link: the subscription counts,
    and their consent is recorded against the policy in force."""
    now = now or timezone.now()
    address = selectors.CONFIRM.address(token)
    subscription = (
        Subscription.objects.select_for_update().filter(email=address).first() if address else None
    )
    if subscription is None or subscription.status == Subscription.Status.UNSUBSCRIBED:
        raise SubscriptionProblem(
            "This confirmation link is not valid any more. Please subscribe again.",
            code="bad_link",
        )
    if subscription.status == Subscription.Status.PENDING:
        subscription.status = Subscription.Status.CONFIRMED
        subscription.confirmed_at = now
        subscription.save(update_fields=["status", "confirmed_at"])
        consent_services.record_consent(
            user=subscription.user,
            email=subscription.email,
            version=consent_services.current_policy(now=now),
            channel="web",
            purpose=NEWSLETTER,
            now=now,
        )
    return subscription


def unsubscribe_by_link(*, token: str, via: str = "link") -> str:
    """The one-click link of a marketing mail (N2). Returns the address."""
    address = selectors.UNSUBSCRIBE.address(token)
    if address is None:
        raise SubscriptionProblem(
            f"This unsubscribe link is more than {selectors.UNSUBSCRIBE_LINK_DAYS} days old or "
            "damaged. Use the link in a newer mail, or change your email preferences in My "
            'Account, or send us a mail with "unsubscribe" in its subject.',
            code="bad_link",
        )
    consent_services.unsubscribe(email=address, via=via)
    return address


INBOUND_KEYWORD = "unsubscribe"
#: The most of a mail's text handed on; the rest is not read.
MAX_INBOUND_TEXT = 100_000


@dataclass(frozen=True, slots=True)
class InboundMail:
    """A mail sent to the store, as the apps that listen to `inbound_mail` see it."""

    sender: str
    subject: str
    text: str
    message_id: str


def parse_inbound_mail(raw: bytes) -> InboundMail:
    """The sender (From), subject, plain text and Message-ID of a raw mail.
    Text parts win over HTML, whose tags are dropped; attachments are not read."""
    message = email_lib.message_from_bytes(raw, policy=email_policy.default)
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        try:
            text = body.get_content()
        except (LookupError, ValueError):  # an unknown charset or a broken part
            text = body.get_payload(decode=True).decode("utf-8", "replace")
        if body.get_content_type() == "text/html":
            text = strip_tags(text)
    return InboundMail(
        sender=parseaddr(str(message.get("From") or ""))[1].strip().lower(),
        subject=" ".join(str(message.get("Subject", "")).split()),
        text=text.replace("\x00", "")[:MAX_INBOUND_TEXT],
        message_id=str(message.get("Message-ID") or "").strip(),
    )


def handle_inbound_mail(*, raw: bytes) -> list[str]:
    """A mail sent to the store. "unsubscribe" anywhere in its subject
    unsubscribes its sender (N2); then every app listening to the
    `inbound_mail` signal sees it (the support desk takes replies to its
    tickets). Returns what was done, one sentence per action."""
    message = email_lib.message_from_bytes(raw, policy=email_policy.default)
    subject = str(message.get("Subject", ""))
    sender = parseaddr(str(message.get("Reply-To") or message.get("From") or ""))[1]
    done = []
    if INBOUND_KEYWORD in subject.lower() and sender:
        try:
            validate_email(sender)
        except ValidationError:
            pass
        else:
            consent_services.unsubscribe(email=sender, via="inbound_mail")
            done.append(f"unsubscribed {consent.normalize(sender)}")
    mail = parse_inbound_mail(raw)
    for receiver, answer in inbound_mail.send_robust(sender=InboundMail, mail=mail):
        if isinstance(answer, Exception):
            log.error("%s could not handle a mail", receiver.__qualname__, exc_info=answer)
        elif answer:
            done.append(str(answer))
    return done


def send_newsletter(*, issue: NewsletterIssue, by=None, now: datetime | None = None) -> int:
    """Queue `issue` to every confirmed subscriber, once; returns how many.
    queue_email adds each one's unsubscribe link and headers."""
    now = now or timezone.now()
    with transaction.atomic():
        issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
        if issue.sent_at is not None:
            raise SubscriptionProblem("This newsletter was sent already.", code="sent")
        addresses = list(
            Subscription.objects.filter(status=Subscription.Status.CONFIRMED)
            .order_by("id")
            .values_list("email", flat=True)
        )
        queued = 0
        for address in addresses:
            message = queue_email(
                to=address,
                subject=issue.subject,
                template="notifications/email/newsletter",
                context={"body": issue.body},
                kind=OutboxMessage.Kind.MARKETING,
                category=NEWSLETTER,
                reference=f"newsletter:{issue.pk}",
            )
            queued += message.status == OutboxMessage.Status.QUEUED
        issue.sent_at = now
        issue.recipients = queued
        issue.save(update_fields=["sent_at", "recipients"])
    return queued


def set_email_preferences(*, user, newsletter: bool, do_not_send: bool, source: str) -> dict:
    """A member's choices from My Account or the API, applied in one go:
    do-not-send wins over the newsletter, which it would silence anyway."""
    if do_not_send and newsletter:
        raise SubscriptionProblem(
            "Choose either the newsletter or order updates only, not both.", code="conflict"
        )
    with transaction.atomic():
        consent_services.set_do_not_send(email=user.email, on=do_not_send)
        state = consent.preferences_of(user.email)["newsletter"]
        if newsletter and state not in consent.WANTS_NEWSLETTER:
            subscribe(email=user.email, source=source, user=user)
        elif not newsletter and state in consent.WANTS_NEWSLETTER:
            consent_services.unsubscribe(email=user.email, via=source)
    return consent.preferences_of(user.email)


#: Mail whose body may go: delivered, or never to be delivered.
FINISHED = (OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED, OutboxMessage.Status.SUPPRESSED)


def blank_old_bodies(now: datetime | None = None) -> str:
    """V5 job: blank the bodies of mail finished more than
    OUTBOX_BODY_RETENTION_DAYS ago. Who it went to, what kind, when and its
    delivery status stay: the record a privacy officer needs."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.OUTBOX_BODY_RETENTION_DAYS)
    finished_long_ago = Q(sent_at__lt=cutoff) | Q(sent_at=None, created_at__lt=cutoff)
    blanked = OutboxMessage.objects.filter(
        finished_long_ago, status__in=FINISHED, body_blanked_at=None
    ).update(body_text="", body_html="", body_blanked_at=now)
    return f"blanked the bodies of {blanked} mail(s) finished before {cutoff:%Y-%m-%d}"


def forget_person(*, email: str, keep: int | None = None) -> None:
    """Erasure (V4): every mail to the address goes but `keep`, the goodbye
    mail, whose body is blanked once it is delivered."""
    OutboxMessage.objects.filter(to_address__iexact=email).exclude(pk=keep).delete()


def blank_mail(*, category: str, references: list[str], now: datetime | None = None) -> int:
    """Erasure (V4) of someone a mail to *another* person was about (the
    marketplace contract names the other side): the stored copies of that
    category and those references lose their bodies, now when delivered or
    as soon as they are. Who it went to and when stay."""
    if not references:
        return 0
    mail = OutboxMessage.objects.filter(category=category, reference__in=references)
    mail.exclude(status__in=FINISHED).update(scrub_after_send=True)
    return mail.filter(status__in=FINISHED).update(
        body_text="", body_html="", body_blanked_at=now or timezone.now()
    )
