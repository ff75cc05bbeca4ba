"""Trust and safety (M5): reports of listings and members, the staff queue
and its actions (remove a listing, warn, suspend), audited."""

from decimal import Decimal

import pytest
from django.utils import timezone

from camshaft.core.models import AuditEntry
from camshaft.marketplace import selectors, services
from camshaft.marketplace.models import Listing, Rating, Report, Seller
from camshaft.notifications.models import OutboxMessage
from tests.factories import MemberFactory, PartFactory
from tests.marketplace.helpers import bearer, seller

pytestmark = pytest.mark.django_db


def listed(shop):
    return services.create_listing(
        user=shop.user,
        draft=services.ListingDraft(
            title="Pads",
            condition="used",
            price=Decimal("5.00"),
            quantity=1,
            part_code=PartFactory().sku,
        ),
    )


def test_M5_a_member_reports_a_listing_and_staff_remove_it(admin_user):
    shop = seller("brakes")
    listing = listed(shop)
    report = services.file_report(
        reporter=MemberFactory(), reason="Counterfeit", listing_id=listing.pk
    )
    services.handle_report(staff=admin_user, report_id=report.pk, outcome="listing_removed")
    listing.refresh_from_db()
    assert listing.status == "removed"
    assert not selectors.on_sale().exists()
    with pytest.raises(services.SellerProblem):
        services.set_paused(user=shop.user, listing_id=listing.pk, paused=False)
    assert AuditEntry.objects.filter(object_type="marketplace.report").exists()


def test_M5_suspending_a_seller_makes_all_their_listings_vanish(admin_user):
    shop = seller("brakes")
    listed(shop)
    listed(shop)
    report = services.file_report(reporter=MemberFactory(), reason="Scam", public_id="BRAKES")
    services.handle_report(staff=admin_user, report_id=report.pk, outcome="suspended")
    assert not selectors.on_sale().exists()
    assert Listing.objects.count() == 2
    notice = OutboxMessage.objects.get(reference=f"report-{report.pk}")
    assert notice.to_address == shop.user.email
    assert "suspended" in notice.body_text


def test_M5_a_closed_report_cannot_be_handled_again(admin_user):
    report = services.file_report(
        reporter=MemberFactory(), reason="Rude", public_id=seller().public_id
    )
    services.handle_report(staff=admin_user, report_id=report.pk, outcome="warned")
    with pytest.raises(services.ReportProblem):
        services.handle_report(staff=admin_user, report_id=report.pk, outcome="suspended")
    assert seller_status("brakeshop") == "active"


def seller_status(public_id):
    return Seller.objects.get(public_id=public_id).status


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_M5_a_report_without_a_reason_is_refused(reason):
    shop = seller()
    with pytest.raises(services.ReportProblem):
        services.file_report(reporter=MemberFactory(), reason=reason, public_id=shop.public_id)
    assert not Report.objects.exists()


def test_M5_nobody_reports_themselves():
    shop = seller()
    with pytest.raises(services.ReportProblem):
        services.file_report(reporter=shop.user, reason="me", public_id=shop.public_id)


def test_M5_a_member_reports_a_seller_on_the_profile_page(client):
    seller("brakes")
    client.force_login(MemberFactory())
    answer = client.post("/sellers/brakes/report/", {"reason": "Sells stolen parts"}, follow=True)
    assert "Thank you" in answer.text
    assert Report.objects.get().reason == "Sells stolen parts"


def test_M5_staff_close_a_report_in_the_queue(admin_client):
    shop = seller("brakes")
    listing = listed(shop)
    report = services.file_report(reporter=MemberFactory(), reason="Fake", listing_id=listing.pk)
    assert "Fake" in admin_client.get(f"/staff/marketplace/report/{report.pk}/change/").text
    admin_client.post(
        f"/staff/marketplace/report/{report.pk}/change/",
        {"outcome": "listing_removed", "staff_note": "Counterfeit brand"},
    )
    report.refresh_from_db()
    assert (report.status, report.outcome) == ("closed", "listing_removed")
    assert Listing.objects.get().status == "removed"


def test_M3_staff_remove_a_rating_in_the_back_office(admin_client):
    shop = seller("brakes")
    rating = Rating.objects.create(
        author=MemberFactory(), subject=shop.user, value="negative", created_at=timezone.now()
    )
    admin_client.post(
        f"/staff/marketplace/rating/{rating.pk}/change/", {"remove_because": "Threats"}
    )
    rating.refresh_from_db()
    assert rating.removed_reason == "Threats"


def test_M5_the_api_files_a_report_and_answers_404_for_unknown(client):
    shop = seller("brakes")
    auth = bearer(MemberFactory())
    made = client.post(
        "/api/v1/marketplace/reports",
        {"public_id": "brakes", "reason": "Spam"},
        content_type="application/json",
        headers=auth,
    )
    assert made.status_code == 201
    missing = client.post(
        "/api/v1/marketplace/reports",
        {"public_id": "nobody", "reason": "Spam"},
        content_type="application/json",
        headers=auth,
    )
    assert missing.status_code == 404
    assert Report.objects.get().seller == shop
