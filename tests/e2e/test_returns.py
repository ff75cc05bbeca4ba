"""A return in real browsers (R1-R3): the shopper asks from the order page,
customer service authorizes, the warehouse receives, the refund goes out
with its "credit approved" mail."""

import pytest
from django.test import Client

from camshaft.notifications.models import OutboxMessage
from camshaft.returns.models import ReturnRequest
from tests.e2e.conftest import watch_csp
from tests.factories import MemberFactory
from tests.returns.helpers import delivered_order
from tests.staff import sign_in_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def signed_in_page(browser, live_server, sign_in):
    """A browser page carrying the session a test client signed in with."""
    client = Client()
    sign_in(client)
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.csp_refusals = watch_csp(page)
    return page


def test_R2_return_authorized_received_and_refunded(browser, live_server, django_user_model):
    member = MemberFactory()
    order = delivered_order(user=member, quantity=2)
    shopper = signed_in_page(browser, live_server, lambda c: c.force_login(member))
    shopper.goto(f"/orders/{order.number}/")
    shopper.click("#return-parts")
    shopper.fill(f"#id_qty_{order.lines.get().pk}", "1")
    shopper.select_option("#id_reason", "not_needed")
    for box in ("unused", "original_packaging", "complete"):
        shopper.check(f"#id_{box}")
    shopper.click("#file-return")
    shopper.wait_for_url(f"**/orders/{order.number}/")
    request = ReturnRequest.objects.get()
    assert "Requested" in shopper.inner_text(f"#return-{request.number}")

    clerk = django_user_model.objects.create_superuser("boss@example.com", "a long password 1")
    staff = signed_in_page(browser, live_server, lambda c: sign_in_staff(c, clerk))
    staff.goto("/staff/returns/returnrequest/?queue=authorize")
    staff.click(f"text={request.number}")
    staff.click("text=Authorize or reject")
    staff.check("input[value=authorize]")
    staff.click("input[type=submit]")
    staff.click("text=Receive")
    staff.fill(f"input[name=as_new_{request.lines.get().pk}]", "1")
    staff.click("input[type=submit]")
    staff.click("text=Refund or hold")
    staff.check("input[value=refund]")
    staff.click("input[type=submit]")
    staff.wait_for_selector("text=Done.")

    request.refresh_from_db()
    assert request.status == "refunded"
    mail = OutboxMessage.objects.get(category="order_return_refunded")
    assert mail.subject.startswith("Credit approved") and mail.to_address == order.email
    shopper.goto(f"/orders/{order.number}/")
    assert "Refunded" in shopper.inner_text(f"#return-{request.number}")
    # the shop and the back office both work under the strict policy
    assert shopper.csp_refusals == [] and staff.csp_refusals == []
