"""Writes of the privacy app: consent and policy versions (V1), data requests,
export and erasure (V3, V4), retention (V5), children (V7), breaches (V6)."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from camshaft.consent import services as consent_services
from camshaft.consent.models import PrivacyPolicyVersion
from camshaft.notifications.models import OutboxMessage
from camshaft.notifications.services import InvalidEmailAddress, queue_email
from camshaft.orders.models import UNSHIPPED, OrderStatus
from camshaft.privacy import selectors
from camshaft.privacy.models import (
    BreachIncident,
    BreachNotice,
    DataRequest,
)

log = logging.getLogger(__name__)

# --- Breach register (V6) ----------------------------------------------------

#: What the privacy officer enters about a breach; the rest is kept by Camshaft.
BREACH_FIELDS = (
    "title",
    "description",
    "data_categories",
    "discovered_at",
    "selection",
    "affected_emails",
    "period_start",
    "period_end",
    "status",
    "measures_taken",
    "advice",
    "notes",
    "authority_notified_at",
    "authority_reference",
)
#: A list typed into the register; bigger sets are chosen by a query.
MAX_LISTED_EMAILS = 10_000


def breach_problems(
    *,
    data_categories,
    discovered_at: datetime | None,
    selection: str,
    affected_emails: str = "",
    period_start: datetime | None = None,
    period_end: datetime | None = None,
    authority_notified_at: datetime | None = None,
    now: datetime | None = None,
    **_other_fields,
) -> dict[str, str]:
    """What is wrong with a breach as entered, by field; empty if nothing."""
    now = now or timezone.now()
    problems: dict[str, str] = {}
    categories = list(data_categories or [])
    if not categories:
        problems["data_categories"] = "Choose at least one kind of data affected."
    elif unknown := set(categories) - set(BreachIncident.DataCategory.values):
        problems["data_categories"] = f"Unknown kinds of data: {', '.join(sorted(unknown))}."
    if discovered_at is None:
        problems["discovered_at"] = "Say when the breach was discovered."
    elif discovered_at > now:
        problems["discovered_at"] = "A breach cannot be discovered in the future."
    if authority_notified_at is not None:
        if authority_notified_at > now:
            problems["authority_notified_at"] = "That time is still in the future."
        elif discovered_at is not None and authority_notified_at < discovered_at:
            problems["authority_notified_at"] = "The authority cannot be told before discovery."
    if selection not in BreachIncident.Selection.values:
        problems["selection"] = "Choose how the affected people are found."
    elif selection == BreachIncident.Selection.LISTED:
        emails = selectors.listed_emails(affected_emails)
        bad = [email for email in emails if not _valid_email(email)]
        if bad:
            problems["affected_emails"] = f"Not email addresses: {', '.join(bad[:5])}."
        elif len(emails) > MAX_LISTED_EMAILS:
            problems["affected_emails"] = (
                f"List at most {MAX_LISTED_EMAILS:,} addresses; choose a query for more."
            )
    elif selection != BreachIncident.Selection.ALL_MEMBERS:
        if period_start is None or period_end is None:
            problems["period_end"] = "This choice needs the start and the end of the period."
        elif period_start >= period_end:
            problems["period_end"] = "The period must end after it starts."
    return problems


def _valid_email(email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def _checked_fields(fields: dict, *, now: datetime) -> dict:
    if unknown := set(fields) - set(BREACH_FIELDS):
        raise TypeError(f"Unknown breach fields {sorted(unknown)}")
    entered = {"selection": BreachIncident.Selection.LISTED, **fields}
    if problems := breach_problems(**entered, now=now):
        raise ValidationError(problems)
    return fields


@transaction.atomic
def record_breach(*, by, now: datetime | None = None, **fields) -> BreachIncident:
    """Enter a breach in the register (V6). Every breach is kept, whether or
    not anybody turns out to need a notice."""
    now = now or timezone.now()
    return BreachIncident.objects.create(
        **_checked_fields(fields, now=now),
        recorded_at=now,
        recorded_by=by if by is not None and by.is_authenticated else None,
    )


@transaction.atomic
def update_breach(
    *, incident: BreachIncident, now: datetime | None = None, **fields
) -> BreachIncident:
    """Change what the register says about a breach: what is known of it,
    the measures taken, and when the supervisory authority was told (which
    stops the 72-hour clock). Notices already sent stay as they were."""
    current = {name: getattr(incident, name) for name in BREACH_FIELDS}
    _checked_fields({**current, **fields}, now=now or timezone.now())
    for name, value in fields.items():
        setattr(incident, name, value)
    incident.save(update_fields=list(fields))
    return incident


@dataclass(frozen=True, slots=True)
class BreachNotification:
    """What one press of "Notify affected people" did."""

    sent: int
    already_notified: int
    outside_eu_eea: int
    unknown_country: int
    undeliverable: int


@transaction.atomic
def notify_breach(*, incident: BreachIncident, now: datetime | None = None) -> BreachNotification:
    """Mail every affected person who lives in the EU/EEA and has not had a
    notice for this incident, and record each notice with its outbox mail.
    Running it again sends nothing new, so it is safe to press twice."""
    incident = BreachIncident.objects.select_for_update().get(pk=incident.pk)
    now = now or timezone.now()
    notified = set(incident.notices.values_list("email", flat=True))
    sent = already = outside = unknown = undeliverable = 0
    notices = []
    for person in selectors.affected_people(incident):
        if not person.in_eu_eea:
            outside += bool(person.country)
            unknown += not person.country
            continue
        if person.email in notified:
            already += 1
            continue
        try:
            message = _mail_notice(incident, person.email)
        except InvalidEmailAddress:
            undeliverable += 1
            continue
        notices.append(
            BreachNotice(
                incident=incident,
                user_id=person.user_id,
                email=person.email,
                country=person.country,
                sent_at=now,
                message=message,
            )
        )
        sent += 1
    BreachNotice.objects.bulk_create(notices, batch_size=500)
    incident.people_notified_at = now
    incident.save(update_fields=["people_notified_at"])
    return BreachNotification(sent, already, outside, unknown, undeliverable)


def _mail_notice(incident: BreachIncident, email: str):
    labels = dict(BreachIncident.DataCategory.choices)
    return queue_email(
        to=email,
        subject=f"Important: a security incident affecting your data at {settings.STORE_NAME}",
        template="privacy/email/breach_notice",
        context={
            "incident": incident,
            "data_affected": [labels.get(code, code) for code in incident.data_categories],
            "contact_email": settings.PRIVACY_CONTACT_EMAIL,
        },
        kind="transactional",
        category="breach_notice",
        reference=f"breach:{incident.pk}",
    )


# --- Access (V3), erasure (V4), retention (V5), children (V7), policy (V1) ---

#: Orders in these states still need their addresses: the person is asked to
#: wait or cancel before their account is erased.
IN_PROGRESS = UNSHIPPED | {OrderStatus.PARTLY_SHIPPED}
POLICY_NOTICE_CACHE_KEY = "privacy:upcoming-material-policy"
RETENTION = "retention"  # the channel of V5's automatic erasures


class ErasureBlocked(ValidationError):
    """The account cannot be erased yet, and the message says why."""


@transaction.atomic
def open_data_request(
    *, kind: str, channel: str, user=None, email: str = "", by=None, notes: str = "", now=None
) -> DataRequest:
    """Record a request to get or erase someone's data; the one-month clock
    starts now (V3, V4)."""
    now = now or timezone.now()
    if kind not in DataRequest.Kind.values:
        raise ValueError(f"Unknown data request kind {kind!r}")
    email = (email or (user.email if user else "")).strip().lower()
    if user is None and not _valid_email(email):
        raise ValidationError({"email": "Enter the requester's email address."})
    return DataRequest.objects.create(
        kind=kind,
        user=user,
        email=email,
        requested_at=now,
        due_at=selectors.request_due_at(now),
        channel=channel,
        handled_by=by,
        notes=notes,
    )


def _close(request: DataRequest, *, by=None, now=None, erased: bool = False) -> None:
    """Mark a request answered; after an erasure it keeps no email either."""
    request.status = DataRequest.Status.DONE
    request.completed_at = now or timezone.now()
    request.handled_by = by if by is not None else request.handled_by
    fields = ["status", "completed_at", "handled_by"]
    if erased:
        request.email = ""
        fields.append("email")
    request.save(update_fields=fields)


def _audit(*, by, action: str, email: str, detail: str, user=None, actor: str = "") -> None:
    """The audit entry of an export or erasure: the member's id where there
    is one, a keyed hash of the email always (A4)."""
    from camshaft.core.services import record_access

    record_access(
        staff=by,
        action=action,
        subject_user_id=user.pk if user is not None else None,
        subject_email=email,
        detail=detail,
        actor=actor,
    )


def export_personal_data(
    *, channel: str, user=None, email: str = "", by=None, request=None, now=None
) -> bytes:
    """The archive of a member (`user`) or of a guest known by `email` (V3),
    with the request recorded as answered; a privacy officer running it for
    someone leaves an audit entry (A4)."""
    now = now or timezone.now()
    email = user.email if user is not None else email
    with transaction.atomic():
        if request is None:
            request = open_data_request(
                kind="export", channel=channel, user=user, email=email, by=by, now=now
            )
        archive = selectors.export_archive(user, email=email, now=now)
        _close(request, by=by, now=now)
        if by is not None:
            _audit(
                by=by,
                action="exported",
                user=user,
                email=email,
                detail=f"data request {request.pk}{'' if user else ', guest'}",
            )
    return archive


def erasure_blockers(*, user=None, email: str = "") -> list[str]:
    """The numbers of the person's orders still on their way."""
    return list(
        selectors.orders_of(user=user, email=email)
        .filter(status__in=IN_PROGRESS)
        .order_by("placed_at")
        .values_list("number", flat=True)
    )


