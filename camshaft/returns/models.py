"""Returns with their RMA numbers (R1-R3) and core deposits (R4)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class Reason(models.TextChoices):
    NOT_NEEDED = "not_needed", "No longer needed"
    ORDERED_WRONG = "ordered_wrong", "I ordered the wrong part"
    DAMAGED = "damaged", "Damaged in transit"
    WRONG_SHIPPED = "wrong_shipped", "Wrong part shipped"
    MISSING = "missing", "Missing item"
    DEFECTIVE = "defective", "Defective"


#: The store's (or the maker's) fault: the return ships on a prepaid label,
#: the return freight is refunded and R1's condition rules do not apply.
STORE_FAULT = frozenset({Reason.DAMAGED, Reason.WRONG_SHIPPED, Reason.MISSING, Reason.DEFECTIVE})


class Status(models.TextChoices):
    REQUESTED = "requested", "Requested"
    AUTHORIZED = "authorized", "Authorized"
    RECEIVED = "received", "Received"
    REFUNDED = "refunded", "Refunded"
    REJECTED = "rejected", "Rejected"


class Channel(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"
    PHONE = "phone", "Phone (filed by staff)"


class ReturnRequest(models.Model):
    """One return of some lines of one order. Its number is the RMA number
    once staff authorize it."""

    number = models.CharField(max_length=20, unique=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(blank=True, max_length=1000, help_text="What the shopper told us.")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    requested_at = models.DateTimeField()
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Where the parts go back to: the warehouse that shipped them.
    warehouse = models.ForeignKey(
        "inventory.Warehouse", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authorized_at = models.DateTimeField(null=True, blank=True)
    label_carrier = models.CharField(max_length=60, blank=True)
    label_tracking = models.CharField(max_length=60, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    #: R3: refunded by this date (2 business days after receipt) unless held.
    refund_due = models.DateField(null=True, blank=True)
    on_hold = models.BooleanField(default=False)
    hold_note = models.CharField(max_length=300, blank=True)
    return_freight = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        help_text="Postage the shopper paid to send it back; refunded only for a store error "
        "or a defect.",
    )
    refunded_at = models.DateTimeField(null=True, blank=True)
    refund_total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    #: A client's key for the filing, so a double submit files one return.
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ("-requested_at", "-id")
        indexes = (models.Index(fields=("status", "refund_due"), name="return_status_due_idx"),)
        permissions = (
            ("authorize_return", "Can authorize or reject a return"),
            ("receive_return", "Can record what a return brought back"),
            ("refund_return", "Can refund a return or hold its refund"),
        )

    def __str__(self) -> str:
        return f"Return {self.number}"

    @property
    def store_fault(self) -> bool:
        return self.reason in STORE_FAULT


class Outcome(models.TextChoices):
    """What the warehouse found, unit by unit."""

    AS_NEW = "as_new", "As new: back to stock"
    DAMAGED = "damaged", "Damaged: written off"
    WRONG_ITEM = "wrong_item", "Not the part we sold: written off"
    INCOMPLETE = "incomplete", "Missing components: written off"


class ReturnLine(models.Model):
    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="return_lines"
    )
    quantity = models.PositiveSmallIntegerField()
    # The shopper's word on the condition (R1).
    unused = models.BooleanField(default=False)
    original_packaging = models.BooleanField(default=False)
    complete = models.BooleanField(default=False)
    sealed = models.BooleanField(default=False)
    # The warehouse's count at receipt.
    received_as_new = models.PositiveSmallIntegerField(default=0)
    received_damaged = models.PositiveSmallIntegerField(default=0)
    received_wrong_item = models.PositiveSmallIntegerField(default=0)
    received_incomplete = models.PositiveSmallIntegerField(default=0)
    refunded_quantity = models.PositiveSmallIntegerField(default=0)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))

    class Meta:
        ordering = ("id",)
        constraints = (
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_quantity"),
        )

    def __str__(self) -> str:
        return f"{self.quantity} × {self.order_line_id}"

    @property
    def received(self) -> int:
        return (
            self.received_as_new
            + self.received_damaged
            + self.received_wrong_item
            + self.received_incomplete
        )


class ReturnEvent(models.Model):
    """The return's history: every change with who and when."""

    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"


class CoreStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for the core"
    REFUNDED = "refunded", "Deposit refunded"
    REFUSED = "refused", "Refused at inspection"


class CoreReturn(models.Model):
    """The old part sent back for its deposit (R4): same part number, within
    60 days of delivery, undamaged and drained; the shopper pays postage."""

    number = models.CharField(max_length=20, unique=True)
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="core_returns"
    )
    quantity = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=12, choices=CoreStatus.choices, default=CoreStatus.REQUESTED
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    requested_at = models.DateTimeField()
    warehouse = models.ForeignKey(
        "inventory.Warehouse", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    inspected_at = models.DateTimeField(null=True, blank=True)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refuse_reason = models.CharField(max_length=300, blank=True)
    deposit = models.DecimalField(max_digits=12, decimal_places=2)
    refunded_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ("-requested_at", "-id")
        constraints = (
            models.CheckConstraint(condition=Q(quantity__gt=0), name="core_return_quantity"),
        )
        permissions = (("inspect_core", "Can inspect a core and refund or refuse its deposit"),)

    def __str__(self) -> str:
        return f"Core return {self.number}"


class CoreDepositNotice(models.Model):
    """What the core job did for one order line: the day-45 reminder, and
    at day 60 the deposits kept for cores that never came (R4)."""

    order_line = models.OneToOneField(
        "orders.OrderLine", on_delete=models.CASCADE, related_name="core_notice"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    kept_at = models.DateTimeField(null=True, blank=True)
    kept_quantity = models.PositiveSmallIntegerField(default=0)
    kept_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))

    def __str__(self) -> str:
        return f"core deposit notice for line {self.order_line_id}"
