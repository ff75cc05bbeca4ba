"""Reads of the returns desk: what each line of an order may still send
back and why not, the staff queues, core deposits left, and the report."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from camshaft.inventory.models import Allocation, Warehouse
from camshaft.orders.models import Order, OrderLine
from camshaft.returns import rules
from camshaft.returns.models import (
    CoreDepositNotice,
    CoreReturn,
    CoreStatus,
    Reason,
    ReturnLine,
    ReturnRequest,
    Status,
)


def units_in_returns(order: Order) -> dict[int, int]:
    """Units of each line in returns that were not rejected."""
    rows = (
        ReturnLine.objects.filter(request__order=order)
        .exclude(request__status=Status.REJECTED)
        .values("order_line_id")
        .annotate(n=Sum("quantity"))
    )
    return {row["order_line_id"]: row["n"] for row in rows}


def line_facts(order: Order) -> dict[int, rules.LineFacts]:
    """What R1 needs about each line of `order`, keyed by line id."""
    returned = units_in_returns(order)
    facts = {}
    for line in order.lines.select_related("part"):
        part = line.part
        facts[line.pk] = rules.LineFacts(
            returnability=part.returnability if part else "standard",
            special_order=bool(part and part.is_special_order),
            custom_made=bool(part and part.is_custom_made),
            delivered_at=order.delivered_at,
            quantity=line.quantity,
            already_returned=returned.get(line.pk, 0),
        )
    return facts


@dataclass(frozen=True, slots=True)
class ReturnableLine:
    line: OrderLine
    decision: rules.Decision
    condition_needed: str


def returnable_lines(order: Order, *, now: datetime | None = None) -> list[ReturnableLine]:
    """Each line with whether it can come back and, if not, the rule that
    refuses it (R1), for the return form's first look."""
    now = now or timezone.now()
    facts = line_facts(order)
    rows = []
    for line in order.lines.all():
        decision = rules.may_return(facts[line.pk], now=now)
        rows.append(
            ReturnableLine(
                line=line,
                decision=decision,
                condition_needed=decision.reason if decision.allowed else "",
            )
        )
    return rows


def can_file_return(order: Order, *, now: datetime | None = None) -> bool:
    if order.delivered_at is None:
        return False
    return any(row.decision.allowed for row in returnable_lines(order, now=now))


def shipped_from(order: Order, line_ids: list[int]) -> Warehouse | None:
    """The warehouse the parts came from: where they go back (R2)."""
    allocation = (
        Allocation.objects.filter(order_line__order=order, order_line_id__in=line_ids)
        .exclude(shipment=None)
        .select_related("warehouse")
        .order_by("id")
        .first()
    )
    return allocation.warehouse if allocation else None


def everything_returned(order: Order) -> bool:
    """Every unit of every line came back and was refunded."""
    refunded = dict(
        ReturnLine.objects.filter(request__order=order, request__status=Status.REFUNDED)
        .values("order_line_id")
        .annotate(n=Sum("refunded_quantity"))
        .values_list("order_line_id", "n")
    )
    return all(refunded.get(line.pk, 0) >= line.quantity for line in order.lines.all())


def returns_of(order: Order) -> QuerySet[ReturnRequest]:
    return order.returns.prefetch_related("lines__order_line", "events").order_by(
        "-requested_at", "-id"
    )


def core_returns_of(order: Order) -> QuerySet[CoreReturn]:
    return CoreReturn.objects.filter(order_line__order=order).select_related("order_line")


def return_for_customer(*, number: str, order: Order) -> ReturnRequest:
    """One return of an order the caller may see; DoesNotExist otherwise."""
    return returns_of(order).get(number=number.strip().upper()[:20])


# ------------------------------------------------------------- cores


