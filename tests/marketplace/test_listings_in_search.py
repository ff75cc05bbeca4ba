"""M1: listings on sale are found in the store's search (beside its parts,
"Sold by <user ID> ★ score"), with condition and seller-type filters and
facets; they fit what their part fits (or their own vehicles); a listing
that leaves sale leaves search once the change log is applied; a full
reindex includes them; a vehicle's page shows the listings fitting it."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from camshaft.marketplace import selectors, services
from camshaft.marketplace.models import Listing, ReportOutcome
from camshaft.search import services as search_services
from camshaft.search.models import PendingIndexUpdate
from camshaft.search.selectors import SearchFilters, indexed_counts, search_parts
from tests.factories import CategoryFactory, FitmentFactory, PartFactory, VehicleFactory
from tests.marketplace.helpers import adult, seller

pytestmark = pytest.mark.django_db


def draft(**changes) -> services.ListingDraft:
    fields = {
        "title": "Ceramic brake pads, lightly used",
        "condition": "used",
        "price": Decimal("24.50"),
        "quantity": 2,
        "vehicle_ids": (),
        "part_code": "",
    }
    fields.update(changes)
    return services.ListingDraft(**fields)


@pytest.fixture
def shop():
    """A store part fitting a Civic, and a seller's listing linked to it."""
    pads = CategoryFactory(name="Brake Pads", slug="pads")
    civic, accord = VehicleFactory(), VehicleFactory()
    part = PartFactory(
        sku="BP100", name="Ceramic Front Brake Pad Set", category=pads, price=Decimal("45.00")
    )
    FitmentFactory(part=part, vehicle=civic)
    PartFactory(sku="OF1", name="Premium Oil Filter", price=Decimal("8.50"))
    shop = seller("brakeshop")
    listing = services.create_listing(user=shop.user, draft=draft(part_code="BP100"))
    search_services.sync_index()
    return {"part": part, "listing": listing, "seller": shop, "civic": civic, "accord": accord}


def offers(query: str = "brake pads", **filters) -> list[str]:
    return [o.title for o in search_parts(query=query, filters=SearchFilters(**filters)).offers]


def test_M1_listing_found_in_search(shop, client):
    result = search_parts(query="brake pads")
    assert [p.sku for p in result.items] == ["BP100"]  # the store's part, as before
    (offer,) = result.offers
    assert offer.title == "Ceramic brake pads, lightly used"
    assert offer.seller == "brakeshop"
    assert offer.condition_label == "Used"
    assert offer.price == Decimal("24.50")
    assert offer.part_sku == "BP100"
    assert result.offers_total == 1

    page = client.get(reverse("search"), {"q": "brake pads"}).content.decode()
    assert "Sold by" in page and "brakeshop" in page
    assert "no ratings yet" in page


def test_M1_listing_found_in_the_search_api(shop, client):
    answer = client.get("/api/v1/search", {"q": "brake pads"}).json()
    assert [o["seller"] for o in answer["offers"]] == ["brakeshop"]
    assert answer["offers"][0]["condition"] == "used"
    # A client opens the listing and its seller without building addresses.
    listing = shop["listing"]
    assert answer["offers"][0]["url"] == reverse("listing_page", args=[listing.pk])
    assert answer["offers"][0]["seller_url"] == reverse("seller_profile", args=["brakeshop"])
    assert client.get(answer["offers"][0]["url"]).status_code == 200
    assert {f["key"]: f["count"] for f in answer["seller_types"]} == {
        "store": 1,
        "marketplace": 1,
    }

    only = client.get("/api/v1/search", {"q": "brake pads", "seller": "marketplace"}).json()
    assert only["results"] == [] and only["total"] == 1
    assert [o["title"] for o in only["offers"]] == ["Ceramic brake pads, lightly used"]


@pytest.mark.parametrize("field", ["condition", "seller"])
def test_M1_unknown_condition_or_seller_type_is_refused(shop, client, field):
    assert client.get("/api/v1/search", {"q": "pads", field: "mint"}).status_code == 422
    page = client.get(reverse("search"), {"q": "pads", field: "mint"})
    assert page.status_code == 400