def sale_blockers(*, user=None) -> list[str]:
    """V4: the member's marketplace sales awaiting shipment, as seller or
    buyer, one sentence each: the other side still needs their address."""
    from camshaft.marketplace import selectors as marketplace

    if user is None:  # guests cannot buy or sell on the marketplace
        return []
    sentences = []
    for sale in marketplace.open_sales_of_member(user):
        what = f"Marketplace sale #{sale.pk} ({sale.title}, order {sale.order.number})"
        if sale.seller.user_id == user.pk:
            sentences.append(f"{what} awaits your shipment: ship it or cancel it.")
        else:
            sentences.append(
                f"{what} awaits shipment by {sale.seller.public_id}: wait until it has "
                "shipped or cancel it."
            )
    return sentences


def erase_person(
    *,
    user,
    reason: str,
    by=None,
    channel: str = "account",
    request=None,
    cancel_open_orders: bool = False,
    now=None,
) -> DataRequest:
    """Erase everything personal about `user` (V4): their account, addresses,
    cards, tokens, consents, subscriptions, mail and analytics go; their
    orders stay for the accounts, pseudonymised down to country and region.
    A confirmation goes to their address and is blanked once delivered."""
    return _erase(
        user=user,
        email=user.email,
        reason=reason,
        by=by,
        channel="privacy officer" if by is not None else channel,
        request=request,
        cancel_open_orders=cancel_open_orders,
        now=now,
    )


