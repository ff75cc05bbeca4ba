"""Writes and the one read every signup needs: the policy in force (V1)."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from camshaft.notifications.services import InvalidEmailAddress, queue_email
from camshaft.privacy import selectors
from camshaft.privacy.models import (
    BreachIncident,
    BreachNotice,
    ConsentRecord,
    PrivacyPolicyVersion,
)

PLACEHOLDER_VERSION = "1.0"
PLACEHOLDER_BODY = (
    "Camshaft Auto Parts keeps the personal data you give us (your name, email "
    "address, addresses and orders) only to run your account and deliver your "
    "orders. We never sell it. You can download or delete it from My Account."
)


def current_policy(*, now=None) -> PrivacyPolicyVersion:
    """The newest version already in effect. A fresh store gets "1.0" from a
    data migration; if that was deleted, a placeholder is created again so
    registration never breaks."""
    now = now or timezone.now()
    policy = PrivacyPolicyVersion.objects.filter(effective_at__lte=now).first()
    if policy is None:
        policy, _ = PrivacyPolicyVersion.objects.get_or_create(
            version=PLACEHOLDER_VERSION,
            defaults={
                "summary": "How we use your personal data.",
                "body": PLACEHOLDER_BODY,
                "published_at": now,
                "effective_at": now,
            },
        )
    return policy


@transaction.atomic
def record_consent(
    *,
    user=None,
    email: str = "",
    version: PrivacyPolicyVersion,
    channel: str,
    purpose: str = ConsentRecord.PRIVACY_POLICY,
    now=None,
) -> ConsentRecord:
    """Keep who agreed to which text, when and how; never the IP address.
    A guest (a newsletter subscriber without an account) is kept by email."""
    if channel not in ConsentRecord.Channel.values:
        raise ValueError(f"Unknown consent channel {channel!r}")
    if user is None and not email:
        raise ValueError("Consent needs a person: a user or an email address")
    return ConsentRecord.objects.create(
        user=user,
        email=user.email if user is not None else email,
        policy_version=version,
        purpose=purpose,
        given_at=now or timezone.now(),
        channel=channel,
    )


def withdraw_consent(*, purpose: str, user=None, email: str = "", now=None) -> int:
    """Mark a person's open consents to `purpose` withdrawn; returns how many."""
    records = ConsentRecord.objects.filter(purpose=purpose, withdrawn_at__isnull=True)
    if user is not None:
        records = records.filter(user=user)
    elif email:
        records = records.filter(email__iexact=email)
    else:
        return 0
    return records.update(withdrawn_at=now or timezone.now())


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
