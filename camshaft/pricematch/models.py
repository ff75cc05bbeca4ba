"""The low-price guarantee (P2): a shopper's claim that a competitor sells
the same part for less, the quote staff grant for it, and the floor below
which no quote may go without a supervisor."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class CompetitorCondition(models.TextChoices):
    NEW = "new", "New"
    USED = "used", "Used"
    REFURBISHED = "refurbished", "Refurbished"
    REMANUFACTURED = "remanufactured", "Remanufactured"


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "Waiting for customer service"
    APPROVED = "approved", "Approved: quote sent"
    DECLINED = "declined", "Declined"


class Channel(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"


class PriceMatchClaim(models.Model):
    """What the shopper told us about the competitor's offer, as typed, and
    the comparison made when it was filed (all in the store currency)."""

    number = models.CharField(max_length=20, unique=True)
    part = models.ForeignKey("catalog.Part", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="price_match_claims",
    )
    email = models.EmailField(max_length=254)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    filed_at = models.DateTimeField()
    competitor = models.CharField(max_length=100)
    #: Normalised name the report groups by ("Rock Auto " and "rockauto" apart, but not case).
    competitor_key = models.CharField(max_length=100, db_index=True, editable=False)
    url = models.URLField("advertised at", max_length=500)
    brand = models.CharField("competitor's manufacturer", max_length=100)
    mpn = models.CharField("competitor's part number", max_length=60)
    condition = models.CharField(max_length=15, choices=CompetitorCondition.choices)
    in_stock = models.BooleanField("in stock and ready to ship")
    quantity = models.PositiveSmallIntegerField()
    currency = models.CharField(max_length=3, help_text="The currency the price was typed in.")
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    shipping = models.DecimalField("shipping and handling", max_digits=12, decimal_places=2)
    exchange_rate = models.DecimalField(
        max_digits=18, decimal_places=8, default=Decimal(1), help_text="Store currency → currency"
    )
    #: The competitor's total for `quantity` with shipping and handling, in the store currency.
    their_total = models.DecimalField(max_digits=12, decimal_places=2)
    our_unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    our_shipping = models.DecimalField(max_digits=12, decimal_places=2)
    country = models.CharField(max_length=2)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    status = models.CharField(
        max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("-filed_at", "-id")
        indexes = (models.Index(fields=("status", "filed_at"), name="pricematch_status_idx"),)
        constraints = (
            models.CheckConstraint(condition=Q(quantity__gt=0), name="pricematch_claim_quantity"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="pricematch_claim_price"),
        )
        permissions = (
            ("decide_claim", "Can approve or decline a price-match claim"),
            ("approve_below_floor", "Can approve a price match below the category's floor"),
        )

    def __str__(self) -> str:
        return f"Price match {self.number}"

    @property
    def our_total(self) -> Decimal:
        return self.our_unit_price * self.quantity + self.our_shipping


class PriceMatchQuote(models.Model):
    """A one-time price for one part, one shopper and one quantity, valid
    until `expires_at`; used by exactly one order."""

    claim = models.OneToOneField(PriceMatchClaim, on_delete=models.CASCADE, related_name="quote")
    part = models.ForeignKey("catalog.Part", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="price_match_quotes",
    )
    email = models.EmailField(max_length=254, blank=True)
    #: The guest cart the mailed link put the quote in.
    cart = models.ForeignKey(
        "cart.Cart", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    quantity = models.PositiveSmallIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    #: Our price when the quote was granted: the difference is what we give away.
    regular_unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    below_floor = models.BooleanField(
        default=False, help_text="Granted below the category's floor by a supervisor."
    )
    used_at = models.DateTimeField(null=True, blank=True)
    order_number = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            models.CheckConstraint(condition=Q(quantity__gt=0), name="pricematch_quote_quantity"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="pricematch_quote_price"),
        )

    def __str__(self) -> str:
        return f"Quote for {self.claim.number}"

    @property
    def given_away(self) -> Decimal:
        return (self.regular_unit_price - self.unit_price) * self.quantity


class PriceFloor(models.Model):
    """How low a price match may go for the parts of one category (and its
    subcategories, unless they have a floor of their own)."""

    category = models.OneToOneField(
        "catalog.Category", on_delete=models.CASCADE, related_name="price_floor"
    )
    min_percent = models.DecimalField(
        "lowest price, % of ours",
        max_digits=5,
        decimal_places=2,
        default=Decimal(80),
        help_text="A quote may not go below this share of our price (80 = at most 20% off).",
    )
    min_price = models.DecimalField(
        "lowest unit price",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="In the store currency; empty for none.",
    )

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=Q(min_percent__gte=0) & Q(min_percent__lte=100),
                name="pricematch_floor_percent",
            ),
        )

    def __str__(self) -> str:
        return f"Floor for {self.category}"
