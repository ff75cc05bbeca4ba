"""Writes of the support desk (B4): opening a ticket (contact form, API,
mail, and later a chat that becomes a ticket with its transcript), the
customer's replies (ticket page, API, mail), staff answers that go out by
mail, closing and reopening, and erasure.

Every write locks the ticket row, so a customer's reply and a clerk's
answer arriving together both land and leave the right state."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from email_reply_parser import EmailReplyParser

from camshaft.notifications.services import queue_email
from camshaft.orders import selectors as orders
from camshaft.orders.models import Order
from camshaft.support import rules, selectors
from camshaft.support.models import Author, Source, Status, Ticket, TicketMessage

log = logging.getLogger(__name__)


class TicketProblem(ValidationError):
    """Why a ticket (or a message) was refused; nothing was changed."""


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    """One message of a conversation held elsewhere (live chat) that becomes
    part of the ticket's thread, with its own time and author."""

    author: str  # Author.CUSTOMER or Author.STAFF
    text: str
    at: datetime
    by: object = field(default=None)  # the staff member (or member) who wrote it


def _text(value: str, *, limit: int, what: str, required: bool = True) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise TicketProblem(f"The {what} holds a character we cannot store.", code="bad_text")
    if required and not value:
        raise TicketProblem(f"Write a {what}.", code=f"no_{what}")
    if len(value) > limit:
        raise TicketProblem(f"The {what} is at most {limit} characters.", code=f"long_{what}")
    return value


