"""What people agreed to and what they asked us not to send (V1, N1-N3).

The ground every app that mails or tracks people stands on: the privacy
policy versions, each person's consents to them, the newsletter
subscriptions and the do-not-send list. The tables keep the names they had
in the privacy and notifications apps, where these models were born."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class PrivacyPolicyVersion(models.Model):
    """One published text of the privacy policy. Versions are never edited
    away: consent points at the exact text a person agreed to."""

    version = models.CharField(max_length=20, unique=True)
    summary = models.TextField(blank=True)
    body = models.TextField()
    published_at = models.DateTimeField()
    effective_at = models.DateTimeField()
    # A material change is mailed to every member before it takes effect (V1).
    material = models.BooleanField(
        default=False, help_text="Changes what we do with people's data: members are told."
    )
    members_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "privacy_privacypolicyversion"
        ordering = ["-effective_at", "-id"]

    def __str__(self) -> str:
        return f"Privacy policy {self.version}"


class ConsentRecord(models.Model):
    """A person's consent to one purpose under one policy version, with when
    and through which channel it was given. The client's IP is not kept."""

    class Channel(models.TextChoices):
        WEB = "web", "Web"
        API = "api", "API"
        CHECKOUT = "checkout", "Checkout"

    #: The purposes a person consents to.
    PRIVACY_POLICY = "privacy_policy"
    NEWSLETTER = "newsletter"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consents",
    )
    email = models.EmailField(blank=True)
    policy_version = models.ForeignKey(
        PrivacyPolicyVersion, on_delete=models.PROTECT, related_name="consents"
    )
    purpose = models.CharField(max_length=40, default=PRIVACY_POLICY)
    given_at = models.DateTimeField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "privacy_consentrecord"
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["user", "purpose"])]

    def __str__(self) -> str:
        return f"{self.email or self.user_id}: {self.purpose} v{self.policy_version.version}"


class Subscription(models.Model):
    """One address's newsletter subscription (N2). Opt-in only: it counts
    once the person confirmed it from the mail we sent (double opt-in)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Subscribed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    email = models.EmailField(max_length=254, unique=True)
    user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(max_length=20, help_text="Where they asked: web, api, account.")
    requested_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_via = models.CharField(max_length=20, blank=True)

    class Meta:
        db_table = "notifications_subscription"
        ordering = ("-requested_at", "-id")
        indexes = (models.Index(fields=("status",), name="subscription_status_idx"),)

    def __str__(self) -> str:
        return f"{self.email} ({self.get_status_display()})"


class Suppression(models.Model):
    """An address on the do-not-send list (N3): it gets order status mail
    only. Kept as a keyed hash, so the list itself holds no addresses and
    still outlives an erased account."""

    class Reason(models.TextChoices):
        ASKED = "asked", "The person asked"
        STAFF = "staff", "Staff, on the person's request"
        ERASED = "erased", "Account erased"

    email_digest = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "notifications_suppression"
        ordering = ("-added_at",)
        verbose_name = "do-not-send entry"
        verbose_name_plural = "do-not-send list"

    def __str__(self) -> str:
        return f"do-not-send {self.email_digest[:10]}… ({self.get_reason_display()})"