def test_M1_sold_out_listing_disappears_after_the_log_is_applied(shop):
    listing = shop["listing"]
    listing.quantity = 0
    # As checkout sells the last unit (branch mp-buy): a save of one field.
    listing.save(update_fields=["quantity", "updated_at"])
    assert PendingIndexUpdate.objects.filter(kind="listing", part_id=listing.pk).exists()
    assert indexed_counts()["listing"] == 1  # not applied yet

    search_services.sync_index()
    assert indexed_counts().get("listing", 0) == 0
    result = search_parts(query="brake pads")
    assert result.offers == [] and result.offers_total == 0
    assert [p.sku for p in result.items] == ["BP100"]


def _pause(shop):
    services.set_paused(user=shop["seller"].user, listing_id=shop["listing"].pk, paused=True)


def _delete(shop):
    services.delete_listing(user=shop["seller"].user, listing_id=shop["listing"].pk)


def _report(outcome):
    def act(shop):
        report = services.file_report(
            reporter=adult(), reason="Fake", listing_id=shop["listing"].pk
        )
        staff = adult(is_staff=True)
        services.handle_report(staff=staff, report_id=report.pk, outcome=outcome)

    return act


LEAVING_SALE = {
    "paused": _pause,
    "deleted": _delete,
    "removed by staff": _report(ReportOutcome.LISTING_REMOVED),
    "seller suspended": _report(ReportOutcome.SUSPENDED),
}


@pytest.mark.parametrize("how", LEAVING_SALE)
def test_M1_paused_removed_or_suspended_listing_disappears(shop, how):
    assert offers() == ["Ceramic brake pads, lightly used"]
    LEAVING_SALE[how](shop)
    assert not selectors.on_sale().filter(pk=shop["listing"].pk).exists()
    search_services.sync_index()
    assert offers() == []
    assert indexed_counts().get("listing", 0) == 0


def test_M1_resumed_and_edited_listing_is_found_again(shop):
    _pause(shop)
    search_services.sync_index()
    services.set_paused(user=shop["seller"].user, listing_id=shop["listing"].pk, paused=False)
    services.update_listing(
        user=shop["seller"].user,
        listing_id=shop["listing"].pk,
        draft=draft(part_code="BP100", title="Ceramic brake pads, barely used"),
    )
    search_services.sync_index()
    assert offers() == ["Ceramic brake pads, barely used"]


@pytest.fixture
def three_conditions(shop):
    other = seller("rebuilder")
    services.create_listing(
        user=other.user,
        draft=draft(
            title="Remanufactured brake pads",
            condition="remanufactured",
            vehicle_ids=(shop["accord"].pk,),
        ),
    )
    services.create_listing(
        user=other.user,
        draft=draft(title="New brake pads, wrong order", condition="new", part_code="BP100"),
    )
    search_services.sync_index()
    return shop


def test_M1_condition_and_seller_type_filters_and_facets(three_conditions):
    result = search_parts(query="brake pads")
    assert {f.id: f.count for f in result.seller_types} == {"store": 1, "marketplace": 3}
    assert {f.id: f.count for f in result.conditions} == {
        "new": 2,  # the store's part and one listing
        "used": 1,
        "remanufactured": 1,
    }

    used = search_parts(query="brake pads", filters=SearchFilters(condition="used"))
    assert used.items == [] and [o.title for o in used.offers] == [
        "Ceramic brake pads, lightly used"
    ]
    # Each facet ignores its own filter: the other conditions stay countable.
    assert {f.id: f.count for f in used.conditions}["new"] == 2
    assert {f.id: f.count for f in used.seller_types} == {"marketplace": 1}

    new = search_parts(query="brake pads", filters=SearchFilters(condition="new"))
    assert [p.sku for p in new.items] == ["BP100"]
    assert [o.title for o in new.offers] == ["New brake pads, wrong order"]

    store = search_parts(query="brake pads", filters=SearchFilters(seller="store"))
    assert [p.sku for p in store.items] == ["BP100"] and store.offers == []
    assert {f.id: f.count for f in store.conditions} == {"new": 1}

    market = search_parts(query="brake pads", filters=SearchFilters(seller="marketplace"))
    assert market.items == [] and market.total == 3
    assert len(market.offers) == 3
    assert market.exact_matches == []