def _address(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise TicketProblem("Give an email address we can answer to.", code="bad_email") from None
    if len(email) > 254:
        raise TicketProblem("Give an email address we can answer to.", code="bad_email")
    return email


def _order_of(*, number: str, email: str, user) -> Order | None:
    """The order the customer named, only if it is theirs: the member's own,
    or one whose billing email is the ticket's. Nothing tells the customer
    which: an order that exists and one that does not look the same."""
    if not number:
        return None
    if user is not None and user.is_authenticated:
        try:
            return orders.order_for_member(user=user, number=number)
        except Order.DoesNotExist:
            pass
    try:
        return orders.order_for_guest(number=number, email=email)
    except Order.DoesNotExist:
        return None


def _unused_reference() -> str:
    while Ticket.objects.filter(reference=(reference := rules.new_reference())).exists():
        continue
    return reference


@transaction.atomic
def open_ticket(
    *,
    subject: str,
    message: str,
    email: str = "",
    user=None,
    name: str = "",
    order_number: str = "",
    source: str = Source.WEB,
    transcript: Sequence[TranscriptLine] = (),
    mail_id: str = "",
    related: Ticket | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Open a ticket and mail its reference to the customer (B4).

    A member's ticket belongs to their account and answers go to their
    address; a guest's to the `email` given. `order_number` links the order
    only when it is the customer's (see `_order_of`). `transcript` (live
    chat) comes first in the thread, in its own order and times; `message`
    (may be blank then) follows it."""
    if source not in Source.values:
        raise ValueError(f"unknown source {source!r}")
    member = user if user is not None and user.is_authenticated else None
    email = _address(member.email if member else email)
    subject = _text(subject, limit=rules.MAX_SUBJECT, what="subject")
    message = _text(message, limit=rules.MAX_MESSAGE, what="message", required=not transcript)
    name = _text(name, limit=rules.MAX_NAME, what="name", required=False)
    number = (order_number or "").strip().upper()[:20]
    lines = [
        (
            line.author,
            _text(line.text, limit=rules.MAX_MESSAGE, what="message"),
            line.at,
            line.by,
        )
        for line in transcript
    ]
    if any(author not in Author.values for author, *_ in lines):
        raise ValueError("a transcript line's author is customer or staff")
    now = now or timezone.now()
    order = _order_of(number=number, email=email, user=member)
    if member and not name:
        name = member.get_full_name()
    ticket = Ticket.objects.create(
        reference=_unused_reference(),
        user=member,
        email=email,
        name=name,
        subject=subject,
        order=order,
        order_number_given="" if order else number,
        source=source,
        status=Status.OPEN,
        opened_at=now,
        waiting_since=now,
        last_message_at=now,
        related=related,
    )
    TicketMessage.objects.bulk_create(
        [
            TicketMessage(ticket=ticket, author=author, by=by, channel=source, body=text, at=at)
            for author, text, at, by in lines
        ]
        + (
            [
                TicketMessage(
                    ticket=ticket,
                    author=Author.CUSTOMER,
                    by=member,
                    channel=source,
                    body=message,
                    at=now,
                    mail_id=mail_id[:255],
                )
            ]
            if message
            else []
        )
    )
    if lines:
        first = min(at for _, _, at, _ in lines)
        answered = [at for author, _, at, _ in lines if author == Author.STAFF]
        Ticket.objects.filter(pk=ticket.pk).update(
            opened_at=min(first, now), first_answer_at=min(answered) if answered else None
        )
        ticket.refresh_from_db()
    _mail(ticket, "opened", f"[{ticket.reference}] We have your message: {subject}")
    return ticket


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


@transaction.atomic
def reply_as_customer(
    *,
    ticket: Ticket,
    message: str,
    channel: str,
    by=None,
    mail_id: str = "",
    now: datetime | None = None,
) -> TicketMessage:
    """The customer writes again (ticket page, API or mail): the message
    joins the thread and the ticket waits on us, reopened if it was closed.
    The caller has checked the ticket is theirs."""
    if channel not in Source.values:
        raise ValueError(f"unknown channel {channel!r}")
    message = _text(message, limit=rules.MAX_MESSAGE, what="message")
    ticket = _locked(ticket)
    if ticket.erased_at is not None:
        raise TicketProblem("This ticket was erased.", code="erased")
    now = now or timezone.now()
    posted = TicketMessage.objects.create(
        ticket=ticket,
        author=Author.CUSTOMER,
        by=by if by is not None and by.is_authenticated else None,
        channel=channel,
        body=message,
        at=now,
        mail_id=mail_id[:255],
    )
    if ticket.status != Status.OPEN:
        ticket.waiting_since = now
    ticket.status = Status.OPEN
    ticket.closed_at = None
    ticket.last_message_at = now
    ticket.save(update_fields=["status", "waiting_since", "closed_at", "last_message_at"])
    return posted


@transaction.atomic
def answer_ticket(
    *, ticket: Ticket, message: str, by, close: bool = False, now: datetime | None = None
) -> TicketMessage:
    """Customer service answers (B4): the answer joins the thread and goes
    out by mail with the reference in its subject, so a reply by mail finds
    its way back; the ticket then waits for the customer (or is closed)."""
    message = _text(message, limit=rules.MAX_MESSAGE, what="answer")
    ticket = _locked(ticket)
    if ticket.erased_at is not None:
        raise TicketProblem("This ticket was erased.", code="erased")
    now = now or timezone.now()
    posted = TicketMessage.objects.create(
        ticket=ticket, author=Author.STAFF, by=by, channel=Source.WEB, body=message, at=now
    )
    ticket.status = Status.CLOSED if close else Status.WAITING
    ticket.waiting_since = None
    ticket.first_answer_at = ticket.first_answer_at or now
    ticket.last_message_at = now
    ticket.closed_at = now if close else None
    ticket.save(
        update_fields=["status", "waiting_since", "first_answer_at", "last_message_at", "closed_at"]
    )
    _mail(ticket, "answer", f"[{ticket.reference}] Re: {ticket.subject}", answer=message)
    return posted


@transaction.atomic
def close_ticket(*, ticket: Ticket, by=None, now: datetime | None = None) -> Ticket:
    """Staff close a ticket without answering (solved on the phone, spam).
    A reply from the customer reopens it."""
    ticket = _locked(ticket)
    if ticket.status != Status.CLOSED:
        ticket.status = Status.CLOSED
        ticket.waiting_since = None
        ticket.closed_at = now or timezone.now()
        ticket.save(update_fields=["status", "waiting_since", "closed_at"])
    return ticket


@transaction.atomic
def reopen_ticket(*, ticket: Ticket, by=None, now: datetime | None = None) -> Ticket:
    """Staff reopen a closed ticket: it waits on us again."""
    ticket = _locked(ticket)
    if ticket.erased_at is not None:
        raise TicketProblem("This ticket was erased.", code="erased")
    if ticket.status == Status.CLOSED:
        ticket.status = Status.OPEN
        ticket.waiting_since = now or timezone.now()
        ticket.closed_at = None
        ticket.save(update_fields=["status", "waiting_since", "closed_at"])
    return ticket


@dataclass(frozen=True, slots=True)
class MailOutcome:
    """What a mail to the store did to the desk, for `camshaft inbound`."""

    ticket: Ticket
    added: bool  # True: joined the ticket's thread; False: opened `ticket`

    def __str__(self) -> str:
        if self.added:
            return f"added to the thread of ticket {self.ticket.reference}"
        return f"opened ticket {self.ticket.reference} (sent from another address)"


@transaction.atomic
def take_mail_reply(
    *, sender: str, subject: str, text: str, mail_id: str = "", now: datetime | None = None
) -> MailOutcome | None:
    """A mail to the store whose subject carries a ticket reference (B4).

    From the ticket's owner (its address, or its member's current one) it
    joins the thread and reopens the ticket. From any other address it is
    never added to that thread, where it would speak for someone else: it
    opens a ticket of its own for the sender, which staff see linked to the
    one it quoted; the sender learns nothing of that ticket. A mail without
    a reference, or quoting one that does not exist, is not the desk's.
    The same mail (by Message-ID) read twice is taken once, even by two
    readers at once: the quoted ticket's row is locked before looking."""
    reference = rules.reference_in(subject)
    if reference is None:
        return None
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(reference=reference)
        .first()
    )
    if ticket is None or ticket.erased_at is not None:
        return None
    sender = (sender or "").strip().lower()
    if mail_id and (
        seen := TicketMessage.objects.filter(mail_id=mail_id[:255]).select_related("ticket").first()
    ):
        return MailOutcome(seen.ticket, added=seen.ticket_id == ticket.pk)
    # Mail clients quote the whole thread below a reply: keep only what is new.
    body = EmailReplyParser.parse_reply(text or "").strip()[: rules.MAX_MESSAGE]
    body = body or "(an empty mail)"
    if selectors.is_owner_address(ticket, sender):
        reply_as_customer(
            ticket=ticket,
            message=body,
            channel=Source.MAIL,
            by=ticket.user,
            mail_id=mail_id,
            now=now,
        )
        return MailOutcome(ticket, added=True)
    try:
        opened = open_ticket(
            subject=" ".join(subject.split())[: rules.MAX_SUBJECT],
            message=body,
            email=sender,
            source=Source.MAIL,
            mail_id=mail_id,
            related=ticket,
            now=now,
        )
    except TicketProblem:
        log.info("a mail quoting ticket %s came from an unusable address", reference)
        return None
    return MailOutcome(opened, added=False)


