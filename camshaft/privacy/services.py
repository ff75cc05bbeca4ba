"""Writes and the one read every signup needs: the policy in force (V1)."""

from django.db import transaction
from django.utils import timezone

from camshaft.privacy.models import ConsentRecord, PrivacyPolicyVersion

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
    user,
    version: PrivacyPolicyVersion,
    channel: str,
    purpose: str = ConsentRecord.PRIVACY_POLICY,
    now=None,
) -> ConsentRecord:
    """Keep who agreed to which text, when and how; never the IP address."""
    if channel not in ConsentRecord.Channel.values:
        raise ValueError(f"Unknown consent channel {channel!r}")
    return ConsentRecord.objects.create(
        user=user,
        email=user.email,
        policy_version=version,
        purpose=purpose,
        given_at=now or timezone.now(),
        channel=channel,
    )
