"""O2 on a partly shipped order: customer service changes what has not
shipped yet (quantities down to what of a line shipped, added parts,
removed unshipped lines, the method and address of the parcels still to
go); what left is untouchable. Shipping already charged stays, a change
adds what it adds to the remaining parcels; the authorization is adjusted
around what the shipments captured, and the last parcel captures the rest."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError

from camshaft.cart import services as cart_services
from camshaft.checkout import services as checkout
from camshaft.inventory.models import Allocation, StockLevel
from camshaft.notifications.models import OutboxMessage
from camshaft.orders import changes
from camshaft.orders import services as orders
from camshaft.orders.changes import ChangeRefused, OrderChange
from camshaft.orders.models import Order, OrderEvent, OrderStatus
from camshaft.payments.models import (
    Authorization,
    PaymentStatus,
    PaymentTransaction,
    TestGatewayOperation,
    TransactionKind,
)
from camshaft.shipping.models import Carrier
from camshaft.tax import services as tax
from tests.concurrency import at_once
from tests.factories import MemberFactory, PartFactory, StockLevelFactory, WarehouseFactory
from tests.shopping import ADDRESS, FLAT_RATES, card, ship_everything

pytestmark = pytest.mark.django_db

OHIO_RATE = Decimal("0.0575")
CENT = Decimal("0.01")
PARCEL = FLAT_RATES["standard"]


def taxed(amount: Decimal) -> Decimal:
    return (amount * OHIO_RATE).quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture
def ohio_tax():
    jurisdiction = tax.add_jurisdiction(
        name="Ohio sales tax", country="US", region="OH", taxes_shipping=True
    )
    tax.set_rate(jurisdiction=jurisdiction, rate=OHIO_RATE, effective_from=date(2020, 1, 1))


@pytest.fixture
def columbus(ohio_tax):
    return WarehouseFactory(
        code="CMH", city="Columbus", state="OH", latitude="39.9", longitude="-82.9"
    )


@pytest.fixture
def cleveland(ohio_tax):
    return WarehouseFactory(
        code="CLE", city="Cleveland", state="OH", latitude="41.5", longitude="-81.7"
    )


@pytest.fixture
def clerk(django_user_model):
    return django_user_model.objects.create_user(
        email="clerk@example.com", password="clutch-plate-77", is_staff=True
    )


def part_in(warehouse, price="20.00", quantity=9):
    part = PartFactory(price=Decimal(price))
    StockLevelFactory(part=part, warehouse=warehouse, quantity=quantity)
    return part


def place(quantities: dict, *, member=None, off_session=False, method="card") -> Order:
    """An order of {part: quantity}, by a guest, or by `member` paying with
    a card they save (and, with `off_session`, let the store charge later)."""
    cart = cart_services.cart_for(user=member)
    for part, quantity in quantities.items():
        cart_services.add_to_cart(cart=cart, sku=part.sku, quantity=quantity)
    email = member.email if member else "pat@example.com"
    checkout.set_addresses(cart=cart, user=member, email=email, billing=ADDRESS)
    checkout.set_shipping_method(cart=cart, code="standard", currency="USD")
    checkout.choose_payment(
        cart=cart,
        user=member,
        method=method,
        card=card() if method == "card" else None,
        save_card=member is not None,
        allow_off_session=off_session,
    )
    return checkout.place(cart=cart, user=member, currency="USD", idempotency_key="k").order


def ship_from(order, warehouse, by):
    return orders.create_shipment(
        order=order,
        warehouse=warehouse,
        carrier=Carrier.objects.get(code="fedex"),
        tracking_number=f"TRK{warehouse.code}",
        by=by,
    )


def reserved(part) -> int:
    return sum(StockLevel.objects.filter(part=part).values_list("reserved", flat=True))


def preview(order, change):
    return changes.preview_change(order=order, change=change, as_staff=True)


def save(order, change, *, by, expected):
    return changes.change_order(
        order=order, change=change, by=by, as_staff=True, expected_total=expected
    )


def snapshot(order) -> tuple:
    """Everything a refused change must leave as it was."""
    order.refresh_from_db()
    payment = order.payment
    return (
        order.grand_total,
        order.shipping_total,
        order.status,
        sorted(order.lines.values_list("sku", "quantity", "tax_amount")),
        sorted(
            Allocation.objects.filter(order_line__order=order).values_list(
                "order_line__sku", "warehouse_id", "quantity", "status"
            )
        ),
        (payment.amount, payment.amount_captured, payment.status),
        OrderEvent.objects.filter(order=order).count(),
    )


def test_O2_change_reduce_an_unshipped_line_of_a_partly_shipped_order(columbus, cleveland, clerk):
    pad, rotor = part_in(columbus, "20.00"), part_in(cleveland, "30.00")
    order = place({pad: 1, rotor: 3})
    assert order.shipping_total == 2 * PARCEL  # a parcel from each warehouse
    first = ship_from(order, columbus, clerk)
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTLY_SHIPPED
    # The first parcel took the pad, its tax and all the shipping charged.
    assert first.amount_captured == (
        Decimal("20.00") + taxed(Decimal("20.00")) + order.shipping_total + order.shipping_tax
    )
    rotor_line = order.lines.get(sku=rotor.sku)
    change = OrderChange(quantities=((rotor_line.pk, 1),))

    shown = preview(order, change)

    # Shipping already charged stays: the rest is still one parcel.
    expected = (
        Decimal("20.00")
        + Decimal("30.00")
        + taxed(Decimal("20.00"))
        + taxed(Decimal("30.00"))
        + order.shipping_total
        + order.shipping_tax
    )
    assert shown.quote.grand_total == expected
    assert shown.payment_due == expected - order.grand_total < 0
    assert f"{rotor.sku}: quantity 3 → 1" in shown.changes
    assert shown.can_save, shown.problems

    save(order, change, by=clerk, expected=shown.quote.grand_total)

    order.refresh_from_db()
    assert order.status == OrderStatus.PARTLY_SHIPPED
    assert order.grand_total == expected
    assert dict(order.lines.values_list("sku", "quantity")) == {pad.sku: 1, rotor.sku: 1}
    assert reserved(rotor) == 1 and reserved(pad) == 0
    payment = order.payment
    assert payment.amount == expected
    assert payment.amount_captured == first.amount_captured  # what shipped is untouched
    assert OrderEvent.objects.filter(order=order, action="changed").count() == 1
    assert OutboxMessage.objects.filter(category="order_changed").count() == 1

    # The last parcel captures exactly the rest, and the processor is told
    # it is the final capture, so it releases what the hold had beyond it.
    last = ship_from(order, cleveland, clerk)
    payment.refresh_from_db()
    assert last.amount_captured == expected - first.amount_captured
    assert (payment.amount_captured, payment.status) == (expected, PaymentStatus.CAPTURED)
    hold = TestGatewayOperation.objects.get(reference=payment.authorization_reference)
    assert hold.amount == expected


def test_O2_change_a_shipped_line_is_refused_by_name_and_nothing_changes(
    columbus, cleveland, clerk
):
    pad, rotor = part_in(columbus, "20.00"), part_in(cleveland, "30.00")
    order = place({pad: 1, rotor: 2})
    ship_from(order, columbus, clerk)
    pad_line = order.lines.get(sku=pad.sku)
    rotor_line = order.lines.get(sku=rotor.sku)
    before = snapshot(order)

    for asked in (
        OrderChange(quantities=((pad_line.pk, 2),)),
        OrderChange(quantities=((pad_line.pk, 0), (rotor_line.pk, 1))),
    ):
        with pytest.raises(ChangeRefused, match=f"Already shipped.*{pad.sku}"):
            preview(order, asked)
        with pytest.raises(ChangeRefused, match=f"Already shipped.*{pad.sku}"):
            save(order, asked, by=clerk, expected=order.grand_total)
    with pytest.raises(ValidationError, match="has shipped"):
        preview(order, OrderChange(additions=((pad.sku, 1),)))
    # Removing every unshipped line would leave nothing to ship.
    with pytest.raises(ChangeRefused, match="Nothing would be left to ship"):
        preview(order, OrderChange(quantities=((rotor_line.pk, 0),)))

    assert snapshot(order) == before
    assert not OutboxMessage.objects.filter(category="order_changed").exists()


def test_O2_change_a_partly_shipped_line_never_goes_below_what_shipped(columbus, cleveland, clerk):
    """Two units, one from each warehouse: once one left, the line may
    fall to 1 (what shipped) but not to 0."""
    pad = part_in(columbus, "20.00", quantity=1)
    StockLevelFactory(part=pad, warehouse=cleveland, quantity=1)
    rotor = part_in(cleveland, "30.00")
    order = place({pad: 2, rotor: 1})
    ship_from(order, columbus, clerk)
    line = order.lines.get(sku=pad.sku)

    below = rf"below what of it has shipped: {pad.sku} \(1 shipped\)"
    with pytest.raises(ChangeRefused, match=below):
        preview(order, OrderChange(quantities=((line.pk, 0),)))

    shown = preview(order, OrderChange(quantities=((line.pk, 1),)))
    save(order, OrderChange(quantities=((line.pk, 1),)), by=clerk, expected=shown.quote.grand_total)
    line.refresh_from_db()
    assert line.quantity == 1
    assert reserved(pad) == 0  # its one unit shipped; nothing more is held
    order.refresh_from_db()
    assert order.payment.amount == order.grand_total


def test_O2_change_add_a_part_to_a_partly_shipped_order_reserves_it_and_authorizes_more(
    columbus, cleveland, clerk
):
    """The checkout's hold was captured from, so the processor cannot raise
    it: the difference is held separately on the card the member saved and
    let us charge later. The added part ships from the other warehouse,
    so the remaining parcels cost one parcel more."""
    pad, rotor = part_in(columbus, "20.00"), part_in(cleveland, "30.00")
    caliper = part_in(columbus, "45.00", quantity=5)
    order = place({pad: 1, rotor: 1}, member=MemberFactory(), off_session=True)
    first = ship_from(order, columbus, clerk)
    order.refresh_from_db()
    change = OrderChange(additions=((caliper.sku, 2),))

    shown = preview(order, change)

    added = Decimal("90.00") + taxed(Decimal("90.00")) + PARCEL + taxed(PARCEL)
    assert shown.quote.grand_total == order.grand_total + added
    assert shown.quote.shipping_total == order.shipping_total + PARCEL
    assert shown.payment_due == added
    assert "further" in shown.payment_note

    save(order, change, by=clerk, expected=shown.quote.grand_total)

    order.refresh_from_db()
    payment = order.payment
    assert reserved(caliper) == 2
    assert reserved(rotor) == 1 and reserved(pad) == 0
    assert payment.amount == order.grand_total == shown.quote.grand_total
    assert payment.amount_captured == first.amount_captured
    holds = list(Authorization.objects.filter(payment=payment).order_by("id"))
    assert [hold.amount for hold in holds] == [shown.old_total.amount, added]
    assert TestGatewayOperation.objects.get(reference=holds[1].reference).amount == added

    ship_everything(order, by=clerk)
    payment.refresh_from_db()
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert (payment.amount_captured, payment.status) == (
        order.grand_total,
        PaymentStatus.CAPTURED,
    )


def test_O2_change_adding_to_a_partly_shipped_order_without_a_card_to_charge_changes_nothing(
    columbus, cleveland, clerk
):
    pad, rotor = part_in(columbus, "20.00"), part_in(cleveland, "30.00")
    caliper = part_in(cleveland, "45.00")
    order = place({pad: 1, rotor: 1})  # a guest's card: nothing saved to charge
    ship_from(order, columbus, clerk)
    before = snapshot(order)
    change = OrderChange(additions=((caliper.sku, 1),))
    shown = preview(order, change)
    assert shown.quote.shipping_total == order.shipping_total  # same parcel as the rotor

    with pytest.raises(ChangeRefused, match=r"could not be adjusted.*Nothing was changed"):
        save(order, change, by=clerk, expected=shown.quote.grand_total)

    assert snapshot(order) == before
    assert reserved(caliper) == 0
    assert (
        not PaymentTransaction.objects.filter(
            payment=order.payment, kind=TransactionKind.AUTHORIZE, status="approved"
        )
        .exclude(idempotency_key__startswith="authorize:")
        .exists()
    )


def test_O2_change_the_rest_of_a_partly_shipped_order_goes_to_a_new_address(
    columbus, cleveland, clerk
):
    """The address of the parcels still to go may change; shipped lines keep
    the tax they were charged, the rest is taxed where it now goes."""
    pad, rotor = part_in(columbus, "20.00"), part_in(cleveland, "30.00")
    order = place({pad: 1, rotor: 1})
    ship_from(order, columbus, clerk)
    order.refresh_from_db()
    michigan = {**ADDRESS, "city": "Detroit", "region": "MI", "postal_code": "48201"}
    change = OrderChange(shipping_address=michigan)

    shown = preview(order, change)

    taxes = {line.sku: line.tax_amount for line in shown.quote.lines}
    assert taxes == {pad.sku: taxed(Decimal("20.00")), rotor.sku: Decimal(0)}
    assert shown.quote.shipping_tax == order.shipping_tax  # charged with the first parcel
    save(order, change, by=clerk, expected=shown.quote.grand_total)
    order.refresh_from_db()
    assert order.shipping_address.region == "MI"
    assert order.payment.amount == order.grand_total


def test_O2_change_an_order_shipped_in_full_is_refused(columbus, clerk):
    order = place({part_in(columbus): 1})
    ship_everything(order, by=clerk)
    order.refresh_from_db()
    decision = changes.change_decision(order=order, as_staff=True)
    assert not decision.allowed and "already shipped" in decision.reason


@pytest.mark.django_db(transaction=True)
def test_O2_change_two_clerks_at_once_on_a_partly_shipped_order_lose_nothing(
    django_user_model,
):
    """Real threads on PostgreSQL: two clerks save different changes of the
    unshipped rest of one order at the same moment. The order's row lock
    makes them one after the other; at the end the lines, the stock held,
    the authorization and the captures agree, and the shipped line is as
    it shipped."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")
    jurisdiction = tax.add_jurisdiction(
        name="Ohio sales tax", country="US", region="OH", taxes_shipping=True
    )
    tax.set_rate(jurisdiction=jurisdiction, rate=OHIO_RATE, effective_from=date(2020, 1, 1))
    columbus = WarehouseFactory(code="CMH", state="OH", latitude="39.9", longitude="-82.9")
    cleveland = WarehouseFactory(code="CLE", state="OH", latitude="41.5", longitude="-81.7")
    pad, rotor = part_in(columbus, "20.00"), part_in(cleveland, "30.00")
    caliper = part_in(cleveland, "45.00")
    clerks = [
        django_user_model.objects.create_user(email=f"c{n}@example.com", password="x-Y-z-12345")
        for n in range(2)
    ]
    order = place({pad: 1, rotor: 3}, member=MemberFactory(), off_session=True)
    first = ship_from(order, columbus, clerks[0])
    rotor_line = order.lines.get(sku=rotor.sku)
    wanted = [
        OrderChange(quantities=((rotor_line.pk, 1),)),
        OrderChange(additions=((caliper.sku, 2),)),
    ]
    totals = [preview(order, change).quote.grand_total for change in wanted]
    jobs = iter(zip(clerks, wanted, totals, strict=True))

    def clerk_saves():
        clerk, change, total = next(jobs)
        save(order, change, by=clerk, expected=total)
        return clerk.email

    results, errors = at_once(clerk_saves, threads=2)

    assert len(results) + len(errors) == 2 and results
    assert all(isinstance(e, ChangeRefused) and "as previewed" in e.message for e in errors)
    assert OrderEvent.objects.filter(order=order, action="changed").count() == len(results)
    order.refresh_from_db()
    quantities = dict(order.lines.values_list("sku", "quantity"))
    if len(results) == 1:
        assert quantities in (
            {pad.sku: 1, rotor.sku: 1},
            {pad.sku: 1, rotor.sku: 3, caliper.sku: 2},
        )
    else:
        assert quantities == {pad.sku: 1, rotor.sku: 1, caliper.sku: 2}
    assert reserved(pad) == 0
    assert reserved(rotor) == quantities[rotor.sku]
    assert reserved(caliper) == quantities.get(caliper.sku, 0)
    payment = order.payment
    assert payment.amount == order.grand_total
    assert payment.amount_captured == first.amount_captured
    assert sum(hold.amount for hold in payment.authorizations.filter(voided=False)) == (
        order.grand_total
    )
    ship_everything(order, by=clerks[1])
    payment.refresh_from_db()
    assert (payment.amount_captured, payment.status) == (
        order.grand_total,
        PaymentStatus.CAPTURED,
    )


