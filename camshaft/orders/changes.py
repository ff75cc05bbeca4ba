"""Changing an order before it ships (O2): its shipping address, shipping
method and lines, by customer service, or the address by the shopper within
the cancellation window. Once part of it shipped, customer service changes
only what has not: what left in a shipment (a line shipped in full, the
shipped units of a line) is refused by name; the shipping already charged
stays and the change adds what it adds to the parcels still to go; shipped
units keep the tax they were charged.

A change is shown before it is saved (`preview_change`) and saved only as
shown (`change_order`, given the previewed total back, as checkout's
`expected_total`). Both price it the way checkout does, except that lines
already on the order keep the price the shopper paid: added parts take
today's catalogue price at the order's exchange rate; shipping is quoted
again for the new lines and address; tax is worked out again at today's
rates; the order's own reserved stock counts as available to it.

Saving happens in one transaction holding the order's row lock: the stock
rows are locked in id order, the order's reservations released and made
again for the new lines (never oversold: I2's check constraint and plan),
then the payment is adjusted (a further authorization, a partial release,
or for offline payments what is owed or due back). Anything refused rolls
all of it back. A second clerk saving a change previewed before the first
one was saved is refused when the total moved, and applies on top of the
first one otherwise: each change names only what it changes."""

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from camshaft.accounts.services import POSTAL_FIELDS, clean_address
from camshaft.catalog.models import Part
from camshaft.core import services as audit
from camshaft.core.business_days import STORE_ZONE
from camshaft.core.models import AuditAction
from camshaft.core.money import Money, minor_unit
from camshaft.inventory import services as inventory
from camshaft.inventory.selectors import held_by_order
from camshaft.inventory.services import OutOfStock
from camshaft.orders import rules
from camshaft.orders.models import UNSHIPPED, Order, OrderLine, OrderStatus
from camshaft.orders.pricing import OrderQuote, PricedLine, in_currency, totalled, with_tax
from camshaft.orders.selectors import shipped_units
from camshaft.orders.services import (
    Actor,
    OrderError,
    _locked,
    _mail,
    _record,
    _taxed,
    destination_of,
)
from camshaft.payments import services as payments
from camshaft.payments.gateways import GatewayUnavailable
from camshaft.payments.models import PaymentStatus
from camshaft.pricematch.models import PriceMatchQuote
from camshaft.shipping.models import Method
from camshaft.shipping.selectors import ShippingOption, quote_shipping

ZERO = Decimal(0)


class ChangeRefused(OrderError):
    """The order cannot change as asked (it shipped, the window closed,
    the total moved since the preview, stock ran out, the card's bank
    declined the further amount); `message` says which. Nothing changed."""


@dataclass(frozen=True, slots=True)
class OrderChange:
    """What to change; everything left empty stays as it is."""

    #: A new shipping address (POSTAL_FIELDS), checked like checkout's.
    shipping_address: dict | None = None
    #: Whether the address is a home (air freight may take a day more, S2).
    residential: bool | None = None
    #: A shipping method code (standard, two_day, overnight).
    shipping_method: str = ""
    #: (order line id, new quantity); 0 removes the line.
    quantities: tuple[tuple[int, int], ...] = ()
    #: (SKU, quantity) of parts to add at today's price.
    additions: tuple[tuple[str, int], ...] = ()

    @property
    def address_only(self) -> bool:
        return not (self.shipping_method or self.quantities or self.additions)


@dataclass(frozen=True, slots=True)
class ChangedLine:
    """A line of the order as it would be: `line_id` None for an added part."""

    line_id: int | None
    part_id: int | None
    priced: PricedLine
    before: int = 0
    #: Units of the line that already left in a shipment: they never change.
    shipped: int = 0

    @property
    def to_ship(self) -> int:
        return self.priced.quantity - self.shipped


