"""Core deposits (R4): the old part back within 60 days, inspected, the
deposit refunded or refused; reminded at day 45, kept after day 60."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from camshaft.notifications.models import OutboxMessage
from camshaft.payments.models import TransactionKind
from camshaft.returns import rules, selectors, services
from camshaft.returns.models import CoreDepositNotice, CoreReturn, CoreStatus, Reason
from camshaft.returns.services import ReturnProblem, WantedLine
from tests.returns.helpers import clerk, delivered_order
from tests.shopping import stocked_part

pytestmark = pytest.mark.django_db


def core_order(*, quantity=2, days_ago=0, key="o1"):
    part = stocked_part(price=Decimal("120.00"), core_charge=Decimal("35.00"))
    return delivered_order(
        parts=[part],
        quantity=quantity,
        key=key,
        delivered_at=timezone.now() - timedelta(days=days_ago),
    )


def file_core(order, *, quantity=1, key="c1"):
    return services.file_core_return(
        order=order,
        order_line_id=order.lines.get().pk,
        quantity=quantity,
        channel="web",
        idempotency_key=key,
    )


def test_R4_core_returned_in_time_and_clean_refunds_the_deposit():
    order = core_order()
    core = file_core(order)
    assert core.status == CoreStatus.REQUESTED and core.deposit == Decimal("35.00")
    assert core.warehouse == order.shipments.get().warehouse
    services.inspect_core(core=core, same_part=True, undamaged=True, drained=True, by=clerk())
    core.refresh_from_db()
    assert core.status == CoreStatus.REFUNDED
    refund = order.payment.transactions.get(kind=TransactionKind.REFUND)
    assert refund.amount == Decimal("35.00")
    assert OutboxMessage.objects.filter(category="order_core_refunded").exists()


def test_R4_a_core_not_drained_is_refused_with_the_reason():
    core = file_core(core_order())
    services.inspect_core(core=core, same_part=True, undamaged=True, drained=False, by=clerk())
    core.refresh_from_db()
    assert core.status == CoreStatus.REFUSED and "drained" in core.refuse_reason
    assert not core.order_line.order.payment.transactions.filter(
        kind=TransactionKind.REFUND
    ).exists()


def test_R4_inspecting_twice_refunds_once():
    core = file_core(core_order())
    for _ in range(2):
        services.inspect_core(core=core, same_part=True, undamaged=True, drained=True, by=clerk())
    payment = core.order_line.order.payment
    assert payment.transactions.filter(kind=TransactionKind.REFUND).count() == 1


def test_R4_after_60_days_the_core_is_refused():
    order = core_order(days_ago=62)  # 61 calendar days can be 60 store days across DST
    with pytest.raises(ReturnProblem, match="60 days"):
        file_core(order)
    assert not CoreReturn.objects.exists()


def test_R4_never_more_cores_than_deposits_left():
    order = core_order(quantity=2)
    file_core(order, quantity=1, key="a")
    with pytest.raises(ReturnProblem, match="At most 1"):
        file_core(order, quantity=2, key="b")
    # a part returned as such takes its deposit with it
    services.file_return(
        order=order,
        lines=[WantedLine(order.lines.get().pk, 1)],
        reason=Reason.NOT_NEEDED,
        condition=rules.Condition(unused=True, original_packaging=True, complete=True),
        channel="web",
        idempotency_key="r",
    )
    with pytest.raises(ReturnProblem, match="No core deposit"):
        file_core(order, quantity=1, key="c")


def test_R4_a_line_without_a_core_charge_has_no_core_return():
    order = delivered_order()
    with pytest.raises(ReturnProblem, match="no core deposit"):
        file_core(order)


def test_R4_reminder_at_day_45_once_and_deposit_kept_after_day_60():
    order = core_order(quantity=2, days_ago=46)
    file_core(order, quantity=1)
    now = timezone.now()
    assert services.core_deposit_job(now).startswith("1 core reminders")
    assert services.core_deposit_job(now).startswith("0 core reminders")
    reminder = OutboxMessage.objects.get(category="order_core_reminder")
    assert "35.00" in reminder.subject
    later = now + timedelta(days=20)
    assert services.core_deposit_job(later).endswith("1 deposits kept")
    notice = CoreDepositNotice.objects.get(order_line=order.lines.get())
    assert notice.kept_quantity == 1 and notice.kept_amount == Decimal("35.00")
    assert selectors.core_deposits_left(order.lines.get()) == 0
    assert services.core_deposit_job(later).endswith("0 deposits kept")