def test_O2_change_back_office_shows_shipped_lines_and_refuses_them_by_name(
    client, columbus, cleveland
):
    from django.urls import reverse

    from camshaft.accounts.roles import CUSTOMER_SERVICE
    from tests.staff import sign_in_with_role

    clerk = sign_in_with_role(client, CUSTOMER_SERVICE)
    pad, rotor = part_in(columbus, "20.00"), part_in(cleveland, "30.00")
    order = place({pad: 1, rotor: 2})
    ship_from(order, columbus, clerk)
    order.refresh_from_db()
    pad_line, rotor_line = order.lines.get(sku=pad.sku), order.lines.get(sku=rotor.sku)
    assert (
        reverse("admin:orders_order_change_order", args=[order.pk])
        in client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    )
    url = reverse("admin:orders_order_change_order", args=[order.pk])

    page = client.get(url).content.decode()
    assert "Part of this order has shipped" in page
    assert "1 of 1" in page and "Shipped: it cannot change" in page
    form = {name: getattr(order.shipping_address, name) for name in ADDRESS}
    form.update(residential="on", shipping_method=order.shipping_method)
    form.update({f"line_{pad_line.pk}": "3", f"line_{rotor_line.pk}": "2", "preview": "1"})
    before = snapshot(order)

    refused = client.post(url, form)

    assert refused.status_code == 400
    assert f"Already shipped, so it cannot change: {pad.sku}" in refused.content.decode()
    assert refused.context["preview"] is None
    assert snapshot(order) == before

    form.update({f"line_{pad_line.pk}": "1", f"line_{rotor_line.pk}": "1"})
    shown = client.post(url, form).context["preview"]
    assert shown.can_save and f"{rotor.sku}: quantity 2 → 1" in shown.changes
    saved = client.post(
        url,
        {
            **form,
            "expected_total": str(shown.quote.grand_total),
            "preview_token": shown.token,
            "save": "1",
        },
    )
    assert saved.status_code == 302
    assert order.lines.get(sku=rotor.sku).quantity == 1


