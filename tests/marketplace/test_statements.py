"""Monthly statements (M4): each sale shipped in the month (store time
zone) with its commission on the items and fixed fee, each refund in the
month it was made with its commission given back pro rata, payouts staff
record, and the amount due carried over; as a page, a CSV and JSON."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from camshaft.core.models import AuditEntry
from camshaft.marketplace import selectors, services
from camshaft.marketplace.models import CommissionRate, Payout
from tests.marketplace.helpers import adult, bearer, seller
from tests.marketplace.sales import sale
from tests.staff import sign_in_staff

pytestmark = pytest.mark.django_db

NOVEMBER = date(2026, 11, 1)
MID_NOVEMBER = datetime(2026, 11, 15, 17, tzinfo=UTC)
NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def test_M4_a_sale_line_has_commission_on_items_and_the_fixed_fee():
    shop = seller("brakes")
    # 2 x 40.00 items, 5.00 shipping, 12.5 % -> 10.00 commission, shipping not commissioned.
    sale(
        of=shop,
        price="40.00",
        quantity=2,
        shipping="5.00",
        commission="12.50",
        fee="0.30",
        shipped_at=MID_NOVEMBER,
    )
    statement = selectors.statement(seller=shop, month=NOVEMBER)
    [line] = statement.lines
    assert (line.amount, line.commission, line.fixed_fee, line.net) == (
        Decimal("85.00"),
        Decimal("10.00"),
        Decimal("0.30"),
        Decimal("74.70"),
    )
    [totals] = statement.totals
    assert (totals.sales, totals.fees, totals.refunds, totals.due) == (
        Decimal("85.00"),
        Decimal("10.30"),
        Decimal("0"),
        Decimal("74.70"),
    )


def test_M4_commission_is_rounded_half_up_once_per_line():
    shop = seller("brakes")
    # 3 x 3.35 = 10.05 at 5 % = 0.5025 -> 0.50; 0.15 at 10 % = 0.015 -> 0.02 (half up).
    sale(
        of=shop,
        price="3.35",
        quantity=3,
        shipping="0",
        commission="5",
        fee="0",
        shipped_at=MID_NOVEMBER,
    )
    sale(
        of=shop,
        price="0.15",
        quantity=1,
        shipping="0",
        commission="10",
        fee="0",
        shipped_at=MID_NOVEMBER,
    )
    lines = selectors.statement(seller=shop, month=NOVEMBER).lines
    assert sorted(line.commission for line in lines) == [Decimal("0.02"), Decimal("0.50")]


def test_M4_a_sale_counts_in_the_month_it_shipped_in_the_stores_time_zone():
    shop = seller("brakes")
    # 1 November 03:00 UTC is still 31 October, 23:00 in New York.
    sale(of=shop, shipped_at=datetime(2026, 11, 1, 3, tzinfo=UTC))
    sale(of=shop, shipped_at=datetime(2026, 11, 1, 5, tzinfo=UTC))
    october = selectors.statement(seller=shop, month=date(2026, 10, 1))
    november = selectors.statement(seller=shop, month=NOVEMBER)
    assert [line.day for line in october.lines] == [date(2026, 10, 31)]
    assert [line.day for line in november.lines] == [date(2026, 11, 1)]
    # The amount due carries October over into November.
    assert november.totals[0].due == october.totals[0].due + november.totals[0].net


def test_M4_a_sale_not_shipped_is_on_no_statement():
    shop = seller("brakes")
    sale(of=shop)
    assert selectors.statement(seller=shop, month=NOVEMBER).lines == []


def test_M4_a_refund_in_a_later_month_leaves_the_earlier_statement_alone():
    shop = seller("brakes")
    # 40.00 + 5.00 captured, 10 % of 40.00 = 4.00 commission, fee 0.30.
    sale(
        of=shop,
        shipped_at=MID_NOVEMBER,
        refunded="45.00",
        refunded_at=datetime(2026, 12, 2, 15, tzinfo=UTC),
    )
    november = selectors.statement(seller=shop, month=NOVEMBER)
    assert [line.kind for line in november.lines] == ["sale"]
    assert november.totals[0].due == Decimal("40.70")
    december = selectors.statement(seller=shop, month=date(2026, 12, 1))
    [refund] = december.lines
    assert (refund.kind, refund.refund, refund.commission, refund.net) == (
        "refund",
        Decimal("45.00"),
        Decimal("-4.00"),
        Decimal("-41.00"),
    )
    # The fixed fee is not given back: the seller owes it.
    assert december.totals[0].due == Decimal("-0.30")


def test_M4_a_partial_refund_gives_back_commission_pro_rata():
    shop = seller("brakes")
    # Captured 45.00, commission 4.00; 15.00 refunded -> 1.33 back (4 x 15 / 45 = 1.333).
    sale(of=shop, shipped_at=MID_NOVEMBER, refunded="15.00", refunded_at=MID_NOVEMBER)
    lines = selectors.statement(seller=shop, month=NOVEMBER).lines
    assert [line.commission for line in lines] == [Decimal("4.00"), Decimal("-1.33")]


def test_M4_changing_the_rates_after_a_sale_does_not_change_the_statement():
    shop = seller("brakes")
    sale(of=shop, shipped_at=MID_NOVEMBER, commission="10.00", fee="0.30")
    before = selectors.statement(seller=shop, month=NOVEMBER)
    CommissionRate.objects.create(percent=Decimal("50"))
    from camshaft.marketplace.models import SaleFee

    SaleFee.objects.create(currency="USD", amount=Decimal("9.00"))
    assert selectors.statement(seller=shop, month=NOVEMBER) == before


def test_M4_staff_record_a_payout_up_to_the_amount_due_audited(admin_user):
    shop = seller("brakes")
    sale(of=shop, shipped_at=MID_NOVEMBER)  # net 40.70
    for amount, reason in [
        ("0", "more than 0"),
        ("-1", "more than 0"),
        ("40.71", "40.70"),
        ("1.001", "decimals"),
    ]:
        with pytest.raises(services.PayoutProblem) as refused:
            services.record_payout(
                staff=admin_user,
                seller_id=shop.pk,
                amount=Decimal(amount),
                currency="USD",
                paid_on=date(2026, 12, 1),
                now=NOW,
            )
        assert reason in refused.value.message
    with pytest.raises(services.PayoutProblem):
        services.record_payout(
            staff=admin_user,
            seller_id=shop.pk,
            amount=Decimal("1"),
            currency="USD",
            paid_on=date(2026, 12, 4),
            now=NOW,
        )
    assert not Payout.objects.exists()
    services.record_payout(
        staff=admin_user,
        seller_id=shop.pk,
        amount=Decimal("40.70"),
        currency="USD",
        paid_on=date(2026, 12, 1),
        reference="WIRE-1",
        now=NOW,
    )
    assert AuditEntry.objects.filter(object_type="marketplace.payout").count() == 1
    december = selectors.statement(seller=shop, month=date(2026, 12, 1))
    assert (december.totals[0].payouts, december.totals[0].due) == (Decimal("40.70"), Decimal("0"))
    # November's statement, closed before the payout, still shows it due.
    assert selectors.statement(seller=shop, month=NOVEMBER).totals[0].due == Decimal("40.70")
    with pytest.raises(services.PayoutProblem):
        services.record_payout(
            staff=admin_user,
            seller_id=shop.pk,
            amount=Decimal("0.01"),
            currency="USD",
            paid_on=date(2026, 12, 1),
            now=NOW,
        )


def test_M4_statement_months_run_from_the_first_sale_to_now():
    shop = seller("brakes")
    assert selectors.statement_months(seller=shop, now=NOW) == []
    sale(of=shop, shipped_at=datetime(2026, 10, 20, tzinfo=UTC))
    assert selectors.statement_months(seller=shop, now=NOW) == [
        date(2026, 12, 1),
        date(2026, 11, 1),
        date(2026, 10, 1),
    ]


def test_M4_the_fees_report_adds_commission_and_fees_per_month():
    sale(shipped_at=MID_NOVEMBER)  # 4.00 + 0.30
    sale(shipped_at=MID_NOVEMBER, refunded="45.00", refunded_at=datetime(2026, 12, 2, tzinfo=UTC))
    rows = selectors.fees_report(months=2, now=NOW)
    assert [(r.month, r.sales, r.commission, r.fixed_fees) for r in rows] == [
        (NOVEMBER, 2, Decimal("8.00"), Decimal("0.60")),
        (date(2026, 12, 1), 0, Decimal("-4.00"), Decimal("0")),
    ]


# Pages and API ------------------------------------------------------------------------


def test_M4_the_seller_reads_a_months_statement_and_its_csv(client):
    shop = seller("brakes")
    sale(of=shop, shipped_at=MID_NOVEMBER, title='=HYPERLINK("x")')
    client.force_login(shop.user)
    months = client.get("/account/selling/statements/")
    assert months.status_code == 200 and "/account/selling/statements/2026-11/" in months.text
    page = client.get("/account/selling/statements/2026-11/")
    assert page.status_code == 200 and "40.70" in page.text
    download = client.get("/account/selling/statements/2026-11.csv")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0][:3] == ["date", "kind", "sale"]
    assert rows[1][3].startswith("'=")  # the one CSV writer defuses formulas
    assert client.get("/account/selling/statements/2026-13/").status_code == 404
    client.force_login(adult())
    assert client.get("/account/selling/statements/2026-11/").status_code == 404


def test_M4_api_gives_the_sellers_statements(client):
    shop = seller("brakes")
    sale(of=shop, shipped_at=MID_NOVEMBER)
    headers = bearer(shop.user)
    months = client.get("/api/v1/marketplace/statements", headers=headers)
    assert months.status_code == 200 and "2026-11" in [m["month"] for m in months.json()]
    november = client.get("/api/v1/marketplace/statements/2026-11", headers=headers).json()
    assert november["totals"][0]["due"] == "40.70"
    assert november["lines"][0]["commission"] == "4.00"
    assert client.get("/api/v1/marketplace/statements/2026-13", headers=headers).status_code == 422
    stranger = client.get("/api/v1/marketplace/statements", headers=bearer(adult()))
    assert stranger.status_code == 404


def test_M4_V3_download_my_data_has_statements_and_payouts(admin_user):
    from camshaft.privacy.selectors import personal_data

    shop = seller("brakes")
    sale(of=shop, shipped_at=MID_NOVEMBER)
    services.record_payout(
        staff=admin_user,
        seller_id=shop.pk,
        amount=Decimal("10.00"),
        currency="USD",
        paid_on=date(2026, 11, 20),
        reference="W-9",
        now=NOW,
    )
    data = personal_data(shop.user)
    november = [row for row in data["marketplace_statements"] if row["month"] == "2026-11"]
    assert november[0]["amount_due"] == "30.70" and november[0]["payouts"] == "10.00"
    assert data["marketplace_payouts"][0]["reference"] == "W-9"


def test_M4_V4_payouts_stay_for_the_books_but_lose_the_person(admin_user):
    shop = seller("brakes")
    sale(of=shop, shipped_at=MID_NOVEMBER)
    payout = services.record_payout(
        staff=admin_user,
        seller_id=shop.pk,
        amount=Decimal("10.00"),
        currency="USD",
        paid_on=date(2026, 11, 20),
        note="Paid to Robin's account",
        now=NOW,
    )
    services.forget_person(user=shop.user)
    payout.refresh_from_db()
    shop.refresh_from_db()
    assert payout.note == "" and payout.amount == Decimal("10.00")
    assert shop.user_id is None and shop.public_id.startswith("erased-")


def test_M4_staff_see_a_sellers_statement_record_a_payout_and_the_fees_chart(admin_client):
    shop = seller("brakes")
    sale(of=shop, shipped_at=MID_NOVEMBER)
    url = f"/staff/marketplace/seller/{shop.pk}/statement/"
    page = admin_client.get(url, {"month": "2026-11"})
    assert page.status_code == 200 and "40.70" in page.text
    too_much = admin_client.post(
        url, {"amount": "99.00", "currency": "USD", "paid_on": "2026-11-20"}
    )
    assert too_much.status_code == 400 and not Payout.objects.exists()
    done = admin_client.post(
        url, {"amount": "40.70", "currency": "USD", "paid_on": "2026-11-20", "reference": "W-1"}
    )
    assert done.status_code == 302 and Payout.objects.get().amount == Decimal("40.70")
    report = admin_client.get("/staff/marketplace/payout/fees-report/")
    assert report.status_code == 200 and "<svg" in report.text and "fees-by-month" in report.text


def test_M4_a_clerk_without_add_payout_cannot_record_one(client, django_user_model):
    from django.contrib.auth.models import Permission

    shop = seller("brakes")
    sale(of=shop, shipped_at=MID_NOVEMBER)
    clerk = django_user_model.objects.create_user(
        email="clerk@example.com", password="x-long-password-1", is_staff=True
    )
    clerk.user_permissions.add(Permission.objects.get(codename="view_seller"))
    sign_in_staff(client, clerk)
    url = f"/staff/marketplace/seller/{shop.pk}/statement/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"amount": "1.00", "currency": "USD", "paid_on": "2026-11-20"})
    assert refused.status_code == 403 and not Payout.objects.exists()