def erase_guest(*, email: str, by, reason: str, request=None, now=None) -> DataRequest:
    """V4 for someone who bought without an account: on a verified request,
    their guest orders are pseudonymised and their mail, subscription and
    consents go, as for a member."""
    return _erase(
        user=None,
        email=email.strip().lower(),
        reason=reason,
        by=by,
        channel="privacy officer",
        request=request,
        cancel_open_orders=False,
        now=now,
    )


def _erase(
    *, user, email: str, reason: str, by, channel: str, request, cancel_open_orders: bool, now
) -> DataRequest:
    from camshaft.orders import services as orders

    now = now or timezone.now()
    blockers = erasure_blockers(user=user, email=email)
    sales = sale_blockers(user=user)
    if (blockers or sales) and not cancel_open_orders:
        then = ", then delete the account." if user is not None else "."
        reasons = []
        if blockers:
            reasons.append(
                f"Order {', '.join(blockers)} is still on its way. Cancel it or wait until it has "
                f"shipped{then}"
            )
        if sales:
            reasons.append(" ".join(sales) + " Then delete the account.")
        raise ErasureBlocked(
            " ".join(reasons), code="orders_in_progress" if blockers else "sales_in_progress"
        )
    with transaction.atomic():
        for order in selectors.orders_of(user=user, email=email).filter(number__in=blockers):
            orders.cancel_order(order=order, by=by, as_staff=True, reason="account erased")
        if sales:
            from camshaft.marketplace import services as marketplace

            marketplace.cancel_open_sales_of_member(user=user, now=now)
        if request is None:
            request = open_data_request(
                kind="erasure",
                channel=channel,
                user=user,
                email=email,
                by=by,
                notes=reason,
                now=now,
            )
        _audit(
            by=by,
            action="erased",
            user=user,
            email=email,
            detail=f"{reason} (request {request.pk}{'' if user else ', guest'})",
            actor="retention job" if channel == RETENTION else "the customer",
        )
        goodbye = _goodbye(
            email=email, name=user.first_name if user else "", member=user is not None
        )
        _erase_traces(email=email, user=user, keep_message=goodbye.pk)
        _close(request, now=now, erased=True)
        if user is not None:
            user.delete()
    return request


