"""Models of the notifications app: the outbox every mail passes through (N4)."""

from django.db import models
from django.utils import timezone

from camshaft.core.fields import EncryptedCharField, EncryptedTextField

DEFAULT_MAX_ATTEMPTS = 6


class OutboxMessage(models.Model):
    """One mail, stored in the transaction that decided to send it and
    delivered afterwards by a worker, so a rolled-back order sends nothing
    and a mail server outage loses nothing."""

    class Kind(models.TextChoices):
        TRANSACTIONAL = "transactional", "Transactional"  # always sent (N1)
        MARKETING = "marketing", "Marketing"  # only with consent (N1, N2)

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # Kept back by the consent rules (N1, N3): stored so staff can see
        # why a person got no mail, never delivered.
        SUPPRESSED = "suppressed", "Not sent (no consent)"

    to_address = models.EmailField(max_length=254)
    # V8: a mail can hold a name, a postal address, an order's contents:
    # sealed at rest like the fields they were copied from.
    subject = EncryptedCharField(max_length=255)
    body_text = EncryptedTextField()
    body_html = EncryptedTextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TRANSACTIONAL)
    category = models.SlugField(
        max_length=64, help_text="What the mail is about, e.g. order_confirmation."
    )
    reference = models.CharField(
        max_length=100,
        blank=True,
        db_index=True,
        help_text='What it concerns, e.g. "order:CS-7K3P9".',
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=DEFAULT_MAX_ATTEMPTS)
    # When queued: the earliest time to (re)try. While sending: when the
    # worker's claim lapses, so a mail a crashed worker held is tried again.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The last mail to an erased person (V4): once delivered, its address and
    # body are blanked so it holds nothing of them.
    scrub_after_send = models.BooleanField(default=False)
    # V5: when the retention job blanked the bodies, keeping who, what kind,
    # when and whether it was delivered.
    body_blanked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("status", "next_attempt_at"), name="outbox_due_idx"),)
        verbose_name = "outbox message"

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_address}"


class NewsletterIssue(models.Model):
    """A newsletter marketing staff write and send to confirmed subscribers."""

    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain text. The unsubscribe link is added below it.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-created_at",)
        permissions = (("send_newsletter", "Can send a newsletter to subscribers"),)

    def __str__(self) -> str:
        return self.subject
