"""The marketplace moderator (M3-M5, A4): trust and safety staff work the
report queue (remove a listing, warn, suspend), reinstate sellers, take
ratings down, record payouts and read the fees report, in the back office;
staff of the other roles can do none of it, and the moderator sees members
by their public user ID, never their email, nor anything else of the back
office."""

from datetime import timedelta

import pytest
from django.utils import timezone

from camshaft.accounts.roles import (
    ADMINISTRATOR,
    CATALOGUE,
    CUSTOMER_SERVICE,
    MARKETING,
    MARKETPLACE_MODERATOR,
    PRIVACY_OFFICER,
    WAREHOUSE,
)
from camshaft.core.models import AuditEntry
from camshaft.marketplace import services
from camshaft.marketplace.models import (
    CommissionRate,
    Listing,
    Payout,
    Rating,
    Report,
    Sale,
    Seller,
    SellerTerms,
)
from camshaft.notifications.models import OutboxMessage
from tests.factories import MemberFactory
from tests.marketplace.buying import buyer, cart_with, listing, place
from tests.marketplace.helpers import seller
from tests.marketplace.sales import sale
from tests.staff import sign_in_with_role

pytestmark = pytest.mark.django_db

#: Staff who must not moderate the marketplace.
OTHER_ROLES = (CUSTOMER_SERVICE, WAREHOUSE, CATALOGUE, MARKETING, PRIVACY_OFFICER)


def reported_listing(reporter=None):
    offer = listing()
    report = services.file_report(
        reporter=reporter or MemberFactory(), reason="Counterfeit pads", listing_id=offer.pk
    )
    return offer, report


def report_url(report) -> str:
    return f"/staff/marketplace/report/{report.pk}/change/"


def test_M5_moderator_removes_a_reported_listing(client):
    offer, report = reported_listing()
    moderator = sign_in_with_role(client, MARKETPLACE_MODERATOR)
    assert client.get("/staff/marketplace/report/").status_code == 200
    assert "Counterfeit pads" in client.get(report_url(report)).text
    answer = client.post(
        report_url(report), {"outcome": "listing_removed", "staff_note": "Fake brand"}
    )
    assert answer.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.outcome, report.handled_by) == (
        "closed",
        "listing_removed",
        moderator,
    )
    assert Listing.objects.get(pk=offer.pk).status == "removed"


def test_M5_moderator_can_warn_and_suspend_a_seller(client):
    shop = seller("brakes")
    sign_in_with_role(client, MARKETPLACE_MODERATOR)
    warn = services.file_report(reporter=MemberFactory(), reason="Rude", public_id="brakes")
    client.post(report_url(warn), {"outcome": "warned", "staff_note": "First warning"})
    assert Seller.objects.get(pk=shop.pk).warnings == 1
    suspend = services.file_report(reporter=MemberFactory(), reason="Scam", public_id="brakes")
    client.post(report_url(suspend), {"outcome": "suspended", "staff_note": "Scam"})
    assert Seller.objects.get(pk=shop.pk).status == "suspended"


def test_M5_moderator_can_reinstate_a_suspended_seller(client):
    shop = seller("brakes", status="suspended")
    sign_in_with_role(client, MARKETPLACE_MODERATOR)
    url = f"/staff/marketplace/seller/{shop.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"reinstate_because": "Appeal upheld"}).status_code == 302
    assert Seller.objects.get(pk=shop.pk).status == "active"


def rating_of(shop) -> Rating:
    return Rating.objects.create(
        sale=sale(of=shop, delivered_at=timezone.now() - timedelta(days=1)),
        author=MemberFactory(),
        subject=shop.user,
        value="negative",
        comment="You are a crook and I know where you live",
        created_at=timezone.now(),
    )


def test_M3_moderator_removes_a_rating_comment(client):
    rating = rating_of(seller("brakes"))
    sign_in_with_role(client, MARKETPLACE_MODERATOR)
    url = f"/staff/marketplace/rating/{rating.pk}/change/"
    assert "I know where you live" in client.get(url).text
    client.post(url, {"remove_because": "A threat"})
    rating.refresh_from_db()
    assert rating.removed_reason == "A threat" and rating.removed_at is not None


def shipped_sale(shop) -> Sale:
    return sale(of=shop, shipped_at=timezone.now() - timedelta(days=1))


