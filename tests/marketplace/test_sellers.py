"""Becoming a seller (A1's 18+, M4's terms, M3's public user ID): the
service, the page in My Account, the API, the back office and V3/V4."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import timezone

from camshaft.marketplace import selectors, services
from camshaft.marketplace.models import CommissionRate, SaleFee, Seller
from camshaft.privacy.selectors import personal_data
from tests.factories import AddressFactory, CategoryFactory, MemberFactory
from tests.marketplace.helpers import (
    adult,
    adult_with_address,
    bearer,
    born_years_ago,
    seller,
    terms,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/marketplace/seller"
PAGE = "/account/selling/"


def test_M1_an_adult_accepting_the_current_terms_becomes_a_seller():
    current = terms()
    member = adult_with_address()
    made = services.become_seller(user=member, public_id="BrakeShop", terms_version="2026-1")
    assert made.public_id == "BrakeShop"
    assert made.terms == current
    assert made.status == "active"


def test_M1_a_member_under_18_is_refused_and_nothing_is_stored():
    terms()
    minor = MemberFactory(date_of_birth=born_years_ago(18, days=-1))
    with pytest.raises(services.SellerProblem) as refused:
        services.become_seller(user=minor, public_id="young", terms_version="2026-1")
    assert refused.value.code == "under_age"
    assert "18 or older" in refused.value.message
    assert not Seller.objects.exists()


def test_M4_accepting_an_older_version_of_the_terms_is_refused():
    terms("2025-1", published_at=timezone.now() - timedelta(days=30))
    terms("2026-1")
    with pytest.raises(services.SellerProblem) as refused:
        services.become_seller(user=adult(), public_id="brakes", terms_version="2025-1")
    assert refused.value.code == "outdated_terms"
    assert "2026-1" in refused.value.message
    assert not Seller.objects.exists()


def test_M3_a_public_id_is_unique_whatever_its_case():
    seller("BrakeShop")
    with pytest.raises(services.SellerProblem) as refused:
        services.become_seller(user=adult(), public_id="brakeshop", terms_version="2026-1")
    assert refused.value.code == "public_id_taken"
    assert Seller.objects.count() == 1


def test_M3_the_database_refuses_a_public_id_differing_only_in_case():
    seller("BrakeShop")
    with pytest.raises(IntegrityError):
        seller("BRAKESHOP")


def test_M1_a_seller_cannot_become_one_twice():
    first = seller("first")
    with pytest.raises(services.SellerProblem) as refused:
        services.become_seller(user=first.user, public_id="second", terms_version="2026-1")
    assert refused.value.code == "already_seller"
    assert list(Seller.objects.values_list("public_id", flat=True)) == ["first"]


def test_M4_nobody_becomes_a_seller_before_staff_publish_terms():
    with pytest.raises(services.SellerProblem) as refused:
        services.become_seller(user=adult(), public_id="early", terms_version="1")
    assert refused.value.code == "no_terms"


# The page in My Account ----------------------------------------------------


def test_M1_the_selling_page_asks_to_sign_in(client):
    assert client.get(PAGE).status_code == 302


def test_M1_an_adult_becomes_a_seller_on_the_selling_page(client):
    terms(body="Ship within two business days.")
    member = adult_with_address()
    client.force_login(member)
    page = client.get(PAGE)
    assert "Ship within two business days." in page.text
    answer = client.post(
        PAGE, {"public_id": "brakes4u", "terms_version": "2026-1", "accept": "on"}, follow=True
    )
    assert answer.status_code == 200
    assert "You sell as" in answer.text and "brakes4u" in answer.text
    assert Seller.objects.get().user == member


def test_M1_the_page_refuses_a_minor_with_the_reason(client):
    terms()
    client.force_login(MemberFactory(date_of_birth=born_years_ago(16)))
    answer = client.post(PAGE, {"public_id": "young", "terms_version": "2026-1", "accept": "on"})
    assert answer.status_code == 403
    assert "18 or older" in answer.text
    assert not Seller.objects.exists()


def test_M4_the_page_refuses_without_accepting_the_terms(client):
    terms()
    client.force_login(adult())
    answer = client.post(PAGE, {"public_id": "brakes", "terms_version": "2026-1"})
    assert answer.status_code == 400
    assert not Seller.objects.exists()


def test_M3_the_page_says_a_taken_id_is_taken(client):
    seller("brakes")
    client.force_login(adult_with_address())
    answer = client.post(PAGE, {"public_id": "Brakes", "terms_version": "2026-1", "accept": "on"})
    assert answer.status_code == 409
    assert "taken" in answer.text
    assert Seller.objects.count() == 1


# The API --------------------------------------------------------------------


def test_M1_a_member_becomes_a_seller_with_a_token(client):
    terms()
    member = adult_with_address()
    answer = client.post(
        URL,
        {"public_id": "brakes", "terms_version": "2026-1"},
        content_type="application/json",
        headers=bearer(member),
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["public_id"] == "brakes"
    mine = client.get(URL, headers=bearer(member))
    assert mine.json()["terms_version"] == "2026-1"


def test_M1_the_api_refuses_a_minor_with_403_and_the_reason(client):
    terms()
    minor = MemberFactory(date_of_birth=born_years_ago(17))
    answer = client.post(
        URL,
        {"public_id": "young", "terms_version": "2026-1"},
        content_type="application/json",
        headers=bearer(minor),
    )
    assert answer.status_code == 403
    assert "18 or older" in answer.json()["detail"]
    assert not Seller.objects.exists()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"public_id": "staff-shop", "terms_version": "2026-1"}, 422),
        ({"public_id": "brakes", "terms_version": "2025-9"}, 422),
        ({"public_id": "brakes"}, 422),
        ({"public_id": "brakes", "terms_version": "2026-1", "role": "staff"}, 422),
    ],
)
def test_M1_the_api_refuses_bad_input_and_stores_nothing(client, body, status):
    terms()
    answer = client.post(URL, body, content_type="application/json", headers=bearer(adult()))
    assert answer.status_code == status
    assert answer.json()["detail"]
    assert not Seller.objects.exists()


def test_M1_the_api_wants_a_member(client):
    terms()
    answer = client.post(
        URL, {"public_id": "brakes", "terms_version": "2026-1"}, content_type="application/json"
    )
    assert answer.status_code == 401


def test_M4_the_terms_in_force_are_public(client):
    assert client.get("/api/v1/marketplace/terms").status_code == 404
    terms("2026-2", body="Be nice.")
    assert client.get("/api/v1/marketplace/terms").json()["version"] == "2026-2"


# Fees (M4) -----------------------------------------------------------------


def test_M4_commission_follows_the_category_tree_then_the_store_default():
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    other = CategoryFactory()
    CommissionRate.objects.create(category=None, percent=Decimal("10"))
    CommissionRate.objects.create(category=root, percent=Decimal("7.5"))
    assert selectors.commission_percent(category=child) == Decimal("7.5")
    assert selectors.commission_percent(category=other) == Decimal("10")


def test_M4_there_is_one_store_wide_default_rate():
    CommissionRate.objects.create(category=None, percent=Decimal("10"))
    with pytest.raises(IntegrityError):
        CommissionRate.objects.create(category=None, percent=Decimal("12"))


def test_M4_the_fixed_fee_per_sale_is_money_in_its_currency():
    SaleFee.objects.create(currency="USD", amount=Decimal("0.30"))
    fee = selectors.sale_fee(currency="USD")
    assert (fee.amount, fee.currency) == (Decimal("0.30"), "USD")
    assert selectors.sale_fee(currency="EUR").amount == Decimal("0")


def test_M4_staff_set_the_commission_in_the_back_office(admin_client):
    answer = admin_client.post(
        "/staff/marketplace/commissionrate/add/", {"category": "", "percent": "9.5"}
    )
    assert answer.status_code == 302
    assert CommissionRate.objects.get().percent == Decimal("9.5")


def test_M4_the_back_office_refuses_a_commission_over_100_percent(admin_client):
    answer = admin_client.post(
        "/staff/marketplace/commissionrate/add/", {"category": "", "percent": "150"}
    )
    assert answer.status_code == 200
    assert not CommissionRate.objects.exists()


# Privacy (V3, V4) ---------------------------------------------------------------


def test_M3_download_my_data_holds_the_seller_record():
    mine = seller("brakes")
    assert personal_data(mine.user)["marketplace_seller"][0]["public_user_id"] == "brakes"


def test_M3_forgetting_a_person_removes_their_seller_record():
    mine = seller("brakes")
    services.forget_person(user=mine.user)
    assert not Seller.objects.exists()


# An address on file (M2: buyers receive it) -----------------------------------


def test_M2_becoming_a_seller_without_a_complete_address_is_refused():
    terms()
    member = adult()
    with pytest.raises(services.SellerProblem, match="Add your address") as refused:
        services.become_seller(user=member, public_id="brakes", terms_version="2026-1")
    assert refused.value.code == "no_address"
    # An address missing its postal code is not enough either.
    AddressFactory(user=member, default_billing=True, postal_code="")
    with pytest.raises(services.SellerProblem, match="Add your address"):
        services.become_seller(user=member, public_id="brakes", terms_version="2026-1")
    assert not Seller.objects.exists()
    AddressFactory(user=member)
    made = services.become_seller(user=member, public_id="brakes", terms_version="2026-1")
    assert made.user == member


def test_M2_the_contract_carries_the_complete_address_not_a_broken_default():
    member = adult(first_name="Robin", last_name="Wrench")
    AddressFactory(user=member, default_billing=True, line1="", city="Nowhere")
    full = AddressFactory(user=member, city="Dayton")
    assert selectors.contract_address(member) == full


def test_M2_the_selling_page_asks_for_an_address_first(client):
    terms()
    member = adult()
    client.force_login(member)
    page = client.get(PAGE)
    assert 'id="seller-address-needed"' in page.text and "/account/addresses/add/" in page.text
    answer = client.post(PAGE, {"public_id": "brakes", "terms_version": "2026-1", "accept": "on"})
    assert answer.status_code == 409 and "Add your address" in answer.text
    assert not Seller.objects.exists()


def test_M2_the_api_refuses_a_member_without_an_address_with_409(client):
    terms()
    answer = client.post(
        URL,
        {"public_id": "brakes", "terms_version": "2026-1"},
        content_type="application/json",
        headers=bearer(adult()),
    )
    assert answer.status_code == 409 and "Add your address" in answer.json()["detail"]
    assert not Seller.objects.exists()


def test_M2_demo_sellers_have_an_address_for_the_contract():
    from camshaft.marketplace.demo import demo_sellers

    made = demo_sellers()
    assert made and all(selectors.contract_address(s.user) for s in made)
    assert demo_sellers() == made  # made once: no second address either
    assert all(s.user.addresses.count() == 1 for s in made)
