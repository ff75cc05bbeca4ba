"""Returns (R1-R3) through the services: who may send what back, the
states of a return, the stock and the money."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from camshaft.inventory.models import StockLevel
from camshaft.notifications.models import OutboxMessage
from camshaft.orders.models import OrderStatus
from camshaft.payments.models import TransactionKind
from camshaft.returns import rules, selectors, services
from camshaft.returns.models import Reason, ReturnRequest, Status
from camshaft.returns.services import Received, ReturnProblem, WantedLine
from tests.returns.helpers import clerk, delivered_order
from tests.shopping import stocked_part

pytestmark = pytest.mark.django_db

AS_SOLD = rules.Condition(unused=True, original_packaging=True, complete=True)


def file(order, *, quantity=1, reason=Reason.NOT_NEEDED, condition=AS_SOLD, key="r1", line=None):
    line = line or order.lines.get()
    return services.file_return(
        order=order,
        lines=[WantedLine(line.pk, quantity)],
        reason=reason,
        condition=condition,
        channel="web",
        idempotency_key=key,
    )


def receive_all(request, **outcome):
    counts = {
        line.pk: Received(**(outcome or {"as_new": line.quantity})) for line in request.lines.all()
    }
    return services.receive_return(request=request, counts=counts, by=clerk())


def test_R1_a_return_within_30_days_goes_through_every_state_with_mail():
    order = delivered_order()
    request = file(order)
    assert request.status == Status.REQUESTED and request.number.startswith("R-")
    services.authorize_return(request=request, by=clerk())
    receive_all(request)
    request.refresh_from_db()
    assert request.status == Status.RECEIVED and request.refund_due
    services.refund_return(request=request, by=clerk())
    request.refresh_from_db()
    assert request.status == Status.REFUNDED
    assert [e.to_status for e in request.events.all()] == [
        "requested",
        "authorized",
        "received",
        "refunded",
    ]
    subjects = list(
        OutboxMessage.objects.filter(reference=f"return:{request.number}").values_list(
            "subject", flat=True
        )
    )
    assert len(subjects) == 4 and any(s.startswith("Credit approved") for s in subjects)


def test_R1_day_30_is_the_last_day_on_the_store_calendar():
    delivered = timezone.now() - timedelta(days=30)
    order = delivered_order(delivered_at=delivered)
    facts = selectors.line_facts(order)[order.lines.get().pk]
    assert rules.may_return(facts, now=delivered + timedelta(days=30)).allowed
    late = rules.may_return(facts, now=delivered + timedelta(days=31, hours=1))
    assert not late.allowed and "30 days" in late.reason


def test_R1_past_the_window_is_refused_and_nothing_is_filed():
    order = delivered_order(delivered_at=timezone.now() - timedelta(days=40))
    with pytest.raises(ReturnProblem, match="30 days"):
        file(order)
    assert not ReturnRequest.objects.exists()


@pytest.mark.parametrize(
    "flags, words",
    [
        ({"is_special_order": True}, "special-order"),
        ({"is_custom_made": True}, "custom-made"),
        ({"returnability": "non_returnable"}, "cannot be returned"),
    ],
)
def test_R1_special_order_and_custom_made_parts_never_come_back(flags, words):
    order = delivered_order(parts=[stocked_part(**flags)])
    row = selectors.returnable_lines(order)[0]
    assert not row.decision.allowed and words in row.decision.reason
    with pytest.raises(ReturnProblem, match=words):
        file(order)


def test_R1_electrical_parts_and_manuals_only_sealed():
    order = delivered_order(parts=[stocked_part(returnability="unopened_only")])
    with pytest.raises(ReturnProblem, match="unopened"):
        file(order)
    sealed = rules.Condition(unused=True, original_packaging=True, complete=True, sealed=True)
    assert file(order, condition=sealed).status == Status.REQUESTED


def test_R1_unused_in_original_packaging_and_complete():
    order = delivered_order()
    with pytest.raises(ReturnProblem, match="original packaging"):
        file(order, condition=rules.Condition(unused=True, complete=True))


def test_R1_a_store_error_comes_back_whatever_the_class_and_condition():
    order = delivered_order(parts=[stocked_part(returnability="unopened_only")])
    request = file(order, reason=Reason.WRONG_SHIPPED, condition=rules.Condition())
    assert request.store_fault


def test_R2_never_more_than_delivered_minus_already_returned():
    order = delivered_order(quantity=2)
    file(order, quantity=1, key="a")
    with pytest.raises(ReturnProblem, match="At most 1"):
        file(order, quantity=2, key="b")
    file(order, quantity=1, key="c")
    with pytest.raises(ReturnProblem, match="already being returned"):
        file(order, quantity=1, key="d")


def test_R2_a_rejected_return_frees_its_units():
    order = delivered_order(quantity=1)
    first = file(order, key="a")
    services.reject_return(request=first, reason="Photos show the part installed.", by=clerk())
    assert file(order, key="b").status == Status.REQUESTED


def test_R2_a_double_submit_files_one_return():
    order = delivered_order()
    assert file(order, key="same") == file(order, key="same")
    assert ReturnRequest.objects.count() == 1


def test_R2_someone_elses_line_is_refused():
    mine, theirs = delivered_order(key="o1"), delivered_order(key="o2")
    with pytest.raises(ReturnProblem, match="not part of this order"):
        file(mine, line=theirs.lines.get())


def test_R2_an_undelivered_order_cannot_be_returned():
    from camshaft.checkout import services as checkout
    from tests.shopping import ready_cart

    order = checkout.place(cart=ready_cart(), user=None, currency="USD", idempotency_key="k").order
    with pytest.raises(ReturnProblem, match="delivered"):
        file(order)


def test_R2_bad_quantities_and_an_empty_choice_are_refused():
    order = delivered_order()
    with pytest.raises(ReturnProblem, match="at least one"):
        file(order, quantity=0)
    with pytest.raises(ReturnProblem, match="whole number"):
        file(order, quantity=-1)


def test_R2_authorization_names_the_warehouse_and_a_label_for_store_errors():
    order = delivered_order()
    request = file(order, reason=Reason.DEFECTIVE, condition=rules.Condition())
    services.authorize_return(request=request, by=clerk())
    request.refresh_from_db()
    shipment = order.shipments.get()
    assert request.warehouse == shipment.warehouse
    assert request.label_carrier == str(shipment.carrier)
    mail = OutboxMessage.objects.get(
        reference=f"return:{request.number}", category="order_return_authorized"
    )
    assert request.number in mail.body_text and shipment.warehouse.street in mail.body_text


def test_R2_a_change_of_mind_gets_no_prepaid_label():
    request = file(delivered_order())
    services.authorize_return(request=request, by=clerk())
    request.refresh_from_db()
    assert request.label_carrier == ""


def test_R2_good_units_go_back_to_stock_the_rest_is_written_off():
    order = delivered_order(quantity=3)
    line = order.lines.get()
    level = StockLevel.objects.get(part=line.part, warehouse=order.shipments.get().warehouse)
    request = file(order, quantity=3)
    services.authorize_return(request=request, by=clerk())
    receive_all(request, as_new=2, damaged=1)
    level.refresh_from_db()
    assert level.quantity == 50 - 3 + 2


def test_R2_partial_receipt_waits_for_the_rest_or_closes_on_request():
    order = delivered_order(quantity=2)
    request = file(order, quantity=2)
    services.authorize_return(request=request, by=clerk())
    return_line = request.lines.get()
    services.receive_return(
        request=request, counts={return_line.pk: Received(as_new=1)}, by=clerk()
    )
    request.refresh_from_db()
    assert request.status == Status.AUTHORIZED
    with pytest.raises(ReturnProblem, match="already been counted"):
        services.receive_return(
            request=request, counts={return_line.pk: Received(as_new=2)}, by=clerk()
        )
    services.receive_return(request=request, counts={}, by=clerk(), complete=True)
    request.refresh_from_db()
    assert request.status == Status.RECEIVED


def test_R3_refund_is_price_core_and_tax_of_units_back_as_new():
    part = stocked_part(price=Decimal("40.00"), core_charge=Decimal("10.00"))
    order = delivered_order(parts=[part], quantity=2)
    line = order.lines.get()
    request = file(order, quantity=2)
    services.authorize_return(request=request, by=clerk())
    receive_all(request, as_new=1, damaged=1)
    request.refresh_from_db()
    services.refund_return(request=request, by=clerk())
    request.refresh_from_db()
    tax = (line.tax_amount / 2).quantize(Decimal("0.01"))
    assert request.refund_total == Decimal("50.00") + tax
    refund = order.payment.transactions.get(kind=TransactionKind.REFUND)
    assert refund.amount == request.refund_total
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTLY_REFUNDED


def test_R3_return_postage_only_for_a_store_error():
    order = delivered_order()
    request = file(order)
    services.authorize_return(request=request, by=clerk())
    line = request.lines.get()
    with pytest.raises(ReturnProblem, match="store error"):
        services.receive_return(
            request=request,
            counts={line.pk: Received(as_new=1)},
            by=clerk(),
            return_freight=Decimal("8.00"),
        )
    request.refresh_from_db()
    assert request.status == Status.AUTHORIZED and request.lines.get().received == 0


def test_R3_everything_back_makes_the_order_returned():
    order = delivered_order(quantity=1)
    request = file(order, reason=Reason.DAMAGED, condition=rules.Condition())
    services.authorize_return(request=request, by=clerk())
    receive_all(request, damaged=1)
    services.refund_return(request=request, by=clerk())
    order.refresh_from_db()
    assert order.status == OrderStatus.RETURNED


def test_R3_a_missing_item_is_refunded_without_sending_anything_back():
    order = delivered_order(quantity=1)
    request = file(order, reason=Reason.MISSING, condition=rules.Condition())
    services.authorize_return(request=request, by=clerk())
    request.refresh_from_db()
    assert request.status == Status.RECEIVED


def test_R3_the_job_refunds_due_returns_unless_held():
    order = delivered_order(key="a")
    held_order = delivered_order(key="b")
    due, held = file(order), file(held_order)
    for request in (due, held):
        services.authorize_return(request=request, by=clerk())
        receive_all(request)
    services.hold_refund(request=held, hold=True, note="check the box", by=clerk())
    later = timezone.now() + timedelta(days=5)
    assert services.refund_due_returns(later).startswith("1 refunded")
    due.refresh_from_db()
    held.refresh_from_db()
    assert due.status == Status.REFUNDED and held.status == Status.RECEIVED
    assert list(selectors.overdue_refunds(now=later)) == [held]


def test_R3_offline_payments_are_refunded_by_staff_with_a_reference():
    order = delivered_order(method="check")
    request = file(order)
    services.authorize_return(request=request, by=clerk())
    receive_all(request)
    assert services.refund_due_returns(timezone.now() + timedelta(days=5)).startswith("0 ")
    with pytest.raises(ReturnProblem, match="paid offline"):
        services.refund_return(request=request, by=clerk())
    services.refund_return(request=request, by=clerk(), offline_reference="check 1042")
    request.refresh_from_db()
    assert request.status == Status.REFUNDED
    assert "check 1042" in request.events.last().note


def test_R3_two_refunds_of_one_return_refund_once():
    order = delivered_order()
    request = file(order)
    services.authorize_return(request=request, by=clerk())
    receive_all(request)
    services.refund_return(request=request, by=clerk())
    services.refund_return(request=request, by=clerk())
    assert order.payment.transactions.filter(kind=TransactionKind.REFUND).count() == 1


def test_R3_a_refund_never_exceeds_what_is_left_to_refund():
    order = delivered_order(quantity=1)
    payment = order.payment
    from camshaft.payments import services as payments

    payments.refund_payment(
        payment=payment, amount=payment.amount_refundable - Decimal("5.00"), idempotency_key="x"
    )
    request = file(order, reason=Reason.DEFECTIVE, condition=rules.Condition())
    services.authorize_return(request=request, by=clerk())
    receive_all(request, as_new=1)
    services.refund_return(request=request, by=clerk())
    request.refresh_from_db()
    payment.refresh_from_db()
    assert request.refund_total == Decimal("5.00") and payment.amount_refundable == 0


def test_R2_states_only_move_forward():
    request = file(delivered_order())
    with pytest.raises(ReturnProblem, match="requested return cannot be received"):
        services.receive_return(request=request, counts={}, by=clerk())
    services.reject_return(request=request, reason="No.", by=clerk())
    with pytest.raises(ReturnProblem, match="rejected return cannot be authorized"):
        services.authorize_return(request=request, by=clerk())
    with pytest.raises(ReturnProblem, match="Say why"):
        services.reject_return(
            request=file(delivered_order(key="o2"), key="r2"), reason=" ", by=clerk()
        )