def test_M4_moderator_records_a_payout_and_sees_the_fees_report(client):
    shop = seller("brakes")
    shipped = shipped_sale(shop)
    sign_in_with_role(client, MARKETPLACE_MODERATOR)
    url = f"/staff/marketplace/seller/{shop.pk}/statement/"
    month = f"{shipped.shipped_at:%Y-%m}"
    assert client.get(url, {"month": month}).status_code == 200
    paid_on = f"{timezone.localdate():%Y-%m-%d}"
    done = client.post(
        f"{url}?month={month}", {"amount": "1.00", "currency": "USD", "paid_on": paid_on}
    )
    assert done.status_code == 302
    assert Payout.objects.get().seller == shop
    report = client.get("/staff/marketplace/payout/fees-report/")
    assert report.status_code == 200 and "<svg" in report.text


@pytest.mark.parametrize("role", OTHER_ROLES, ids=lambda role: role.slug)
def test_M5_other_staff_cannot_moderate_the_marketplace(client, role):
    """A customer-service clerk (and every other role but the moderator's
    and the administrator's) gets 403 on every page and every action, and
    nothing changes."""
    offer, report = reported_listing()
    suspended = seller("gone", status="suspended")
    rating = rating_of(seller("brakes"))
    sign_in_with_role(client, role)
    pages = [
        "/staff/marketplace/report/",
        report_url(report),
        "/staff/marketplace/seller/",
        f"/staff/marketplace/seller/{suspended.pk}/statement/",
        "/staff/marketplace/rating/",
        "/staff/marketplace/listing/",
        "/staff/marketplace/sale/",
        "/staff/marketplace/payout/fees-report/",
    ]
    assert {url: client.get(url).status_code for url in pages} == dict.fromkeys(pages, 403)
    posts = {
        report_url(report): {"outcome": "listing_removed", "staff_note": "x"},
        f"/staff/marketplace/seller/{suspended.pk}/change/": {"reinstate_because": "x"},
        f"/staff/marketplace/rating/{rating.pk}/change/": {"remove_because": "x"},
        f"/staff/marketplace/seller/{suspended.pk}/statement/": {
            "amount": "1.00",
            "currency": "USD",
            "paid_on": f"{timezone.localdate():%Y-%m-%d}",
        },
    }
    answers = {url: client.post(url, data).status_code for url, data in posts.items()}
    assert answers == dict.fromkeys(posts, 403)
    assert Report.objects.get(pk=report.pk).status == "open"
    assert Listing.objects.get(pk=offer.pk).status == "active"
    assert Seller.objects.get(pk=suspended.pk).status == "suspended"
    assert Rating.objects.get(pk=rating.pk).removed_at is None
    assert not Payout.objects.exists()


def test_M5_moderator_sees_members_by_public_id_never_their_email(client):
    shop = seller("brakes")
    reporter = seller("honest").user
    offer = listing(of=shop)
    member_report = services.file_report(reporter=reporter, reason="Fake", listing_id=offer.pk)
    guest_report = services.file_report(
        reporter=None, reporter_email="guest@example.net", reason="Fake", listing_id=offer.pk
    )
    rating = rating_of(shop)
    sign_in_with_role(client, MARKETPLACE_MODERATOR)
    emails = (shop.user.email, reporter.email, "guest@example.net", rating.author.email)
    pages = {
        url: client.get(url).text
        for url in (
            report_url(member_report),
            report_url(guest_report),
            "/staff/marketplace/report/",
            f"/staff/marketplace/seller/{shop.pk}/change/",
            "/staff/marketplace/seller/",
            f"/staff/marketplace/rating/{rating.pk}/change/",
            "/staff/marketplace/rating/",
            f"/staff/marketplace/sale/{rating.sale.pk}/change/",
            "/staff/marketplace/sale/",
        )
    }
    for url, html in pages.items():
        leaked = [email for email in emails if email in html]
        assert not leaked, f"{url} shows {leaked}"
    report_page = pages[report_url(member_report)]
    assert "honest" in report_page and "brakes" in report_page
    assert f"member #{rating.author.pk}" in pages[f"/staff/marketplace/rating/{rating.pk}/change/"]


def test_M5_staff_who_see_contact_details_see_the_email_and_the_look_is_audited(client):
    offer = listing()
    report = services.file_report(
        reporter=None, reporter_email="guest@example.net", reason="Fake", listing_id=offer.pk
    )
    administrator = sign_in_with_role(client, ADMINISTRATOR)
    assert "guest@example.net" in client.get(report_url(report)).text
    assert AuditEntry.objects.filter(
        staff=administrator, object_type="marketplace.report", object_ids=str(report.pk)
    ).exists()


