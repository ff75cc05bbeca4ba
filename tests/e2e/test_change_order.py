"""O2 in real browsers: a clerk changes a quantity in the back office
(preview, then save), also of the unshipped rest of a partly shipped
order, and a shopper changes the shipping address on the order page."""

import pytest

from camshaft.accounts.roles import CUSTOMER_SERVICE, grant_role
from camshaft.checkout import services as checkout
from camshaft.notifications.models import OutboxMessage
from camshaft.orders.models import OrderEvent
from tests.e2e.test_returns import signed_in_page
from tests.factories import MemberFactory
from tests.shopping import ready_cart, stocked_part
from tests.staff import sign_in_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def placed(user=None):
    cart = ready_cart(user=user, parts=[stocked_part()])
    return checkout.place(cart=cart, user=user, currency="USD", idempotency_key="e2e").order


def test_O2_change_a_clerk_changes_a_quantity_preview_then_save(
    browser, live_server, django_user_model
):
    order = placed()
    line = order.lines.get()
    clerk = django_user_model.objects.create_user("cs@example.com", "a long password 1")
    grant_role(user=clerk, role=CUSTOMER_SERVICE)
    staff = signed_in_page(browser, live_server, lambda c: sign_in_staff(c, clerk))

    staff.goto(f"/staff/orders/order/{order.pk}/change/")
    staff.click("text=Change the order")
    staff.fill(f"#id_line_{line.pk}", "3")
    staff.click("input[name=preview]")
    preview = staff.inner_text("#change-preview")
    assert f"{line.sku}: quantity 1 → 3" in preview
    assert "A further" in staff.inner_text("#preview-payment")
    new_total = staff.inner_text("#preview-total").split(" (was")[0]
    order.refresh_from_db()
    assert order.lines.get().quantity == 1  # the preview changed nothing

    staff.click("input[name=save]")
    staff.wait_for_url(f"**/staff/orders/order/{order.pk}/change/")
    assert "changed; the customer is mailed" in staff.inner_text("body")
    order.refresh_from_db()
    assert order.lines.get().quantity == 3
    assert str(order.total) == new_total
    assert OrderEvent.objects.get(order=order, action="changed").by == clerk
    assert OutboxMessage.objects.filter(category="order_changed", to_address=order.email).exists()
    assert staff.csp_refusals == []


def test_O2_change_a_shopper_changes_the_shipping_address(browser, live_server):
    member = MemberFactory()
    order = placed(user=member)
    shopper = signed_in_page(browser, live_server, lambda c: c.force_login(member))

    shopper.goto(f"/orders/{order.number}/")
    shopper.click("#change-address")
    shopper.fill("#id_line1", "500 Woodward Avenue")
    shopper.fill("#id_city", "Detroit")
    shopper.fill("#id_region", "MI")
    shopper.fill("#id_postal_code", "48226")
    shopper.click("button[name=preview]")
    assert "Shipping address changed" in shopper.inner_text("#address-preview")
    shopper.click("#save-address")
    shopper.wait_for_url(f"**/orders/{order.number}/")
    ship_to = shopper.inner_text("#ship-to")
    assert "500 Woodward Avenue" in ship_to and "Detroit" in ship_to
    assert "Changed" in shopper.inner_text("body")
    order.refresh_from_db()
    assert order.shipping_address.postal_code == "48226"
    assert shopper.csp_refusals == []


def test_O2_change_a_clerk_changes_the_unshipped_rest_of_a_partly_shipped_order(
    browser, live_server, django_user_model
):
    from decimal import Decimal

    from camshaft.orders import services as orders
    from camshaft.shipping.models import Carrier
    from tests.factories import PartFactory, StockLevelFactory, WarehouseFactory

    columbus = WarehouseFactory(code="CMH", state="OH", latitude="39.9", longitude="-82.9")
    cleveland = WarehouseFactory(code="CLE", state="OH", latitude="41.5", longitude="-81.7")
    pad, rotor = PartFactory(price=Decimal("20.00")), PartFactory(price=Decimal("30.00"))
    StockLevelFactory(part=pad, warehouse=columbus, quantity=5)
    StockLevelFactory(part=rotor, warehouse=cleveland, quantity=5)
    cart = ready_cart(parts=[pad, rotor], quantity=2)
    order = checkout.place(cart=cart, user=None, currency="USD", idempotency_key="e2e").order
    clerk = django_user_model.objects.create_user("cs@example.com", "a long password 1")
    grant_role(user=clerk, role=CUSTOMER_SERVICE)
    orders.create_shipment(
        order=order,
        warehouse=columbus,
        carrier=Carrier.objects.get(code="fedex"),
        tracking_number="TRK1",
        by=clerk,
    )
    pad_line, rotor_line = order.lines.get(sku=pad.sku), order.lines.get(sku=rotor.sku)
    staff = signed_in_page(browser, live_server, lambda c: sign_in_staff(c, clerk))

    staff.goto(f"/staff/orders/order/{order.pk}/change/")
    staff.click("text=Change the order")
    assert "Part of this order has shipped" in staff.inner_text("#partly-shipped")
    assert "2 of 2" in staff.inner_text("tr.shipped-line")
    assert staff.get_attribute(f"#id_line_{pad_line.pk}", "readonly") is not None
    staff.fill(f"#id_line_{rotor_line.pk}", "1")
    staff.click("input[name=preview]")
    assert f"{rotor.sku}: quantity 2 → 1" in staff.inner_text("#change-preview")
    assert "released" in staff.inner_text("#preview-payment")

    staff.click("input[name=save]")
    staff.wait_for_url(f"**/staff/orders/order/{order.pk}/change/")
    assert "changed; the customer is mailed" in staff.inner_text("body")
    assert dict(order.lines.values_list("sku", "quantity")) == {pad.sku: 2, rotor.sku: 1}
    order.refresh_from_db()
    assert order.payment.amount == order.grand_total
    assert staff.csp_refusals == []
