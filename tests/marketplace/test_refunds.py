"""Refunds of a shipped marketplace sale (M4): the seller of a listing that
takes returns, or staff, give back all or part of what was charged for
that one sale, through the order's payment; the statement, the buyer's
mail, the order's history and the audit log say so. Anything refused
changes nothing."""

from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from camshaft.accounts.roles import ADMINISTRATOR, MARKETPLACE_MODERATOR
from camshaft.core.models import AuditEntry
from camshaft.marketplace import selectors, services
from camshaft.marketplace.models import Sale, SaleStatus
from camshaft.notifications.models import OutboxMessage
from camshaft.payments.models import TransactionKind
from tests.concurrency import at_once
from tests.marketplace.buying import buyer, cart_with, listing, place, seller_with_address
from tests.marketplace.helpers import adult, bearer
from tests.staff import sign_in_with_role

pytestmark = pytest.mark.django_db


def two_sellers_order(*, return_days=30):
    """Brakes (12.00, takes returns when `return_days`) and engines (60.00)."""
    first = listing(
        of=seller_with_address("brakes"),
        price="10.00",
        shipping="2.00",
        quantity=3,
        return_days=return_days,
    )
    second = listing(
        of=seller_with_address("engines"), price="30.00", shipping="0", quantity=3, return_days=14
    )
    member = buyer()
    order = place(cart_with(member, (first, 1), (second, 2)), member).order
    return order, Sale.objects.get(listing=first), Sale.objects.get(listing=second)


def ship(sale):
    return services.ship_sale(
        user=sale.seller.user, sale_id=sale.pk, carrier="UPS", tracking_number="1Z999AA1"
    )


def refund(sale, amount, **extra):
    return services.refund_sale(
        user=extra.pop("user", sale.seller.user), sale_id=sale.pk, amount=Decimal(amount), **extra
    )


def refunds_of(order):
    return list(
        order.payment.transactions.filter(kind=TransactionKind.REFUND).values_list(
            "amount", flat=True
        )
    )


def test_M4_the_seller_refunds_part_of_a_shipped_sale_and_everyone_is_told():
    order, brakes, engines = two_sellers_order()
    ship(brakes)
    ship(engines)
    refund(brakes, "5.00", reason="Scratched on arrival")

    brakes.refresh_from_db()
    order.payment.refresh_from_db()
    assert brakes.amount_refunded == Decimal("5.00") and brakes.refunded_at is not None
    assert brakes.status == SaleStatus.SHIPPED  # partly refunded: still the sale it was
    assert order.payment.amount_refunded == Decimal("5.00")
    assert refunds_of(order) == [Decimal("5.00")]
    [mail] = OutboxMessage.objects.filter(category="marketplace_sale_refunded")
    assert mail.to_address == order.email
    assert "5.00 USD" in mail.subject and "Scratched on arrival" in mail.body_text
    assert order.events.filter(action="marketplace_refund", note__contains="brakes").exists()
    entry = AuditEntry.objects.get(object_type="marketplace.sale", object_ids=str(brakes.pk))
    assert entry.staff is None and entry.staff_email == "seller brakes"
    assert entry.subject_user_id == order.user_id and "5.00" in entry.detail


def test_M4_a_full_refund_gives_back_only_that_sales_capture_and_marks_it_refunded():
    order, brakes, engines = two_sellers_order()
    ship(brakes)
    ship(engines)
    refund(engines, "60.00")
    engines.refresh_from_db()
    order.payment.refresh_from_db()
    assert engines.status == SaleStatus.REFUNDED
    assert order.payment.amount_captured == Decimal("72.00")
    assert order.payment.amount_refunded == Decimal("60.00")  # never brakes' 12.00


