"""Who agreed to analytics, what they chose, and the pseudonymous events (V2, V9)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Channel(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"


class Visitor(models.Model):
    """A pseudonymous id created when a browser or an app agrees to analytics.

    Events carry only `key`; this row is the one mapping from a key to a
    member, looked up for their data export and erasure (V3, V4)."""

    key = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="analytics_visitors",
    )
    channel = models.CharField(max_length=3, choices=Channel.choices)
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"visitor {self.key[:8]}…"


class CookieChoice(models.Model):
    """Each accept or reject of analytics, with the policy version in force,
    when and through which channel (V1, V2). Never the IP address."""

    visitor_key = models.CharField(max_length=32, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cookie_choices",
    )
    analytics = models.BooleanField()
    policy_version = models.ForeignKey(
        "consent.PrivacyPolicyVersion", on_delete=models.PROTECT, related_name="cookie_choices"
    )
    chosen_at = models.DateTimeField(db_index=True)
    channel = models.CharField(max_length=3, choices=Channel.choices)

    class Meta:
        ordering = ["-chosen_at", "-id"]

    def __str__(self) -> str:
        return f"{'accepted' if self.analytics else 'rejected'} analytics at {self.chosen_at}"


class Event(models.Model):
    """One thing a consenting visitor did. Paths are stored as route names,
    never as typed, so an order number or a token never lands here."""

    class Kind(models.TextChoices):
        PAGE_VIEW = "page_view", "Page view"
        SEARCH = "search", "Search"
        ADD_TO_CART = "add_to_cart", "Added to cart"
        CHECKOUT_STARTED = "checkout_started", "Started checkout"
        ORDER_PLACED = "order_placed", "Placed an order"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    visitor = models.CharField(max_length=32)
    at = models.DateTimeField(default=timezone.now)
    route = models.CharField(max_length=100, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    query = models.CharField(max_length=100, blank=True)
    results = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "at"], name="analytics_kind_at_idx"),
            models.Index(fields=["at"], name="analytics_at_idx"),
            models.Index(fields=["visitor"], name="analytics_visitor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at}"


class AnalyticsReport(Event):
    """The back office's report page; it carries the permission that opens
    it (the marketing role gets it) and shows aggregates only."""

    class Meta:
        proxy = True
        default_permissions = ()
        permissions = [("view_analytics_report", "Can view the aggregate analytics reports")]
        verbose_name = "analytics report"
        verbose_name_plural = "analytics reports"
