"""C4 through the storefront and the API: a VIN pre-fills the Part Finder."""

import pytest
from django.urls import reverse

from tests.factories import MakeFactory, VehicleFactory, VehicleModelFactory

pytestmark = pytest.mark.django_db
ACCORD_2003 = "1HGCM82633A004352"


@pytest.fixture
def honda():
    honda = MakeFactory(name="Honda")
    VehicleFactory(year=2003, model=VehicleModelFactory(make=honda, name="Accord"))
    return honda


def test_C4_vin_prefills_year_and_make_in_the_finder(client, honda):
    reply = client.get(reverse("vin"), {"vin": "1hgcm8-2633a004352"})
    assert reply.status_code == 302
    accord = honda.models.get(name="Accord")
    assert reply["Location"].startswith(
        f"{reverse('finder')}?year=2003&make={honda.id}&model={accord.id}"
    )
    page = client.get(reply["Location"])
    assert page.context["finder"].make.name == "Honda"
    assert b">Accord<" in page.content


def test_C4_vin_of_a_make_we_do_not_carry_prefills_the_year(client, honda):
    reply = client.get(reverse("vin"), {"vin": "1M8GDM9AXKP042788"})
    assert reply.status_code == 302 and "make=" not in reply["Location"]


@pytest.mark.parametrize(
    "vin, message",
    [
        ("1HGCM82633A00435", b"17 characters"),
        ("1HGCM82633A00435O", b"I, O or Q"),
        ("1HGCM82643A004352", b"check digit"),
        ("x" * 1500, b"VIN"),
    ],
)
def test_C4_bad_vin_gets_a_clear_message(client, honda, vin, message):
    page = client.get(reverse("vin"), {"vin": vin})
    assert page.status_code == 400
    assert message in page.content


def test_C4_api_decodes_a_vin(client, honda):
    body = client.get(f"/api/v1/vin/{ACCORD_2003}").json()
    assert {k: body[k] for k in ("vin", "year", "make", "make_id")} == {
        "vin": ACCORD_2003,
        "year": 2003,
        "make": "Honda",
        "make_id": honda.id,
    }
    bad = client.get("/api/v1/vin/1HGCM82643A004352")
    assert bad.status_code == 422 and "check digit" in bad.json()["detail"]