def _erase_traces(*, email: str, keep_message: int, user=None) -> None:
    """Everything of a member (`user`) or a guest (`email` alone) but the
    account row itself: deleted, or pseudonymised on sales records. Each app
    that holds personal data offers `forget_person` (or, for orders,
    `forget_customer`); a new app adds its own and a line here."""
    from camshaft.accounts import services as accounts
    from camshaft.analytics import services as analytics
    from camshaft.cart import services as cart
    from camshaft.chat import services as chat
    from camshaft.checkout import services as checkout
    from camshaft.marketplace import services as marketplace
    from camshaft.notifications import services as notifications
    from camshaft.orders import services as orders
    from camshaft.pricematch import services as pricematch
    from camshaft.returns import services as returns
    from camshaft.support import services as support

    order_ids = list(selectors.orders_of(user=user, email=email).values_list("pk", flat=True))
    orders.forget_customer(order_ids=order_ids)
    returns.forget_person(order_ids=order_ids)
    if user is not None:
        cart.forget_person(user=user)
        analytics.forget_user(user=user)
        marketplace.forget_person(user=user)
        DataRequest.objects.filter(user=user).update(email="")
    checkout.forget_person(email=email, user=user)
    marketplace.forget_reporter(email=email)
    chat.forget_person(email=email, user=user)
    support.forget_person(email=email, user=user)
    pricematch.forget_person(email=email, user=user)
    notifications.forget_person(email=email, keep=keep_message)
    consent_services.forget_person(email=email, user=user)
    accounts.forget_person(email=email)
    DataRequest.objects.filter(email__iexact=email).update(email="")
    for notice in BreachNotice.objects.filter(email__iexact=email):
        BreachNotice.objects.filter(pk=notice.pk).update(
            email=f"erased-{notice.pk}@erased.invalid", user=None
        )
    for incident in BreachIncident.objects.filter(affected_emails__icontains=email):
        kept = [e for e in incident.affected_emails.splitlines() if e.strip().lower() != email]
        BreachIncident.objects.filter(pk=incident.pk).update(affected_emails="\n".join(kept))


def _goodbye(*, email: str, name: str, member: bool) -> OutboxMessage:
    """The confirmation of an erasure; blanked in the outbox once delivered."""
    message = queue_email(
        to=email,
        subject="Your account is deleted" if member else "Your personal data is deleted",
        template="privacy/email/account_deleted",
        context={"name": name, "member": member},
        kind="transactional",
        category="account_deleted",
    )
    OutboxMessage.objects.filter(pk=message.pk).update(scrub_after_send=True, reference="")
    return message


def delete_own_account(*, user, password: str, channel: str = "account", now=None) -> DataRequest:
    """My Account → Delete my account: the password again, then erasure."""
    if not user.check_password(password):
        raise ValidationError({"password": "That is not your password."})
    return erase_person(
        user=user, reason="the member deleted their account", channel=channel, now=now
    )


@transaction.atomic
def erase_child(*, user, by, note: str = "", now=None) -> DataRequest:
    """V7: an account found to belong to a child under 13 goes at once, with
    its data; orders still open are cancelled (and their money released)."""
    return erase_person(
        user=user,
        reason=f"child under 13. {note}".strip(),
        by=by,
        cancel_open_orders=True,
        now=now,
    )


@transaction.atomic
def carry_out_request(*, request: DataRequest, by, now=None):
    """The privacy officer answers a verified request: the archive for an
    export, the erasure for an erasure. Returns the archive bytes or None."""
    request = DataRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DataRequest.Status.OPEN:
        raise ValidationError("This request is answered already.", code="closed")
    if not request.identity_verified:
        raise ValidationError(
            "Check that the requester is the person first, then tick 'identity verified'.",
            code="unverified",
        )
    if request.kind == DataRequest.Kind.EXPORT:
        return export_personal_data(
            channel="privacy officer",
            user=request.user,
            email=request.email,
            by=by,
            request=request,
            now=now,
        )
    reason = request.notes or "verified request"
    if request.user is None:  # someone who bought as a guest
        erase_guest(email=request.email, by=by, reason=reason, request=request, now=now)
    else:
        erase_person(user=request.user, reason=reason, by=by, request=request, now=now)
    return None


