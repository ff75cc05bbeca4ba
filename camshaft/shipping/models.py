"""Carriers, their rate tables and the shipments that leave the warehouses (S1, S4)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Method(models.TextChoices):
    """S2's methods. Expedited ones (two-day, overnight) only for small and
    medium parcels; truck freight travels as standard."""

    STANDARD = "standard", "Standard"
    TWO_DAY = "two_day", "Two-day"
    OVERNIGHT = "overnight", "Overnight"


EXPEDITED = frozenset({Method.TWO_DAY, Method.OVERNIGHT})


class Carrier(models.Model):
    class Mode(models.TextChoices):
        PARCEL = "parcel", "Parcel"
        TRUCK = "truck", "Truck freight"

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=60)
    mode = models.CharField(max_length=10, choices=Mode.choices)
    dim_divisor = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Cubic inches per billable pound (dimensional weight); empty: actual "
        "weight only, as truck freight is billed.",
    )
    tracking_url = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where a shopper follows a parcel, with {number} for the tracking number.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dim_divisor__isnull=True) | Q(dim_divisor__gt=0),
                name="carrier_dim_divisor_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def tracking_link(self, number: str) -> str:
        return self.tracking_url.replace("{number}", number) if self.tracking_url else ""


class ShippingRate(models.Model):
    """What `carrier` charges for `method` into `zone` for a package of up to
    `max_weight_lb` billable pounds, in the store currency. A package takes
    the row with the smallest weight limit that holds it."""

    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE, related_name="rates")
    method = models.CharField(max_length=10, choices=Method.choices)
    zone = models.PositiveSmallIntegerField(
        help_text="2-8 within a country by distance, 9-10 abroad"
    )
    max_weight_lb = models.DecimalField("up to (lb)", max_digits=8, decimal_places=2)
    price = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["carrier", "method", "zone", "max_weight_lb"]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "method", "zone", "max_weight_lb"], name="one_rate_per_cell"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="rate_price_not_negative"),
            models.CheckConstraint(condition=Q(max_weight_lb__gt=0), name="rate_weight_positive"),
            models.CheckConstraint(
                condition=Q(zone__gte=1, zone__lte=10), name="rate_zone_1_to_10"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.carrier} {self.get_method_display()} zone {self.zone} ≤{self.max_weight_lb} lb"
        )


class Shipment(models.Model):
    """One package leaving one warehouse for an order (S4): what it holds is
    the order's allocations from that warehouse; shipping it captured the
    payment for them (Y2)."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="shipments")
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="shipments"
    )
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="shipments")
    tracking_number = models.CharField(max_length=60)
    shipped_at = models.DateTimeField()
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount_captured = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["shipped_at", "id"]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"

    @property
    def tracking_link(self) -> str:
        return self.carrier.tracking_link(self.tracking_number)
