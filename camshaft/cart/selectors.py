"""Reading a cart with current prices (K1, K3: prices always from the catalogue)."""

from dataclasses import dataclass
from decimal import Decimal

from camshaft.cart.models import Cart
from camshaft.catalog.selectors import PartSummary, part_summaries


@dataclass(frozen=True, slots=True)
class CartLineView:
    id: int
    part: PartSummary
    quantity: int

    @property
    def line_total(self) -> Decimal:
        return self.part.price * self.quantity

    @property
    def core_total(self) -> Decimal:
        return (self.part.core_charge or Decimal(0)) * self.quantity


@dataclass
class CartView:
    lines: list[CartLineView]

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def items_total(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal("0.00"))

    @property
    def core_total(self) -> Decimal:
        return sum((line.core_total for line in self.lines), Decimal("0.00"))

    @property
    def subtotal(self) -> Decimal:
        return self.items_total + self.core_total


def cart_view(cart: Cart | None, *, vehicle_id: int | None = None) -> CartView:
    """Two queries: the lines, then their parts' summaries. Parts no longer
    sold drop out of the view."""
    if cart is None:
        return CartView(lines=[])
    rows = list(cart.lines.values_list("id", "part_id", "quantity"))
    parts = {p.id: p for p in part_summaries([r[1] for r in rows], vehicle_id=vehicle_id)}
    return CartView(
        lines=[
            CartLineView(line_id, parts[part_id], quantity)
            for line_id, part_id, quantity in rows
            if part_id in parts
        ]
    )