def test_M1_store_parts_in_another_condition_are_filtered_too(shop):
    reman = PartFactory(sku="RB1", name="Brake Pad Set Reman", condition="reman")
    search_services.queue_reindex([reman.pk])
    search_services.sync_index()
    reman = search_parts(query="brake pad", filters=SearchFilters(condition="remanufactured"))
    assert [p.sku for p in reman.items] == ["RB1"]


def test_M1_listings_fit_what_their_part_fits_or_their_own_vehicles(three_conditions):
    civic, accord = three_conditions["civic"], three_conditions["accord"]
    for_civic = search_parts(
        query="brake pads", filters=SearchFilters(vehicle_id=civic.pk, seller="marketplace")
    )
    # Both linked listings inherit BP100's fitment; the free-standing one fits the Accord.
    assert sorted(o.title for o in for_civic.offers) == [
        "Ceramic brake pads, lightly used",
        "New brake pads, wrong order",
    ]
    assert all(o.fits for o in for_civic.offers)
    for_accord = search_parts(
        query="brake pads", filters=SearchFilters(vehicle_id=accord.pk, seller="marketplace")
    )
    assert [o.title for o in for_accord.offers] == ["Remanufactured brake pads"]

    garage = search_parts(query="brake pads", garage_vehicle_id=accord.pk)
    fits = {o.title: o.fits for o in garage.offers}
    assert fits["Remanufactured brake pads"] is True
    assert fits["Ceramic brake pads, lightly used"] is False


def test_M1_a_part_change_rewrites_its_listings_documents(shop):
    later = VehicleFactory()
    FitmentFactory(part=shop["part"], vehicle=later)
    search_services.queue_reindex([shop["part"].pk])  # as the fitment writers do
    search_services.sync_index()
    assert offers(vehicle_id=later.pk, seller="marketplace") == ["Ceramic brake pads, lightly used"]


def test_M1_reindex_includes_listings(shop, capsys):
    call_command("reindex", no_progress=True)
    assert "1 listings" in capsys.readouterr().out
    assert indexed_counts() == {"part": 2, "listing": 1}
    assert offers() == ["Ceramic brake pads, lightly used"]


def test_M1_vehicle_page_shows_listings_that_fit(shop, client, django_assert_max_num_queries):
    civic = shop["civic"]
    other = seller("pullapart")
    for n in range(4):
        services.create_listing(
            user=other.user,
            draft=draft(title=f"Civic mirror {n}", vehicle_ids=(civic.pk,), price=Decimal(10 + n)),
        )
    services.create_listing(
        user=other.user, draft=draft(title="Accord mirror", vehicle_ids=(shop["accord"].pk,))
    )
    with django_assert_max_num_queries(2):
        found = selectors.for_vehicle(vehicle_id=civic.pk)
    assert [o.listing.title for o in found] == [
        "Civic mirror 0",
        "Civic mirror 1",
        "Civic mirror 2",
        "Civic mirror 3",
        "Ceramic brake pads, lightly used",
    ]
    # Free-standing and linked listings are merged cheapest first, then cut.
    cheap_linked = services.create_listing(
        user=other.user,
        draft=draft(title="Cheap linked pads", part_code="BP100", price=Decimal(5)),
    )
    assert [o.listing.title for o in selectors.for_vehicle(vehicle_id=civic.pk, limit=2)] == [
        cheap_linked.title,
        "Civic mirror 0",
    ]

    page = client.get(reverse("vehicle_parts", args=[civic.pk])).content.decode()
    assert 'id="marketplace-listings"' in page
    assert "Civic mirror 3" in page and "Sold by" in page
    assert "Accord mirror" not in page


def test_M1_listing_change_enters_the_log_in_its_transaction(shop):
    listing = Listing.objects.get(pk=shop["listing"].pk)
    entries = PendingIndexUpdate.objects.filter(kind="listing", part_id=listing.pk)
    before = entries.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        listing.quantity = 1
        listing.save(update_fields=["quantity"])
        assert entries.count() == before + 1
        raise RuntimeError("the sale failed")
    assert entries.count() == before  # rolled back with the change
