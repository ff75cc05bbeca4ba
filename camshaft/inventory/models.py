"""Warehouses and the stock each holds (I1)."""

from django.db import models
from django.db.models import F, Q


class Warehouse(models.Model):
    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=120)
    street = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    state = models.CharField("state / province", max_length=60, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.city}, {self.country})"


class StockLevel(models.Model):
    part = models.ForeignKey("catalog.Part", related_name="stock_levels", on_delete=models.CASCADE)
    warehouse = models.ForeignKey(Warehouse, related_name="stock_levels", on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField(default=0, help_text="Units on the shelf")
    reserved = models.PositiveIntegerField(default=0, help_text="Units promised to open orders")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["part", "warehouse"], name="stock_unique_part_warehouse"
            ),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("quantity")), name="stock_reserved_within_quantity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.part_id}@{self.warehouse_id}: {self.available}"

    @property
    def available(self) -> int:
        return self.quantity - self.reserved


class Allocation(models.Model):
    """Units of one order line promised from one warehouse (I2). While
    `reserved` they count in StockLevel.reserved; a shipment consumes them,
    a cancellation releases them. Parts made to order (special-order and
    custom-made) are allocated to the warehouse that will ship them without
    touching stock."""

    class Status(models.TextChoices):
        RESERVED = "reserved", "Reserved"
        SHIPPED = "shipped", "Shipped"
        RELEASED = "released", "Released"

    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.CASCADE, related_name="allocations"
    )
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="allocations")
    quantity = models.PositiveIntegerField()
    made_to_order = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RESERVED)
    shipment = models.ForeignKey(
        "shipping.Shipment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
    )

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["warehouse", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="allocation_quantity"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.order_line_id} from {self.warehouse_id}"
