"""C4: the make for every WMI in NHTSA's vPIC list, and model, body, trim and
engine where vPIC's patterns tell, filling the Part Finder as deep as the VIN
goes."""

import datetime

import pytest
from django.urls import reverse

from camshaft.fitment import vpic
from camshaft.fitment.vin import compute_check_digit, decode_vin
from tests.factories import (
    EngineFactory,
    MakeFactory,
    SubmodelFactory,
    VehicleFactory,
    VehicleModelFactory,
)

TODAY = datetime.date(2026, 3, 1)
GRAND_CHEROKEE_2014 = "1C4RJFAG0EC123456"  # Laredo, 3.6L V6 by Chrysler's patterns


def with_check_digit(vin: str) -> str:
    return vin[:8] + compute_check_digit(vin) + vin[9:]


def test_C4_vpic_lists_over_12000_wmis_and_each_decodes_to_a_make():
    wmis = vpic._data()["wmis"]
    assert len(wmis) > 12_000
    missing = []
    # vPIC files a few codes with I, O or Q, which no valid VIN can carry.
    for wmi in (w for w in wmis if not set(w) & set("IOQ")):
        # A VIN of model year 2020 under each WMI (six-character WMIs carry
        # their last three characters in positions 12-14).
        tail = wmi[3:] if len(wmi) == 6 else "123"
        vin = with_check_digit(f"{wmi[:3]}AB12C0L1{tail}456")
        decoded = decode_vin(vin, today=TODAY)
        if not decoded.make:
            missing.append(wmi)
    # A handful of vPIC's WMIs name a manufacturer but no make at all.
    assert len(missing) < 0.01 * len(wmis), missing[:20]


@pytest.mark.parametrize(
    ("vin", "make", "model"),
    [
        ("7FCTGAAA7PN023076", "Rivian", "R1T"),
        ("5YJSA1H12FFP71790", "Tesla", "Model S"),
        ("1GCVKREC0EZ123456", "Chevrolet", "Silverado"),
        ("KNDJN2A20F7123456", "Kia", "Soul"),
    ],
)
def test_C4_vin_decodes_make_and_model_from_vpic(vin, make, model):
    decoded = decode_vin(with_check_digit(vin), today=TODAY)
    assert (decoded.make, decoded.model) == (make, model)


def test_C4_vin_decodes_body_trim_and_engine_where_the_patterns_tell():
    decoded = decode_vin(with_check_digit(GRAND_CHEROKEE_2014), today=TODAY)
    assert (decoded.make, decoded.model, decoded.model_year) == ("Jeep", "Grand Cherokee", 2014)
    assert decoded.trim == "Laredo"
    assert decoded.body.startswith("Sport Utility Vehicle")
    assert (decoded.engine.displacement_l, decoded.engine.cylinders) == (3.6, 6)
    assert decoded.description == "2014 Jeep Grand Cherokee Laredo, 3.6L 6-cyl"


@pytest.fixture
def grand_cherokee():
    jeep = MakeFactory(name="Jeep")
    model = VehicleModelFactory(make=jeep, name="Grand Cherokee")
    laredo, limited = SubmodelFactory(name="Laredo"), SubmodelFactory(name="Limited")
    v6 = VehicleFactory(
        year=2014, model=model, submodel=laredo, engine=EngineFactory(name="3.6L V6 DOHC")
    )
    VehicleFactory(
        year=2014, model=model, submodel=laredo, engine=EngineFactory(name="5.7L V8 OHV")
    )
    VehicleFactory(
        year=2014, model=model, submodel=limited, engine=EngineFactory(name="3.6L V6 DOHC")
    )
    return v6


@pytest.mark.django_db
def test_C4_vin_fills_the_finder_to_the_engine_and_shows_the_parts(client, grand_cherokee):
    vin = with_check_digit(GRAND_CHEROKEE_2014)
    reply = client.get(reverse("vin"), {"vin": vin})
    v = grand_cherokee
    assert reply["Location"] == (
        f"{reverse('finder')}?year=2014&make={v.make_id}&model={v.model_id}"
        f"&submodel={v.submodel_id}&engine={v.engine_id}"
    )
    # With every level chosen the finder goes straight to the parts that fit.
    parts = client.get(reply["Location"], follow=True)
    assert parts.request["PATH_INFO"] == reverse("vehicle_parts", args=[v.id])
    assert "2014 Jeep Grand Cherokee Laredo, 3.6L 6-cyl" in parts.content.decode()


@pytest.mark.django_db
def test_C4_vin_stops_where_the_engine_is_ambiguous(client, grand_cherokee):
    VehicleFactory(
        year=2014,
        model=grand_cherokee.model,
        submodel=grand_cherokee.submodel,
        engine=EngineFactory(name="3.6L V6 DOHC FFV"),
    )
    reply = client.get(reverse("vin"), {"vin": with_check_digit(GRAND_CHEROKEE_2014)}, follow=True)
    finder = reply.context["finder"]
    assert finder.submodel.name == "Laredo" and finder.engine is None
    assert "Please pick the engine." in reply.content.decode()


@pytest.mark.django_db
def test_C4_unknown_wmi_fills_the_year_with_a_clear_message(client, grand_cherokee):
    vin = with_check_digit("1Z1AB1CC0EK123456")
    reply = client.get(reverse("vin"), {"vin": vin}, follow=True)
    assert reply.context["finder"].year == 2014 and reply.context["finder"].make is None
    assert "not in NHTSA" in reply.content.decode()


@pytest.mark.django_db
def test_C4_api_tells_how_deep_the_vin_goes(client, grand_cherokee):
    body = client.get(f"/api/v1/vin/{with_check_digit(GRAND_CHEROKEE_2014)}").json()
    v = grand_cherokee
    assert body["model"] == "Grand Cherokee" and body["engine"] == "3.6L 6-cyl"
    assert (body["make_id"], body["model_id"], body["submodel_id"], body["engine_id"]) == (
        v.make_id,
        v.model_id,
        v.submodel_id,
        v.engine_id,
    )
    assert body["message"].startswith("VIN ")
