"""A3: My Account — profile and an address book only its owner can see."""

from datetime import date

import pytest

from camshaft.accounts.models import Address
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ADDRESS_FORM = {
    "full_name": "Pat Driver",
    "line1": "12 Piston Street",
    "line2": "",
    "city": "Columbus",
    "region": "OH",
    "postal_code": "43004",
    "country": "US",
    "phone": "+1 614 555 0100",
}


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


def test_A3_account_pages_need_sign_in(client):
    for url in ("/account/", "/account/addresses/", "/account/addresses/add/"):
        assert client.get(url)["Location"] == f"/account/sign-in/?next={url}"


def test_A3_profile_edit(signed_in, member):
    answer = signed_in.post(
        "/account/",
        {
            "first_name": "Pat",
            "last_name": "Driver",
            "phone": "614-555-0100",
            "date_of_birth": "1991-02-03",
        },
    )
    assert answer.status_code == 302
    member.refresh_from_db()
    assert (member.first_name, member.phone, member.date_of_birth) == (
        "Pat",
        "614-555-0100",
        date(1991, 2, 3),
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "call me maybe", "Enter a phone number"),
        ("date_of_birth", "2099-01-01", "can&#x27;t be in the future"),
        ("date_of_birth", "yesterday", "Enter a valid date."),
        ("date_of_birth", "", "This field is required."),
    ],
)
def test_A3_profile_bad_input_is_explained_and_changes_nothing(
    signed_in, member, field, value, message
):
    data = {"first_name": "Changed", "last_name": "", "phone": "", "date_of_birth": "1990-05-17"}
    answer = signed_in.post("/account/", {**data, field: value})
    assert answer.status_code == 400
    assert message in answer.content.decode()
    member.refresh_from_db()
    assert member.first_name == ""
    assert member.date_of_birth == date(1990, 5, 17)


def test_A3_add_edit_delete_own_address(signed_in, member):
    assert signed_in.post("/account/addresses/add/", ADDRESS_FORM).status_code == 302
    address = Address.objects.get(user=member)
    assert signed_in.get("/account/addresses/").content.count(b"12 Piston Street") == 1
    changed = {**ADDRESS_FORM, "city": "Dayton", "default_shipping": "on"}
    assert signed_in.post(f"/account/addresses/{address.id}/", changed).status_code == 302
    address.refresh_from_db()
    assert (address.city, address.default_shipping) == ("Dayton", True)
    assert signed_in.post(f"/account/addresses/{address.id}/delete/").status_code == 302
    assert not Address.objects.exists()


def test_A3_bad_address_is_explained_and_not_saved(signed_in):
    answer = signed_in.post(
        "/account/addresses/add/", {**ADDRESS_FORM, "country": "XX", "postal_code": ""}
    )
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Select a valid choice" in text
    assert "This field is required." in text
    assert not Address.objects.exists()


def test_A3_only_one_default_shipping_address(signed_in, member, make_address):
    first = make_address(member, default_shipping=True, default_billing=True)
    signed_in.post("/account/addresses/add/", {**ADDRESS_FORM, "default_shipping": "on"})
    second = Address.objects.exclude(pk=first.pk).get()
    first.refresh_from_db()
    assert (first.default_shipping, first.default_billing) == (False, True)
    assert second.default_shipping


def test_A3_addresses_are_private_to_their_owner(client, member, make_member, make_address, bearer):
    theirs = make_address(member, line1="1 Secret Lane")
    other = make_member("sam@example.com")
    client.force_login(other)

    assert b"1 Secret Lane" not in client.get("/account/addresses/").content
    assert client.get(f"/account/addresses/{theirs.id}/").status_code == 404
    edit = client.post(f"/account/addresses/{theirs.id}/", {**ADDRESS_FORM, "line1": "Mine now"})
    assert edit.status_code == 404
    assert client.post(f"/account/addresses/{theirs.id}/delete/").status_code == 404

    api = bearer(other)
    assert client.get("/api/v1/me/addresses", headers=api).json() == []
    patch = client.patch(
        f"/api/v1/me/addresses/{theirs.id}",
        {"line1": "Mine now"},
        content_type="application/json",
        headers=api,
    )
    assert patch.status_code == 404
    assert client.delete(f"/api/v1/me/addresses/{theirs.id}", headers=api).status_code == 404

    theirs.refresh_from_db()
    assert theirs.line1 == "1 Secret Lane"
    assert client.get("/api/v1/me/addresses", headers=bearer(member)).json()[0]["id"] == theirs.id


def test_A3_sign_in_page_then_my_account(client, member):
    client.post("/account/sign-in/", {"email": member.email, "password": PASSWORD})
    page = client.get("/account/")
    assert page.status_code == 200
    assert b"Signed in as pat@example.com" in page.content
