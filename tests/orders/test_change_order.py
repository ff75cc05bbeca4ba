"""O2: changing an order before it ships. Customer service changes the
address, the method and the lines; the shopper the address within O3's
window. Totals are priced as checkout prices them, stock is re-reserved,
the payment adjusted, and nothing changes when any of it is refused."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from camshaft.checkout import services as checkout
from camshaft.core.models import AuditAction, AuditEntry
from camshaft.inventory.models import Allocation, StockLevel
from camshaft.notifications.models import OutboxMessage
from camshaft.orders import changes
from camshaft.orders.changes import ChangeRefused, OrderChange
from camshaft.orders.models import Order, OrderEvent, OrderStatus
from camshaft.payments.models import (
    PaymentStatus,
    PaymentTransaction,
    TestGatewayOperation,
    TransactionKind,
)
from camshaft.tax import services as tax
from tests.concurrency import at_once
from tests.factories import PartFactory, StockLevelFactory, WarehouseFactory
from tests.shopping import ADDRESS, FLAT_RATES, ready_cart, ship_everything

pytestmark = pytest.mark.django_db

OHIO_RATE = Decimal("0.0575")
CENT = Decimal("0.01")
FIXED_AMOUNT_CARD = "4000 0000 0000 0341"
MICHIGAN = {**ADDRESS, "city": "Detroit", "region": "MI", "postal_code": "48201"}


def taxed(amount: Decimal) -> Decimal:
    return (amount * OHIO_RATE).quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture
def ohio():
    """A warehouse in Ohio (nexus there), Ohio 5.75 % with shipping taxed."""
    warehouse = WarehouseFactory(
        code="CMH", city="Columbus", state="OH", latitude="39.9", longitude="-82.9"
    )
    jurisdiction = tax.add_jurisdiction(
        name="Ohio sales tax", country="US", region="OH", taxes_shipping=True
    )
    tax.set_rate(jurisdiction=jurisdiction, rate=OHIO_RATE, effective_from=date(2020, 1, 1))
    return warehouse


@pytest.fixture
def clerk(django_user_model):
    return django_user_model.objects.create_user(
        email="clerk@example.com", password="clutch-plate-77", is_staff=True
    )


def part_in(warehouse, price="20.00", quantity=9, **fields):
    part = PartFactory(price=Decimal(price), **fields)
    StockLevelFactory(part=part, warehouse=warehouse, quantity=quantity)
    return part


def place(parts, *, quantity=1, method="card", number=None, key="k") -> Order:
    extra = {"number": number} if number else {}
    cart = ready_cart(parts=parts, quantity=quantity, method=method, **extra)
    return checkout.place(cart=cart, user=None, currency="USD", idempotency_key=key).order


def reserved(part) -> int:
    return StockLevel.objects.get(part=part).reserved


def save(order, change, *, by, expected, as_staff=True):
    return changes.change_order(
        order=order, change=change, by=by, as_staff=as_staff, expected_total=expected
    )


def preview(order, change, *, as_staff=True):
    return changes.preview_change(order=order, change=change, as_staff=as_staff)


def test_O2_change_quantity_recomputes_tax_and_reserves_stock(ohio, clerk):
    pad = part_in(ohio, "20.00")
    order = place([pad])
    line = order.lines.get()
    change = OrderChange(quantities=((line.pk, 3),))

    shown = preview(order, change)

    shipping = FLAT_RATES["standard"]
    expected = Decimal("60.00") + shipping + taxed(Decimal("60.00")) + taxed(shipping)
    assert shown.quote.grand_total == expected
    assert shown.payment_due == expected - order.grand_total
    assert f"{pad.sku}: quantity 1 → 3" in shown.changes
    assert reserved(pad) == 1  # a preview holds nothing

    save(order, change, by=clerk, expected=shown.quote.grand_total)

    order.refresh_from_db()
    line.refresh_from_db()
    assert (line.quantity, line.line_total, line.tax_amount) == (
        3,
        Decimal("60.00"),
        taxed(Decimal("60.00")),
    )
    assert order.grand_total == expected
    assert reserved(pad) == 3
    assert order.payment.amount == expected
    # The test gateway holds the further amount on the same authorization.
    authorization = TestGatewayOperation.objects.get(
        reference=order.payment.authorization_reference
    )
    assert authorization.amount == expected
    further = PaymentTransaction.objects.get(
        payment=order.payment, kind=TransactionKind.AUTHORIZE, idempotency_key__startswith="change:"
    )
    assert further.amount == expected - Decimal(shown.old_total.amount)


def test_O2_change_lower_quantity_releases_part_of_the_authorization(ohio, clerk):
    pad = part_in(ohio, "20.00")
    order = place([pad], quantity=4)
    before = order.grand_total
    line = order.lines.get()
    shown = preview(order, OrderChange(quantities=((line.pk, 1),)))
    assert shown.payment_due < 0
    assert "released" in shown.payment_note

    save(order, OrderChange(quantities=((line.pk, 1),)), by=clerk, expected=shown.quote.grand_total)

    order.refresh_from_db()
    assert order.payment.amount == order.grand_total < before
    assert reserved(pad) == 1
    authorization = TestGatewayOperation.objects.get(
        reference=order.payment.authorization_reference
    )
    assert authorization.amount == order.grand_total
    release = PaymentTransaction.objects.get(payment=order.payment, kind=TransactionKind.VOID)
    assert release.amount == before - order.grand_total
    assert order.payment.status == PaymentStatus.AUTHORIZED


def test_O2_change_add_a_part_by_sku_at_todays_price_while_lines_keep_theirs(ohio, clerk):
    pad = part_in(ohio, "20.00")
    rotor = part_in(ohio, "30.00", core_charge=Decimal("12.00"))
    order = place([pad])
    pad.price = Decimal("25.00")  # existing lines keep what the shopper paid
    pad.save()
    rotor.price = Decimal("33.00")  # an added part takes today's price
    rotor.save()
    change = OrderChange(additions=((rotor.sku.lower(), 2),))

    shown = preview(order, change)
    save(order, change, by=clerk, expected=shown.quote.grand_total)

    lines = {line.sku: line for line in order.lines.all()}
    assert lines[pad.sku].unit_price == Decimal("20.00")
    assert (lines[rotor.sku].unit_price, lines[rotor.sku].quantity) == (Decimal("33.00"), 2)
    order.refresh_from_db()
    assert order.items_total == Decimal("20.00") + Decimal("66.00")
    assert order.core_total == Decimal("24.00")  # two deposits, untaxed
    assert order.tax_total == taxed(Decimal("86.00")) + taxed(FLAT_RATES["standard"])
    assert reserved(rotor) == 2
    assert Allocation.objects.filter(
        order_line=lines[rotor.sku], status=Allocation.Status.RESERVED, quantity=2
    ).exists()


def test_O2_change_remove_a_line_gives_back_its_stock_and_core_deposit(ohio, clerk):
    pad = part_in(ohio, "20.00")
    starter = part_in(ohio, "150.00", core_charge=Decimal("40.00"))
    order = place([pad, starter])
    assert order.core_total == Decimal("40.00")
    line = order.lines.get(sku=starter.sku)
    change = OrderChange(quantities=((line.pk, 0),))

    shown = preview(order, change)
    save(order, change, by=clerk, expected=shown.quote.grand_total)

    order.refresh_from_db()
    assert list(order.lines.values_list("sku", flat=True)) == [pad.sku]
    assert order.core_total == 0
    assert order.grand_total == order.items_total + order.shipping_total + order.tax_total
    assert reserved(starter) == 0
    assert reserved(pad) == 1


def test_O2_change_the_last_line_cannot_go(ohio, clerk):
    order = place([part_in(ohio)])
    line = order.lines.get()
    with pytest.raises(ValidationError, match="cancel the order"):
        preview(order, OrderChange(quantities=((line.pk, 0),)))


def test_O2_change_bad_input_is_refused_with_a_reason(ohio, clerk):
    order = place([part_in(ohio)])
    line = order.lines.get()
    with pytest.raises(ValidationError, match="no line"):
        preview(order, OrderChange(quantities=((line.pk + 1000, 2),)))
    with pytest.raises(ValidationError, match="from 0 to 999"):
        preview(order, OrderChange(quantities=((line.pk, 1000),)))
    with pytest.raises(ValidationError, match="no part with SKU"):
        preview(order, OrderChange(additions=(("NO-SUCH-SKU", 1),)))
    with pytest.raises(ValidationError, match="on the order already"):
        preview(order, OrderChange(additions=((line.sku, 1),)))
    with pytest.raises(ValidationError) as bad:
        preview(order, OrderChange(shipping_address={**ADDRESS, "postal_code": ""}))
    assert "shipping_address.postal_code" in bad.value.message_dict


def test_O2_change_shipping_address_recomputes_tax(ohio, clerk):
    order = place([part_in(ohio, "20.00")])
    assert order.tax_total > 0
    change = OrderChange(shipping_address=MICHIGAN)

    shown = preview(order, change)
    assert shown.quote.tax_total == 0  # no nexus in Michigan
    save(order, change, by=clerk, expected=shown.quote.grand_total)

    order.refresh_from_db()
    assert (order.shipping_address.city, order.shipping_address.region) == ("Detroit", "MI")
    assert order.tax_total == 0
    assert order.grand_total == Decimal("20.00") + FLAT_RATES["standard"]
    assert order.billing_address.city == ADDRESS["city"]  # the billing address stays


def test_O2_change_shipping_method_prices_it_as_checkout_does(ohio, clerk):
    order = place([part_in(ohio, "20.00")])
    change = OrderChange(shipping_method="two_day")
    shown = preview(order, change)
    save(order, change, by=clerk, expected=shown.quote.grand_total)
    order.refresh_from_db()
    assert (order.shipping_method, order.shipping_total) == ("two_day", FLAT_RATES["two_day"])
    assert order.shipping_tax == taxed(FLAT_RATES["two_day"])
    assert order.delivery_earliest is not None


def test_O2_change_a_method_not_offered_is_a_problem_shown_before_saving(ohio, clerk):
    engine = part_in(ohio, "900.00", freight_class="truck", weight_lb=Decimal("300"))
    order = place([engine])
    shown = preview(order, OrderChange(shipping_method="overnight"))
    assert not shown.can_save
    assert "not offered" in shown.problems[0]
    with pytest.raises(ChangeRefused, match="not offered"):
        save(order, OrderChange(shipping_method="overnight"), by=clerk, expected=order.grand_total)


def test_O2_change_refused_when_the_total_moved_since_the_preview(ohio, clerk):
    """Two clerks preview changes of one order; the first saves; the second
    is refused with the reason, and the first change stays whole."""
    pad = part_in(ohio, "20.00")
    rotor = part_in(ohio, "30.00")
    order = place([pad])
    line = order.lines.get()
    first = OrderChange(quantities=((line.pk, 2),))
    second = OrderChange(additions=((rotor.sku, 1),))
    first_total = preview(order, first).quote.grand_total
    second_total = preview(order, second).quote.grand_total

    save(order, first, by=clerk, expected=first_total)
    with pytest.raises(ChangeRefused, match="as previewed"):
        save(order, second, by=clerk, expected=second_total)

    order.refresh_from_db()
    assert order.grand_total == first_total == order.payment.amount
    assert list(order.lines.values_list("sku", "quantity")) == [(pad.sku, 2)]
    assert reserved(pad) == 2 and reserved(rotor) == 0


def test_O2_change_refused_when_the_stock_ran_out_since_the_preview(ohio, clerk):
    pad = part_in(ohio, "20.00", quantity=3)
    order = place([pad])
    line = order.lines.get()
    change = OrderChange(quantities=((line.pk, 3),))
    shown = preview(order, change)
    assert shown.can_save
    place([pad], key="another-buyer")  # takes one of the two left

    with pytest.raises(ChangeRefused, match="Not enough stock"):
        save(order, change, by=clerk, expected=shown.quote.grand_total)

    order.refresh_from_db()
    assert order.lines.get().quantity == 1
    assert reserved(pad) == 2
    assert order.payment.amount == order.grand_total
    assert not OrderEvent.objects.filter(order=order, action="changed").exists()
    assert preview(order, change).problems  # the next preview says so


def test_O2_change_its_own_reserved_stock_counts_for_the_order(ohio, clerk):
    pad = part_in(ohio, "20.00", quantity=2)
    order = place([pad], quantity=2)  # every unit is this order's
    shown = preview(order, OrderChange(shipping_method="two_day"))
    assert shown.can_save, shown.problems
    save(order, OrderChange(shipping_method="two_day"), by=clerk, expected=shown.quote.grand_total)
    assert reserved(pad) == 2


def test_O2_change_nothing_once_a_shipment_left(ohio, clerk, admin_user):
    order = place([part_in(ohio)])
    ship_everything(order, by=admin_user)
    with pytest.raises(ChangeRefused, match="already shipped"):
        preview(order, OrderChange(shipping_method="two_day"))
    with pytest.raises(ChangeRefused, match="already shipped"):
        save(order, OrderChange(shipping_method="two_day"), by=clerk, expected=order.grand_total)


def test_O2_change_nothing_on_a_cancelled_order(ohio, clerk):
    from camshaft.orders import services as orders

    order = place([part_in(ohio)])
    orders.cancel_order(order=order, by=clerk, as_staff=True)
    with pytest.raises(ChangeRefused, match="cancelled"):
        preview(order, OrderChange(shipping_method="two_day"))


def test_O2_change_a_declined_further_authorization_changes_nothing(ohio, clerk):
    pad = part_in(ohio, "20.00")
    order = place([pad], number=FIXED_AMOUNT_CARD)
    line = order.lines.get()
    change = OrderChange(quantities=((line.pk, 5),))
    shown = preview(order, change)

    with pytest.raises(ChangeRefused, match="declined"):
        save(order, change, by=clerk, expected=shown.quote.grand_total)

    order.refresh_from_db()
    assert order.lines.get().quantity == 1
    assert reserved(pad) == 1
    assert order.payment.amount == order.grand_total
    assert not OrderEvent.objects.filter(order=order, action="changed").exists()
    assert not OutboxMessage.objects.filter(category="order_changed").exists()


def test_O2_change_offline_payment_shows_what_is_owed_and_what_is_due_back(ohio, clerk):
    from camshaft.orders import services as orders

    pad = part_in(ohio, "20.00")
    order = place([pad], method="check")
    orders.record_offline_payment(
        order=order, amount=order.grand_total, reference="chk 1", by=clerk, idempotency_key="r1"
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    line = order.lines.get()

    more = OrderChange(quantities=((line.pk, 2),))
    shown = preview(order, more)
    assert shown.offline and shown.payment_due == shown.quote.grand_total - order.grand_total
    assert "still owed" in shown.payment_note
    save(order, more, by=clerk, expected=shown.quote.grand_total)
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT  # it waits for the rest
    assert order.payment.status == PaymentStatus.AWAITING_PAYMENT

    fewer = OrderChange(quantities=((line.pk, 1),), shipping_address=MICHIGAN)
    shown = preview(order, fewer)
    paid = order.payment.amount_received
    assert shown.payment_due == shown.quote.grand_total - paid < 0
    assert "due back" in shown.payment_note
    save(order, fewer, by=clerk, expected=shown.quote.grand_total)
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    payment = order.payment
    assert payment.status == PaymentStatus.AUTHORIZED
    assert payment.amount == order.grand_total == payment.amount_refundable
    back = PaymentTransaction.objects.get(payment=payment, kind=TransactionKind.REFUND)
    assert back.amount == paid - order.grand_total


def test_O2_change_is_in_the_history_the_audit_log_and_a_mail(ohio, clerk):
    pad = part_in(ohio, "20.00")
    order = place([pad])
    line = order.lines.get()
    change = OrderChange(quantities=((line.pk, 2),), shipping_method="two_day")
    shown = preview(order, change)
    save(order, change, by=clerk, expected=shown.quote.grand_total)

    event = OrderEvent.objects.get(order=order, action="changed")
    assert (event.actor, event.by) == (OrderEvent.Actor.STAFF, clerk)
    assert f"{pad.sku}: quantity 1 → 2" in event.note and "Two-day" in event.note
    entry = AuditEntry.objects.get(action=AuditAction.CHANGED, object_ids=str(order.pk))
    assert entry.staff == clerk and "quantity 1 → 2" in entry.detail
    mail = OutboxMessage.objects.get(category="order_changed")
    assert mail.to_address == order.email
    assert f"{pad.sku}: quantity 1 → 2" in mail.body_text
    assert str(order.money(shown.quote.grand_total)) in mail.body_text


def test_O2_change_address_by_the_shopper_within_the_window(ohio):
    order = place([part_in(ohio, "20.00")])
    change = OrderChange(shipping_address=MICHIGAN)
    shown = preview(order, change, as_staff=False)
    save(order, change, by=None, expected=shown.quote.grand_total, as_staff=False)
    order.refresh_from_db()
    assert order.shipping_address.region == "MI"
    event = OrderEvent.objects.get(order=order, action="changed")
    assert event.actor == OrderEvent.Actor.SHOPPER
    assert not AuditEntry.objects.filter(action=AuditAction.CHANGED).exists()


def test_O2_change_the_shopper_changes_only_the_address(ohio):
    order = place([part_in(ohio, "20.00")])
    line = order.lines.get()
    with pytest.raises(ChangeRefused, match="only the shipping address"):
        preview(order, OrderChange(quantities=((line.pk, 2),)), as_staff=False)


def test_O2_change_address_by_the_shopper_refused_after_the_window(ohio):
    order = place([part_in(ohio, "20.00")])
    Order.objects.filter(pk=order.pk).update(placed_at=timezone.now() - timedelta(hours=25))
    change = OrderChange(shipping_address=MICHIGAN)
    with pytest.raises(ChangeRefused, match="within 24 hours"):
        save(order, change, by=None, expected=order.grand_total, as_staff=False)
    order.refresh_from_db()
    assert order.shipping_address.region == "OH"
    # Customer service still may.
    assert changes.change_decision(order=order, as_staff=True).allowed


@pytest.mark.django_db(transaction=True)
def test_O2_change_two_clerks_at_once_lose_nothing(django_user_model):
    """Real threads on PostgreSQL: two clerks save different changes of one
    order at the same moment, both previewed from the same order. The row
    lock makes them one after the other: the second is refused with the
    reason (the total moved) or applies on top of the first, and the order,
    its stock and its authorization agree at the end."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")
    warehouse = WarehouseFactory(code="CMH", state="OH")
    pad = part_in(warehouse, "20.00")
    rotor = part_in(warehouse, "30.00")
    order = place([pad])
    line = order.lines.get()
    clerks = [
        django_user_model.objects.create_user(email=f"c{n}@example.com", password="x-Y-z-12345")
        for n in range(2)
    ]
    wanted = [
        OrderChange(quantities=((line.pk, 3),)),
        OrderChange(additions=((rotor.sku, 2),)),
    ]
    totals = [preview(order, change).quote.grand_total for change in wanted]
    jobs = iter(zip(clerks, wanted, totals, strict=True))

    def clerk_saves():
        clerk, change, total = next(jobs)
        save(order, change, by=clerk, expected=total)
        return clerk.email

    results, errors = at_once(clerk_saves, threads=2)

    assert len(results) + len(errors) == 2
    assert all(isinstance(e, ChangeRefused) and "as previewed" in e.message for e in errors)
    assert OrderEvent.objects.filter(order=order, action="changed").count() == len(results)
    order.refresh_from_db()
    quantities = dict(order.lines.values_list("sku", "quantity"))
    if len(results) == 1:  # the winner's change is whole, the loser's absent
        assert quantities in ({pad.sku: 3}, {pad.sku: 1, rotor.sku: 2})
    else:
        assert quantities == {pad.sku: 3, rotor.sku: 2}
    assert order.payment.amount == order.grand_total
    assert reserved(pad) == quantities[pad.sku]
    assert reserved(rotor) == quantities.get(rotor.sku, 0)
    authorization = TestGatewayOperation.objects.get(
        reference=order.payment.authorization_reference
    )
    assert authorization.amount == order.grand_total


