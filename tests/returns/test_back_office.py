"""The returns desk in the back office (R2-R4): customer service decides
and refunds, the warehouse receives and inspects; each only what their
role allows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from camshaft.accounts.roles import CUSTOMER_SERVICE, MARKETING, WAREHOUSE
from camshaft.inventory.models import StockLevel
from camshaft.returns import rules, services
from camshaft.returns.models import CoreReturn, CoreStatus, Reason, ReturnRequest, Status
from camshaft.returns.services import WantedLine
from tests.returns.helpers import delivered_order
from tests.shopping import stocked_part
from tests.staff import sign_in_with_role

pytestmark = pytest.mark.django_db

AS_SOLD = rules.Condition(unused=True, original_packaging=True, complete=True)


def filed(order, *, quantity=1, reason=Reason.NOT_NEEDED, key="r"):
    return services.file_return(
        order=order,
        lines=[WantedLine(order.lines.get().pk, quantity)],
        reason=reason,
        condition=AS_SOLD,
        channel="web",
        idempotency_key=key,
    )


def url(name, *args):
    return reverse(f"admin:returns_returnrequest_{name}", args=args)


def test_R2_customer_service_authorizes_and_the_warehouse_receives(client):
    order = delivered_order(quantity=2)
    request = filed(order, quantity=2)
    sign_in_with_role(client, CUSTOMER_SERVICE)
    queue = client.get(reverse("admin:returns_returnrequest_changelist") + "?queue=authorize")
    assert request.number.encode() in queue.content and b"To authorize: 1" in queue.content
    response = client.post(url("decide", request.pk), {"decision": "authorize"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.AUTHORIZED
    client.logout()

    sign_in_with_role(client, WAREHOUSE)
    line = request.lines.get()
    level = StockLevel.objects.get(part=line.order_line.part, warehouse=request.warehouse)
    before = level.quantity
    response = client.post(
        url("receive", request.pk), {f"as_new_{line.pk}": "1", f"damaged_{line.pk}": "1"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    level.refresh_from_db()
    assert request.status == Status.RECEIVED and level.quantity == before + 1
    # the warehouse cannot refund
    assert client.get(url("refund", request.pk)).status_code == 403


def test_R2_a_rejection_needs_a_reason(client):
    request = filed(delivered_order())
    sign_in_with_role(client, CUSTOMER_SERVICE)
    response = client.post(url("decide", request.pk), {"decision": "reject", "reason": ""})
    assert response.status_code == 400 and b"Say why" in response.content
    request.refresh_from_db()
    assert request.status == Status.REQUESTED


def test_R2_receiving_more_than_expected_is_refused_and_nothing_moves(client):
    request = filed(delivered_order(quantity=1))
    services.authorize_return(request=request, by=None)
    sign_in_with_role(client, WAREHOUSE)
    line = request.lines.get()
    response = client.post(url("receive", request.pk), {f"as_new_{line.pk}": "3"})
    assert response.status_code == 400
    line.refresh_from_db()
    assert line.received == 0
    response = client.post(url("receive", request.pk), {f"as_new_{line.pk}": "x"})
    assert response.status_code == 400


def test_R3_customer_service_refunds_and_the_overdue_show_in_red(client):
    request = filed(delivered_order())
    services.authorize_return(request=request, by=None)
    services.receive_return(
        request=request,
        counts={request.lines.get().pk: services.Received(as_new=1)},
        by=None,
        now=timezone.now() - timedelta(days=7),
    )
    sign_in_with_role(client, CUSTOMER_SERVICE)
    queue = client.get(reverse("admin:returns_returnrequest_changelist") + "?queue=overdue")
    assert b"overdue" in queue.content and request.number.encode() in queue.content
    page = client.get(url("refund", request.pk))
    assert b"49.99" in page.content
    assert client.post(url("refund", request.pk), {"action": "refund"}).status_code == 302
    request.refresh_from_db()
    assert request.status == Status.REFUNDED


def test_R2_customer_service_files_a_return_for_a_caller(client):
    order = delivered_order()
    sign_in_with_role(client, CUSTOMER_SERVICE)
    assert b"No order has that number" in client.get(url("file") + "?number=CS-NOPE").content
    page = client.get(url("file") + f"?number={order.number}")
    assert page.status_code == 200
    line = order.lines.get()
    response = client.post(
        url("file"),
        {
            "number": order.number,
            "idempotency_key": "phone-1",
            "reason": "defective",
            f"qty_{line.pk}": "1",
        },
    )
    assert response.status_code == 302
    request = ReturnRequest.objects.get()
    assert request.channel == "phone" and request.filed_by is not None


def test_R4_the_warehouse_inspects_a_core(client):
    order = delivered_order(parts=[stocked_part(core_charge=Decimal("20.00"))], quantity=1)
    core = services.file_core_return(
        order=order,
        order_line_id=order.lines.get().pk,
        quantity=1,
        channel="web",
        idempotency_key="c",
    )
    sign_in_with_role(client, WAREHOUSE)
    inspect = reverse("admin:returns_corereturn_inspect", args=[core.pk])
    response = client.post(inspect, {"same_part": "on", "undamaged": "on"})
    assert response.status_code == 302
    core.refresh_from_db()
    assert core.status == CoreStatus.REFUSED and "drained" in core.refuse_reason
    assert CoreReturn.objects.count() == 1


def test_R2_the_report_shows_rates_with_charts_and_no_customer(client):
    order = delivered_order(email="someone@example.com")
    filed(order, reason=Reason.DEFECTIVE)
    sign_in_with_role(client, CUSTOMER_SERVICE)
    page = client.get(url("report"))
    assert page.status_code == 200
    assert b"<svg" in page.content and b"Defective" in page.content
    assert b"someone@example.com" not in page.content


def test_A4_marketing_sees_no_returns(client):
    request = filed(delivered_order())
    sign_in_with_role(client, MARKETING)
    assert client.get(url("decide", request.pk)).status_code == 403
    assert client.get(reverse("admin:returns_returnrequest_changelist")).status_code == 403
