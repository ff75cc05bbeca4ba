"""Tables of the marketplace (M1-M5): the seller terms and who accepted
them, sellers with their public user ID, and the store's fees (M4)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce, Lower

from camshaft.core.money import CURRENCIES


class SellerTerms(models.Model):
    """One version of the seller terms (M4). The newest published version is
    the one a member accepts; older versions stay as the record of what each
    seller agreed to."""

    version = models.CharField(max_length=20, unique=True)
    body = models.TextField()
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at"]
        verbose_name_plural = "seller terms"

    def __str__(self) -> str:
        return f"Seller terms {self.version}"


class SellerStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"


class Seller(models.Model):
    """A member who may sell. `public_id` is shown in public instead of the
    member's name (M3): on listings, profiles and comments."""

    #: Empty once the member is erased (V4) while their sales stay for the
    #: statements: the record then keeps a placeholder user ID only.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="seller",
        on_delete=models.SET_NULL,
    )
    public_id = models.CharField("public user ID", max_length=30, unique=True)
    terms = models.ForeignKey(SellerTerms, related_name="sellers", on_delete=models.PROTECT)
    accepted_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=SellerStatus.choices, default=SellerStatus.ACTIVE
    )
    #: M5: how many times staff warned this seller (upheld reports).
    warnings = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        constraints = [
            # Case never tells two sellers apart in public.
            models.UniqueConstraint(Lower("public_id"), name="seller_public_id_ci"),
        ]

    def __str__(self) -> str:
        return self.public_id


