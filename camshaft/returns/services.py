"""Writes of the returns desk: filing, authorizing, rejecting, receiving and
refunding returns (R1-R3), and core returns with their deposits (R4).

Every write locks the order (filing) or the return (everything after) so
two clerks, or a clerk and the refund job, cannot do the same thing twice;
refunds go through `payments.refund_payment` under an idempotency key named
after the return, so even a crash between the gateway and our commit cannot
pay twice."""

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from camshaft.core.money import minor_unit
from camshaft.inventory import services as inventory
from camshaft.notifications.services import queue_email
from camshaft.orders import services as orders
from camshaft.orders.models import Order, OrderLine
from camshaft.payments import services as payments
from camshaft.payments.models import OFFLINE_METHODS
from camshaft.returns import rules, selectors
from camshaft.returns.models import (
    STORE_FAULT,
    Channel,
    CoreDepositNotice,
    CoreReturn,
    CoreStatus,
    Reason,
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
    Status,
)

log = logging.getLogger(__name__)

MAX_NOTE = 1000
MAX_KEY = 100


class ReturnProblem(ValidationError):
    """Why a return (or a step of it) was refused; nothing was changed."""


@dataclass(frozen=True, slots=True)
class WantedLine:
    order_line_id: int
    quantity: int


def _check_key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY:
        raise ReturnProblem(
            f"An idempotency key of 1 to {MAX_KEY} characters is required.", code="bad_key"
        )
    return key


def _scoped_key(order: Order, key: str) -> str:
    return f"{order.pk}:{key}"[:MAX_KEY]


