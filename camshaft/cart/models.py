"""Carts (K1): a guest's cart is found by a token in a signed cookie, a
member's by their account. Lines hold quantities only: prices are read from
the catalogue whenever the cart is shown or checked out (K3)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

MAX_QUANTITY = 99


class Cart(models.Model):
    token = models.CharField(max_length=64, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="cart",
        on_delete=models.CASCADE,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cart {self.id} ({self.user or 'guest'})"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, related_name="lines", on_delete=models.CASCADE)
    part = models.ForeignKey("catalog.Part", related_name="+", on_delete=models.CASCADE)
    quantity = models.PositiveSmallIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "part"], name="cart_line_unique_part"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_QUANTITY),
                name="cart_line_quantity_1_to_99",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x part {self.part_id}"
