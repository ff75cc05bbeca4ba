"""C3: the Part Finder narrows each list by the choices before it; My Garage."""

import pytest
from django.urls import reverse

from camshaft.fitment import selectors
from tests.factories import (
    EngineFactory,
    FitmentFactory,
    MakeFactory,
    PartFactory,
    SubmodelFactory,
    VehicleFactory,
    VehicleModelFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def vehicles():
    honda, ford = MakeFactory(name="Honda"), MakeFactory(name="Ford")
    civic = VehicleModelFactory(make=honda, name="Civic")
    accord = VehicleModelFactory(make=honda, name="Accord")
    focus = VehicleModelFactory(make=ford, name="Focus")
    lx, ex = SubmodelFactory(name="LX"), SubmodelFactory(name="EX")
    i4, v6 = EngineFactory(name="1.8L L4 SOHC"), EngineFactory(name="3.5L V6 SOHC")
    return {
        "civic_lx": VehicleFactory(year=2012, model=civic, submodel=lx, engine=i4),
        "civic_ex": VehicleFactory(year=2012, model=civic, submodel=ex, engine=i4),
        "accord": VehicleFactory(year=2012, model=accord, submodel=ex, engine=v6),
        "civic_1995": VehicleFactory(year=1995, model=civic, submodel=lx, engine=i4),
        "focus": VehicleFactory(year=2005, model=focus, submodel=lx, engine=i4),
        "honda": honda,
        "ford": ford,
        "civic": civic,
        "lx": lx,
        "ex": ex,
        "i4": i4,
        "v6": v6,
    }


def names(choices):
    return [c.name for c in choices]


def test_C3_each_list_is_narrowed_by_the_choices_before_it(vehicles):
    v = vehicles
    assert selectors.years() == [2012, 2005, 1995]
    assert names(selectors.makes(year=2012)) == ["Honda"]
    assert names(selectors.makes(year=2005)) == ["Ford"]
    assert names(selectors.models(year=2012, make_id=v["honda"].id)) == ["Accord", "Civic"]
    assert names(selectors.models(year=1995, make_id=v["honda"].id)) == ["Civic"]
    assert names(selectors.submodels(year=2012, model_id=v["civic"].id)) == ["EX", "LX"]
    assert names(selectors.engines(year=2012, model_id=v["civic"].id, submodel_id=v["lx"].id)) == [
        "1.8L L4 SOHC"
    ]


def test_C3_finder_lists_use_a_fixed_number_of_queries(vehicles, django_assert_max_num_queries):
    v = vehicles
    # The years, then one query per list (its names read with their vehicles'
    # ids as a subquery), then the chosen vehicle.
    with django_assert_max_num_queries(6):
        state = selectors.finder_state(
            year=2012,
            make_id=v["honda"].id,
            model_id=v["civic"].id,
            submodel_id=v["lx"].id,
            engine_id=v["i4"].id,
        )
    assert state.vehicle == v["civic_lx"]


def test_C3_finder_page_steps_without_javascript(client, vehicles):
    v = vehicles
    page = client.get(reverse("finder"), {"year": 2012})
    assert page.status_code == 200
    assert b">Honda<" in page.content and b">Ford<" not in page.content
    page = client.get(reverse("finder"), {"year": 2012, "make": v["honda"].id})
    assert b">Civic<" in page.content and b">Accord<" in page.content
    done = client.get(
        reverse("finder"),
        {
            "year": 2012,
            "make": v["honda"].id,
            "model": v["civic"].id,
            "submodel": v["lx"].id,
            "engine": v["i4"].id,
        },
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("vehicle_parts", args=[v["civic_lx"].id])
    assert "garage" in done.cookies  # the chosen vehicle goes into My Garage


@pytest.mark.parametrize(
    "query, message",
    [
        ({"year": 1850}, b"no vehicles for the year 1850"),
        ({"year": 2005, "make": "HONDA_ID"}, b"not sold in 2005"),
        ({"year": "twenty"}, b"must be a whole number"),
        ({"year": 2012, "make": "9" * 30}, b"out of range"),
    ],
)
def test_C3_finder_bad_choices_get_a_clear_400(client, vehicles, query, message):
    query = {k: (vehicles["honda"].id if v == "HONDA_ID" else v) for k, v in query.items()}
    page = client.get(reverse("finder"), query)
    assert page.status_code == 400
    assert message in page.content
    assert b"Traceback" not in page.content


def test_C3_vehicle_page_groups_parts_by_category_with_fitment_notes(client, vehicles):
    v = vehicles["civic_lx"]
    pad = PartFactory(name="Front Brake Pads", category__name="Brake Pads")
    FitmentFactory(part=pad, vehicle=v, position="front", quantity=1, note="With 11 in rotor")
    plug = PartFactory(name="Spark Plug", category__name="Ignition")
    FitmentFactory(part=plug, vehicle=v, quantity=4)
    FitmentFactory(vehicle=vehicles["focus"])  # fits another vehicle: not shown
    listing = selectors.vehicle_parts(vehicle_id=v.id, page=_page())
    assert [(g.category, [p.name for p in g.parts]) for g in listing.groups] == [
        ("Brake Pads", ["Front Brake Pads"]),
        ("Ignition", ["Spark Plug"]),
    ]
    assert listing.page.total == 2
    page = client.get(reverse("vehicle_parts", args=[v.id]))
    assert b"Position: Front" in page.content and b"Qty per vehicle: 4" in page.content
    assert b"With 11 in rotor" in page.content


def test_C3_vehicle_parts_query_count_is_fixed(client, vehicles, django_assert_max_num_queries):
    v = vehicles["civic_lx"]
    for n in range(30):
        FitmentFactory(vehicle=v, part=PartFactory(category__name=f"Cat {n % 5}"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("vehicle_parts", args=[v.id])).status_code == 200


def test_C3_unknown_vehicle_is_404(client, vehicles):
    assert client.get(reverse("vehicle_parts", args=[987654])).status_code == 404


def test_C3_garage_keeps_vehicles_and_can_remove_and_select(client, vehicles):
    a, b = vehicles["civic_lx"], vehicles["focus"]
    for vehicle in (a, b):
        client.post(reverse("garage_change"), {"action": "add", "vehicle": vehicle.id})
    page = client.get(reverse("garage"))
    assert str(a).encode() in page.content and str(b).encode() in page.content
    assert page.context["garage"].selected_id == b.id
    client.post(reverse("garage_change"), {"action": "select", "vehicle": a.id})
    assert client.get(reverse("garage")).context["garage"].selected_id == a.id
    client.post(reverse("garage_change"), {"action": "remove", "vehicle": a.id})
    assert client.get(reverse("garage")).context["garage"].vehicle_ids == [b.id]


def test_C3_garage_refuses_unknown_vehicles_and_forged_cookies(client, vehicles):
    assert (
        client.post(reverse("garage_change"), {"action": "add", "vehicle": 99999}).status_code
        == 404
    )
    assert client.post(reverse("garage_change"), {"action": "fly"}).status_code == 400
    client.cookies["garage"] = "not-a-signed-value"
    assert client.get(reverse("garage")).status_code == 200


def test_C3_garage_next_never_redirects_off_site(client, vehicles):
    reply = client.post(
        reverse("garage_change"),
        {"action": "add", "next": "//evil.example", "vehicle": vehicles["focus"].id},
    )
    assert reply["Location"] == reverse("garage")


def _page():
    from camshaft.core.paging import PageRequest

    return PageRequest(1, 50)
