"""Models of the notifications app: the outbox every mail passes through (N4)."""

from django.db import models
from django.utils import timezone

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

    to_address = models.EmailField(max_length=254)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
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

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("status", "next_attempt_at"), name="outbox_due_idx"),)
        verbose_name = "outbox message"

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_address}"