def core_deposits_left(line: OrderLine) -> int:
    """Units of `line` whose core deposit is still open: not refunded or
    waiting as a core return, not given back with the part itself, not kept."""
    if not line.unit_core_charge:
        return 0
    cores = (
        line.core_returns.exclude(status=CoreStatus.REFUSED).aggregate(n=Sum("quantity"))["n"] or 0
    )
    parts = (
        line.return_lines.exclude(request__status=Status.REJECTED).aggregate(n=Sum("quantity"))["n"]
        or 0
    )
    kept = (
        CoreDepositNotice.objects.filter(order_line=line, kept_at__isnull=False)
        .values_list("kept_quantity", flat=True)
        .first()
        or 0
    )
    return max(0, line.quantity - cores - parts - kept)


def core_lines(order: Order) -> list[dict]:
    """The order's lines with a core deposit, with what is left and until when."""
    rows = []
    for line in order.lines.filter(unit_core_charge__gt=0):
        left = core_deposits_left(line)
        decision = rules.may_return_core(
            delivered_at=order.delivered_at, now=timezone.now(), left=left
        )
        rows.append(
            {
                "line": line,
                "left": left,
                "deposit": order.money(line.unit_core_charge),
                "decision": decision,
                "last_day": rules.last_day(order.delivered_at, rules.CORE_DAYS)
                if order.delivered_at
                else None,
            }
        )
    return rows


def any_core_open(order: Order) -> bool:
    return any(row["decision"].allowed for row in core_lines(order))


def _delivered_between(start: datetime, end: datetime) -> QuerySet[OrderLine]:
    return OrderLine.objects.filter(
        unit_core_charge__gt=0,
        order__delivered_at__gte=start,
        order__delivered_at__lt=end,
    ).select_related("order")


def core_lines_to_remind(*, now: datetime) -> QuerySet[OrderLine]:
    """Lines delivered 45 to 60 days ago whose shopper was not reminded yet."""
    return _delivered_between(
        now - timedelta(days=rules.CORE_DAYS + 1), now - timedelta(days=rules.CORE_REMINDER_DAY)
    ).filter(Q(core_notice__isnull=True) | Q(core_notice__reminded_at__isnull=True))


def core_lines_to_keep(*, now: datetime) -> QuerySet[OrderLine]:
    """Lines past their 60 days whose deposit was not settled yet. The
    window is counted on the store's calendar, so a day's grace is given."""
    return (
        OrderLine.objects.filter(
            unit_core_charge__gt=0,
            order__delivered_at__lt=now - timedelta(days=rules.CORE_DAYS + 1),
        )
        .filter(Q(core_notice__isnull=True) | Q(core_notice__kept_at__isnull=True))
        .select_related("order")
    )


# -------------------------------------------------------- staff queues


def to_authorize() -> QuerySet[ReturnRequest]:
    return ReturnRequest.objects.filter(status=Status.REQUESTED).order_by("requested_at")


def awaiting_receipt() -> QuerySet[ReturnRequest]:
    return ReturnRequest.objects.filter(status=Status.AUTHORIZED).order_by("authorized_at")


def overdue_refunds(*, now: datetime | None = None) -> QuerySet[ReturnRequest]:
    """Received returns whose refund should have left already (R3)."""
    today = rules.store_day(now or timezone.now())
    return ReturnRequest.objects.filter(status=Status.RECEIVED, refund_due__lt=today)


