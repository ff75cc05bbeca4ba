"""The public listing page (M1): it sells the listing itself, so a listing
without a catalogue part (no "Also sold by" row anywhere) can be bought in
the browser too, and it states the seller's shipping charge."""

import pytest
from django.urls import reverse

from camshaft.marketplace.models import MarketplaceCartLine
from tests.marketplace.buying import buyer, listing

pytestmark = pytest.mark.django_db


def test_M1_a_free_standing_listing_is_bought_from_its_own_page(client):
    item = listing(shipping="7.50")
    item.part = None
    item.save()
    member = buyer()
    client.force_login(member)
    page = client.get(reverse("listing_page", args=[item.pk])).text
    action = reverse("marketplace_cart_add", args=[item.pk])
    assert f'action="{action}"' in page and "shipping $7.50" in page
    answer = client.post(action, {"quantity": "2", "next": reverse("listing_page", args=[item.pk])})
    assert answer.status_code == 302
    line = MarketplaceCartLine.objects.get()
    assert (line.listing, line.quantity, line.cart.user) == (item, 2, member)


def test_M1_the_seller_sees_no_buy_form_on_their_own_listing_page(client):
    item = listing(shipping="0")
    client.force_login(item.seller.user)
    page = client.get(reverse("listing_page", args=[item.pk])).text
    assert reverse("marketplace_cart_add", args=[item.pk]) not in page
    assert "free shipping" in page


def test_M1_after_a_refused_photo_the_edit_form_still_shows_the_shipping_charge(client):
    """The page shown after a refused photo holds the whole edit form: its
    shipping field must show the listing's charge, not the default 0 that
    saving the form would then store."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = listing(shipping="7.50")
    client.force_login(item.seller.user)
    refused = client.post(
        reverse("listing_photo_add", args=[item.pk]),
        {"photo": SimpleUploadedFile("caliper.jpg", b"not a picture", content_type="image/jpeg")},
    )
    assert refused.status_code == 400
    assert 'name="shipping_price" value="7.50"' in refused.text


def test_M1_search_and_vehicle_pages_link_a_free_standing_listing_to_its_page(client):
    """A listing without a catalogue part has no part page: search results
    and the vehicle page must lead to the listing's own page."""
    from decimal import Decimal

    from camshaft.marketplace import services
    from camshaft.search import services as search_services
    from tests.factories import VehicleFactory
    from tests.marketplace.helpers import seller

    civic = VehicleFactory()
    shop = seller("pullapart")
    mirror = services.create_listing(
        user=shop.user,
        draft=services.ListingDraft(
            title="Door mirror, left, silver",
            condition="used",
            price=Decimal("30.00"),
            quantity=1,
            vehicle_ids=(civic.pk,),
        ),
    )
    search_services.sync_index()
    link = f'href="{reverse("listing_page", args=[mirror.pk])}"'
    found = client.get(reverse("search"), {"q": "door mirror"}).text
    assert "Door mirror, left, silver" in found and link in found
    vehicle_page = client.get(reverse("vehicle_parts", args=[civic.pk])).text
    assert "Door mirror, left, silver" in vehicle_page and link in vehicle_page