@dataclass(frozen=True)
class ChangePreview:
    """The order as the change would leave it, shown before it is saved."""

    order: Order
    quote: OrderQuote
    lines: tuple[ChangedLine, ...]
    address: dict
    residential: bool
    shipping: ShippingOption | None
    options: tuple[ShippingOption, ...]
    #: What changes, in words, for the clerk, the history and the mail.
    changes: tuple[str, ...]
    #: Why it cannot be saved as it stands (stock, a method not offered).
    problems: tuple[str, ...] = ()
    #: Card or wallet: more to authorize (+) or to release (-); offline:
    #: still owed (+) or due back (-).
    payment_due: Decimal = ZERO
    offline: bool = False
    asked: OrderChange | None = None

    @property
    def old_total(self) -> Money:
        return self.order.total

    @property
    def new_total(self) -> Money:
        return self.quote.money(self.quote.grand_total)

    @property
    def token(self) -> str:
        """Names this preview: the order as it stood (its last save), the
        change asked for and the total shown. Saving with it refuses a change
        whose order or form moved since, even when the total did not."""
        seen = f"{self.order.pk}|{self.order.updated_at.isoformat()}|{self.asked!r}"
        return hashlib.sha256(f"{seen}|{self.quote.grand_total}".encode()).hexdigest()[:32]

    @property
    def can_save(self) -> bool:
        return bool(self.changes) and not self.problems

    @property
    def payment_note(self) -> str:
        """What happens to the money, in words."""
        due = self.quote.money(abs(self.payment_due))
        if self.offline:
            if self.payment_due > 0:
                return f"{due} is still owed; the order waits until it arrives."
            if self.payment_due < 0:
                return f"{due} is due back to the customer."
            return "The money received covers the order exactly."
        charged = self.order.payment.amount_captured
        if self.payment_due > 0 and charged:
            return (
                f"A further {due} will be authorized. {self.order.money(charged)} was already "
                "charged for what shipped, so the processor may need to hold it separately on "
                "the card the customer saved for later charges; without one it is refused."
            )
        if self.payment_due > 0:
            return f"A further {due} will be authorized on the same payment."
        if self.payment_due < 0:
            return f"{due} of the authorization will be released."
        return "The authorization stays as it is."


# ------------------------------------------------------------------ deciding


#: States in which something of an order still waits to ship: customer
#: service may change that part (a partly shipped order's unshipped lines).
STAFF_CHANGEABLE = UNSHIPPED | {OrderStatus.PARTLY_SHIPPED}


def change_decision(*, order: Order, as_staff: bool, now: datetime | None = None):
    """Whether `order` may change now: staff any order something of which
    has not shipped (only that part of it), the shopper the address within
    O3's window while nothing shipped."""
    cancelled = order.status == OrderStatus.CANCELLED
    if as_staff:
        return rules.staff_may_change(
            shipped_in_full=order.status not in STAFF_CHANGEABLE, cancelled=cancelled
        )
    shipped = order.status not in UNSHIPPED or order.shipments.exists()
    return rules.shopper_may_change_address(
        placed_at=order.placed_at, now=now or timezone.now(), shipped=shipped, cancelled=cancelled
    )


def preview_change(
    *, order: Order, change: OrderChange, as_staff: bool, now: datetime | None = None
) -> ChangePreview:
    """`order` as `change` would leave it, with its new totals, stock and
    payment. Raises ChangeRefused when the order may not change at all and
    ValidationError (keyed by field) for a change that makes no sense."""
    order = Order.objects.select_related("payment", "shipping_address").get(pk=order.pk)
    return _preview(order, change, as_staff=as_staff, now=now or timezone.now())


