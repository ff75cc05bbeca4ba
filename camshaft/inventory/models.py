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
