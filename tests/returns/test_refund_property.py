"""R3 as a property: whatever mix of returns, core returns, postage and
refunds made elsewhere happens to an order, the money given back never
exceeds what was captured, and every refund is on the payment's books."""

import contextlib
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from camshaft.payments import services as payments
from camshaft.payments.models import GatewayStatus, TransactionKind
from camshaft.returns import rules, services
from camshaft.returns.models import Reason
from camshaft.returns.services import Received, ReturnProblem, WantedLine
from tests.returns.helpers import delivered_order
from tests.shopping import stocked_part

A_RETURN = st.tuples(
    st.just("return"),
    st.integers(1, 3),  # units asked for
    st.sampled_from([Reason.NOT_NEEDED, Reason.DAMAGED, Reason.DEFECTIVE, Reason.MISSING]),
    st.integers(0, 3),  # of which back as new
    st.decimals(0, 40, places=2),  # return postage claimed
)
A_CORE = st.tuples(st.just("core"), st.integers(1, 3), st.booleans())
OUTSIDE = st.tuples(st.just("outside"), st.decimals("0.01", "1", places=2))


class RefundsNeverExceedCaptures(TestCase):
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        quantity=st.integers(1, 3),
        steps=st.lists(st.one_of(A_RETURN, A_CORE, OUTSIDE), min_size=1, max_size=5),
    )
    def test_R3_refunds_never_exceed_what_was_captured(self, quantity, steps):
        part = stocked_part(price=Decimal("33.33"), core_charge=Decimal("12.50"))
        order = delivered_order(parts=[part], quantity=quantity)
        line = order.lines.get()
        for n, step in enumerate(steps):
            # A step refused with nothing changed is fine; the books must hold.
            with contextlib.suppress(ReturnProblem, payments.PaymentRefused):
                self._apply(order, line, n, step)
            payment = order.payment
            payment.refresh_from_db()
            refunds = payment.transactions.filter(
                kind=TransactionKind.REFUND, status=GatewayStatus.APPROVED
            )
            booked = sum((t.amount for t in refunds), Decimal(0))
            assert booked == payment.amount_refunded
            assert 0 <= payment.amount_refunded <= payment.amount_captured

    def _apply(self, order, line, n, step):
        kind = step[0]
        if kind == "outside":
            payment = order.payment
            payment.refresh_from_db()
            amount = (payment.amount_refundable * step[1]).quantize(Decimal("0.01"))
            if amount > 0:
                payments.refund_payment(payment=payment, amount=amount, idempotency_key=f"o{n}")
        elif kind == "core":
            core = services.file_core_return(
                order=order,
                order_line_id=line.pk,
                quantity=step[1],
                channel="web",
                idempotency_key=f"c{n}",
            )
            services.inspect_core(
                core=core, same_part=True, undamaged=step[2], drained=True, by=None
            )
        else:
            _, units, reason, as_new, postage = step
            request = services.file_return(
                order=order,
                lines=[WantedLine(line.pk, units)],
                reason=reason,
                condition=rules.Condition(unused=True, original_packaging=True, complete=True),
                channel="web",
                idempotency_key=f"r{n}",
            )
            services.authorize_return(request=request, by=None)
            if rules.needs_parts_back(reason):
                back = min(as_new, units)
                services.receive_return(
                    request=request,
                    counts={request.lines.get().pk: Received(as_new=back, damaged=units - back)},
                    by=None,
                    return_freight=postage if request.store_fault else Decimal(0),
                )
            services.refund_return(request=request, by=None)
