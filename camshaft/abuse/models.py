"""Abusive clients (V11): who went over a limit or filled a honeypot, and
until when they are slowed."""

from django.db import models


class AbusiveClient(models.Model):
    """One client (an IP address, or an IPv6 /64) that misbehaved. Only a
    keyed hash of the address is kept, the same one the sign-in lock-out
    keeps, so the row can be matched again but not read back."""

    client_digest = models.CharField(max_length=64, unique=True)
    offences = models.PositiveIntegerField(
        default=0, help_text="Offences since the client last behaved for a day; sets the penalty."
    )
    total_offences = models.PositiveIntegerField(default=0)
    doors = models.JSONField(
        default=dict, blank=True, help_text="Offences per door, e.g. {'search': 3, 'honeypot': 1}."
    )
    last_door = models.CharField(max_length=40, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)
    slowed_until = models.DateTimeField(db_index=True)
    cleared_at = models.DateTimeField(
        null=True, blank=True, help_text="When staff last lifted the penalty."
    )

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"Client {self.client_digest[:12]}…"
