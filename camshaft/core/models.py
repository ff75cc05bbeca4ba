"""The audit log: every staff look at, or change of, a customer's personal data (A4)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from camshaft.core.fields import EncryptedJSONField


class AuditAction(models.TextChoices):
    VIEWED = "viewed", "Viewed"
    LISTED = "listed", "Listed"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"
    EXPORTED = "exported", "Exported"
    ERASED = "erased", "Erased"
    LOCK_PASSED = "unlocked", "Passed a sign-in lock"


class AuditEntry(models.Model):
    """One staff access to personal data. Written once, never edited.

    The customer is kept as a bare id and a keyed hash of their email, not a
    foreign key: the log must outlive the erasure of the person it is about
    (V4) and must not stand in the way of that erasure."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: The staff member's email when they looked, kept if their account goes.
    staff_email = models.CharField(max_length=254)
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    subject_user_id = models.BigIntegerField("customer id", null=True, blank=True, db_index=True)
    subject_email_hash = models.CharField(max_length=64, blank=True, db_index=True)
    #: For a list view, every customer id it showed, as " 3 8 21 " so that
    #: one id can be found with a plain substring match on any database.
    listed_user_ids = models.TextField(blank=True)
    object_type = models.CharField(max_length=100, help_text="app_label.model")
    object_ids = models.TextField(blank=True, help_text="The ids of the records shown.")
    detail = models.TextField(blank=True, help_text="The fields or page shown.")
    path = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"
        indexes = [models.Index(fields=["staff", "-at"])]

    def __str__(self) -> str:
        return f"{self.staff_email} {self.action} {self.object_type} {self.object_ids}"


class ChannelEvent(models.Model):
    """One message of the channel layer between app processes (B4 live
    chat without Redis; core.channel_layer). Kept for a minute: every
    process reads what others wrote in the last few seconds. The payload
    may carry a chat line, so it is encrypted like the chat's own rows (V8)."""

    at = models.DateTimeField(db_index=True)
    #: The process (layer instance) that wrote it; it delivered it itself.
    origin = models.CharField(max_length=40)
    group = models.CharField(max_length=100, blank=True)
    channel = models.CharField(max_length=200, blank=True)
    payload = EncryptedJSONField()

    def __str__(self) -> str:
        return f"{self.group or self.channel} at {self.at:%H:%M:%S}"
