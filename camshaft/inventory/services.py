"""Stock use-cases (I2): reserve an order's parts atomically, release them
when it is cancelled, consume them when they ship.

Reserving locks the stock rows of the order's parts (in id order, so two
checkouts cannot deadlock), plans against what is free under that lock and
raises the StockLevel.reserved counters in the same transaction; a check
constraint (reserved <= quantity) is the last guard against overselling."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Sum

from camshaft.inventory.models import Allocation, StockLevel
from camshaft.inventory.selectors import Want, plan_for


@dataclass
class OutOfStock(Exception):
    """Not enough of some parts: `short` maps (sku, name) to units left."""

    short: dict[tuple[str, str], int]

    @property
    def message(self) -> str:
        parts = []
        for (sku, name), left in self.short.items():
            if left:
                parts.append(f"only {left} left of {name} (SKU {sku})")
            else:
                parts.append(f"{name} (SKU {sku}) is out of stock")
        text = "; ".join(parts)
        return f"Sorry: {text}. Please change the quantity in your cart."

    def __str__(self) -> str:
        return self.message


def _wants(lines, shipped: dict[int, int]) -> list[Want]:
    return [
        Want(line.part_id, left, made_to_order=line.part.made_to_order)
        for line in lines
        if (left := line.quantity - shipped.get(line.pk, 0)) > 0
    ]


@transaction.atomic
def reserve_stock(*, order, country: str, region: str = "") -> list[Allocation]:
    """Allocate every line of `order`, all or nothing, but for the units of
    it that already shipped (an order changed while partly shipped, O2);
    raises OutOfStock."""
    lines = list(order.lines.select_related("part").filter(part__isnull=False))
    shipped = dict(
        Allocation.objects.filter(order_line__order=order, status=Allocation.Status.SHIPPED)
        .values_list("order_line")
        .annotate(units=Sum("quantity"))
        .values_list("order_line", "units")
    )
    plan, _ = plan_for(_wants(lines, shipped), country=country, region=region, lock=True)
    if plan.short:
        by_part = {line.part_id: line for line in lines}
        raise OutOfStock(
            {
                (by_part[part_id].sku, by_part[part_id].name): left
                for part_id, left in plan.short.items()
            }
        )
    line_of = {line.part_id: line for line in lines}
    allocations = []
    for pick in plan.picks:
        if not pick.made_to_order:
            StockLevel.objects.filter(part_id=pick.part_id, warehouse_id=pick.warehouse_id).update(
                reserved=F("reserved") + pick.quantity
            )
        allocations.append(
            Allocation(
                order_line=line_of[pick.part_id],
                warehouse_id=pick.warehouse_id,
                quantity=pick.quantity,
                made_to_order=pick.made_to_order,
            )
        )
    return Allocation.objects.bulk_create(allocations)


@transaction.atomic
def lock_stock(*, part_ids) -> None:
    """Lock the stock rows of `part_ids` in id order, before a change that
    gives back and takes stock in one transaction (O2), so it cannot
    deadlock with a checkout locking the same rows."""
    list(
        StockLevel.objects.select_for_update()
        .filter(part_id__in=list(part_ids))
        .order_by("id")
        .values_list("id", flat=True)
    )


@transaction.atomic
def release_stock(*, order) -> int:
    """Give back what a cancelled order held; returns the units released."""
    held = list(
        Allocation.objects.select_for_update()
        .select_related("order_line")
        .filter(order_line__order=order, status=Allocation.Status.RESERVED)
        .order_by("id")
    )
    # Stock rows in id order, as checkouts lock them, so the two never deadlock.
    lock_stock(part_ids={a.order_line.part_id for a in held if not a.made_to_order})
    _unreserve(held)
    Allocation.objects.filter(pk__in=[a.pk for a in held]).update(status=Allocation.Status.RELEASED)
    return sum(a.quantity for a in held)


@transaction.atomic
def consume_stock(*, allocations: list[Allocation], shipment) -> None:
    """The units left the shelf in `shipment`."""
    for allocation in allocations:
        if not allocation.made_to_order:
            StockLevel.objects.filter(
                part_id=allocation.order_line.part_id, warehouse_id=allocation.warehouse_id
            ).update(
                quantity=F("quantity") - allocation.quantity,
                reserved=F("reserved") - allocation.quantity,
            )
    Allocation.objects.filter(pk__in=[a.pk for a in allocations]).update(
        status=Allocation.Status.SHIPPED, shipment=shipment
    )


@transaction.atomic
def restock(*, part_id: int, warehouse, quantity: int) -> None:
    """Units that came back as new (R2) go back on `warehouse`'s shelf."""
    if quantity <= 0:
        return
    level, _ = StockLevel.objects.select_for_update().get_or_create(
        part_id=part_id, warehouse=warehouse
    )
    StockLevel.objects.filter(pk=level.pk).update(quantity=F("quantity") + quantity)


def _unreserve(allocations: list[Allocation]) -> None:
    for allocation in allocations:
        if not allocation.made_to_order:
            StockLevel.objects.filter(
                part_id=allocation.order_line.part_id, warehouse_id=allocation.warehouse_id
            ).update(reserved=F("reserved") - allocation.quantity)