def _preview(order: Order, change: OrderChange, *, as_staff: bool, now: datetime) -> ChangePreview:
    decision = change_decision(order=order, as_staff=as_staff, now=now)
    if not decision.allowed:
        raise ChangeRefused(decision.reason)
    if order.marketplace_total:
        # The sellers were sent the address with the sale (M2), and the
        # totals here know nothing of their part.
        raise ChangeRefused(
            "This order holds marketplace items, so it cannot be changed; "
            "cancel a seller's part instead, or the order while it has not shipped."
        )
    if not as_staff and not change.address_only:
        raise ChangeRefused("Online, only the shipping address can be changed; please call us.")
    described: list[str] = []
    shipped = shipped_units(order_id=order.pk)
    lines = _changed_lines(order, change, described, shipped)
    address, residential = _new_address(order, change, described)
    held = held_by_order(order_id=order.pk)
    destination = destination_of(address, residential=residential)
    shipping = quote_shipping(
        lines=[(line.part_id, line.to_ship) for line in lines if line.part_id and line.to_ship],
        destination=destination,
        placed_at=now,
        held=held,
    )
    problems = []
    if shipping.short:
        names = {line.part_id: (line.priced.sku, line.priced.name) for line in lines}
        problems.append(_shortage({names[p]: left for p, left in shipping.short.items()}))
    method = change.shipping_method or order.shipping_method
    chosen = next((option for option in shipping.options if option.code == method), None)
    if chosen is None and not shipping.short:
        offered = ", ".join(option.name for option in shipping.options) or "none"
        problems.append(
            f"{_method_name(order, method)} is not offered for this order as changed "
            f"(offered: {offered})."
        )
    if method != order.shipping_method:
        described.append(
            f"Shipping method: {order.shipping_method_name} → {_method_name(order, method)}"
        )
    price = in_currency(chosen.price, order.currency, order.exchange_rate) if chosen else ZERO
    if shipped:
        price = order.shipping_total + max(
            ZERO, price - _still_to_ship_price(order, shipped, held, now)
        )
    quote = totalled(
        lines=[line.priced for line in lines],
        currency=order.currency,
        exchange_rate=order.exchange_rate,
        shipping_total=price,
        discount_total=order.discount_total,
    )
    day = now.astimezone(STORE_ZONE).date()
    if shipped:
        quote = _taxed_partly_shipped(order, quote, lines, destination, day)
    else:
        quote = _taxed(quote, destination, day)
    lines = tuple(
        ChangedLine(line.line_id, line.part_id, priced, line.before, line.shipped)
        for line, priced in zip(lines, quote.lines, strict=True)
    )
    if described and quote.grand_total != order.grand_total:
        described.append(f"Total: {order.total} → {quote.money(quote.grand_total)}")
    payment = order.payment
    if shipped and payment.is_offline and described:
        in_hand = payment.amount_received - payment.amount_refunded
        if quote.grand_total > in_hand:
            problems.append(
                f"The customer paid {order.money(in_hand)} by "
                f"{payment.get_method_display().lower()} and part of the order has shipped "
                "on it, so a change may not cost more; put more parts on a new order."
            )
    return ChangePreview(
        order=order,
        quote=quote,
        lines=lines,
        address=address,
        residential=residential,
        shipping=chosen,
        options=shipping.options,
        changes=tuple(described),
        problems=tuple(problems),
        payment_due=payments.payment_change_due(payment, quote.grand_total),
        offline=payment.is_offline,
        asked=change,
    )


def _still_to_ship_price(order: Order, shipped: dict, held: dict, now: datetime) -> Decimal:
    """What sending the unshipped rest of `order` as it stands (its lines,
    address and method) costs today, in the order's currency: the change's
    shipping is measured against it, so a partly shipped order pays only
    what the change adds to its remaining parcels (O2)."""
    rest = [
        (line.part_id, left)
        for line in order.lines.all()
        if line.part_id and (left := line.quantity - shipped.get(line.pk, 0)) > 0
    ]
    address = {name: getattr(order.shipping_address, name) for name in POSTAL_FIELDS}
    quoted = quote_shipping(
        lines=rest,
        destination=destination_of(address, residential=order.residential),
        placed_at=now,
        held=held,
    )
    option = next((o for o in quoted.options if o.code == order.shipping_method), None)
    return in_currency(option.price, order.currency, order.exchange_rate) if option else ZERO


def _taxed_partly_shipped(order: Order, quote: OrderQuote, lines, destination, day) -> OrderQuote:
    """Tax when part of the order has shipped: what shipped keeps the tax
    it was charged (its share of its line's tax, as its capture worked it
    out, and the shipping tax charged with the first parcel); what is still
    to ship, and any shipping the change adds, is taxed again at today's
    rates for the destination as changed (T1)."""
    step = minor_unit(order.currency)
    stored = {line.pk: line for line in order.lines.all()}
    rest = totalled(
        lines=[
            replace(
                line.priced, quantity=line.to_ship, line_total=line.priced.unit_price * line.to_ship
            )
            for line in lines
        ],
        currency=quote.currency,
        exchange_rate=quote.exchange_rate,
        shipping_total=quote.shipping_total - order.shipping_total,
    )
    rest = _taxed(rest, destination, day)
    line_taxes = []
    for line, taxed_rest in zip(lines, rest.lines, strict=True):
        kept, rate = ZERO, taxed_rest.tax_rate
        if line.shipped:
            was = stored[line.line_id]
            kept = (was.tax_amount * line.shipped / was.quantity).quantize(
                step, rounding=ROUND_HALF_UP
            )
            if not line.to_ship:
                rate = was.tax_rate
        line_taxes.append((rate, kept + (taxed_rest.tax_amount if line.to_ship else ZERO)))
    return with_tax(
        quote, line_taxes=line_taxes, shipping_tax=order.shipping_tax + rest.shipping_tax
    )


