"""Orders, their lines, the addresses they ship to and the record of every
state change (O1, O2, O4)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from camshaft.core.fields import EncryptedCharField, LookupDigestField
from camshaft.core.money import Money


class OrderStatus(models.TextChoices):
    """O1's states. An order paid offline waits in AWAITING_PAYMENT; every
    other order starts PLACED."""

    AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"
    PLACED = "placed", "Placed"
    PROCESSING = "processing", "Processing"
    PARTLY_SHIPPED = "partly_shipped", "Partly shipped"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    PARTLY_REFUNDED = "partly_refunded", "Partly refunded"
    RETURNED = "returned", "Returned"


#: States in which nothing has left a warehouse yet.
UNSHIPPED = frozenset({OrderStatus.AWAITING_PAYMENT, OrderStatus.PLACED, OrderStatus.PROCESSING})


class OrderAddress(models.Model):
    """An address as it was when the order was placed: later edits to the
    address book never change where an order went. Encrypted at rest (V8)
    but for region and country, which tax and breach notices (V6) query."""

    full_name = EncryptedCharField(max_length=150)
    line1 = EncryptedCharField("address line 1", max_length=200)
    line2 = EncryptedCharField("address line 2", max_length=200, blank=True)
    city = EncryptedCharField(max_length=100)
    region = models.CharField("state / region", max_length=100, blank=True)
    postal_code = EncryptedCharField(max_length=20)
    country = models.CharField(max_length=2)
    phone = EncryptedCharField(max_length=30, blank=True)
    #: Staff find an order by a word of the customer's name (O2) through this.
    name_words = LookupDigestField(source="full_name", purpose="order-address-name")

    class Meta:
        verbose_name_plural = "order addresses"

    def __str__(self) -> str:
        return f"{self.full_name}, {self.line1}, {self.city} {self.country}"

    def lines(self) -> list[str]:
        """The address as it is written on a parcel."""
        place = " ".join(p for p in (self.city + ("," if self.region else ""), self.region) if p)
        return [
            line
            for line in (
                self.full_name,
                self.line1,
                self.line2,
                f"{place} {self.postal_code}".strip(),
                self.country,
            )
            if line
        ]


class OrderQuerySet(models.QuerySet):
    def belonging_to(self, user) -> "OrderQuerySet":
        """The orders a member owns: theirs, and once their address is
        confirmed the guest orders placed under it (V3, V4). An unconfirmed
        address proves nothing: anyone can register with someone else's."""
        mine = Q(user=user)
        if user.email_verified_at is not None:
            mine |= Q(user__isnull=True, email__iexact=user.email)
        return self.filter(mine)


class Order(models.Model):
    """One placed order. Amounts are in the order's own currency, priced at
    `exchange_rate` (units of that currency per unit of the store currency),
    and never change when prices or rates do (P1, K3)."""

    number = models.CharField(max_length=16, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    email = models.EmailField(help_text="Where order mail goes; with the number, a guest's key.")
    status = models.CharField(max_length=20, choices=OrderStatus.choices)
    placed_at = models.DateTimeField(db_index=True)
    channel = models.CharField(max_length=10, default="web")

    currency = models.CharField(max_length=3)
    exchange_rate = models.DecimalField(max_digits=18, decimal_places=8, default=Decimal(1))
    items_total = models.DecimalField(max_digits=12, decimal_places=2)
    core_total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    shipping_total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    tax_total = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal(0), help_text="Lines' tax and shipping's."
    )
    shipping_tax = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    discount_total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    grand_total = models.DecimalField(max_digits=12, decimal_places=2)
    #: The part of `grand_total` that marketplace sellers are paid (their
    #: items, shipping and tax): each seller's shipment captures its own part,
    #: the store's shipments never take it.
    marketplace_total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))

    shipping_method = models.CharField(max_length=30)
    shipping_method_name = models.CharField(max_length=100)
    #: The delivery window promised at checkout (S3), in business days.
    delivery_earliest = models.DateField(null=True, blank=True)
    delivery_latest = models.DateField(null=True, blank=True)
    #: A home, not a business: air freight may take a day more (S2).
    residential = models.BooleanField(default=True)
    billing_address = models.OneToOneField(
        OrderAddress, on_delete=models.PROTECT, related_name="billed_order"
    )
    shipping_address = models.OneToOneField(
        OrderAddress, on_delete=models.PROTECT, related_name="shipped_order"
    )
    #: A gift's recipient is the shipping address; it is never used for marketing (K2).
    is_gift = models.BooleanField(default=False)
    gift_message = models.TextField(blank=True, max_length=500)

    payment = models.OneToOneField(
        "payments.Payment", on_delete=models.PROTECT, related_name="order"
    )
    #: A hash of the client's idempotency key and who sent it (Y4).
    idempotency_key = models.CharField(max_length=64, unique=True)
    #: When the last parcel arrived: R1's 30 days and R4's 60 start here.
    delivered_at = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["user", "-placed_at"])]
        permissions = [
            ("ship_order", "Can ship orders (captures their payment)"),
            ("cancel_order", "Can cancel any unshipped order"),
            ("record_offline_payment", "Can record check, money order and wire payments"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(grand_total__gte=0, items_total__gte=0), name="order_totals_positive"
            ),
            models.CheckConstraint(
                condition=Q(marketplace_total__gte=0, marketplace_total__lte=F("grand_total")),
                name="order_marketplace_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def money(self, amount: Decimal) -> Money:
        return Money(amount, self.currency)

    @property
    def total(self) -> Money:
        return self.money(self.grand_total)


class OrderLine(models.Model):
    """What was bought, with the price paid: copied from the catalogue at
    the moment the order was placed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    part = models.ForeignKey(
        "catalog.Part", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sku = models.CharField("SKU", max_length=40)
    name = models.CharField(max_length=200)
    brand = models.CharField(max_length=100)
    mpn = models.CharField("manufacturer part number", max_length=60)
    quantity = models.PositiveSmallIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    unit_core_charge = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    line_total = models.DecimalField(max_digits=12, decimal_places=2)
    #: The tax charged on this line and its combined rate, kept so a later
    #: rate change never alters an order (T1).
    tax_rate = models.DecimalField(max_digits=7, decimal_places=6, default=Decimal(0))
    tax_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"

    @property
    def core_total(self) -> Decimal:
        return self.unit_core_charge * self.quantity


class OrderEvent(models.Model):
    """One change of an order: who did what, when, and the state before
    and after (O1). Rows are only ever added."""

    class Actor(models.TextChoices):
        SHOPPER = "shopper", "Shopper"
        STAFF = "staff", "Staff"
        SYSTEM = "system", "System"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=OrderStatus.choices)
    at = models.DateTimeField()
    actor = models.CharField(max_length=10, choices=Actor.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.action} at {self.at:%Y-%m-%d %H:%M}"
