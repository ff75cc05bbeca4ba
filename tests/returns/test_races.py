"""Races on PostgreSQL with real threads (R2, R3): the last returnable unit
goes to one return, and one return is refunded once."""

import pytest
from django.db import connection

from camshaft.payments.models import TransactionKind
from camshaft.returns import rules, services
from camshaft.returns.models import Reason, ReturnRequest, Status
from camshaft.returns.services import Received, ReturnProblem, WantedLine
from tests.concurrency import at_once
from tests.returns.helpers import clerk, delivered_order

pytestmark = pytest.mark.django_db(transaction=True)

AS_SOLD = rules.Condition(unused=True, original_packaging=True, complete=True)


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")


def test_R2_eight_shoppers_filing_for_the_last_unit_file_one_return():
    order = delivered_order(quantity=1)
    line = order.lines.get()
    keys = iter(range(8))

    def file():
        return services.file_return(
            order=order,
            lines=[WantedLine(line.pk, 1)],
            reason=Reason.NOT_NEEDED,
            condition=AS_SOLD,
            channel="web",
            idempotency_key=f"k{next(keys)}",
        ).pk

    results, errors = at_once(file)
    assert len(results) == 1
    assert len(errors) == 7 and all(isinstance(e, ReturnProblem) for e in errors)
    assert ReturnRequest.objects.count() == 1


def test_R3_eight_clerks_refunding_one_return_refund_once():
    order = delivered_order(quantity=1)
    request = services.file_return(
        order=order,
        lines=[WantedLine(order.lines.get().pk, 1)],
        reason=Reason.NOT_NEEDED,
        condition=AS_SOLD,
        channel="web",
        idempotency_key="r",
    )
    services.authorize_return(request=request, by=clerk())
    services.receive_return(
        request=request, counts={request.lines.get().pk: Received(as_new=1)}, by=clerk()
    )
    staff = clerk()

    def refund():
        return services.refund_return(request=request, by=staff).status

    results, errors = at_once(refund)
    assert errors == [] and set(results) == {Status.REFUNDED}
    refunds = order.payment.transactions.filter(kind=TransactionKind.REFUND)
    assert refunds.count() == 1
    order.payment.refresh_from_db()
    assert order.payment.amount_refunded == refunds.get().amount
