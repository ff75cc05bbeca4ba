"""The privacy officer's registers: data requests (V3, V4), retention
warnings (V5) and breaches (V6). Policy versions and consent are in
`camshaft.consent`."""

from django.conf import settings
from django.db import models


class DataRequest(models.Model):
    """A person's request to get (V3) or erase (V4) their data, tracked
    against the legal deadline of one month from when it was made."""

    class Kind(models.TextChoices):
        EXPORT = "export", "Access / download"
        ERASURE = "erasure", "Erasure"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        REFUSED = "refused", "Refused"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="data_requests",
    )
    # Who asked, while the request is open; blanked when an erasure is done.
    email = models.EmailField(blank=True)
    requested_at = models.DateTimeField()
    due_at = models.DateTimeField()
    channel = models.CharField(max_length=20, help_text="account, api or privacy officer")
    identity_verified = models.BooleanField(
        default=False, help_text="The privacy officer checked the requester is the person."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["status", "due_at"]
        indexes = [models.Index(fields=["status", "due_at"])]
        permissions = [
            ("export_personal_data", "Can download a person's data for them"),
            ("erase_personal_data", "Can erase a person's data"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} request of {self.requested_at:%Y-%m-%d}"


class RetentionWarning(models.Model):
    """The mail telling an inactive member their account will be deleted (V5)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="retention_warning"
    )
    warned_at = models.DateTimeField()
    last_active_at = models.DateTimeField(help_text="Activity the warning was counted from.")

    def __str__(self) -> str:
        return f"Retention warning of {self.warned_at:%Y-%m-%d}"


class BreachIncident(models.Model):
    """A personal-data breach as the privacy officer recorded it. Every breach
    stays in the register, whether or not anybody had to be notified (V6)."""

    class DataCategory(models.TextChoices):
        EMAIL = "email", "Email address"
        NAME = "name", "Name"
        ADDRESS = "address", "Postal address"
        PHONE = "phone", "Phone number"
        DATE_OF_BIRTH = "date_of_birth", "Date of birth"
        ORDER_HISTORY = "order_history", "Order history"
        CARD_LAST_FOUR = "card_last_four", "Payment card last four digits"
        PASSWORD_HASHES = "password_hashes", "Password hashes"

    class Selection(models.TextChoices):
        LISTED = "listed", "The email addresses listed"
        ALL_MEMBERS = "all_members", "All members"
        ORDERS_BETWEEN = "orders_between", "Everyone who placed an order in the period"
        ACCOUNTS_CREATED_BETWEEN = "accounts_created_between", "Accounts created in the period"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CONTAINED = "contained", "Contained"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=200)
    description = models.TextField("what happened")
    data_categories = models.JSONField(
        "data affected", default=list, help_text="Which kinds of personal data were exposed."
    )
    discovered_at = models.DateTimeField(help_text="The 72-hour clock runs from here.")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    selection = models.CharField(
        "affected people", max_length=30, choices=Selection.choices, default=Selection.LISTED
    )
    affected_emails = models.TextField(
        blank=True, help_text="One email address per line (members and guests alike)."
    )
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    measures_taken = models.TextField(blank=True, help_text="What we did; it goes into the mail.")
    advice = models.TextField(
        "what people should do", blank=True, help_text="It goes into the mail too."
    )
    notes = models.TextField(blank=True, help_text="Internal; never mailed.")
    authority_notified_at = models.DateTimeField(
        "supervisory authority notified at", null=True, blank=True
    )
    authority_reference = models.CharField(max_length=100, blank=True)
    people_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-discovered_at", "-id"]
        permissions = [("notify_breach", "Can notify the people affected by a breach")]

    def __str__(self) -> str:
        return self.title


class BreachNotice(models.Model):
    """One person told about one breach: kept so the register shows who was
    notified, when, and which outbox mail carried it. One per address."""

    incident = models.ForeignKey(BreachIncident, on_delete=models.PROTECT, related_name="notices")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    email = models.EmailField()
    country = models.CharField("country of residence", max_length=2)
    sent_at = models.DateTimeField()
    message = models.ForeignKey(
        "notifications.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "email"], name="one_breach_notice_per_email"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.country})"
