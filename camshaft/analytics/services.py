"""Writes: the visitor's analytics choice, one event per thing a consenting
visitor does, erasure and the retention job (V2, V9)."""

import logging
import re
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from camshaft.analytics import cookies
from camshaft.analytics.models import Channel, CookieChoice, Event, Visitor
from camshaft.consent.models import ConsentRecord
from camshaft.consent.services import current_policy, record_consent

log = logging.getLogger(__name__)

CONSENT_PURPOSE = "analytics"
# Raw events are kept as long as the consent cookie lives (13 months), enough
# to compare a month with the same month a year before; then they are deleted.
EVENT_RETENTION = timedelta(days=395)
QUERY_CHARS = 100
EMAIL_RE = re.compile(r"\S+@\S+")
# The funnel steps other apps report (V9).
ADD_TO_CART = Event.Kind.ADD_TO_CART
CHECKOUT_STARTED = Event.Kind.CHECKOUT_STARTED


def new_visitor_key() -> str:
    return secrets.token_hex(16)


@transaction.atomic
def choose_analytics(
    *,
    analytics: bool,
    channel: str,
    user=None,
    visitor_key: str | None = None,
    now: datetime | None = None,
) -> Visitor | None:
    """Record a visitor's accept or reject (V2) and return the Visitor whose
    id the client keeps while analytics is on, or None after a reject.

    `visitor_key` is the id the client already holds: accepting again keeps
    it, rejecting withdraws it. A signed-in member's choice is also kept as
    their ConsentRecord for the "analytics" purpose (V1)."""
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel {channel!r}")
    now = now or timezone.now()
    member = user if user is not None and user.is_authenticated else None
    policy = current_policy(now=now)
    current = None
    if visitor_key:
        current = Visitor.objects.filter(key=visitor_key, withdrawn_at__isnull=True).first()
    if analytics:
        visitor = current or Visitor.objects.create(
            key=new_visitor_key(), user=member, channel=channel, created_at=now
        )
        if member is not None and visitor.user_id is None:
            visitor.user = member
            visitor.save(update_fields=["user"])
        if member is not None and not _open_member_consents(member).exists():
            record_consent(
                user=member, version=policy, channel=channel, purpose=CONSENT_PURPOSE, now=now
            )
    else:
        visitor = None
        if current is not None:
            current.withdrawn_at = now
            current.save(update_fields=["withdrawn_at"])
        if member is not None:
            _open_member_consents(member).update(withdrawn_at=now)
    CookieChoice.objects.create(
        visitor_key=(visitor or current).key if (visitor or current) else "",
        user=member,
        analytics=analytics,
        policy_version=policy,
        chosen_at=now,
        channel=channel,
    )
    return visitor


def _open_member_consents(user):
    return ConsentRecord.objects.filter(
        user=user, purpose=CONSENT_PURPOSE, withdrawn_at__isnull=True
    )


@transaction.atomic
def link_member(*, visitor_key: str, user) -> None:
    """A consenting browser signed in: its events become the member's for
    export and erasure. A key already linked to someone else stays theirs."""
    Visitor.objects.filter(key=visitor_key, user__isnull=True).update(user=user)


def visitor_for(request: HttpRequest) -> str | None:
    """The consenting visitor behind a request, or None: a browser's signed
    cookies (read by the middleware), else an app's X-Analytics-Id header
    naming an id whose consent still stands."""
    key = getattr(request, "analytics_visitor", None) or cookies.visitor_from(request)
    if key:
        return key
    key = cookies.unsign(request.headers.get(cookies.VISITOR_HEADER))
    if key and Visitor.objects.filter(key=key, withdrawn_at__isnull=True).exists():
        return key
    return None


def _record(*, visitor: str, kind: str, **fields) -> None:
    """One INSERT. Analytics must never break the page it measures, so a
    failure is logged and forgotten."""
    try:
        with transaction.atomic():
            Event.objects.create(visitor=visitor, kind=kind, at=timezone.now(), **fields)
    except Exception:
        log.warning("analytics event %s not recorded", kind, exc_info=True)


def record_page_view(*, visitor: str, route: str, status: int, duration_ms: int) -> None:
    _record(
        visitor=visitor,
        kind=Event.Kind.PAGE_VIEW,
        route=route[:100],
        status=status,
        duration_ms=max(0, duration_ms),
    )


def normalise_query(text: str) -> str:
    """Lower case, single spaces, at most 100 characters; an email address
    typed into the box is not kept."""
    words = EMAIL_RE.sub("[email]", text or "").lower().split()
    return " ".join(words)[:QUERY_CHARS].strip()


def record_search(*, request: HttpRequest, result) -> None:
    """A search a consenting visitor ran (web page or API): its normalised
    text and how many parts it found. Further pages of the same search are
    not new searches; an empty box is not a search."""
    query = normalise_query(result.query)
    if not query or result.page.number != 1:
        return
    if visitor := visitor_for(request):
        found = result.total + len(result.exact_matches)
        _record(visitor=visitor, kind=Event.Kind.SEARCH, query=query, results=found)


def record_step(*, request: HttpRequest, step: str) -> None:
    """A funnel step (added to cart, started checkout, placed an order)."""
    if step not in Event.Kind.values or step in (Event.Kind.PAGE_VIEW, Event.Kind.SEARCH):
        raise ValueError(f"Not a funnel step: {step!r}")
    if visitor := visitor_for(request):
        _record(visitor=visitor, kind=step)


def record_order(*, request: HttpRequest, placed) -> None:
    """An order placed: the funnel's last step. A replayed request (the same
    idempotency key again) is the same order, not another one."""
    if not placed.replayed:
        record_step(request=request, step=Event.Kind.ORDER_PLACED)


@transaction.atomic
def forget_user(*, user) -> int:
    """Erasure (V4): delete the member's events and the mapping that linked
    them; their cookie choices stay as counts, with nothing pointing at them.
    Returns the number of events deleted."""
    keys = list(Visitor.objects.filter(user=user).values_list("key", flat=True))
    deleted, _ = Event.objects.filter(visitor__in=keys).delete()
    Visitor.objects.filter(user=user).delete()
    CookieChoice.objects.filter(user=user).update(user=None, visitor_key="")
    return deleted


@transaction.atomic
def purge_expired(*, now: datetime) -> str:
    """The retention job (`camshaft jobs`): events older than EVENT_RETENTION
    go, and so do ids withdrawn before then, which no event needs any more.
    No client IP is ever stored, so there is none to purge."""
    cutoff = now - EVENT_RETENTION
    events, _ = Event.objects.filter(at__lt=cutoff).delete()
    visitors, _ = Visitor.objects.filter(withdrawn_at__lt=cutoff).delete()
    return f"deleted {events} analytics events and {visitors} withdrawn visitor ids"
