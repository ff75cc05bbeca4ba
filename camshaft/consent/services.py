"""Writes of consent: policy versions in force, consents given and
withdrawn (V1), newsletter subscriptions ended and the do-not-send list
(N2, N3). Nothing here sends mail; the apps above do, asking
`consent.selectors.may_receive` first."""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from camshaft.consent import selectors
from camshaft.consent.models import ConsentRecord, PrivacyPolicyVersion, Subscription, Suppression

log = logging.getLogger(__name__)

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


def policy_problems(*, version: str, effective_at, material: bool, now=None) -> dict:
    """What stops a policy version from being published, by field."""
    now = now or timezone.now()
    problems = {}
    if PrivacyPolicyVersion.objects.filter(version=version).exists():
        problems["version"] = f"Version {version} exists already."
    earliest = now + selectors.POLICY_NOTICE_PERIOD
    if material and effective_at and effective_at < earliest:
        problems["effective_at"] = (
            f"A material change takes effect {earliest:%Y-%m-%d} at the earliest, "
            "so members hear of it first."
        )
    return problems


@transaction.atomic
def unsubscribe(*, email: str, via: str, now: datetime | None = None) -> bool:
    """Stop marketing mail to `email` at once; True if it was subscribed.
    Mail already queued for it is held back at delivery."""
    now = now or timezone.now()
    address = selectors.normalize(email)
    changed = (
        Subscription.objects.filter(email=address)
        .exclude(status=Subscription.Status.UNSUBSCRIBED)
        .update(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=now, unsubscribed_via=via)
    )
    withdraw_consent(purpose=ConsentRecord.NEWSLETTER, email=address, now=now)
    if changed:
        log.info("subscription %s ended via %s", selectors.email_digest(address)[:10], via)
    return bool(changed)


@transaction.atomic
def set_do_not_send(
    *, email: str, on: bool, reason: str = Suppression.Reason.ASKED, now=None
) -> None:
    """Put an address on the do-not-send list (it then gets order status
    mail only, N3) or take it off. Going on the list ends the newsletter."""
    digest = selectors.email_digest(email)
    if on:
        Suppression.objects.get_or_create(
            email_digest=digest, defaults={"reason": reason, "added_at": now or timezone.now()}
        )
        unsubscribe(email=email, via="do_not_send", now=now)
    else:
        Suppression.objects.filter(email_digest=digest).delete()


def forget_person(*, email: str, user=None) -> None:
    """Erasure (V4): consents and the newsletter subscription go. The
    do-not-send entry stays: it holds no address, only a keyed hash."""
    if user is not None:
        ConsentRecord.objects.filter(user=user).delete()
    Subscription.objects.filter(email=selectors.normalize(email)).delete()
    ConsentRecord.objects.filter(email__iexact=email).delete()