def test_O2_change_that_changes_nothing_is_not_saved(ohio, clerk):
    order = place([part_in(ohio)])
    same = OrderChange(
        shipping_address={**ADDRESS}, shipping_method=order.shipping_method, residential=True
    )
    shown = preview(order, same)
    assert shown.changes == () and not shown.can_save
    with pytest.raises(ChangeRefused, match="Nothing would change"):
        save(order, same, by=clerk, expected=order.grand_total)
    assert not OrderEvent.objects.filter(order=order, action="changed").exists()


def test_O2_change_address_by_the_shopper_needs_the_further_authorization(ohio, clerk):
    """Moving the parcel to where tax is due raises the total: if the card's
    bank declines holding more, the address stays as it was."""
    order = place([part_in(ohio, "20.00")], number=FIXED_AMOUNT_CARD)
    to_michigan = OrderChange(shipping_address=MICHIGAN)
    save(order, to_michigan, by=clerk, expected=preview(order, to_michigan).quote.grand_total)
    back_home = OrderChange(shipping_address={**ADDRESS})
    shown = preview(order, back_home, as_staff=False)
    assert shown.payment_due > 0

    with pytest.raises(ChangeRefused, match="declined"):
        save(order, back_home, by=None, expected=shown.quote.grand_total, as_staff=False)

    order.refresh_from_db()
    assert order.shipping_address.region == "MI" and order.tax_total == 0
    assert order.payment.amount == order.grand_total


