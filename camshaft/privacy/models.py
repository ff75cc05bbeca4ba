"""Privacy-policy versions and the consent each person gave to them (V1)."""

from django.conf import settings
from django.db import models


class PrivacyPolicyVersion(models.Model):
    """One published text of the privacy policy. Versions are never edited
    away: consent points at the exact text a person agreed to."""

    version = models.CharField(max_length=20, unique=True)
    summary = models.TextField(blank=True)
    body = models.TextField()
    published_at = models.DateTimeField()
    effective_at = models.DateTimeField()

    class Meta:
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

    PRIVACY_POLICY = "privacy_policy"

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
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["user", "purpose"])]

    def __str__(self) -> str:
        return f"{self.email or self.user_id}: {self.purpose} v{self.policy_version.version}"
