"""The shopper's return pages (R1, R2, R4): from the order page, for a
member and for a guest who looked the order up; nobody else's."""

from decimal import Decimal

import pytest
from django.urls import reverse

from camshaft.returns.models import CoreReturn, ReturnRequest
from tests.factories import MemberFactory
from tests.returns.helpers import delivered_order
from tests.shopping import stocked_part

pytestmark = pytest.mark.django_db


def look_up(client, order):
    response = client.post(reverse("order_lookup"), {"number": order.number, "email": order.email})
    assert response.status_code == 302


def form_data(page, order, **overrides):
    line = order.lines.get()
    data = {
        "idempotency_key": page.context["form"].initial["idempotency_key"],
        "reason": "not_needed",
        "unused": "on",
        "original_packaging": "on",
        "complete": "on",
        f"qty_{line.pk}": "1",
    }
    data.update(overrides)
    return data


def test_R2_a_guest_returns_a_part_from_the_order_page(client):
    order = delivered_order(email="guest@example.com")
    look_up(client, order)
    detail = client.get(reverse("order_detail", args=[order.number]))
    assert b'id="return-parts"' in detail.content
    url = reverse("return_form", args=[order.number])
    page = client.get(url)
    assert page.status_code == 200 and b"Unused, in the original packaging" in page.content
    response = client.post(url, form_data(page, order))
    assert response.status_code == 302
    request = ReturnRequest.objects.get()
    detail = client.get(reverse("order_detail", args=[order.number]))
    assert request.number.encode() in detail.content and b"Requested" in detail.content
    # the same form sent twice (a double click) files one return
    client.post(url, form_data(page, order))
    assert ReturnRequest.objects.count() == 1


def test_R1_the_form_says_which_rule_refuses_a_line(client):
    member = MemberFactory()
    order = delivered_order(user=member, parts=[stocked_part(is_custom_made=True)])
    client.force_login(member)
    page = client.get(reverse("return_form", args=[order.number]))
    assert b"custom-made part cannot be returned" in page.content


def test_R1_a_missing_condition_is_refused_with_the_rule_and_nothing_filed(client):
    member = MemberFactory()
    order = delivered_order(user=member)
    client.force_login(member)
    url = reverse("return_form", args=[order.number])
    page = client.get(url)
    response = client.post(url, form_data(page, order, original_packaging=""))
    assert response.status_code == 409 and b"original packaging" in response.content
    assert not ReturnRequest.objects.exists()


def test_R2_more_than_bought_is_a_form_error(client):
    member = MemberFactory()
    order = delivered_order(user=member, quantity=1)
    client.force_login(member)
    url = reverse("return_form", args=[order.number])
    page = client.get(url)
    response = client.post(url, form_data(page, order, **{f"qty_{order.lines.get().pk}": "5"}))
    assert response.status_code == 400 and not ReturnRequest.objects.exists()


def test_R2_nobody_else_reaches_the_return_form(client):
    order = delivered_order()
    assert client.get(reverse("return_form", args=[order.number])).status_code == 404
    client.force_login(MemberFactory())
    assert client.get(reverse("return_form", args=[order.number])).status_code == 404
    assert client.post(reverse("core_return", args=[order.number]), {}).status_code == 404


def test_R4_a_core_return_from_the_return_page(client):
    member = MemberFactory()
    order = delivered_order(user=member, parts=[stocked_part(core_charge=Decimal("30.00"))])
    client.force_login(member)
    page = client.get(reverse("return_form", args=[order.number]))
    assert b"Return a core" in page.content
    response = client.post(
        reverse("core_return", args=[order.number]),
        {"line_id": order.lines.get().pk, "quantity": "2", "idempotency_key": "k"},
    )
    assert response.status_code == 302
    core = CoreReturn.objects.get()
    assert core.deposit == Decimal("60.00")
    detail = client.get(reverse("order_detail", args=[order.number]))
    assert core.number.encode() in detail.content