def return_rates(*, by: str, since: datetime | None = None) -> list[dict]:
    """Units sold and returned per category, brand or reason, for the staff
    report: totals only, no customer."""
    returned = ReturnLine.objects.exclude(request__status=Status.REJECTED)
    if since:
        returned = returned.filter(request__requested_at__gte=since)
    if by == "reason":
        rows = returned.values(key=F("request__reason")).annotate(returned=Sum("quantity"))
        labels = dict(Reason.choices)
        total = sum(row["returned"] for row in rows) or 1
        return sorted(
            (
                {
                    "label": labels.get(row["key"], row["key"]),
                    "returned": row["returned"],
                    "share": row["returned"] / total,
                }
                for row in rows
            ),
            key=lambda row: -row["returned"],
        )
    field = {"category": "part__category__name", "brand": "brand"}[by]
    sold = OrderLine.objects.filter(order__delivered_at__isnull=False)
    if since:
        sold = sold.filter(order__delivered_at__gte=since)
    sold_by = dict(sold.values_list(field).annotate(n=Sum("quantity")).values_list(field, "n"))
    returned_by = dict(
        returned.values_list(f"order_line__{field}")
        .annotate(n=Sum("quantity"))
        .values_list(f"order_line__{field}", "n")
    )
    rows = [
        {
            "label": key or "(none)",
            "sold": sold_by[key],
            "returned": returned_by.get(key, 0),
            "share": returned_by.get(key, 0) / sold_by[key] if sold_by[key] else 0,
        }
        for key in sold_by
    ]
    return sorted(rows, key=lambda row: (-row["share"], -row["sold"]))[:50]


def counts_by_status() -> dict[str, int]:
    return dict(
        ReturnRequest.objects.values("status").annotate(n=Count("id")).values_list("status", "n")
    )


# --------------------------------------------------------------- mail


def mail_context(request: ReturnRequest) -> dict:
    order = request.order
    warehouse = request.warehouse
    return {
        "request": request,
        "order": order,
        "name": order.billing_address.full_name,
        "lines": [
            {"quantity": line.quantity, "name": line.order_line.name, "sku": line.order_line.sku}
            for line in request.lines.select_related("order_line")
        ],
        "ship_to": _warehouse_lines(warehouse) if warehouse else [],
        "prepaid": bool(request.label_carrier),
        "needs_parts_back": rules.needs_parts_back(request.reason),
    }


def core_mail_context(core: CoreReturn) -> dict:
    order = core.order_line.order
    return {
        "core": core,
        "order": order,
        "name": order.billing_address.full_name,
        "line": core.order_line,
        "deposit": order.money(core.deposit),
        "ship_to": _warehouse_lines(core.warehouse) if core.warehouse else [],
        "last_day": rules.last_day(order.delivered_at, rules.CORE_DAYS),
    }


def _warehouse_lines(warehouse: Warehouse) -> list[str]:
    city = " ".join(p for p in (warehouse.city, warehouse.state, warehouse.postal_code) if p)
    return [f"Returns — {warehouse.name}", warehouse.street, city, warehouse.country]


# ------------------------------------------------------- data export (V3)


def personal_data(*, order_ids: list[int]) -> dict[str, list[dict]]:
    """The returns and core returns of these orders, for Download my data."""
    requests = (
        ReturnRequest.objects.filter(order_id__in=order_ids)
        .select_related("order")
        .prefetch_related("lines__order_line")
        .order_by("requested_at")
    )
    cores = (
        CoreReturn.objects.filter(order_line__order_id__in=order_ids)
        .select_related("order_line__order")
        .order_by("requested_at")
    )
    return {
        "returns": [
            {
                "number": r.number,
                "order": r.order.number,
                "status": r.status,
                "reason": r.get_reason_display(),
                "note": r.note,
                "requested_at": r.requested_at.isoformat(),
                "parts": "; ".join(
                    f"{line.quantity} × {line.order_line.sku}" for line in r.lines.all()
                ),
                "refund_total": f"{r.refund_total} {r.order.currency}",
                "refunded_at": r.refunded_at.isoformat() if r.refunded_at else None,
                "reject_reason": r.reject_reason,
            }
            for r in requests
        ],
        "core_returns": [
            {
                "number": c.number,
                "order": c.order_line.order.number,
                "part": c.order_line.sku,
                "quantity": c.quantity,
                "status": c.status,
                "deposit": f"{c.deposit} {c.order_line.order.currency}",
                "requested_at": c.requested_at.isoformat(),
                "refuse_reason": c.refuse_reason,
            }
            for c in cores
        ],
    }
