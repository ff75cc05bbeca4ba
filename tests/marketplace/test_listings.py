"""A seller's listings (M1): linked to a catalogue part or free-standing
with its own vehicles, priced above 0, paused, changed and deleted; pages
in My Account and the seller API. Someone else's listing is a 404."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from camshaft.marketplace import selectors, services
from camshaft.marketplace.models import Listing
from tests.factories import PartFactory, VehicleFactory
from tests.marketplace.helpers import adult, bearer, seller

pytestmark = pytest.mark.django_db

API = "/api/v1/marketplace/listings"


def draft(**changes) -> services.ListingDraft:
    fields = {
        "title": "Front brake pads",
        "condition": "used",
        "price": Decimal("24.50"),
        "quantity": 2,
        "vehicle_ids": (),
        "part_code": "",
    }
    fields.update(changes)
    return services.ListingDraft(**fields)


def body(**changes) -> dict:
    fields = {"title": "Front brake pads", "condition": "used", "price": "24.50", "quantity": 2}
    fields.update(changes)
    return fields


def test_M1_a_listing_linked_by_sku_inherits_the_part():
    part = PartFactory()
    mine = seller()
    listing = services.create_listing(user=mine.user, draft=draft(part_code=part.sku.lower()))
    assert listing.part == part
    assert listing.price == Decimal("24.50")
    assert listing.currency == "USD"
    assert listing.status == "active"


def test_M1_a_listing_linked_by_mpn_finds_the_part():
    part = PartFactory(mpn="BP-1234 A")
    listing = services.create_listing(user=seller().user, draft=draft(part_code="bp1234a"))
    assert listing.part == part


def test_M1_a_free_standing_listing_fits_the_chosen_vehicles():
    car = VehicleFactory()
    listing = services.create_listing(
        user=seller().user, draft=draft(vehicle_ids=(car.pk,), condition="remanufactured")
    )
    assert list(listing.vehicles.all()) == [car]


@pytest.mark.parametrize("price", [Decimal("0"), Decimal("-1"), Decimal("1.005")])
def test_M1_a_price_of_zero_negative_or_below_a_cent_is_refused(price):
    with pytest.raises(ValidationError) as refused:
        services.create_listing(
            user=seller().user, draft=draft(price=price, vehicle_ids=(VehicleFactory().pk,))
        )
    assert "price" in refused.value.message_dict
    assert not Listing.objects.exists()


def test_M1_a_free_standing_listing_without_vehicles_is_refused():
    with pytest.raises(ValidationError) as refused:
        services.create_listing(user=seller().user, draft=draft())
    assert "vehicles" in refused.value.message_dict


def test_M1_an_unknown_sku_is_refused():
    with pytest.raises(ValidationError) as refused:
        services.create_listing(user=seller().user, draft=draft(part_code="NOPE-1"))
    assert "part_code" in refused.value.message_dict
    assert not Listing.objects.exists()


def test_M1_a_return_window_beyond_the_limit_is_refused():
    with pytest.raises(ValidationError) as refused:
        services.create_listing(
            user=seller().user, draft=draft(part_code=PartFactory().sku, return_days=365)
        )
    assert "return_days" in refused.value.message_dict


def test_M1_a_member_who_is_not_a_seller_cannot_list():
    with pytest.raises(services.SellerProblem) as refused:
        services.create_listing(user=adult(), draft=draft(part_code=PartFactory().sku))
    assert refused.value.code == "not_seller"


def test_M5_a_suspended_seller_cannot_list_and_their_listings_vanish():
    mine = seller()
    services.create_listing(user=mine.user, draft=draft(part_code=PartFactory().sku))
    assert selectors.on_sale().count() == 1
    mine.status = "suspended"
    mine.save()
    assert selectors.on_sale().count() == 0
    with pytest.raises(services.SellerProblem):
        services.create_listing(user=mine.user, draft=draft(part_code=PartFactory().sku))


def test_M1_a_paused_or_sold_out_listing_is_not_on_sale():
    mine = seller()
    listing = services.create_listing(user=mine.user, draft=draft(part_code=PartFactory().sku))
    services.set_paused(user=mine.user, listing_id=listing.pk, paused=True)
    assert not selectors.on_sale().exists()
    services.set_paused(user=mine.user, listing_id=listing.pk, paused=False)
    assert selectors.on_sale().exists()
    Listing.objects.filter(pk=listing.pk).update(quantity=0)
    assert not selectors.on_sale().exists()


def test_M1_changing_or_deleting_someone_elses_listing_is_refused_and_changes_nothing():
    theirs = services.create_listing(
        user=seller("owner").user, draft=draft(part_code=PartFactory().sku)
    )
    intruder = seller("intruder").user
    with pytest.raises(services.NotYourListing):
        services.update_listing(
            user=intruder, listing_id=theirs.pk, draft=draft(part_code=theirs.part.sku, quantity=9)
        )
    with pytest.raises(services.NotYourListing):
        services.delete_listing(user=intruder, listing_id=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.quantity == 2


# Pages ----------------------------------------------------------------------


def test_M1_a_seller_lists_a_part_on_the_page(client):
    part = PartFactory()
    mine = seller()
    client.force_login(mine.user)
    answer = client.post(
        "/account/selling/listings/new/",
        {**body(part_code=part.sku), "return_days": "14"},
        follow=True,
    )
    assert answer.status_code == 200
    assert "Front brake pads" in answer.text
    assert Listing.objects.get().return_days == 14


def test_M1_the_page_picks_vehicles_from_the_garage(client):
    car = VehicleFactory()
    mine = seller()
    client.force_login(mine.user)
    client.post("/garage/change/", {"action": "add", "vehicle": car.pk})
    page = client.get("/account/selling/listings/new/")
    assert str(car) in page.text
    client.post(
        "/account/selling/listings/new/", {**body(), "vehicles": [car.pk], "return_days": 0}
    )
    assert list(Listing.objects.get().vehicles.all()) == [car]


def test_M1_the_page_refuses_a_zero_price_with_the_reason(client):
    mine = seller()
    client.force_login(mine.user)
    answer = client.post(
        "/account/selling/listings/new/",
        {**body(part_code=PartFactory().sku, price="0"), "return_days": 0},
    )
    assert answer.status_code == 400
    assert "more than 0" in answer.text
    assert not Listing.objects.exists()


def test_M1_editing_someone_elses_listing_on_the_page_is_a_404(client):
    theirs = services.create_listing(
        user=seller("owner").user, draft=draft(part_code=PartFactory().sku)
    )
    client.force_login(seller("intruder").user)
    assert client.get(f"/account/selling/listings/{theirs.pk}/").status_code == 404
    url = f"/account/selling/listings/{theirs.pk}/delete/"
    assert client.post(url).status_code == 404
    assert Listing.objects.filter(pk=theirs.pk).exists()


def test_M1_a_seller_pauses_and_deletes_on_the_page(client):
    mine = seller()
    listing = services.create_listing(user=mine.user, draft=draft(part_code=PartFactory().sku))
    client.force_login(mine.user)
    client.post(f"/account/selling/listings/{listing.pk}/pause/", {"paused": "1"})
    listing.refresh_from_db()
    assert listing.status == "paused"
    client.post(f"/account/selling/listings/{listing.pk}/delete/")
    assert not Listing.objects.exists()


# API ------------------------------------------------------------------------


def test_M1_a_seller_manages_listings_with_a_token(client):
    part = PartFactory()
    mine = seller()
    auth = bearer(mine.user)
    made = client.post(API, body(part_code=part.sku), content_type="application/json", headers=auth)
    assert made.status_code == 201, made.json()
    listing_id = made.json()["id"]
    assert made.json()["part_sku"] == part.sku
    changed = client.put(
        f"{API}/{listing_id}",
        body(part_code=part.sku, price="30.00", quantity=5),
        content_type="application/json",
        headers=auth,
    )
    assert changed.json()["price"] == "30.00"
    paused = client.post(f"{API}/{listing_id}/pause", headers=auth)
    assert paused.json()["status"] == "paused"
    assert [row["id"] for row in client.get(API, headers=auth).json()] == [listing_id]
    assert client.delete(f"{API}/{listing_id}", headers=auth).status_code == 204
    assert not Listing.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [{"price": "0"}, {"price": "-3"}, {"price": 24.5}, {"condition": "broken"}, {"quantity": -1}],
)
def test_M1_the_api_refuses_bad_listings_with_422(client, changes):
    answer = client.post(
        API,
        body(part_code=PartFactory().sku, **changes),
        content_type="application/json",
        headers=bearer(seller().user),
    )
    assert answer.status_code == 422
    assert not Listing.objects.exists()


def test_M1_someone_elses_listing_is_a_404_in_the_api(client):
    theirs = services.create_listing(
        user=seller("owner").user, draft=draft(part_code=PartFactory().sku)
    )
    auth = bearer(seller("intruder").user)
    assert client.get(f"{API}/{theirs.pk}", headers=auth).status_code == 404
    changed = client.put(
        f"{API}/{theirs.pk}",
        body(part_code=theirs.part.sku, quantity=9),
        content_type="application/json",
        headers=auth,
    )
    assert changed.status_code == 404
    assert client.delete(f"{API}/{theirs.pk}", headers=auth).status_code == 404
    theirs.refresh_from_db()
    assert theirs.quantity == 2


def test_M1_a_member_who_is_not_a_seller_gets_403_from_the_api(client):
    answer = client.post(
        API,
        body(part_code=PartFactory().sku),
        content_type="application/json",
        headers=bearer(adult()),
    )
    assert answer.status_code == 403
    assert "Become a seller" in answer.json()["detail"]
