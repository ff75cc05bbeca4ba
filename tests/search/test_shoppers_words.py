"""C5: search in shoppers' words: typos corrected at once, joined and split
words, staff's synonyms and abbreviations, and a vehicle named in the query
used as a fit filter."""

from decimal import Decimal

import pytest
from django.urls import reverse

from camshaft.accounts.roles import CATALOGUE
from camshaft.catalog.models import Part
from camshaft.search import services
from camshaft.search.models import SynonymRule
from camshaft.search.selectors import search_parts
from camshaft.search.synonyms import BadRule, parse_rule, starter_rules
from tests.factories import (
    CategoryFactory,
    FitmentFactory,
    MakeFactory,
    PartFactory,
    VehicleFactory,
    VehicleModelFactory,
)
from tests.staff import sign_in_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    honda, ford, chevrolet = (MakeFactory(name=n) for n in ("Honda", "Ford", "Chevrolet"))
    civic = VehicleModelFactory(make=honda, name="Civic")
    f150 = VehicleModelFactory(make=ford, name="F-150")
    silverado = VehicleModelFactory(make=chevrolet, name="Silverado 1500")
    spark = VehicleModelFactory(make=chevrolet, name="Spark")
    vehicles = {
        "civic_2012": VehicleFactory(year=2012, model=civic),
        "civic_2005": VehicleFactory(year=2005, model=civic),
        "f150_2015": VehicleFactory(year=2015, model=f150),
        "silverado_2010": VehicleFactory(year=2010, model=silverado),
        "spark_2016": VehicleFactory(year=2016, model=spark),
    }
    electrical = CategoryFactory(name="Electrical")
    names = {
        "ALT1": ("Remanufactured Alternator", ["civic_2012", "silverado_2010"]),
        "ALT2": ("High Output Alternator", ["f150_2015"]),
        "PAD1": ("Ceramic Front Brake Pad Set", ["civic_2012"]),
        "PAD2": ("Semi-Metallic Rear Brake Pads", ["civic_2005"]),
        "PLUG1": ("Iridium Spark Plug", ["civic_2012", "spark_2016"]),
        "O2S1": ("Upstream Oxygen Sensor", ["f150_2015"]),
        "ORNG": ("Thermostat Housing O-Ring", ["civic_2012"]),
        "OILF": ("Engine Oil Filter", ["f150_2015", "civic_2012"]),
        "EGRV": ("EGR Valve", ["silverado_2010"]),
        "MIRR": ("Right Side View Mirror", ["f150_2015"]),
        "MIRL": ("Left Side View Mirror", ["f150_2015"]),
    }
    parts = {}
    for sku, (name, fits) in names.items():
        parts[sku] = PartFactory(sku=sku, name=name, category=electrical, price=Decimal("50.00"))
        for key in fits:
            FitmentFactory(part=parts[sku], vehicle=vehicles[key])
    services.queue_reindex([p.id for p in parts.values()])
    services.sync_index()
    return {**parts, **vehicles}


def skus(result):
    return sorted(p.sku for p in result.exact_matches + result.items)


# Typos


@pytest.mark.parametrize(
    ("typed", "meant", "found"),
    [
        ("alternater", "alternator", ["ALT1", "ALT2"]),
        ("brak pads", "brake pads", ["PAD1", "PAD2"]),
        ("oxygen sensr", "oxygen sensor", ["O2S1"]),
    ],
)
def test_C5_typo_is_corrected_and_its_results_shown_at_once(store, typed, meant, found):
    result = search_parts(query=typed)
    assert result.corrected_query == meant
    assert skus(result) == found


def test_C5_typo_correction_only_uses_words_the_catalogue_has(store):
    result = search_parts(query="qwxzyv")
    assert result.corrected_query is None and result.total == 0


def test_C5_words_found_as_typed_are_not_corrected(store):
    result = search_parts(query="alternator")
    assert result.corrected_query is None and result.total == 2


def test_C5_search_instead_for_the_words_as_typed(store):
    result = search_parts(query="alternater", spell=False)
    assert result.total == 0 and result.suggestions == ["alternator"]


# Joined and split words


def test_C5_joined_words_are_split(store):
    assert skus(search_parts(query="sparkplug")) == ["PLUG1"]