def test_M4_the_statement_lists_the_refund_and_gives_back_the_commission_share():
    _, brakes, _ = two_sellers_order()
    ship(brakes)
    before = selectors.amount_due(seller=brakes.seller, currency="USD")
    refund(brakes, "6.00")
    brakes.refresh_from_db()
    statement = selectors.statement(seller=brakes.seller, month=timezone.localdate())
    [line] = [line for line in statement.lines if line.kind == "refund"]
    charged = (brakes.items_total * brakes.commission_percent / 100).quantize(Decimal("0.01"))
    back = (charged * Decimal("6.00") / Decimal("12.00")).quantize(Decimal("0.01"))
    assert line.refund == Decimal("6.00") and line.commission == -back
    [totals] = statement.totals
    assert totals.refunds == Decimal("6.00")
    after = selectors.amount_due(seller=brakes.seller, currency="USD")
    assert after == before - Decimal("6.00") + back


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("12.01", "At most 12.00 USD"),
        ("0", "more than 0"),
        ("-1", "more than 0"),
        ("1.005", "at most 2 decimals"),
    ],
)
def test_M4_a_refund_beyond_what_was_charged_or_not_money_is_refused(amount, message):
    order, brakes, _ = two_sellers_order()
    ship(brakes)
    with pytest.raises(services.SaleProblem, match=message) as refused:
        refund(brakes, amount)
    assert "amount" in refused.value.problems
    _assert_nothing_refunded(order, brakes)


def _assert_nothing_refunded(order, sale):
    sale.refresh_from_db()
    order.payment.refresh_from_db()
    assert sale.amount_refunded == 0 and sale.refunded_at is None
    assert order.payment.amount_refunded == 0 and refunds_of(order) == []
    assert not OutboxMessage.objects.filter(category="marketplace_sale_refunded").exists()
    assert not AuditEntry.objects.filter(object_type="marketplace.sale").exists()


def test_M4_an_unshipped_sale_is_cancelled_not_refunded():
    order, brakes, _ = two_sellers_order()
    with pytest.raises(services.SaleProblem, match=r"not shipped.*cancel it instead"):
        refund(brakes, "1.00")
    brakes.refresh_from_db()
    assert brakes.status == SaleStatus.AWAITING_SHIPMENT
    _assert_nothing_refunded(order, brakes)


def test_M4_someone_elses_sale_is_not_found_and_unchanged():
    order, brakes, engines = two_sellers_order()
    ship(brakes)
    with pytest.raises(services.SaleProblem) as stranger:
        refund(brakes, "1.00", user=engines.seller.user)
    assert stranger.value.code == "not_found"
    with pytest.raises(services.SaleProblem) as the_buyer:
        refund(brakes, "1.00", user=order.user)
    assert the_buyer.value.code == "not_found"
    _assert_nothing_refunded(order, brakes)


def test_M4_a_listing_without_returns_is_refunded_by_staff_only():
    order, brakes, _ = two_sellers_order(return_days=0)
    ship(brakes)
    with pytest.raises(services.SaleProblem, match="does not take returns"):
        refund(brakes, "12.00")
    _assert_nothing_refunded(order, brakes)
    clerk = adult(is_staff=True)
    refund(brakes, "12.00", user=clerk, as_staff=True, reason="Goodwill")
    brakes.refresh_from_db()
    assert brakes.status == SaleStatus.REFUNDED
    mails = OutboxMessage.objects.filter(category="marketplace_sale_refunded")
    assert sorted(m.to_address for m in mails) == sorted([order.email, brakes.seller.user.email])
    assert AuditEntry.objects.get(object_type="marketplace.sale").staff == clerk


def test_M4_a_sale_is_refunded_once():
    order, brakes, _ = two_sellers_order()
    ship(brakes)
    refund(brakes, "2.00")
    with pytest.raises(services.SaleProblem, match="refunded already"):
        refund(brakes, "2.00")
    order.payment.refresh_from_db()
    assert order.payment.amount_refunded == Decimal("2.00") and len(refunds_of(order)) == 1


def test_M4_the_seller_api_refunds_with_clear_refusals(client):
    _, brakes, engines = two_sellers_order()
    headers = bearer(brakes.seller.user)
    url = f"/api/v1/marketplace/sales/{brakes.pk}/refund"

    def post(path, body):
        return client.post(path, body, content_type="application/json", headers=headers)

    unshipped = post(url, {"amount": "1.00"})
    assert unshipped.status_code == 409 and "cancel it instead" in unshipped.json()["detail"]
    ship(brakes)
    ship(engines)
    assert (
        post(f"/api/v1/marketplace/sales/{engines.pk}/refund", {"amount": "1"}).status_code == 404
    )
    too_much = post(url, {"amount": "12.50"})
    assert too_much.status_code == 422 and too_much.json()["errors"][0]["field"] == "amount"
    assert post(url, {"amount": "twelve"}).status_code == 422
    ok = post(url, {"amount": "12.00", "reason": "Returned"})
    assert ok.status_code == 200
    assert ok.json()["status"] == "refunded" and ok.json()["amount_refunded"] == "12.00"
    assert post(url, {"amount": "1.00"}).status_code == 409