def _changed_lines(
    order: Order, change: OrderChange, described: list, shipped: dict[int, int]
) -> list[ChangedLine]:
    current = list(order.lines.all())
    by_id = {line.pk: line for line in current}
    wanted: dict[int, int] = {}
    for line_id, quantity in change.quantities:
        if line_id not in by_id:
            raise ValidationError({"quantities": f"This order has no line {line_id}."})
        _check_quantity(quantity, minimum=0, field="quantities")
        wanted[line_id] = quantity
    quoted = _quoted_quantities(order, [line for line in current if line.pk in wanted])
    lines = []
    for line in current:
        quantity = wanted.get(line.pk, line.quantity)
        if quantity > line.quantity and line.part_id in quoted:
            raise ValidationError(
                {
                    "quantities": f"{line.sku} was bought at a price-match quote for "
                    f"{quoted[line.part_id]}; add more as a separate order at today's price."
                }
            )
        if quantity != line.quantity:
            described.append(
                f"{line.sku} removed (was {line.quantity})"
                if quantity == 0
                else f"{line.sku}: quantity {line.quantity} → {quantity}"
            )
        if quantity:
            lines.append(
                ChangedLine(
                    line.pk,
                    line.part_id,
                    PricedLine(
                        part_id=line.part_id or 0,
                        sku=line.sku,
                        name=line.name,
                        brand=line.brand,
                        mpn=line.mpn,
                        quantity=quantity,
                        unit_price=line.unit_price,
                        unit_core_charge=line.unit_core_charge,
                        line_total=line.unit_price * quantity,
                    ),
                    before=line.quantity,
                    shipped=shipped.get(line.pk, 0),
                )
            )
    on_order = {line.part_id for line in current}
    shipped_in_full = {
        line.part_id: line.sku for line in current if shipped.get(line.pk, 0) >= line.quantity
    }
    for sku, quantity in change.additions:
        _check_quantity(quantity, minimum=1, field="additions")
        part = (
            Part.objects.select_related("brand")
            .filter(sku=(sku or "").strip().upper()[:40], is_active=True)
            .first()
        )
        if part is None:
            raise ValidationError({"additions": f"There is no part with SKU {sku!r} on sale."})
        if part.pk in shipped_in_full:
            raise ValidationError(
                {"additions": f"{part.sku} is on the order and has shipped; more is a new order."}
            )
        if part.pk in on_order:
            raise ValidationError(
                {"additions": f"{part.sku} is on the order already; change its quantity instead."}
            )
        on_order.add(part.pk)
        unit = in_currency(part.price, order.currency, order.exchange_rate)
        core = in_currency(part.core_charge or ZERO, order.currency, order.exchange_rate)
        described.append(f"{part.sku} added: {quantity} × {order.money(unit)}")
        lines.append(
            ChangedLine(
                None,
                part.pk,
                PricedLine(
                    part_id=part.pk,
                    sku=part.sku,
                    name=part.name,
                    brand=str(part.brand),
                    mpn=part.mpn,
                    quantity=quantity,
                    unit_price=unit,
                    unit_core_charge=core,
                    line_total=unit * quantity,
                ),
            )
        )
    if not lines:
        raise ValidationError(
            {"quantities": "An order keeps at least one line; cancel the order instead."}
        )
    if shipped:
        asked = {line.line_id: line.priced.quantity for line in lines if line.line_id}
        refusal = rules.shipped_lines_refusal(
            [
                rules.LineAsked(
                    line.sku, line.quantity, shipped.get(line.pk, 0), asked.get(line.pk, 0)
                )
                for line in current
            ]
            + [
                rules.LineAsked(line.priced.sku, 0, 0, line.priced.quantity)
                for line in lines
                if line.line_id is None
            ]
        )
        if refusal:
            raise ChangeRefused(refusal)
    return lines