@pytest.mark.parametrize("typed", ["o-ring", "o ring", "oring", "O-RING"])
def test_C5_o_ring_written_any_way_finds_the_same(store, typed):
    assert skus(search_parts(query=typed)) == ["ORNG"]


# Synonyms and abbreviations


def test_C5_starter_list_ships_the_common_automotive_ones():
    rules = {r.rule for r in SynonymRule.objects.filter(source="starter")}
    assert rules == set(starter_rules()) and len(rules) > 50
    text = "\n".join(rules)
    for abbreviation in ("o2", "egr", "cv", "a/c", "abs", "tpms", "chevy", "vw", "f150"):
        assert abbreviation in text
    assert "passenger side, passenger, right hand, rh => right" in rules
    for rule in rules:
        parse_rule(rule)  # every starter rule is well formed


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("o2 sensor", ["O2S1"]),
        ("egr valve", ["EGRV"]),
        ("passenger side mirror", ["MIRR"]),
        ("driver side mirror", ["MIRL"]),
    ],
)
def test_C5_synonyms_and_abbreviations_find_what_the_catalogue_calls_otherwise(store, typed, found):
    assert skus(search_parts(query=typed)) == found


def test_C5_a_one_way_rule_does_not_work_backwards(store):
    SynonymRule.objects.create(rule="thermo => thermostat")
    from camshaft.search import synonyms

    synonyms.forget()
    assert skus(search_parts(query="thermo")) == ["ORNG"]
    assert parse_rule("thermo => thermostat").targets == (("thermostat",),)


def test_C5_staff_add_a_synonym_in_the_back_office_and_it_applies_without_reindex(client, store):
    assert search_parts(query="genny").total == 0
    sign_in_with_role(client, CATALOGUE)
    add = reverse("admin:search_synonymrule_add")
    reply = client.post(add, {"rule": "genny, alternator", "is_active": "on"})
    assert reply.status_code == 302
    assert skus(search_parts(query="genny")) == ["ALT1", "ALT2"]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("lonely", "two or more terms"),
        ("=> chevrolet", "both sides"),
        ("a => b => c", "at most one"),
        ("!!!, ???", "no letters or digits"),
    ],
)
def test_C5_a_malformed_synonym_rule_is_refused_with_a_reason(client, rule, message):
    with pytest.raises(BadRule, match=message):
        parse_rule(rule)
    sign_in_with_role(client, CATALOGUE)
    reply = client.post(reverse("admin:search_synonymrule_add"), {"rule": rule})
    assert reply.status_code == 200 and message in reply.content.decode()


# A vehicle in the query


def test_C5_year_make_model_in_the_query_limits_results_to_parts_that_fit(store):
    result = search_parts(query="2012 honda civic brake pads")
    assert skus(result) == ["PAD1"]
    assert result.vehicle.label == "2012 Honda Civic"
    assert result.vehicle.single_vehicle_id == store["civic_2012"].id


@pytest.mark.parametrize(
    ("typed", "label", "found"),
    [
        ("f150 oil filter", "Ford F-150", ["OILF"]),
        ("ford f-150 oil filter", "Ford F-150", ["OILF"]),
        ("chevy silverado alternator", "Chevrolet Silverado 1500", ["ALT1"]),
        ("civic alternator", "Honda Civic", ["ALT1"]),
    ],
)
def test_C5_make_and_model_as_shoppers_write_them(store, typed, label, found):
    result = search_parts(query=typed)
    assert result.vehicle.label == label
    assert skus(result) == found


def test_C5_removing_the_vehicle_searches_every_vehicle(store):
    result = search_parts(query="civic brake pads", detect_vehicle=False)
    assert result.vehicle is None


def test_C5_a_model_that_is_also_a_part_word_needs_a_vehicle_beside_it(store):
    plugs = search_parts(query="spark plug")
    assert plugs.vehicle is None and skus(plugs) == ["PLUG1"]
    chevy = search_parts(query="2016 chevy spark plug")
    assert chevy.vehicle.label == "2016 Chevrolet Spark" and skus(chevy) == ["PLUG1"]