def test_O2_change_a_partly_shipped_order_paid_by_check_changes_within_what_was_paid(
    columbus, cleveland, clerk
):
    pad, rotor = part_in(columbus, "20.00"), part_in(cleveland, "30.00")
    caliper = part_in(cleveland, "45.00")
    order = place({pad: 1, rotor: 3}, method="check")
    orders.record_offline_payment(
        order=order, amount=order.grand_total, reference="chk 1", by=clerk, idempotency_key="r1"
    )
    ship_from(order, columbus, clerk)
    order.refresh_from_db()
    paid = order.payment.amount_received

    more = preview(order, OrderChange(additions=((caliper.sku, 1),)))
    assert not more.can_save and "may not cost more" in " ".join(more.problems)

    rotor_line = order.lines.get(sku=rotor.sku)
    fewer = OrderChange(quantities=((rotor_line.pk, 1),))
    shown = preview(order, fewer)
    assert shown.payment_due < 0 and "due back" in shown.payment_note
    save(order, fewer, by=clerk, expected=shown.quote.grand_total)

    order.refresh_from_db()
    payment = order.payment
    assert order.status == OrderStatus.PARTLY_SHIPPED  # not back to awaiting payment
    assert payment.status == PaymentStatus.PARTLY_CAPTURED
    back = PaymentTransaction.objects.get(payment=payment, kind=TransactionKind.REFUND)
    assert back.amount == paid - order.grand_total
    ship_from(order, cleveland, clerk)
    payment.refresh_from_db()
    assert (payment.amount_captured, payment.status) == (
        order.grand_total,
        PaymentStatus.CAPTURED,
    )