def _quoted_quantities(order: Order, lines: list) -> dict[int, int]:
    """part_id -> quantity, for the lines priced at a price-match quote (P2):
    a quote is one price for one quantity, so those lines never grow."""
    if not lines:
        return {}
    return dict(
        PriceMatchQuote.objects.filter(
            order_number=order.number, part_id__in=[line.part_id for line in lines]
        ).values_list("part_id", "quantity")
    )


def _check_quantity(quantity, *, minimum: int, field: str) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationError({field: "A quantity is a whole number."})
    if not minimum <= quantity <= rules.MAX_LINE_QUANTITY:
        raise ValidationError(
            {field: f"A quantity is from {minimum} to {rules.MAX_LINE_QUANTITY}."}
        )


def _new_address(order: Order, change: OrderChange, described: list) -> tuple[dict, bool]:
    current = {name: getattr(order.shipping_address, name) for name in POSTAL_FIELDS}
    address = current
    if change.shipping_address is not None:
        try:
            address = clean_address(change.shipping_address)
        except ValidationError as error:
            raise ValidationError(
                {f"shipping_address.{name}": msgs for name, msgs in error.message_dict.items()}
            ) from None
        if address != current:
            where = ", ".join(p for p in (address["region"], address["country"]) if p)
            described.append(f"Shipping address changed (now in {where})")
    residential = order.residential if change.residential is None else change.residential
    if residential != order.residential:
        described.append(f"Delivered to {'a home' if residential else 'a business'}")
    return address, residential


def _method_name(order: Order, code: str) -> str:
    if code == order.shipping_method:
        return order.shipping_method_name
    try:
        return Method(code).label
    except ValueError:
        raise ValidationError(
            {"shipping_method": f"There is no shipping method {code!r}."}
        ) from None


def _shortage(short: dict) -> str:
    return "Not enough stock: " + str(OutOfStock(short)).removeprefix("Sorry: ").replace(
        " Please change the quantity in your cart.", ""
    )


# ------------------------------------------------------------------ saving


def change_order(
    *,
    order: Order,
    change: OrderChange,
    by,
    as_staff: bool,
    expected_total: Decimal | None,
    now: datetime | None = None,
    path: str = "",
    preview_token: str = "",
) -> Order:
    """Save `change` exactly as previewed: refused (ChangeRefused, nothing
    changed) if the total is no longer `expected_total` (or, given the
    preview's `token`, the order or the change differ from the preview),
    if stock ran out, or if the payment cannot be adjusted. The history records who changed
    what, staff changes go to the audit log, the shopper gets a mail."""
    try:
        return _save(
            order=order,
            change=change,
            by=by,
            as_staff=as_staff,
            expected_total=expected_total,
            now=now or timezone.now(),
            path=path,
            preview_token=preview_token,
        )
    except OutOfStock as gone:  # someone bought the last units since the preview
        raise ChangeRefused(_shortage(gone.short) + " Nothing was changed.") from None
    except payments.PaymentError as refused:
        raise ChangeRefused(
            f"The payment could not be adjusted: {refused.message} Nothing was changed."
        ) from None
    except GatewayUnavailable:
        raise ChangeRefused(
            "The payment processor did not answer. Nothing was changed; please try again."
        ) from None