def test_O2_change_a_line_bought_at_a_price_match_quote_never_grows(clerk):
    from camshaft.pricematch import services as pricematch
    from tests.factories import MemberFactory, PriceFloorFactory
    from tests.pricematch.helpers import clerk as pricematch_clerk
    from tests.pricematch.helpers import file_claim
    from tests.shopping import stocked_part

    part, member = stocked_part(), MemberFactory()
    PriceFloorFactory(category=part.category, min_percent=Decimal(50))
    claim = file_claim(part, user=member, quantity=2)
    quote = pricematch.approve_claim(claim=claim, by=pricematch_clerk(), unit_price=Decimal("41"))
    cart = ready_cart(user=member, parts=[part], quantity=2)
    order = checkout.place(cart=cart, user=member, currency="USD", idempotency_key="q").order
    line = order.lines.get()
    assert line.unit_price == quote.unit_price

    with pytest.raises(ValidationError, match="price-match quote for 2"):
        preview(order, OrderChange(quantities=((line.pk, 3),)))
    fewer = OrderChange(quantities=((line.pk, 1),))  # fewer keeps the price paid
    shown = preview(order, fewer)
    assert shown.quote.lines[0].unit_price == quote.unit_price
    save(order, fewer, by=clerk, expected=shown.quote.grand_total)
    assert order.lines.get().quantity == 1
