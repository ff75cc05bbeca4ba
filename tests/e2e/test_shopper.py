"""A shopper's paths in a real browser: Part Finder to a part, search by SKU, VIN."""

from decimal import Decimal

import pytest

from camshaft.search import services as search_services
from tests.factories import (
    CategoryFactory,
    EngineFactory,
    FitmentFactory,
    MakeFactory,
    PartFactory,
    StockLevelFactory,
    SubmodelFactory,
    VehicleFactory,
    VehicleModelFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue():
    honda = MakeFactory(name="Honda", slug="honda")
    accord = VehicleModelFactory(make=honda, name="Accord", slug="accord")
    civic = VehicleModelFactory(make=honda, name="Civic", slug="civic")
    ex = SubmodelFactory(name="EX")
    engine = EngineFactory(name="2.4L L4 DOHC")
    accord_2003 = VehicleFactory(year=2003, model=accord, submodel=ex, engine=engine)
    VehicleFactory(year=2003, model=civic, submodel=ex, engine=engine)
    pads = CategoryFactory(name="Brake Pads", slug="brake-pads")
    pad = PartFactory(
        sku="PAD-2003",
        mpn="D465C",
        name="Ceramic Front Brake Pad Set",
        category=pads,
        price=Decimal("42.50"),
    )
    FitmentFactory(part=pad, vehicle=accord_2003, position="front")
    StockLevelFactory(part=pad, quantity=6)
    search_services.rebuild_index()
    return {"accord": accord_2003, "pad": pad}


def test_C3_finder_to_vehicle_to_part_page(page, catalogue):
    page.goto("/")
    page.select_option("#f-year", "2003")
    page.select_option("#f-make", label="Honda")
    page.select_option("#f-model", label="Accord")
    # One submodel and one engine: the finder picks them and shows the parts.
    page.wait_for_url(f"**/vehicle/{catalogue['accord'].id}/")
    assert "Parts for the 2003 Honda Accord" in page.inner_text("h1")
    assert "Position: Front" in page.inner_text("main")
    page.click("text=Ceramic Front Brake Pad Set")
    page.wait_for_url("**/parts/PAD-2003/")
    assert page.inner_text("#price") == "$42.50"
    assert "In stock, ships in 24 hours" in page.inner_text("#availability")
    assert "This part fits your 2003 Honda Accord" in page.inner_text("#fits")


def test_C3_finder_works_without_javascript(page_without_js, catalogue):
    page = page_without_js
    page.goto("/finder/")
    page.select_option("#f-year", "2003")
    page.click("#finder-go")
    page.select_option("#f-make", label="Honda")
    page.click("#finder-go")
    page.select_option("#f-model", label="Accord")
    page.click("#finder-go")
    page.select_option("#f-submodel", label="EX")
    page.click("#finder-go")
    page.select_option("#f-engine", label="2.4L L4 DOHC")
    page.click("#finder-go")
    page.wait_for_url(f"**/vehicle/{catalogue['accord'].id}/")


def test_C5_search_by_sku_shows_the_exact_match_first(page, catalogue):
    page.goto("/")
    page.fill("#q", "pad-2003")
    page.press("#q", "Enter")
    page.wait_for_url("**/search/?q=pad-2003")
    first = page.locator("#exact-matches .result").first
    assert "Exact part number match" in first.inner_text()
    first.locator("a").first.click()
    page.wait_for_url("**/parts/PAD-2003/")
    assert page.inner_text("#sku") == "PAD-2003"


def test_C4_bad_vin_gets_a_clear_message(page, catalogue):
    page.goto("/")
    page.fill("#vin", "1HGCM82633A00435I")
    page.click("text=Decode VIN")
    assert "I, O or Q" in page.inner_text("#vin-error")


def test_C5_suggestions_as_the_shopper_types(page, catalogue):
    page.goto("/")
    page.fill("#q", "")
    page.type("#q", "brake p", delay=30)
    option = page.locator("#q-suggestions li", has_text="Brake Pads").first
    option.wait_for()
    assert page.get_attribute("#q", "aria-expanded") == "true"
    option.click()
    page.wait_for_url("**/search/?q=Brake+Pads")
    assert "Ceramic Front Brake Pad Set" in page.inner_text("#results")


def test_C5_typo_and_vehicle_in_the_query(page, catalogue):
    page.goto("/")
    page.fill("#q", "2003 honda accord brak pads")
    page.press("#q", "Enter")
    page.wait_for_url("**/search/?q=*")
    assert "Showing results for 2003 honda accord brake pads" in page.inner_text("#corrected")
    assert "Fits 2003 Honda Accord" in page.inner_text("#vehicle-chip")
    assert "Ceramic Front Brake Pad Set" in page.inner_text("#results")
    page.click("#vehicle-chip >> text=Save to My Garage")
    assert "Fits 2003 Honda Accord" in page.inner_text("#vehicle-chip")
    page.click("#vehicle-chip a[title='Search all vehicles']")
    page.wait_for_url("**novehicle=1*")
    assert page.locator("#vehicle-chip").count() == 0
    page.goto("/garage/")
    assert "2003 Honda Accord" in page.inner_text("main")