def bought() -> Sale:
    """A sale awaiting shipment, bought through checkout (its hold included)."""
    member = buyer()
    place(cart_with(member, (listing(), 1)), member)
    return Sale.objects.get()


def test_M5_moderator_cannot_cancel_a_sale_or_mark_it_delivered(client):
    """Sales are read-only to the moderator: the admin's actions need
    marketplace.change_sale, which only the administrator holds."""
    open_sale = bought()
    sign_in_with_role(client, MARKETPLACE_MODERATOR)
    changelist = client.get("/staff/marketplace/sale/")
    assert changelist.status_code == 200 and "cancel_unshipped" not in changelist.text
    for action in ("cancel_unshipped", "mark_delivered"):
        client.post(
            "/staff/marketplace/sale/", {"action": action, "_selected_action": [open_sale.pk]}
        )
    open_sale.refresh_from_db()
    assert (open_sale.status, open_sale.cancelled_at) == ("awaiting_shipment", None)


def test_M5_administrator_still_cancels_an_unshipped_sale(client):
    open_sale = bought()
    sign_in_with_role(client, ADMINISTRATOR)
    assert "cancel_unshipped" in client.get("/staff/marketplace/sale/").text
    client.post(
        "/staff/marketplace/sale/",
        {"action": "cancel_unshipped", "_selected_action": [open_sale.pk]},
    )
    assert Sale.objects.get(pk=open_sale.pk).status == "cancelled"


def test_M4_moderator_cannot_change_fees_or_publish_seller_terms(client):
    sign_in_with_role(client, MARKETPLACE_MODERATOR)
    assert client.get("/staff/marketplace/commissionrate/").status_code == 200
    assert (
        client.post(
            "/staff/marketplace/commissionrate/add/", {"category": "", "percent": "1"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/staff/marketplace/sellerterms/add/", {"version": "9", "body": "Anything goes"}
        ).status_code
        == 403
    )
    assert not CommissionRate.objects.exists() and not SellerTerms.objects.exists()


def test_M5_moderator_has_no_card_customer_order_or_privacy_permissions(client):
    moderator = sign_in_with_role(client, MARKETPLACE_MODERATOR)
    apps = {permission.split(".")[0] for permission in moderator.get_all_permissions()}
    assert apps == {"marketplace"}
    for page in (
        "/staff/payments/savedcard/",
        "/staff/accounts/user/",
        "/staff/orders/order/",
        "/staff/core/auditentry/",
        "/staff/notifications/outboxmessage/",
    ):
        assert client.get(page).status_code == 403, page


def listing_form(**fields) -> dict:
    """The listing's back-office page as a browser posts it (its read-only
    photos inline included)."""
    return {"photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0", **fields}


def test_M5_moderator_removes_a_listing_found_without_a_report(client):
    offer = listing()
    moderator = sign_in_with_role(client, MARKETPLACE_MODERATOR)
    url = f"/staff/marketplace/listing/{offer.pk}/change/"
    assert "remove_because" in client.get(url).text
    answer = client.post(url, listing_form(remove_because="Counterfeit brand on the photo"))
    assert answer.status_code == 302
    assert Listing.objects.get(pk=offer.pk).status == "removed"
    report = Report.objects.get()
    assert (report.status, report.outcome, report.reporter, report.handled_by) == (
        "closed",
        "listing_removed",
        moderator,
        moderator,
    )
    mail = OutboxMessage.objects.get(to_address=offer.seller.user.email)
    assert "Counterfeit brand on the photo" in mail.body_text
    assert AuditEntry.objects.filter(staff=moderator, object_type="marketplace.report").exists()


def test_M5_removing_a_listing_needs_a_reason_and_the_report_permission(client, django_user_model):
    from django.contrib.auth.models import Permission

    from tests.staff import sign_in_staff

    offer = listing()
    url = f"/staff/marketplace/listing/{offer.pk}/change/"
    clerk = django_user_model.objects.create_user(
        email="reader@example.com", password="x-long-password-1", is_staff=True
    )
    clerk.user_permissions.add(Permission.objects.get(codename="view_listing"))
    sign_in_staff(client, clerk)
    assert client.get(url).status_code == 200
    assert client.post(url, listing_form(remove_because="Fake")).status_code == 403
    sign_in_with_role(client, MARKETPLACE_MODERATOR)
    client.post(url, listing_form(remove_because="   "))
    assert Listing.objects.get(pk=offer.pk).status == "active"
    assert not Report.objects.exists()