@transaction.atomic
def _save(*, order, change, by, as_staff, expected_total, now, path, preview_token) -> Order:
    order = _locked(order)
    preview = _preview(order, change, as_staff=as_staff, now=now)
    if preview.problems:
        raise ChangeRefused(" ".join(preview.problems))
    if not preview.changes:
        raise ChangeRefused("Nothing would change.")
    if expected_total is None:
        raise ChangeRefused("Please preview the change first: it shows the new total.")
    if preview_token and preview_token != preview.token:
        raise ChangeRefused(
            "The order was changed by someone else, or the form was edited, since this "
            "preview. Nothing was changed; please look at the new preview."
        )
    if expected_total != preview.quote.grand_total:
        raise ChangeRefused(
            f"The total would now be {preview.new_total}, not {order.money(expected_total)} "
            "as previewed (the order, a price or the stock changed meanwhile). "
            "Nothing was changed; please look at the new preview."
        )
    if preview.quote.grand_total <= 0:
        raise ChangeRefused("An order must cost something; cancel it instead.")
    changes_so_far = order.events.filter(action="changed").count()
    parts = set(held_by_order(order_id=order.pk)) | {
        line.part_id for line in preview.lines if line.part_id
    }
    inventory.lock_stock(part_ids=parts)
    inventory.release_stock(order=order)
    _write_lines(order, preview)
    _write_order(order, preview)
    inventory.reserve_stock(
        order=order, country=preview.address["country"], region=preview.address["region"]
    )
    before = order.status
    payment = order.payment
    payments.change_payment_amount(
        payment=payment,
        amount=preview.quote.grand_total,
        idempotency_key=f"change:{order.number}:{changes_so_far + 1}:{preview.quote.grand_total}",
        by=by if as_staff else None,
    )
    payment.refresh_from_db()
    if payment.is_offline and order.status in UNSHIPPED:
        paid = payment.status == PaymentStatus.AUTHORIZED
        if paid and order.status == OrderStatus.AWAITING_PAYMENT:
            order.status = OrderStatus.PLACED
        elif not paid and order.status != OrderStatus.AWAITING_PAYMENT:
            order.status = OrderStatus.AWAITING_PAYMENT
        order.save(update_fields=["status", "updated_at"])
    summary = "; ".join(preview.changes)
    _record(
        order,
        "changed",
        before,
        order.status,
        actor=Actor.STAFF if as_staff else Actor.SHOPPER,
        by=by,
        note=summary,
        at=now,
    )
    if as_staff and by is not None:
        audit.record_access(
            staff=by,
            action=AuditAction.CHANGED,
            subject_user_id=order.user_id,
            subject_email=order.email,
            obj=order,
            detail=f"order change: {summary}"[:500],
            path=path,
        )
    _mail(
        order,
        "changed",
        f"Order {order.number} changed",
        {"changes": preview.changes, "payment_note": _shopper_payment_note(preview)},
    )
    return order


def _write_lines(order: Order, preview: ChangePreview) -> None:
    kept = {line.line_id for line in preview.lines if line.line_id}
    OrderLine.objects.filter(order=order).exclude(pk__in=kept).delete()
    for line in preview.lines:
        priced = line.priced
        values = {
            "quantity": priced.quantity,
            "line_total": priced.line_total,
            "tax_rate": priced.tax_rate,
            "tax_amount": priced.tax_amount,
        }
        if line.line_id:
            OrderLine.objects.filter(pk=line.line_id).update(**values)
        else:
            OrderLine.objects.create(
                order=order,
                part_id=line.part_id,
                sku=priced.sku,
                name=priced.name,
                brand=priced.brand,
                mpn=priced.mpn,
                unit_price=priced.unit_price,
                unit_core_charge=priced.unit_core_charge,
                **values,
            )


def _write_order(order: Order, preview: ChangePreview) -> None:
    quote, shipping = preview.quote, preview.shipping
    address = order.shipping_address
    for name in POSTAL_FIELDS:
        setattr(address, name, preview.address[name])
    address.save()  # save(), not update(): the name's search digests follow
    order.items_total = quote.items_total
    order.core_total = quote.core_total
    order.shipping_total = quote.shipping_total
    order.shipping_tax = quote.shipping_tax
    order.tax_total = quote.tax_total
    order.discount_total = quote.discount_total
    order.grand_total = quote.grand_total
    order.shipping_method = shipping.code
    order.shipping_method_name = shipping.name
    order.delivery_earliest = shipping.window.earliest
    order.delivery_latest = shipping.window.latest
    order.residential = preview.residential
    order.save()


def _shopper_payment_note(preview: ChangePreview) -> str:
    due = preview.quote.money(abs(preview.payment_due))
    if preview.offline:
        if preview.payment_due > 0:
            return f"Please send the {due} still owed; we ship when it arrives."
        if preview.payment_due < 0:
            return f"We are returning the {due} you paid beyond the new total."
        return "What you sent covers the order."
    if preview.payment_due > 0:
        return f"We authorized a further {due} on your payment; it is charged when the parts ship."
    if preview.payment_due < 0:
        return f"{due} of the amount held on your payment is released."
    return "The amount held on your payment is unchanged."