def test_C5_vehicle_chip_can_be_removed_or_saved_to_my_garage(client, store):
    page = client.get(reverse("search"), {"q": "2012 honda civic brake pads"})
    html = page.content.decode()
    assert "Fits 2012 Honda Civic" in html
    assert "novehicle=1" in html  # the ✕ of the chip
    assert "Save to My Garage" in html
    assert f'name="vehicle" value="{store["civic_2012"].id}"' in html
    everything = client.get(
        reverse("search"), {"q": "2012 honda civic brake pads", "novehicle": "1"}
    )
    assert "Fits 2012 Honda Civic" not in everything.content.decode()


def test_C5_search_switches_must_be_0_or_1(client, store):
    page = client.get(reverse("search"), {"q": "pads", "spell": "maybe"})
    assert page.status_code == 400 and b"spell must be 0 or 1" in page.content


def test_C5_api_reports_correction_and_vehicle(client, store):
    body = client.get("/api/v1/search", {"q": "2012 honda civic brak pads"}).json()
    assert body["corrected_query"] == "2012 honda civic brake pads"
    assert body["vehicle"]["label"] == "2012 Honda Civic"
    assert body["vehicle"]["vehicle"] == store["civic_2012"].id
    assert [p["sku"] for p in body["results"]] == ["PAD1"]
    plain = client.get(
        "/api/v1/search", {"q": "civic brake pads", "detect_vehicle": "false"}
    ).json()
    assert plain["vehicle"] is None


def test_C5_a_year_alone_limits_results_to_parts_for_that_year(store):
    result = search_parts(query="2005 brake pads")
    assert result.vehicle.label == "2005 vehicles"
    assert skus(result) == ["PAD2"]


def test_C5_when_nothing_fits_the_vehicle_named_parts_for_others_are_shown(store):
    result = search_parts(query="2005 honda civic alternator")
    assert result.other_vehicles and skus(result) == ["ALT1", "ALT2"]
    assert result.vehicle.label == "2005 Honda Civic"


def test_C5_an_engine_size_in_the_query_narrows_the_vehicle(store):
    fits = search_parts(query="2012 civic 2.0 brake pads")
    assert skus(fits) == ["PAD1"] and not fits.other_vehicles
    other_engine = search_parts(query="2012 civic 3.5L brake pads")
    assert other_engine.other_vehicles  # no 3.5L Civic: parts for other vehicles, said so


def test_C5_a_model_year_is_not_read_as_a_part_number(store):
    PartFactory(sku="YR2012", mpn="2012", name="Wiper Blade")
    services.queue_reindex(list(Part.objects.values_list("id", flat=True)))
    services.sync_index()
    result = search_parts(query="2012 honda civic brake pads")
    assert result.exact_matches == [] and skus(result) == ["PAD1"]


def test_C5_chevy_spark_plugs_are_plugs_for_a_chevrolet(store):
    result = search_parts(query="chevy spark plugs")
    assert result.vehicle.label == "Chevrolet" and skus(result) == ["PLUG1"]


def test_C5_a_shortened_word_finds_the_long_one(store):
    assert skus(search_parts(query="thermo housing o ring")) == ["ORNG"]


def test_C5_synonyms_match_singular_or_plural(store):
    assert skus(search_parts(query="passenger side mirrors")) == ["MIRR"]
    assert skus(search_parts(query="o2 sensors")) == ["O2S1"]


def test_C5_a_number_in_the_query_that_is_some_part_number_does_not_hide_the_rest(store):
    PartFactory(sku="WIRE160", mpn="1600", name="Spark Plug Wire Set")
    services.queue_reindex(list(Part.objects.values_list("id", flat=True)))
    services.sync_index()
    result = search_parts(query="alternater 1600")
    assert [p.sku for p in result.exact_matches] == ["WIRE160"]
    assert {p.sku for p in result.items} == {"ALT1", "ALT2"}


def test_C5_a_typo_is_corrected_to_the_word_that_goes_with_the_others():
    from camshaft.search.spelling import Vocabulary

    words = Vocabulary.of({"line": 900, "lint": 5, "pump": 300, "hose": 40})
    assert words.correct("lime") == "line"  # alone: the commonest near word
    beside_lint = {"lint": 7}.get
    assert words.correct("lime", context=lambda w: beside_lint(w, 0)) == "lint"
    assert words.correct("hse", context=lambda w: 0) == "hose"
    assert words.correct("zzzz", context=lambda w: 1) is None