class CommissionRate(models.Model):
    """The store's commission on a sale (M4), in percent of the item price.
    A rate for a category covers its subcategories unless they have their
    own; the row without a category is the store-wide default."""

    category = models.OneToOneField(
        "catalog.Category",
        null=True,
        blank=True,
        related_name="commission_rate",
        on_delete=models.CASCADE,
        help_text="Leave empty for the store-wide default.",
    )
    percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        constraints = [
            # One store-wide default: NULLs are distinct to a plain unique index.
            models.UniqueConstraint(Coalesce("category", 0), name="one_default_commission_rate"),
            models.CheckConstraint(
                condition=models.Q(percent__gte=0, percent__lte=100),
                name="commission_percent_0_to_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or 'Store-wide'}: {self.percent}%"


class SaleFee(models.Model):
    """The fixed fee charged per sale (M4), one per currency."""

    currency = models.CharField(
        max_length=3, unique=True, choices=[(code, code) for code in CURRENCIES]
    )
    amount = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="sale_fee_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} per sale"


class ListingCondition(models.TextChoices):
    NEW = "new", "New"
    USED = "used", "Used"
    REMANUFACTURED = "remanufactured", "Remanufactured"


class ListingStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    #: Taken down by staff (M5): the seller can no longer resume it.
    REMOVED = "removed", "Removed by staff"
    #: Deleted by its seller after it sold: kept, because its sales point here.
    DELETED = "deleted", "Deleted"


class Listing(models.Model):
    """A member's offer of a part (M1). Linked to a catalogue part, it
    inherits that part's fitment; free-standing, it names its own vehicles.
    A deleted listing is gone, unless it sold: then its sales point here and it
    stays, with status DELETED."""

    seller = models.ForeignKey(Seller, related_name="listings", on_delete=models.CASCADE)
    part = models.ForeignKey(
        "catalog.Part",
        null=True,
        blank=True,
        related_name="listings",
        on_delete=models.PROTECT,
    )
    title = models.CharField(max_length=200)
    condition = models.CharField(max_length=16, choices=ListingCondition.choices)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, choices=[(code, code) for code in CURRENCIES])
    quantity = models.PositiveIntegerField()
    description = models.TextField(blank=True)
    condition_notes = models.TextField(blank=True)
    #: 0: no returns; otherwise returns accepted within this many days of delivery.
    return_days = models.PositiveSmallIntegerField(default=0)
    #: What the seller charges to post one sale of this listing, whatever its
    #: quantity, in the listing's currency; 0 for free shipping.
    shipping_price = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    vehicles = models.ManyToManyField(
        "fitment.Vehicle", blank=True, related_name="marketplace_listings"
    )
    status = models.CharField(
        max_length=8, choices=ListingStatus.choices, default=ListingStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["part", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gt=0), name="listing_price_positive"),
            models.CheckConstraint(
                condition=models.Q(shipping_price__gte=0), name="listing_shipping_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.seller})"


class SaleStatus(models.TextChoices):
    AWAITING_SHIPMENT = "awaiting_shipment", "Awaiting shipment"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


class CancelledBy(models.TextChoices):
    BUYER = "buyer", "Buyer"
    SELLER = "seller", "Seller"
    STAFF = "staff", "Staff"


class Sale(models.Model):
    """One listing bought in one order (M1, M2, M4): what the buyer pays the
    seller for it, the store's fee as it stood at the sale, and how it went
    (shipped with tracking, delivered, cancelled). A seller with two listings
    in one order has two sales, shipped together or not; the order and its
    pages group them per seller.

    Amounts are in the order's currency (`currency`, the order's), priced at
    the order's exchange rate, so they add up to what the card pays: the
    seller's part of the authorization is `total`. The commission percent
    and fixed fee are copied at the sale so that statements never change
    when staff change the rates (M4). Erasure pseudonymises the people, never
    the amounts."""

    order = models.ForeignKey(
        "orders.Order", related_name="marketplace_sales", on_delete=models.PROTECT
    )
    seller = models.ForeignKey(Seller, related_name="sales", on_delete=models.PROTECT)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="marketplace_purchases",
        on_delete=models.SET_NULL,
    )
    listing = models.ForeignKey(Listing, related_name="sales", on_delete=models.PROTECT)
    #: The listing's title when it sold: the seller may edit the listing later.
    title = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, choices=[(code, code) for code in CURRENCIES])
    shipping_charge = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    tax_rate = models.DecimalField(max_digits=7, decimal_places=6, default=Decimal(0))
    tax_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    commission_percent = models.DecimalField(max_digits=5, decimal_places=2)
    #: Fixed fee per sale, in `currency`.
    fixed_fee = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(
        max_length=20, choices=SaleStatus.choices, default=SaleStatus.AWAITING_SHIPMENT
    )
    sold_at = models.DateTimeField(db_index=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    carrier = models.CharField(max_length=60, blank=True)
    tracking_number = models.CharField(max_length=60, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=8, choices=CancelledBy.choices, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    amount_captured = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    #: When money was last given back to the buyer (M4): a statement lists a
    #: refund in the month it was made, so an earlier month's never changes.
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sold_at", "pk"]
        indexes = [
            models.Index(fields=["seller", "status"]),
            models.Index(fields=["seller", "sold_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "listing"], name="one_sale_per_listing_per_order"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="sale_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gt=0, shipping_charge__gte=0, tax_amount__gte=0),
                name="sale_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_captured__gte=0, amount_refunded__gte=0)
                & models.Q(amount_refunded__lte=models.F("amount_captured")),
                name="sale_refund_within_capture",
            ),
            models.CheckConstraint(
                condition=models.Q(cancelled_at__isnull=True) | ~models.Q(cancelled_by=""),
                name="sale_cancelled_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"Sale #{self.pk}: {self.quantity} × {self.title}"

    @property
    def items_total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def total(self) -> Decimal:
        """What the buyer pays for this sale: items, shipping and tax; the
        seller's part of the order's payment."""
        return self.items_total + self.shipping_charge + self.tax_amount


class MarketplaceCartLine(models.Model):
    """A listing in a member's cart (M1), beside the store's own lines. The
    cart app knows nothing of it; checkout prices both."""

    cart = models.ForeignKey(
        "cart.Cart", related_name="marketplace_lines", on_delete=models.CASCADE
    )
    listing = models.ForeignKey(Listing, related_name="cart_lines", on_delete=models.CASCADE)
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "listing"], name="marketplace_cart_line_once"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="marketplace_cart_line_quantity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × listing {self.listing_id}"


class RatingValue(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral"
    NEGATIVE = "negative", "Negative"


class Rating(models.Model):
    """One side's rating of the other after a sale (M3), with a comment the
    rated member may answer once. Staff remove a rating that breaks the
    rules with a reason; it then no longer counts nor shows, and the audit
    log says who removed it. Each rating belongs to a sale, once per author
    (the buyer rates the seller, the seller the buyer). An erased author's
    rating keeps its value for the score but loses the author and the
    comment (V4)."""

    sale = models.ForeignKey(
        Sale, null=True, blank=True, related_name="ratings", on_delete=models.PROTECT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="ratings_given",
        on_delete=models.SET_NULL,
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="ratings_received", on_delete=models.CASCADE
    )
    value = models.CharField(max_length=8, choices=RatingValue.choices)
    comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    reply = models.CharField(max_length=500, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.CharField(max_length=500, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["subject", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(author=models.F("subject")), name="rating_not_of_oneself"
            ),
            models.CheckConstraint(
                condition=models.Q(removed_at__isnull=True) | ~models.Q(removed_reason=""),
                name="rating_removed_with_reason",
            ),
            # M3: each side rates a sale once (an erased author's NULL never clashes).
            models.UniqueConstraint(fields=["sale", "author"], name="rating_once_per_sale"),
        ]

    def __str__(self) -> str:
        return f"{self.get_value_display()} rating of {self.subject_id}"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ReportOutcome(models.TextChoices):
    NONE = "", "No action"
    LISTING_REMOVED = "listing_removed", "Listing removed"
    WARNED = "warned", "Member warned"
    SUSPENDED = "suspended", "Seller suspended"


class ReportSource(models.TextChoices):
    PERSON = "person", "A person"
    #: Raised by the store itself when activity matches a rule (rules.py).
    AUTOMATIC = "automatic", "Automatic notice"


class Report(models.Model):
    """A report of a listing or a member (M5), waiting in the staff queue:
    filed by a member, by a guest (who leaves an email address), or by the
    store itself when activity looks suspicious (`source` automatic, `rule`
    naming the pattern). `member` is whom it is about; `seller` is set when
    that member sells."""

    source = models.CharField(
        max_length=10, choices=ReportSource.choices, default=ReportSource.PERSON
    )
    rule = models.CharField(max_length=30, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="marketplace_reports",
        on_delete=models.SET_NULL,
    )
    #: A guest reporter's address, for staff to answer.
    reporter_email = models.EmailField(blank=True)
    listing = models.ForeignKey(
        Listing, null=True, blank=True, related_name="reports", on_delete=models.CASCADE
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        related_name="marketplace_reports_about",
        on_delete=models.CASCADE,
    )
    seller = models.ForeignKey(
        Seller, null=True, blank=True, related_name="reports", on_delete=models.CASCADE
    )
    reason = models.CharField(max_length=1000)
    created_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    outcome = models.CharField(max_length=16, choices=ReportOutcome.choices, blank=True)
    staff_note = models.CharField(max_length=1000, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Report #{self.pk} on {self.seller or self.member_id}"


class ListingPhoto(models.Model):
    """A photo of a listing (M1), in `position` order. The stored file is a
    re-encoded copy with every piece of metadata removed (EXIF, GPS);
    thumbnails are made like the catalogue's part pictures."""

    listing = models.ForeignKey(Listing, related_name="photos", on_delete=models.CASCADE)
    image = models.ImageField(max_length=200)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    position = models.PositiveSmallIntegerField(default=0)
    alt_text = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["listing", "position"], name="listingphoto_listing_pos")]

    def __str__(self) -> str:
        return f"Photo {self.position + 1} of listing {self.listing_id}"


class TermsAcceptance(models.Model):
    """Every version of the seller terms a seller accepted, and when (V1):
    `Seller.terms` is only the latest, and the record of what a seller
    agreed to must outlive the next version."""

    seller = models.ForeignKey(Seller, related_name="acceptances", on_delete=models.CASCADE)
    terms = models.ForeignKey(SellerTerms, related_name="acceptances", on_delete=models.PROTECT)
    accepted_at = models.DateTimeField()

    class Meta:
        ordering = ["accepted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "terms"], name="terms_accepted_once"),
        ]

    def __str__(self) -> str:
        return f"{self.seller} accepted {self.terms.version}"


class Payout(models.Model):
    """Money the store paid a seller (M4), as staff record it: no money
    moves through Camshaft. It lowers the amount due on the statements
    from `paid_on` on. Kept for the books when the seller is erased (V4):
    the seller record is then a placeholder and the note is cleared."""

    seller = models.ForeignKey(Seller, related_name="payouts", on_delete=models.PROTECT)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, choices=[(code, code) for code in CURRENCIES])
    paid_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["paid_on", "pk"]
        indexes = [models.Index(fields=["seller", "paid_on"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_positive")
        ]

    def __str__(self) -> str:
        return f"Payout of {self.amount} {self.currency} to {self.seller} on {self.paid_on}"
