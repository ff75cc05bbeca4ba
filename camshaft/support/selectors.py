"""Reads of the support desk (B4): a customer's tickets (and nobody
else's), the signed link a ticket's mail carries, the staff queue's
figures and the data export."""

import hashlib
from datetime import datetime, timedelta
from statistics import median

from django.conf import settings
from django.core import signing
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from camshaft.core.business_days import STORE_ZONE
from camshaft.support import rules
from camshaft.support.models import Status, Ticket, TicketMessage

LINK_SALT = "camshaft.support.ticket"


def _digest(email: str) -> str:
    return hashlib.sha256(f"{LINK_SALT}:{email.strip().lower()}".encode()).hexdigest()[:16]


def with_thread(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.select_related("order").prefetch_related(
        Prefetch(
            "messages", queryset=TicketMessage.objects.select_related("by").order_by("at", "id")
        )
    )


def tickets_of(*, user) -> QuerySet[Ticket]:
    """A member's tickets, latest activity first (one query per page)."""
    return Ticket.objects.filter(user=user, erased_at=None).order_by("-last_message_at", "-id")


def ticket_for_member(*, user, reference: str) -> Ticket:
    """`user`'s ticket with this reference; another person's raises
    Ticket.DoesNotExist exactly as one that does not exist."""
    return with_thread(tickets_of(user=user)).get(reference=_clean(reference))


def ticket_by_reference(*, reference: str) -> Ticket:
    """For code that already checked the caller may see the ticket."""
    return with_thread(Ticket.objects.filter(erased_at=None)).get(reference=_clean(reference))


def link_token(ticket: Ticket) -> str:
    """A token that opens this ticket for GUEST_LINK_DAYS, for whoever reads
    the mail sent to its address. It names the address by a digest, so the
    link stops working once the ticket's personal data is erased."""
    return signing.dumps([ticket.reference, _digest(ticket.email)], salt=LINK_SALT)


def ticket_link(ticket: Ticket) -> str:
    return settings.STORE_URL + reverse("support_ticket_link", args=[link_token(ticket)])


def ticket_for_token(token: str) -> Ticket | None:
    """The ticket a mail's link opens, or None if forged, too old or erased."""
    try:
        reference, digest = signing.loads(
            token[:500], salt=LINK_SALT, max_age=timedelta(days=rules.GUEST_LINK_DAYS)
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    ticket = Ticket.objects.filter(reference=str(reference), erased_at=None).first()
    if ticket is None or not ticket.email or _digest(ticket.email) != digest:
        return None
    return ticket


def is_owner_address(ticket: Ticket, address: str) -> bool:
    """Whether a mail from `address` may speak for the ticket's owner."""
    address = (address or "").strip().lower()
    owners = {ticket.email.lower()} | ({ticket.user.email.lower()} if ticket.user else set())
    return bool(address) and address in owners - {""}


def _clean(reference: str) -> str:
    return (reference or "").strip().upper()[:20]


def mail_context(ticket: Ticket) -> dict:
    return {
        "ticket": ticket,
        "name": ticket.name,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "link": ticket_link(ticket),
    }


def is_late(ticket: Ticket, *, now: datetime | None = None) -> bool:
    return rules.is_late(
        status=ticket.status, waiting_since=ticket.waiting_since, now=now or timezone.now()
    )


def late_tickets(*, now: datetime | None = None) -> QuerySet[Ticket]:
    """Open tickets waiting on us for more than one business day (B4).
    Narrowed in the database to those waiting since at least a day (no
    business day is shorter), then decided by the calendar rule."""
    now = now or timezone.now()
    candidates = Ticket.objects.filter(
        status=Status.OPEN, waiting_since__lte=now - timedelta(days=1)
    ).values_list("pk", "waiting_since")
    late = [pk for pk, since in candidates if now > rules.answer_due(since)]
    return Ticket.objects.filter(pk__in=late)


def counts_by_status() -> dict[str, int]:
    rows = Ticket.objects.filter(erased_at=None).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


#: The report's buckets of time to the first answer, in hours.
WAITS = (
    ("under 1 hour", 0, 1),
    ("1 to 4 hours", 1, 4),
    ("4 to 24 hours", 4, 24),
    ("1 to 3 days", 24, 72),
    ("over 3 days", 72, float("inf")),
)


def report(*, since: datetime, now: datetime | None = None) -> dict:
    """Tickets opened per day (on the store's calendar) and the time to the
    first answer, since `since`: totals only, no customer."""
    now = now or timezone.now()
    tickets = Ticket.objects.filter(opened_at__gte=since)
    per_day = list(
        tickets.annotate(day=TruncDate("opened_at", tzinfo=STORE_ZONE))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    waits = [
        (answered - opened).total_seconds() / 3600
        for opened, answered in tickets.exclude(first_answer_at=None).values_list(
            "opened_at", "first_answer_at"
        )
    ]
    return {
        "per_day": [(row["day"], row["n"]) for row in per_day],
        "first_answer": [
            (label, sum(1 for hours in waits if low <= hours < high)) for label, low, high in WAITS
        ],
        "opened": sum(row["n"] for row in per_day),
        "answered": len(waits),
        "median_hours": median(waits) if waits else None,
        "within_day": sum(1 for hours in waits if hours <= 24),
        "late_now": late_tickets(now=now).count(),
    }


def tickets_of_person(*, user=None, email: str = "") -> QuerySet[Ticket]:
    """Every ticket of a member (theirs, and once their address is confirmed
    the guest tickets written from it, as with orders) or of a guest known
    by `email` alone."""
    if user is not None:
        mine = Q(user=user)
        if user.email_verified_at is not None:
            mine |= Q(user__isnull=True, email__iexact=user.email)
        return Ticket.objects.filter(mine)
    return Ticket.objects.filter(user__isnull=True, email__iexact=(email or "").strip())


def personal_data(*, user=None, email: str = "") -> dict[str, list[dict]]:
    """Download my data (V3): the person's tickets and every message."""
    tickets = list(
        tickets_of_person(user=user, email=email)
        .filter(erased_at=None)
        .select_related("order")
        .prefetch_related("messages")
        .order_by("opened_at", "id")
    )
    return {
        "support_tickets": [
            {
                "reference": t.reference,
                "subject": t.subject,
                "status": t.status,
                "email": t.email,
                "name": t.name,
                "order": t.order.number if t.order else t.order_number_given,
                "opened_at": t.opened_at.isoformat(),
                "closed_at": t.closed_at.isoformat() if t.closed_at else None,
            }
            for t in tickets
        ],
        "support_messages": [
            {
                "ticket": t.reference,
                "from": m.author,
                "channel": m.channel,
                "at": m.at.isoformat(),
                "text": m.body,
            }
            for t in tickets
            for m in t.messages.all()
        ],
    }
