"""Payments, their gateway transactions and saved card tokens (Y1–Y5).

No column here can hold a card number or a security code (Y3): cards are
known by the gateway's token, brand, last four digits and expiry."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from camshaft.payments.cards import CardBrand
from camshaft.payments.gateways.base import GatewayStatus, Wallet


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card"
    PAYPAL = Wallet.PAYPAL.value, Wallet.PAYPAL.label
    AMAZON_PAY = Wallet.AMAZON_PAY.value, Wallet.AMAZON_PAY.label
    VISA_CHECKOUT = Wallet.VISA_CHECKOUT.value, Wallet.VISA_CHECKOUT.label
    CHECK = "check", "Check"
    MONEY_ORDER = "money_order", "Money order"
    WIRE_TRANSFER = "wire_transfer", "Wire transfer"


WALLET_METHODS = frozenset(
    {PaymentMethod.PAYPAL, PaymentMethod.AMAZON_PAY, PaymentMethod.VISA_CHECKOUT}
)
OFFLINE_METHODS = frozenset(
    {PaymentMethod.CHECK, PaymentMethod.MONEY_ORDER, PaymentMethod.WIRE_TRANSFER}
)


class PaymentStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"
    AUTHORIZED = "authorized", "Authorized"
    PARTLY_CAPTURED = "partly_captured", "Partly captured"
    CAPTURED = "captured", "Captured"
    VOIDED = "voided", "Voided"
    REFUNDED = "refunded", "Refunded"
    DECLINED = "declined", "Declined"


class SavedCard(models.Model):
    """A member's card kept for the next checkout (K2): the token only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_cards"
    )
    gateway_token = models.CharField(max_length=200)
    brand = models.CharField(max_length=20, choices=CardBrand.choices)
    last4 = models.CharField(max_length=4)
    exp_month = models.PositiveSmallIntegerField()
    exp_year = models.PositiveSmallIntegerField()
    #: The member allowed the store to charge this card while they are away
    #: for the difference when they ask to add to an order (O2).
    off_session_allowed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "gateway_token"], name="saved_card_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_brand_display()} ending {self.last4}"


class Payment(models.Model):
    """The money side of one order; orders hold a foreign key to it."""

    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.AWAITING_PAYMENT
    )
    gateway = models.CharField(max_length=50, blank=True)
    authorization_reference = models.CharField(max_length=100, blank=True)
    card_brand = models.CharField(max_length=20, choices=CardBrand.choices, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    #: The member's saved card that paid, if any: an order change may then
    #: authorize a difference on it separately, when the member allowed it.
    saved_card = models.ForeignKey(
        SavedCard, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Offline methods: the money staff recorded as received.
    amount_received = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    amount_captured = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    #: Why the last attempt failed, in words for the shopper.
    failure_message = models.CharField(max_length=300, blank=True)
    #: The shopper's bank disputes the payment (a chargeback), per the processor.
    disputed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(amount_captured__gte=0, amount_received__gte=0, amount_refunded__gte=0),
                name="payment_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_captured__lte=F("amount")),
                name="payment_captured_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(amount_refunded__lte=F("amount")),
                name="payment_refunded_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment {self.pk} ({self.get_method_display()}, {self.get_status_display()})"

    @property
    def is_offline(self) -> bool:
        return self.method in OFFLINE_METHODS

    @property
    def amount_capturable(self) -> Decimal:
        return self.amount - self.amount_captured

    @property
    def amount_refundable(self) -> Decimal:
        paid = self.amount_received if self.is_offline else self.amount_captured
        return paid - self.amount_refunded


class Authorization(models.Model):
    """One hold at the processor behind a card or wallet payment: the one
    made at checkout and any separate one an order change needed because
    the card could not raise the first (O2). Captures take from them oldest
    first; `amount` is what may be captured from it now."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="authorizations")
    reference = models.CharField(max_length=100, db_index=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    amount_captured = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    voided = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "reference"], name="authorization_once"),
            models.CheckConstraint(
                condition=Q(amount__gte=0, amount_captured__gte=0),
                name="authorization_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_captured__lte=F("amount")),
                name="authorization_captured_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"Authorization {self.reference} ({self.amount})"

    @property
    def amount_capturable(self) -> Decimal:
        return Decimal(0) if self.voided else self.amount - self.amount_captured


class TransactionKind(models.TextChoices):
    AUTHORIZE = "authorize", "Authorize"
    CAPTURE = "capture", "Capture"
    VOID = "void", "Void"
    REFUND = "refund", "Refund"
    OFFLINE_RECEIPT = "offline_receipt", "Offline receipt"


class PaymentTransaction(models.Model):
    """One call that moved (or tried to move) money; the idempotency key
    makes a retried call find this row instead of acting twice (Y4)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(max_length=20, choices=TransactionKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=GatewayStatus.choices)
    #: The processor's id of what this call made (a capture, a refund…);
    #: indexed because a processor's notice may name only a capture.
    gateway_reference = models.CharField(max_length=100, blank=True, db_index=True)
    message = models.CharField(max_length=300, blank=True)
    #: Card and wallet calls: the hold at the processor this one acted on.
    authorization = models.ForeignKey(
        Authorization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transactions",
    )
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="transaction_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency} ({self.status})"

    @property
    def approved(self) -> bool:
        return self.status == GatewayStatus.APPROVED


class ProcessorEvent(models.Model):
    """A processor's webhook, applied once: its id is unique per gateway, so
    a replayed or repeated notice changes nothing (Y4)."""

    gateway = models.CharField(max_length=50)
    event_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=20)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="processor_events"
    )
    description = models.CharField(max_length=300, blank=True)
    #: When the processor says it happened (events may arrive out of order).
    occurred_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="processor_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.kind} {self.event_id}"


class TestGatewayOperation(models.Model):
    """The built-in test gateway's memory (Y5): one row per idempotency key,
    so a retried call returns the stored result, across processes too."""

    __test__ = False  # not a pytest test class

    class Kind(models.TextChoices):
        AUTHORIZE = "authorize", "Authorize"
        CAPTURE = "capture", "Capture"
        VOID = "void", "Void"
        REFUND = "refund", "Refund"

    idempotency_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=GatewayStatus.choices)
    reference = models.CharField(max_length=100, blank=True, db_index=True)
    #: The authorization a capture or void acts on, the capture a refund acts on.
    parent_reference = models.CharField(max_length=100, blank=True, db_index=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    currency = models.CharField(max_length=3, blank=True)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference or self.idempotency_key} ({self.status})"