def test_M4_the_seller_refunds_from_the_sales_page(client):
    order, brakes, _ = two_sellers_order()
    client.force_login(brakes.seller.user)
    form = f'action="/account/selling/sales/{brakes.pk}/refund/"'
    assert form not in client.get("/account/selling/sales/").text  # not shipped yet
    ship(brakes)
    page = client.get("/account/selling/sales/")
    assert form in page.text
    url = f"/account/selling/sales/{brakes.pk}/refund/"
    bad = client.post(url, {"amount": "20.00"})
    assert bad.status_code == 422 and "At most 12.00 USD" in bad.content.decode()
    assert client.post(url, {"amount": "abc"}).status_code == 422
    _assert_nothing_refunded(order, brakes)
    done = client.post(url, {"amount": "4.50", "reason": "Returned"})
    assert done.status_code == 302
    brakes.refresh_from_db()
    assert brakes.amount_refunded == Decimal("4.50")
    assert form not in client.get("/account/selling/sales/").text  # refunded once
    client.force_login(order.user)
    assert client.post(url, {"amount": "1.00"}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_M4_two_refunds_of_one_sale_at_once_give_money_back_once():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    order, brakes, _ = two_sellers_order()
    ship(brakes)
    results, errors = at_once(lambda: refund(brakes, "12.00").pk, threads=4)
    assert len(results) == 1 and len(errors) == 3
    assert all(isinstance(error, services.SaleProblem) for error in errors), errors
    order.payment.refresh_from_db()
    assert order.payment.amount_refunded == Decimal("12.00")
    assert refunds_of(order) == [Decimal("12.00")]
    assert Sale.objects.get(pk=brakes.pk).status == SaleStatus.REFUNDED


def test_M4_refund_rule_names_the_reason():
    from camshaft.marketplace import rules

    common = {
        "role": "seller",
        "accepts_returns": True,
        "captured": Decimal("10.00"),
        "refunded": Decimal(0),
        "currency": "USD",
    }
    assert rules.may_refund_sale(status="delivered", amount=Decimal("10.00"), **common).allowed
    cancelled = rules.may_refund_sale(status="cancelled", amount=Decimal("1"), **common)
    assert not cancelled.allowed and "cancelled" in cancelled.reason
    assert not rules.may_refund_sale(status="shipped", amount=Decimal("NaN"), **common).allowed


def test_M4_no_refund_form_for_a_listing_without_returns(client):
    _, brakes, _ = two_sellers_order(return_days=0)
    ship(brakes)
    client.force_login(brakes.seller.user)
    page = client.get("/account/selling/sales/").text
    assert f"/account/selling/sales/{brakes.pk}/refund/" not in page


def test_M4_staff_refund_a_sale_from_the_back_office(client):
    """An administrator refunds part of a shipped sale whose listing takes
    no returns (the buyer called); bad amounts are answered on the page,
    nothing changed; a moderator may not refund at all."""
    order, brakes, _ = two_sellers_order(return_days=0)
    ship(brakes)
    url = reverse("admin:marketplace_sale_refund", args=[brakes.pk])

    sign_in_with_role(client, MARKETPLACE_MODERATOR)
    assert client.get(url).status_code == 403
    assert client.post(url, {"amount": "5.00"}).status_code == 403

    client.logout()
    sign_in_with_role(client, ADMINISTRATOR)
    page = client.get(reverse("admin:marketplace_sale_change", args=[brakes.pk]))
    assert url in page.content.decode()
    refused = client.post(url, {"amount": "99.00", "reason": "Too much"})
    assert refused.status_code == 400
    assert "At most 12.00 USD can be refunded" in refused.content.decode()
    brakes.refresh_from_db()
    assert (refunds_of(order), brakes.amount_refunded) == ([], Decimal(0))

    done = client.post(url, {"amount": "5.00", "reason": "Scratched on arrival"})
    assert done.status_code == 302
    brakes.refresh_from_db()
    assert (brakes.amount_refunded, brakes.status) == (Decimal("5.00"), SaleStatus.SHIPPED)
    assert refunds_of(order) == [Decimal("5.00")]
    again = client.post(url, {"amount": "1.00"})
    assert "refunded already" in again.content.decode()
    assert refunds_of(order) == [Decimal("5.00")]