def retention_job(*, now: datetime) -> str:
    """V5, run daily by `camshaft jobs`: warn members unused for 35 months,
    erase those unused for 36 months whose warning is at least 30 days old.
    Coming back (signing in, ordering) cancels the warning."""
    from camshaft.privacy.models import RetentionWarning

    User = get_user_model()
    # Back since they were warned: the warning no longer applies.
    returned = list(
        RetentionWarning.objects.annotate(
            last_active=Subquery(
                User.objects.filter(pk=OuterRef("user"))
                .annotate(last=selectors.last_activity_expression())
                .values("last")[:1]
            )
        )
        .filter(last_active__gt=F("last_active_at"))
        .values_list("pk", flat=True)
    )
    RetentionWarning.objects.filter(pk__in=returned).delete()

    warned = 0
    due_warning = selectors.inactive_members(
        since=selectors.months_ago(now, selectors.RETENTION_WARNING_AFTER_MONTHS)
    ).filter(retention_warning__isnull=True)
    for user in due_warning.iterator():
        with transaction.atomic():
            RetentionWarning.objects.create(
                user=user, warned_at=now, last_active_at=user.last_active
            )
            queue_email(
                to=user.email,
                subject="Your account will be deleted unless you use it",
                template="privacy/email/retention_warning",
                context={
                    "name": user.first_name,
                    "delete_on": now + selectors.RETENTION_MIN_NOTICE,
                    "sign_in_url": settings.STORE_URL + "/account/sign-in/",
                },
                kind="transactional",
                category="retention_warning",
                reference=f"user:{user.pk}",
            )
        warned += 1

    erased = 0
    due_erasure = selectors.inactive_members(
        since=selectors.months_ago(now, selectors.RETENTION_ERASE_AFTER_MONTHS)
    ).filter(retention_warning__warned_at__lte=now - selectors.RETENTION_MIN_NOTICE)
    for user in due_erasure.iterator():
        try:
            erase_person(
                user=user,
                reason="inactive for three years (retention)",
                channel=RETENTION,
                now=now,
            )
        except ErasureBlocked:
            continue  # an order still on its way: next run
        erased += 1
    return f"{warned} warned, {erased} erased, {len(returned)} came back"


def data_request_deadlines(*, now: datetime) -> str:
    """Daily: say which open requests are late or due within a week."""
    open_requests = selectors.open_data_requests()
    late = open_requests.filter(due_at__lt=now).count()
    soon = open_requests.filter(due_at__gte=now, due_at__lt=now + timedelta(days=7)).count()
    if late:
        log.warning("%s data request(s) are past their one-month deadline", late)
    return f"{late} late, {soon} due within 7 days"


@transaction.atomic
def publish_policy(
    *, version: str, summary: str, body: str, effective_at: datetime, material: bool, now=None
) -> PrivacyPolicyVersion:
    """Publish a new privacy policy (V1). A material change must be posted at
    least 30 days ahead, and every member is mailed about it now, so they can
    close their account before it applies."""
    now = now or timezone.now()
    problems = consent_services.policy_problems(
        version=version, effective_at=effective_at, material=material, now=now
    )
    if problems:
        raise ValidationError(problems)
    policy = PrivacyPolicyVersion.objects.create(
        version=version,
        summary=summary,
        body=body,
        published_at=now,
        effective_at=max(effective_at, now),
        material=material,
    )
    if material:
        members = get_user_model().objects.filter(is_active=True, is_staff=False)
        for email in members.values_list("email", flat=True).iterator():
            queue_email(
                to=email,
                subject="Our privacy policy is changing",
                template="privacy/email/policy_change",
                context={
                    "policy": policy,
                    "policy_url": settings.STORE_URL + "/privacy/",
                    "delete_url": settings.STORE_URL + "/account/delete/",
                },
                kind="transactional",
                category="policy_change",
                reference=f"policy:{policy.version}",
            )
        policy.members_notified_at = now
        policy.save(update_fields=["members_notified_at"])
    transaction.on_commit(lambda: cache.delete(POLICY_NOTICE_CACHE_KEY))
    return policy