def _locked_order(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


# ------------------------------------------------------------------ filing


@transaction.atomic
def file_return(
    *,
    order: Order,
    lines: list[WantedLine],
    reason: str,
    condition: rules.Condition,
    channel: str,
    idempotency_key: str,
    note: str = "",
    by=None,
    now: datetime | None = None,
) -> ReturnRequest:
    """File a return of some units of a delivered order (R1, R2).

    The order row is locked while the units already on their way back are
    counted, so two returns can never take the last unit twice. The same
    idempotency key files one return: a double submit gets the first."""
    key = _scoped_key(order, _check_key(idempotency_key))
    if existing := ReturnRequest.objects.filter(idempotency_key=key).first():
        return existing
    now = now or timezone.now()
    if reason not in Reason.values:
        raise ReturnProblem("Choose why the parts are coming back.", code="bad_reason")
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if len(note) > MAX_NOTE:
        raise ReturnProblem(f"The note is at most {MAX_NOTE} characters.", code="bad_note")
    order = _locked_order(order)
    if order.status not in orders.RETURNABLE_STATES:
        raise ReturnProblem(
            "Parts can be returned once the order has been delivered.", code="not_delivered"
        )
    wanted = _merged(lines)
    facts = selectors.line_facts(order)
    refusals = {}
    for line_id, quantity in wanted.items():
        if line_id not in facts:
            raise ReturnProblem("That line is not part of this order.", code="bad_line")
        decision = rules.may_return(facts[line_id], now=now, reason=reason, condition=condition)
        if not decision.allowed:
            refusals[line_id] = decision.reason
        elif quantity > decision.returnable:
            refusals[line_id] = f"At most {decision.returnable} can be returned."
    if refusals:
        names = dict(OrderLine.objects.filter(pk__in=refusals).values_list("pk", "name"))
        raise ReturnProblem(
            "; ".join(f"{names[pk]}: {why}" for pk, why in refusals.items()), code="refused"
        )
    request = ReturnRequest.objects.create(
        number=_unused_number(ReturnRequest),
        order=order,
        reason=reason,
        note=note.strip(),
        channel=channel,
        requested_at=now,
        filed_by=_staff(by),
        warehouse=selectors.shipped_from(order, list(wanted)),
        idempotency_key=key,
    )
    ReturnLine.objects.bulk_create(
        ReturnLine(
            request=request,
            order_line_id=line_id,
            quantity=quantity,
            unused=condition.unused,
            original_packaging=condition.original_packaging,
            complete=condition.complete,
            sealed=condition.sealed,
        )
        for line_id, quantity in wanted.items()
    )
    _event(request, "requested", "", Status.REQUESTED, by=by, at=now, note=channel)
    _mail(request, "requested", f"Return {request.number} for order {order.number}: received")
    return request


def _merged(lines: list[WantedLine]) -> dict[int, int]:
    """One quantity per order line; refused when empty or not a count."""
    wanted: dict[int, int] = {}
    for line in lines:
        if not isinstance(line.quantity, int) or line.quantity < 0 or line.quantity > 10_000:
            raise ReturnProblem(
                "A quantity is a whole number from 0 to 10000.", code="bad_quantity"
            )
        if line.quantity:
            wanted[line.order_line_id] = wanted.get(line.order_line_id, 0) + line.quantity
    if not wanted:
        raise ReturnProblem("Choose at least one part to return.", code="nothing_chosen")
    return wanted


# ------------------------------------------------------- staff decisions


def _locked(request: ReturnRequest) -> ReturnRequest:
    return ReturnRequest.objects.select_for_update().select_related("order").get(pk=request.pk)


def _require(request: ReturnRequest, *states: str, doing: str) -> None:
    if request.status not in states:
        raise ReturnProblem(
            f"A {request.get_status_display().lower()} return cannot be {doing}.",
            code="wrong_state",
        )


@transaction.atomic
def authorize_return(*, request: ReturnRequest, by, now: datetime | None = None) -> ReturnRequest:
    """Customer service accepts the return (R2): its number becomes the RMA
    number the shopper writes on the parcel, and the instructions go out
    with the address of the warehouse that shipped it. A store error or a
    defect ships on the store's account (a prepaid label with the carrier
    that delivered the order). A missing item has nothing to send back, so
    it counts as received at once and its refund falls due."""
    request = _locked(request)
    if request.status == Status.AUTHORIZED:
        return request
    _require(request, Status.REQUESTED, doing="authorized")
    now = now or timezone.now()
    request.authorized_at = now
    if request.store_fault and rules.needs_parts_back(request.reason):
        shipment = request.order.shipments.select_related("carrier").first()
        request.label_carrier = str(shipment.carrier) if shipment else ""
    request.save(update_fields=["authorized_at", "label_carrier"])
    _move(request, Status.AUTHORIZED, "authorized", by=by, at=now)
    _mail(
        request,
        "authorized",
        f"Return {request.number} authorized: how to send the parts back",
    )
    if not rules.needs_parts_back(request.reason):
        _mark_received(request, by=by, now=now, note="nothing to send back (missing item)")
    return request


@transaction.atomic
def reject_return(*, request: ReturnRequest, reason: str, by, now: datetime | None = None):
    """Customer service refuses the return, saying why (R2)."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise ReturnProblem("Say why, in at most 300 characters.", code="bad_reason")
    request = _locked(request)
    if request.status == Status.REJECTED:
        return request
    _require(request, Status.REQUESTED, Status.AUTHORIZED, doing="rejected")
    request.rejected_at = now or timezone.now()
    request.reject_reason = reason
    request.save(update_fields=["rejected_at", "reject_reason"])
    _move(request, Status.REJECTED, "rejected", by=by, at=request.rejected_at, note=reason)
    _mail(request, "rejected", f"Return {request.number} for order {request.order.number}")
    return request


@dataclass(frozen=True, slots=True)
class Received:
    """What arrived of one return line, unit by unit."""

    as_new: int = 0
    damaged: int = 0
    wrong_item: int = 0
    incomplete: int = 0

    @property
    def total(self) -> int:
        return self.as_new + self.damaged + self.wrong_item + self.incomplete


@transaction.atomic
def receive_return(
    *,
    request: ReturnRequest,
    counts: dict[int, Received],
    by,
    complete: bool = False,
    return_freight: Decimal = Decimal(0),
    now: datetime | None = None,
) -> ReturnRequest:
    """The warehouse records what arrived, line by line (R2). Units as new
    go back on the shelf of the return's warehouse; the rest is written off.
    A second parcel adds to the first; the return counts as received when
    every unit is accounted for, or when the clerk says nothing more is
    coming (`complete`). Its refund then falls due within 2 business days.

    `return_freight`, the postage the shopper paid, is refunded only for a
    store error or a defect (R3)."""
    request = _locked(request)
    _require(request, Status.AUTHORIZED, doing="received")
    now = now or timezone.now()
    if return_freight < 0 or return_freight.as_tuple().exponent < -2:
        raise ReturnProblem("Return postage is an amount like 12.50.", code="bad_freight")
    if return_freight and not request.store_fault:
        raise ReturnProblem(
            "Return postage is refunded only for a store error or a defect.", code="bad_freight"
        )
    lines = {
        line.pk: line for line in request.lines.select_for_update().select_related("order_line")
    }
    for line_id, got in counts.items():
        line = lines.get(line_id)
        if line is None:
            raise ReturnProblem("That line is not part of this return.", code="bad_line")
        if min(got.as_new, got.damaged, got.wrong_item, got.incomplete) < 0:
            raise ReturnProblem("Counts are whole numbers from 0 up.", code="bad_quantity")
        if line.received + got.total > line.quantity:
            raise ReturnProblem(
                f"{line.order_line.name}: {line.quantity} were to come back, "
                f"{line.received} have already been counted.",
                code="too_many",
            )
    received_now = []
    for line_id, got in counts.items():
        line = lines[line_id]
        line.received_as_new += got.as_new
        line.received_damaged += got.damaged
        line.received_wrong_item += got.wrong_item
        line.received_incomplete += got.incomplete
        line.save()
        if got.as_new and line.order_line.part_id and request.warehouse:
            inventory.restock(
                part_id=line.order_line.part_id, warehouse=request.warehouse, quantity=got.as_new
            )
        if got.total:
            received_now.append(f"{got.total} × {line.order_line.sku}")
    if return_freight:
        request.return_freight = return_freight
        request.save(update_fields=["return_freight"])
    everything = all(line.received == line.quantity for line in lines.values())
    note = ", ".join(received_now) or "nothing more"
    if everything or complete:
        _mark_received(request, by=by, now=now, note=note)
    else:
        _event(request, "parcel_received", request.status, request.status, by=by, at=now, note=note)
    return request


def _mark_received(request: ReturnRequest, *, by, now: datetime, note: str = "") -> None:
    request.received_at = now
    request.refund_due = rules.refund_due(now)
    request.save(update_fields=["received_at", "refund_due"])
    _move(request, Status.RECEIVED, "received", by=by, at=now, note=note)
    _mail(request, "received", f"Return {request.number}: your parts arrived")


@transaction.atomic
def hold_refund(*, request: ReturnRequest, hold: bool, note: str = "", by) -> ReturnRequest:
    """Staff stop (or let go) the automatic refund of a received return."""
    request = _locked(request)
    _require(request, Status.RECEIVED, doing="held")
    request.on_hold, request.hold_note = hold, (note or "").strip()[:300]
    request.save(update_fields=["on_hold", "hold_note"])
    action = "refund_held" if hold else "refund_released"
    _event(request, action, request.status, request.status, by=by, note=request.hold_note)
    return request


# ----------------------------------------------------------------- refunds


@dataclass(frozen=True, slots=True)
class LineRefund:
    units: int
    amount: Decimal


def refund_lines(request: ReturnRequest) -> dict[int, LineRefund]:
    """What each line gives back (R3): the price, core deposit and tax of
    the units that count. A change of mind counts the units that came back
    as new; a store error or a defect counts every unit that came back, and
    a missing item every unit reported missing."""
    step = minor_unit(request.order.currency)
    refunds = {}
    for line in request.lines.select_related("order_line"):
        sold = line.order_line
        if not rules.needs_parts_back(request.reason):
            units = line.quantity
        elif request.reason in STORE_FAULT:
            units = line.received
        else:
            units = line.received_as_new
        tax = (sold.tax_amount * units / sold.quantity).quantize(step, rounding=ROUND_HALF_UP)
        refunds[line.pk] = LineRefund(
            units, (sold.unit_price + sold.unit_core_charge) * units + tax
        )
    return refunds


def refund_amount(request: ReturnRequest) -> Decimal:
    """The refund, never more than what is left to give back of the
    payment: what was captured (or received) minus what was refunded."""
    lines = refund_lines(request).values()
    total = sum((line.amount for line in lines), Decimal(0)) + request.return_freight
    return min(total, request.order.payment.amount_refundable)


@transaction.atomic
def refund_return(
    *, request: ReturnRequest, by=None, offline_reference: str = "", now: datetime | None = None
) -> ReturnRequest:
    """Refund a received return to the original payment (R3) and send the
    "credit approved" mail. A card or wallet is refunded at the gateway; a
    check, money order or wire was paid back by staff, who record it here
    with its reference. Two clerks (or a clerk and the job) clicking at
    once: the second finds the return refunded and does nothing."""
    request = _locked(request)
    if request.status == Status.REFUNDED:
        return request
    _require(request, Status.RECEIVED, doing="refunded")
    order = request.order
    payment = order.payment
    if payment.is_offline and not (by is not None and offline_reference.strip()):
        raise ReturnProblem(
            "This order was paid offline: send the money back, then record the refund with "
            "its check or transfer reference.",
            code="offline",
        )
    now = now or timezone.now()
    per_line = refund_lines(request)
    amount = refund_amount(request)
    if amount > 0:
        payments.refund_payment(
            payment=payment,
            amount=amount,
            idempotency_key=f"refund:return:{request.number}",
            by=by,
        )
    for line in request.lines.all():
        line.refunded_quantity = per_line[line.pk].units
        line.refund_amount = per_line[line.pk].amount
        line.save(update_fields=["refunded_quantity", "refund_amount"])
    request.refund_total, request.refunded_at = amount, now
    request.save(update_fields=["refund_total", "refunded_at"])
    note = f"{order.money(amount)}" + (
        f", {offline_reference.strip()[:100]}" if payment.is_offline else ""
    )
    _move(request, Status.REFUNDED, "refunded", by=by, at=now, note=note)
    orders.record_return_refund(
        order=order,
        everything_back=selectors.everything_returned(order),
        by=by,
        note=f"return {request.number}: {order.money(amount)}",
    )
    _mail(
        request,
        "refunded",
        f"Credit approved: return {request.number}",
        {"amount": order.money(amount)},
    )
    return request


def refund_due_returns(now: datetime) -> str:
    """The scheduled job (R3): refund every received return whose refund is
    due, unless staff hold it or it was paid offline (staff record those).
    One failure does not stop the others; it is logged and stays due."""
    today = rules.store_day(now)
    due = ReturnRequest.objects.filter(
        status=Status.RECEIVED, on_hold=False, refund_due__lte=today
    ).exclude(order__payment__method__in=OFFLINE_METHODS)
    refunded = failed = 0
    for request in due.order_by("refund_due", "id"):
        try:
            refund_return(request=request, now=now)
        except (ReturnProblem, payments.PaymentRefused) as problem:
            failed += 1
            log.warning("return %s: refund failed: %s", request.number, problem)
        else:
            refunded += 1
    overdue = selectors.overdue_refunds(now=now).count()
    if overdue:
        log.warning("%s return refund(s) are overdue", overdue)
    return f"{refunded} refunded, {failed} failed, {overdue} overdue"


# ------------------------------------------------------------------ cores


@transaction.atomic
def file_core_return(
    *,
    order: Order,
    order_line_id: int,
    quantity: int,
    channel: str,
    idempotency_key: str,
    by=None,
    now: datetime | None = None,
) -> CoreReturn:
    """The shopper sends the old part back for its deposit (R4): same part
    number, within 60 days of delivery, postage paid by the shopper."""
    key = _scoped_key(order, _check_key(idempotency_key))
    if existing := CoreReturn.objects.filter(idempotency_key=key).first():
        return existing
    now = now or timezone.now()
    order = _locked_order(order)
    line = order.lines.filter(pk=order_line_id, unit_core_charge__gt=0).first()
    if line is None:
        raise ReturnProblem("That line of this order carries no core deposit.", code="bad_line")
    if not isinstance(quantity, int) or quantity < 1:
        raise ReturnProblem("Return at least one core.", code="bad_quantity")
    decision = rules.may_return_core(
        delivered_at=order.delivered_at, now=now, left=selectors.core_deposits_left(line)
    )
    if not decision.allowed:
        raise ReturnProblem(decision.reason, code="refused")
    if quantity > decision.returnable:
        raise ReturnProblem(
            f"At most {decision.returnable} core(s) can come back on this line.", code="too_many"
        )
    core = CoreReturn.objects.create(
        number=_unused_number(CoreReturn, prefix="C"),
        order_line=line,
        quantity=quantity,
        channel=channel,
        requested_at=now,
        warehouse=selectors.shipped_from(order, [line.pk]),
        deposit=line.unit_core_charge * quantity,
        idempotency_key=key,
    )
    _core_mail(core, "core_requested", f"Core return {core.number}: how to send the old part")
    return core


@transaction.atomic
def inspect_core(
    *,
    core: CoreReturn,
    same_part: bool,
    undamaged: bool,
    drained: bool,
    by,
    refuse_reason: str = "",
    now: datetime | None = None,
) -> CoreReturn:
    """The warehouse inspects the old part (R4): the same part number,
    undamaged and drained refunds the deposit; anything else refuses it,
    saying why."""
    core = (
        CoreReturn.objects.select_for_update().select_related("order_line__order").get(pk=core.pk)
    )
    if core.status != CoreStatus.REQUESTED:
        return core
    now = now or timezone.now()
    core.inspected_at, core.inspected_by = now, _staff(by)
    order = core.order_line.order
    if same_part and undamaged and drained:
        amount = min(core.deposit, order.payment.amount_refundable)
        if amount > 0:
            payments.refund_payment(
                payment=order.payment,
                amount=amount,
                idempotency_key=f"refund:core:{core.number}",
                by=by,
            )
        core.status, core.refunded_at = CoreStatus.REFUNDED, now
        core.save(update_fields=["status", "refunded_at", "inspected_at", "inspected_by"])
        orders.record_return_refund(
            order=order,
            everything_back=selectors.everything_returned(order),
            by=by,
            note=f"core {core.number}: {order.money(amount)}",
        )
        _core_mail(core, "core_refunded", f"Credit approved: core deposit {core.number}")
        return core
    reason = (refuse_reason or "").strip()
    if not reason:
        missing = [
            label
            for ok, label in (
                (same_part, "not the same part number"),
                (undamaged, "damaged"),
                (drained, "not drained of fluids"),
            )
            if not ok
        ]
        reason = "The core was " + " and ".join(missing) + "."
    core.status, core.refuse_reason = CoreStatus.REFUSED, reason[:300]
    core.save(update_fields=["status", "refuse_reason", "inspected_at", "inspected_by"])
    _core_mail(core, "core_refused", f"Core return {core.number}: the deposit cannot be refunded")
    return core


def core_deposit_job(now: datetime) -> str:
    """The scheduled job (R4): on day 45 after delivery the shopper is
    reminded of each deposit still open; after day 60 what is left is kept
    and recorded."""
    reminded = kept = 0
    for line in selectors.core_lines_to_remind(now=now):
        with transaction.atomic():
            notice, _ = CoreDepositNotice.objects.select_for_update().get_or_create(order_line=line)
            if notice.reminded_at is None and selectors.core_deposits_left(line):
                notice.reminded_at = now
                notice.save(update_fields=["reminded_at"])
                _reminder_mail(line, now=now)
                reminded += 1
    for line in selectors.core_lines_to_keep(now=now):
        with transaction.atomic():
            notice, _ = CoreDepositNotice.objects.select_for_update().get_or_create(order_line=line)
            if notice.kept_at is None:
                left = selectors.core_deposits_left(line)
                notice.kept_at = now
                notice.kept_quantity = left
                notice.kept_amount = line.unit_core_charge * left
                notice.save(update_fields=["kept_at", "kept_quantity", "kept_amount"])
                kept += 1
    return f"{reminded} core reminders sent, {kept} deposits kept"


# ------------------------------------------------------------- erasure


def forget_person(*, order_ids: list[int]) -> None:
    """Erasure (V4): returns stay with their (pseudonymised) orders as sales
    records; what the shopper wrote in them goes."""
    ReturnRequest.objects.filter(order_id__in=order_ids).update(note="")


# --------------------------------------------------------------- helpers


def _staff(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def _unused_number(model, *, prefix: str = "R") -> str:
    while model.objects.filter(number=(number := rules.new_return_number(prefix))).exists():
        continue
    return number


def _event(request, action, before, after, *, by=None, at=None, note="") -> ReturnEvent:
    return ReturnEvent.objects.create(
        request=request,
        action=action,
        from_status=before,
        to_status=after,
        at=at or timezone.now(),
        by=_staff(by),
        note=(note or "")[:300],
    )


def _move(request: ReturnRequest, to: str, action: str, *, by=None, at=None, note="") -> None:
    before = request.status
    request.status = to
    request.save(update_fields=["status"])
    _event(request, action, before, to, by=by, at=at, note=note)


def _mail(request: ReturnRequest, template: str, subject: str, extra: dict | None = None) -> None:
    queue_email(
        to=request.order.email,
        subject=subject,
        template=f"returns/email/{template}",
        context={**selectors.mail_context(request), **(extra or {})},
        kind="transactional",
        category=f"order_return_{template}",
        reference=f"return:{request.number}",
    )


def _core_mail(core: CoreReturn, template: str, subject: str) -> None:
    queue_email(
        to=core.order_line.order.email,
        subject=subject,
        template=f"returns/email/{template}",
        context=selectors.core_mail_context(core),
        kind="transactional",
        category=f"order_{template}",
        reference=f"core:{core.number}",
    )


def _reminder_mail(line: OrderLine, *, now: datetime) -> None:
    order = line.order
    left = selectors.core_deposits_left(line)
    deposit = order.money(line.unit_core_charge * left)
    queue_email(
        to=order.email,
        subject=f"Order {order.number}: your core deposit of {deposit}",
        template="returns/email/core_reminder",
        context={
            "order": order,
            "line": line,
            "left": left,
            "deposit": deposit,
            "last_day": rules.last_day(order.delivered_at, rules.CORE_DAYS),
        },
        kind="transactional",
        category="order_core_reminder",
        reference=f"order:{order.number}",
    )