def _mail(ticket: Ticket, template: str, subject: str, **extra) -> None:
    """To the member's address as it is now (they may have changed it since), else the guest's."""
    queue_email(
        to=ticket.user.email if ticket.user_id else ticket.email,
        subject=subject,
        template=f"support/email/{template}",
        context={**selectors.mail_context(ticket), **extra},
        kind="transactional",
        category=f"support_{template}",
        reference=f"ticket:{ticket.reference}",
    )


@transaction.atomic
def forget_person(*, email: str, user=None, now: datetime | None = None) -> int:
    """Erasure (V4): the person's tickets keep their dates and states for the
    desk's figures, and lose everything personal: address, name, subject,
    the order link and every message's text. Returns how many."""
    now = now or timezone.now()
    tickets = selectors.tickets_of_person(user=user, email=email)
    ids = list(tickets.values_list("pk", flat=True))
    TicketMessage.objects.filter(ticket_id__in=ids).update(body="", mail_id="")
    TicketMessage.objects.filter(ticket_id__in=ids, author=Author.CUSTOMER).update(by=None)
    Ticket.objects.filter(pk__in=ids, closed_at=None).update(closed_at=now)
    Ticket.objects.filter(pk__in=ids).update(
        user=None,
        email="",
        name="",
        subject="(erased)",
        order=None,
        order_number_given="",
        status=Status.CLOSED,
        waiting_since=None,
        erased_at=now,
    )
    return len(ids)
