"""Every main page at a phone's width (390 px) and a laptop's (1366 px): no
sideways scrolling, a header menu that folds on the phone, stacked finder,
one-column checkout, tap targets of at least 44 px. Screenshots of each page
go to var/screenshots/ (git-ignored) for a person to look at."""

from decimal import Decimal

import pytest
from django.conf import settings

from camshaft.search import services as search_services
from tests.e2e.test_checkout import fill_address
from tests.factories import (
    CategoryFactory,
    FitmentFactory,
    PartFactory,
    StockLevelFactory,
    VehicleFactory,
    add_pictures,
)
from tests.shopping import flat_rates

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
MIN_TAP = 44
SHOTS = settings.VAR_DIR / "screenshots"


@pytest.fixture
def store():
    flat_rates()
    pads = CategoryFactory(name="Brake Pads", slug="brake-pads")
    pad = PartFactory(
        sku="PAD-390",
        mpn="D1210-LONG-PART-NUMBER-WITHOUT-SPACES",
        name="Ceramic Front Brake Pad Set With Hardware And Wear Sensors",
        category=pads,
        price=Decimal("42.50"),
    )
    add_pictures(pad, count=2)
    vehicle = VehicleFactory(year=2019)
    FitmentFactory(part=pad, vehicle=vehicle, position="front")
    StockLevelFactory(part=pad, quantity=6)
    search_services.rebuild_index()
    return {"pad": pad, "vehicle": vehicle}


@pytest.fixture
def sized(browser, live_server):
    """A page of a browser window of a given size, failing on any CSP refusal."""
    from tests.e2e.conftest import watch_csp

    contexts = []

    def open_page(viewport):
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.refused = watch_csp(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


def fits_width(page, name: str, label: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{label}-{name}.png"), full_page=True)
    scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{name} scrolls sideways at {inner} px ({scroll} px wide)"


def walk_main_pages(page, store, label: str) -> None:
    vehicle = store["vehicle"]
    pages = {
        "home": "/",
        "finder": "/finder/",
        "search": "/search/?q=brake+pads",
        "categories": "/categories/",
        "category": "/c/brake-pads/",
        "brands": "/brands/",
        "part": "/parts/PAD-390/",
        "vehicle": f"/vehicle/{vehicle.id}/",
        "sign-in": "/account/sign-in/",
        "register": "/account/register/",
        "order-lookup": "/orders/lookup/",
    }
    for name, url in pages.items():
        page.goto(url)
        fits_width(page, name, label)
    page.goto("/parts/PAD-390/")
    page.click("#add-to-cart button")
    page.wait_for_url("**/cart/")
    fits_width(page, "cart", label)
    page.click("#checkout-link")
    page.wait_for_url("**/checkout/address/")
    fits_width(page, "checkout-address", label)
    fill_address(page)
    page.wait_for_url("**/checkout/shipping/")
    fits_width(page, "checkout-shipping", label)
    page.goto("/garage/")
    fits_width(page, "garage", label)


def test_C3_every_main_page_fits_a_phone_without_sideways_scrolling(sized, store):
    page = sized(PHONE)
    walk_main_pages(page, store, "390")
    assert page.refused == []


def test_C3_every_main_page_fits_a_laptop_without_sideways_scrolling(sized, store):
    page = sized(LAPTOP)
    walk_main_pages(page, store, "1366")
    assert page.refused == []


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_C3_phone_header_menu_folds_and_opens_with_a_tap(sized, store):
    page = sized(PHONE)
    page.goto("/")
    assert not page.is_visible("#sign-in-link")
    toggle = box(page, "#site-menu > summary")
    assert toggle["height"] >= MIN_TAP and toggle["width"] >= MIN_TAP
    page.click("#site-menu > summary")
    assert page.is_visible("#sign-in-link")
    for link in page.locator("#site-menu .links a").all():
        assert link.bounding_box()["height"] >= MIN_TAP, link.inner_text()
    page.click("#sign-in-link")
    page.wait_for_url("**/account/sign-in/")


def test_C3_phone_header_menu_works_without_javascript(browser, live_server, store):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/")
    assert not page.is_visible("#cart-link")
    page.click("#site-menu > summary")
    assert page.is_visible("#cart-link")
    context.close()


def test_C3_laptop_header_shows_its_links_without_a_menu_button(sized, store):
    page = sized(LAPTOP)
    page.goto("/")
    assert page.is_visible("#sign-in-link") and page.is_visible("#cart-link")
    assert not page.is_visible("#site-menu > summary")


def test_C3_phone_finder_selects_stack_and_tap_targets_are_large(sized, store):
    page = sized(PHONE)
    page.goto("/finder/")
    year, make = box(page, "#f-year"), box(page, "#f-make")
    assert make["y"] >= year["y"] + year["height"], "the finder's lists stack"
    assert year["width"] > PHONE["width"] / 2
    for selector in ("#f-year", "#f-make", ".searchbox button", "#q"):
        assert box(page, selector)["height"] >= MIN_TAP, selector
    page.goto("/parts/PAD-390/")
    for selector in ("#add-to-cart button", "#quantity"):
        assert box(page, selector)["height"] >= MIN_TAP, selector


def test_C3_phone_checkout_is_one_column(sized, store):
    page = sized(PHONE)
    page.goto("/parts/PAD-390/")
    page.click("#add-to-cart button")
    page.wait_for_url("**/cart/")
    page.click("#checkout-link")
    page.wait_for_url("**/checkout/address/")
    form, summary = box(page, ".checkout-layout > section"), box(page, ".checkout-layout > aside")
    assert summary["y"] >= form["y"] + form["height"], "the summary comes below the form"
    assert abs(summary["x"] - form["x"]) < 2


def test_C3_phone_cart_is_one_column(sized, store):
    page = sized(PHONE)
    page.goto("/parts/PAD-390/")
    page.click("#add-to-cart button")
    page.wait_for_url("**/cart/")
    line = box(page, "#cart-lines tbody tr")
    assert line["width"] <= PHONE["width"]
    remove = box(page, "#cart-lines button[name=remove]")
    assert remove["x"] + remove["width"] <= PHONE["width"], "Remove is on screen"
    assert remove["height"] >= MIN_TAP
    label = page.evaluate(
        "getComputedStyle(document.querySelector('#cart-lines td:nth-child(4)'), '::before')"
        ".content"
    )
    assert label == '"Total: "'