@pytest.mark.django_db(transaction=True)
def test_O2_change_and_the_last_parcel_leaving_at_once_lose_nothing(django_user_model):
    """Real threads on PostgreSQL: a clerk lowers the unshipped line while
    the warehouse ships it. Either the change comes first and the parcel
    carries the lowered quantity, or the parcel leaves first and the change
    is refused (the order has shipped); either way the captures add up to
    the order's total and no stock stays held or goes missing."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")
    jurisdiction = tax.add_jurisdiction(
        name="Ohio sales tax", country="US", region="OH", taxes_shipping=True
    )
    tax.set_rate(jurisdiction=jurisdiction, rate=OHIO_RATE, effective_from=date(2020, 1, 1))
    columbus = WarehouseFactory(code="CMH", state="OH", latitude="39.9", longitude="-82.9")
    cleveland = WarehouseFactory(code="CLE", state="OH", latitude="41.5", longitude="-81.7")
    pad, rotor = part_in(columbus, "20.00"), part_in(cleveland, "30.00", quantity=9)
    clerk = django_user_model.objects.create_user(email="c@example.com", password="x-Y-z-12345")
    order = place({pad: 1, rotor: 3})
    ship_from(order, columbus, clerk)
    rotor_line = order.lines.get(sku=rotor.sku)
    change = OrderChange(quantities=((rotor_line.pk, 1),))
    total = preview(order, change).quote.grand_total
    jobs = iter(["change", "ship"])

    def act():
        if next(jobs) == "change":
            save(order, change, by=clerk, expected=total)
            return "changed"
        ship_from(order, cleveland, clerk)
        return "shipped"

    results, errors = at_once(act, threads=2)

    assert "shipped" in results
    assert all(isinstance(e, ChangeRefused) and "already shipped" in e.message for e in errors)
    order.refresh_from_db()
    rotor_line.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert rotor_line.quantity == (1 if "changed" in results else 3)
    payment = order.payment
    assert (payment.amount_captured, payment.status) == (
        order.grand_total,
        PaymentStatus.CAPTURED,
    )
    level = StockLevel.objects.get(part=rotor)
    assert (level.quantity, level.reserved) == (9 - rotor_line.quantity, 0)
