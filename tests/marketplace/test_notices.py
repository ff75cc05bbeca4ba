"""Trust and safety, phase 2 (M5, V1): automatic notices of suspicious
activity (to staff's queue and to the member), warnings counted on the
seller, lifting a suspension, new seller terms that sellers must accept,
and guests reporting a listing from its page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from camshaft.abuse import services as abuse_services
from camshaft.consent import services as consent_services
from camshaft.core.models import AuditEntry
from camshaft.marketplace import rules, selectors, services
from camshaft.marketplace.models import Listing, Report, Seller, SellerTerms
from camshaft.notifications.models import OutboxMessage
from tests.factories import MemberFactory, PartFactory
from tests.marketplace.helpers import adult, bearer, seller, terms

pytestmark = pytest.mark.django_db


def draft(part, price: str) -> services.ListingDraft:
    return services.ListingDraft(
        title="Turbocharger",
        condition="new",
        price=Decimal(price),
        quantity=1,
        part_code=part.sku,
    )


def new_account_seller(public_id="fresh", *, days_old=2):
    user = adult(date_joined=timezone.now() - timedelta(days=days_old))
    return seller(public_id, user=user)


# The rules, pure ----------------------------------------------------------------------------


def test_M5_underpriced_means_an_expensive_part_far_below_its_catalogue_price():
    assert rules.is_underpriced(price=Decimal("79.99"), catalogue_price=Decimal("200.00"))
    assert not rules.is_underpriced(price=Decimal("80.00"), catalogue_price=Decimal("200.00"))
    # A cheap part sold for little is no pattern.
    assert not rules.is_underpriced(price=Decimal("1.00"), catalogue_price=Decimal("199.99"))


def test_M5_underpricing_is_suspicious_only_for_a_new_account_with_several():
    young, old = timedelta(days=29), rules.NEW_ACCOUNT_AGE
    assert rules.underpricing_suspicion(account_age=young, underpriced=3).rule == "underpriced"
    assert rules.underpricing_suspicion(account_age=young, underpriced=2) is None
    assert rules.underpricing_suspicion(account_age=old, underpriced=10) is None


def test_M5_a_burst_of_listings_and_many_cancellations_are_suspicious():
    assert rules.burst_suspicion(created_in_window=rules.BURST_LISTINGS - 1) is None
    burst = rules.burst_suspicion(created_in_window=rules.BURST_LISTINGS)
    assert burst.rule == "listing_burst" and "within 1 hour" in burst.reason
    assert rules.cancellation_suspicion(cancelled_in_window=rules.CANCELLED_SALES - 1) is None
    assert rules.cancellation_suspicion(cancelled_in_window=3).rule == "sale_cancellations"


def test_M5_the_terms_grace_period_ends_after_thirty_days():
    published = timezone.now()
    assert not rules.terms_grace_over(published_at=published, now=published + timedelta(days=29))
    assert rules.terms_grace_over(published_at=published, now=published + rules.TERMS_GRACE)


# Automatic notices -----------------------------------------------------------------------------


def test_M5_a_new_account_listing_expensive_parts_far_below_price_raises_one_notice():
    shop = new_account_seller()
    turbo = PartFactory(price=Decimal("900.00"))
    for _ in range(rules.UNDERPRICED_LISTINGS - 1):
        services.create_listing(user=shop.user, draft=draft(turbo, "99.00"))
    assert not Report.objects.exists()
    services.create_listing(user=shop.user, draft=draft(turbo, "99.00"))
    notice = Report.objects.get()
    assert (notice.source, notice.rule, notice.status) == ("automatic", "underpriced", "open")
    assert notice.member == shop.user and notice.seller == shop and notice.reporter is None
    mail = OutboxMessage.objects.get(reference=f"notice-{notice.pk}")
    assert mail.to_address == shop.user.email and "reviewing" in mail.subject
    # Going on does not flood the queue while the notice is open.
    services.create_listing(user=shop.user, draft=draft(turbo, "99.00"))
    assert Report.objects.count() == 1


def test_M5_the_same_listings_by_an_older_account_raise_no_notice():
    shop = new_account_seller(days_old=rules.NEW_ACCOUNT_AGE.days + 1)
    turbo = PartFactory(price=Decimal("900.00"))
    for _ in range(rules.UNDERPRICED_LISTINGS + 1):
        services.create_listing(user=shop.user, draft=draft(turbo, "99.00"))
    assert not Report.objects.exists()


def test_M5_lowering_prices_of_existing_listings_counts_too():
    shop = new_account_seller()
    turbo = PartFactory(price=Decimal("900.00"))
    made = [services.create_listing(user=shop.user, draft=draft(turbo, "850.00")) for _ in "abc"]
    assert not Report.objects.exists()
    for listing in made:
        services.update_listing(user=shop.user, listing_id=listing.pk, draft=draft(turbo, "50"))
    assert Report.objects.get().rule == "underpriced"


def test_M5_many_listings_within_an_hour_raise_a_notice():
    shop = seller()  # an old enough account is no excuse here
    part = PartFactory()
    for number in range(rules.BURST_LISTINGS):
        assert not Report.objects.exists(), number
        services.create_listing(user=shop.user, draft=draft(part, "40.00"))
    assert Report.objects.get().rule == "listing_burst"


def test_M5_listings_spread_over_more_than_the_window_raise_none():
    shop = seller()
    part = PartFactory()
    made = [
        services.create_listing(user=shop.user, draft=draft(part, "40.00"))
        for _ in range(rules.BURST_LISTINGS - 1)
    ]
    Listing.objects.filter(pk__in=[m.pk for m in made]).update(
        created_at=timezone.now() - rules.BURST_WINDOW - timedelta(minutes=1)
    )
    services.create_listing(user=shop.user, draft=draft(part, "40.00"))
    assert not Report.objects.exists()


def test_M5_a_buyer_cancelling_many_sales_is_noticed_through_the_entry_point(admin_user):
    buyer = adult()
    assert services.note_sale_cancelled(buyer=buyer, cancelled_in_window=2) is None
    notice = services.note_sale_cancelled(buyer=buyer, cancelled_in_window=3)
    assert (notice.rule, notice.member, notice.seller) == ("sale_cancellations", buyer, None)
    # A buyer who does not sell cannot be suspended as a seller...
    with pytest.raises(services.ReportProblem, match="does not sell"):
        services.handle_report(staff=admin_user, report_id=notice.pk, outcome="suspended")
    # ...but can be warned, by mail.
    services.handle_report(staff=admin_user, report_id=notice.pk, outcome="warned", note="Stop")
    outcome = OutboxMessage.objects.get(reference=f"report-{notice.pk}")
    assert outcome.to_address == buyer.email and "Our note: Stop" in outcome.body_text


# Warnings and lifting a suspension -------------------------------------------------------------


def test_M5_warnings_are_counted_on_the_seller_and_shown_to_staff(admin_client, admin_user):
    shop = seller("brakes")
    for _ in range(2):
        report = services.file_report(reporter=MemberFactory(), reason="Rude", public_id="brakes")
        services.handle_report(staff=admin_user, report_id=report.pk, outcome="warned")
    assert Seller.objects.get(pk=shop.pk).warnings == 2
    page = admin_client.get("/staff/marketplace/seller/")
    assert "<th" in page.text and "Warnings" in page.text
    assert admin_client.get(f"/staff/marketplace/report/{report.pk}/change/").status_code == 200


def test_M5_staff_lift_a_suspension_audited_and_mailed(admin_client):
    shop = seller("brakes", status="suspended")
    url = f"/staff/marketplace/seller/{shop.pk}/change/"
    admin_client.post(url, {"reinstate_because": "Appeal upheld"})
    shop.refresh_from_db()
    assert shop.status == "active"
    mail = OutboxMessage.objects.get(to_address=shop.user.email)
    assert "Appeal upheld" in mail.body_text
    assert AuditEntry.objects.filter(
        object_type="marketplace.seller", detail__contains="Appeal upheld"
    ).exists()


def test_M5_lifting_needs_a_reason_and_a_suspended_seller(admin_user):
    shop = seller("brakes", status="suspended")
    with pytest.raises(services.ReportProblem, match="Say why"):
        services.reinstate_seller(staff=admin_user, seller_id=shop.pk, note="  ")
    active = seller("other")
    with pytest.raises(services.ReportProblem, match="not suspended"):
        services.reinstate_seller(staff=admin_user, seller_id=active.pk, note="Why not")
    assert Seller.objects.get(pk=shop.pk).status == "suspended"
    assert not OutboxMessage.objects.exists()


def test_M5_staff_cannot_set_the_status_by_hand_any_more(admin_client):
    shop = seller("brakes")
    admin_client.post(f"/staff/marketplace/seller/{shop.pk}/change/", {"status": "suspended"})
    assert Seller.objects.get(pk=shop.pk).status == "active"


# New seller terms (V1) --------------------------------------------------------------------------


def test_M5_publishing_new_terms_mails_every_active_seller_respecting_do_not_send(admin_client):
    terms("2026-1")
    keen, quiet = seller("keen"), seller("quiet")
    seller("gone", status="suspended")
    consent_services.set_do_not_send(email=quiet.user.email, on=True)
    admin_client.post(
        "/staff/marketplace/sellerterms/add/", {"version": "2026-2", "body": "No fakes."}
    )
    new = SellerTerms.objects.get(version="2026-2")
    mails = OutboxMessage.objects.filter(reference__startswith=f"terms-{new.pk}-")
    statuses = {m.to_address: m.status for m in mails}
    assert statuses.keys() == {keen.user.email, quiet.user.email}  # not the suspended one
    assert statuses[quiet.user.email] == "suppressed"
    assert statuses[keen.user.email] != "suppressed"
    assert "2026-2" in mails.get(to_address=keen.user.email).body_text


def test_M5_a_seller_must_accept_new_terms_before_creating_or_changing_listings(client):
    terms("2026-1", published_at=timezone.now() - timedelta(days=100))
    shop = seller()
    part = PartFactory()
    listing = services.create_listing(user=shop.user, draft=draft(part, "40.00"))
    services.publish_seller_terms(staff=None, version="2026-2", body="No fakes.")
    with pytest.raises(services.SellerProblem, match=r"version 2026-2"):
        services.create_listing(user=shop.user, draft=draft(part, "40.00"))
    with pytest.raises(services.SellerProblem, match=r"version 2026-2"):
        services.update_listing(user=shop.user, listing_id=listing.pk, draft=draft(part, "30"))
    answer = client.post(
        "/api/v1/marketplace/listings",
        {
            "title": "Pads",
            "condition": "used",
            "price": "5.00",
            "quantity": 1,
            "part_code": part.sku,
        },
        content_type="application/json",
        headers=bearer(shop.user),
    )
    assert answer.status_code == 409 and "2026-2" in answer.json()["detail"]
    assert Listing.objects.count() == 1
    # The Selling page shows the new terms with an accept button.
    client.force_login(shop.user)
    page = client.get(reverse("seller_home"))
    assert "New seller terms (version 2026-2)" in page.text and "No fakes." in page.text
    client.post(reverse("seller_accept_terms"), {"terms_version": "2026-2", "accept": "on"})
    shop.refresh_from_db()
    assert shop.terms.version == "2026-2"
    services.create_listing(user=shop.user, draft=draft(part, "40.00"))
    assert Listing.objects.count() == 2


def test_M5_accepting_terms_that_are_not_the_current_ones_is_refused(client):
    terms("2026-1")
    shop = seller()
    services.publish_seller_terms(staff=None, version="2026-2", body="No fakes.")
    answer = client.post(
        "/api/v1/marketplace/seller/terms",
        {"terms_version": "2026-1"},
        content_type="application/json",
        headers=bearer(shop.user),
    )
    assert answer.status_code == 422 and "2026-2" in answer.json()["detail"]
    assert Seller.objects.get(pk=shop.pk).terms.version == "2026-1"
    answer = client.post(
        "/api/v1/marketplace/seller/terms",
        {"terms_version": "2026-2"},
        content_type="application/json",
        headers=bearer(shop.user),
    )
    assert answer.status_code == 200 and answer.json()["terms_version"] == "2026-2"


def test_M5_listings_of_sellers_who_did_not_accept_pause_after_the_grace_period():
    terms("2026-1", published_at=timezone.now() - timedelta(days=100))
    late, keen = seller("late"), seller("keen")
    part = PartFactory()
    stays = services.create_listing(user=keen.user, draft=draft(part, "40.00"))
    pauses = services.create_listing(user=late.user, draft=draft(part, "40.00"))
    new = services.publish_seller_terms(staff=None, version="2026-2", body="No fakes.")
    services.accept_seller_terms(user=keen.user, terms_version="2026-2")
    within = new.published_at + rules.TERMS_GRACE - timedelta(minutes=1)
    assert services.pause_listings_after_terms_grace(within) == "nothing to pause"
    assert Listing.objects.get(pk=pauses.pk).status == "active"
    report = services.pause_listings_after_terms_grace(new.published_at + rules.TERMS_GRACE)
    assert report.startswith("1 listing(s) paused")
    assert Listing.objects.get(pk=pauses.pk).status == "paused"
    assert Listing.objects.get(pk=stays.pk).status == "active"


# Reports from the listing page -----------------------------------------------------------------


@pytest.fixture
def on_sale():
    shop = seller("brakes")
    return services.create_listing(user=shop.user, draft=draft(PartFactory(), "40.00"))


def test_M5_a_guest_reports_a_listing_from_its_page_with_an_email(client, on_sale):
    url = reverse("listing_report", args=[on_sale.pk])
    page = client.get(reverse("listing_page", args=[on_sale.pk]))
    assert f'action="{url}"' in page.text and 'name="email"' in page.text
    answer = client.post(url, {"email": "guest@example.com", "reason": "Counterfeit"}, follow=True)
    assert "Thank you" in answer.text
    report = Report.objects.get()
    assert (report.reporter, report.reporter_email, report.listing) == (
        None,
        "guest@example.com",
        on_sale,
    )


def test_M5_a_guest_report_without_an_email_is_refused(client, on_sale):
    answer = client.post(reverse("listing_report", args=[on_sale.pk]), {"reason": "Fake"})
    assert answer.status_code == 400
    assert "This field is required" in answer.text
    assert not Report.objects.exists()


def test_M5_a_member_reports_from_the_listing_page_without_an_email(client, on_sale):
    member = MemberFactory()
    client.force_login(member)
    assert 'name="email"' not in client.get(reverse("listing_page", args=[on_sale.pk])).text
    client.post(reverse("listing_report", args=[on_sale.pk]), {"reason": "Fake"})
    assert Report.objects.get().reporter == member


def test_M5_a_filled_honeypot_stores_no_report(client, on_sale):
    answer = client.post(
        reverse("listing_report", args=[on_sale.pk]),
        {"email": "bot@example.com", "reason": "Buy now", "website": "http://spam"},
    )
    assert answer.status_code == 400
    assert not Report.objects.exists()


def test_M5_listing_reports_are_rate_limited(client, on_sale):
    cache.clear()
    url = reverse("listing_report", args=[on_sale.pk])
    limit = abuse_services.CLIENT_LIMITS[abuse_services.MARKETPLACE_REPORT].count
    for _ in range(limit):
        client.post(url, {"email": "guest@example.com", "reason": "Fake"})
    answer = client.post(url, {"email": "guest@example.com", "reason": "Fake"})
    assert answer.status_code == 429
    assert Report.objects.count() == limit
    cache.clear()


def test_M5_a_listing_not_on_sale_cannot_be_reported(client, on_sale):
    Listing.objects.filter(pk=on_sale.pk).update(status="paused")
    answer = client.post(
        reverse("listing_report", args=[on_sale.pk]),
        {"email": "guest@example.com", "reason": "Fake"},
    )
    assert answer.status_code == 404
    assert not Report.objects.exists()


def test_M5_erasing_a_guest_blanks_their_address_on_reports(client, on_sale, admin_user):
    from camshaft.privacy import services as privacy_services

    client.post(
        reverse("listing_report", args=[on_sale.pk]),
        {"email": "Guest@Example.com", "reason": "Fake"},
    )
    privacy_services.erase_guest(email="guest@example.com", by=admin_user, reason="Asked to")
    report = Report.objects.get()
    assert report.reporter_email == "" and report.reason == "Fake"


def test_M5_every_terms_version_a_seller_accepted_is_kept_and_stays_uneditable(admin_client):
    terms("2026-1")
    shop = seller()
    services.publish_seller_terms(staff=None, version="2026-2", body="No fakes.")
    services.accept_seller_terms(user=shop.user, terms_version="2026-2")
    services.accept_seller_terms(user=shop.user, terms_version="2026-2")  # twice: one record
    assert [a.terms.version for a in shop.acceptances.all()] == ["2026-1", "2026-2"]
    old = SellerTerms.objects.get(version="2026-1")
    admin_client.post(
        f"/staff/marketplace/sellerterms/{old.pk}/change/", {"version": "2026-1", "body": "New"}
    )
    old.refresh_from_db()
    assert old.body != "New"
    exported = selectors.personal_data(shop.user)[0]["terms_accepted"]
    assert [row["version"] for row in exported] == ["2026-1", "2026-2"]


def test_M5_staff_open_an_automatic_notice_about_a_buyer_in_the_queue(admin_client):
    buyer = adult()
    notice = services.note_sale_cancelled(buyer=buyer, cancelled_in_window=5)
    assert "Automatic notice" in admin_client.get("/staff/marketplace/report/").text
    page = admin_client.get(f"/staff/marketplace/report/{notice.pk}/change/")
    assert page.status_code == 200 and "cancelled 5 sales" in page.text


def test_M5_the_terms_grace_job_runs_from_camshaft_jobs():
    from io import StringIO

    from django.core.management import call_command

    terms("2026-1", published_at=timezone.now() - timedelta(days=100))
    late = seller("late")
    listing = services.create_listing(user=late.user, draft=draft(PartFactory(), "40.00"))
    SellerTerms.objects.create(
        version="2026-2", body="New", published_at=timezone.now() - rules.TERMS_GRACE
    )
    out = StringIO()
    call_command("jobs", "--only", "pause_listings_after_terms_grace", stdout=out)
    assert "1 listing(s) paused" in out.getvalue()
    assert Listing.objects.get(pk=listing.pk).status == "paused"
