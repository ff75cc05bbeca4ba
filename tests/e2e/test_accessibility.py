"""WCAG 2.2 AA on the shopper's main path, checked by axe-core in the browser:
finder, search, part page, cart and checkout, at a laptop's and a phone's
width. No serious or critical violation may remain.

axe-core comes from the npm registry at test setup (.ci/run: `npm install
--prefix var/node axe-core@4`), never from the repository; without it these
tests skip and say how to get it."""

import os
from decimal import Decimal
from pathlib import Path

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

AXE = Path(
    os.environ.get("AXE_CORE_JS")
    or settings.BASE_DIR / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.skip(
            f"axe-core is not installed at {AXE}: run "
            "`npm install --prefix var/node axe-core@4` (as .ci/run does)"
        )
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def store():
    flat_rates()
    pads = CategoryFactory(name="Brake Pads", slug="brake-pads")
    pad = PartFactory(
        sku="PAD-A11Y", name="Ceramic Brake Pad Set", category=pads, price=Decimal("42.50")
    )
    add_pictures(pad, count=2)
    vehicle = VehicleFactory(year=2019)
    FitmentFactory(part=pad, vehicle=vehicle, position="front")
    StockLevelFactory(part=pad, quantity=6)
    search_services.rebuild_index()
    return {"vehicle": vehicle}


def problems(page, axe_source: str) -> list[str]:
    """Serious and critical violations on the page as it stands. The script
    is evaluated through the DevTools protocol, which the page's
    Content-Security-Policy does not govern; nothing is injected into it."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(", ".join(node["target"]) for node in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def walk_main_path(page, axe_source, store) -> list[str]:
    found = []
    for url in (
        "/",
        "/finder/",
        f"/vehicle/{store['vehicle'].id}/",
        "/search/?q=brake+pads",
        "/c/brake-pads/",
        "/parts/PAD-A11Y/",
    ):
        page.goto(url)
        found += problems(page, axe_source)
    page.click("#add-to-cart button")
    page.wait_for_url("**/cart/")
    found += problems(page, axe_source)
    page.click("#checkout-link")
    page.wait_for_url("**/checkout/address/")
    found += problems(page, axe_source)
    fill_address(page)
    page.wait_for_url("**/checkout/shipping/")
    found += problems(page, axe_source)
    return found


def test_C3_main_path_has_no_serious_accessibility_violations(page, axe_source, store):
    assert walk_main_path(page, axe_source, store) == []


def test_C3_main_path_on_a_phone_has_no_serious_accessibility_violations(
    browser, live_server, axe_source, store
):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        assert walk_main_path(page, axe_source, store) == []
    finally:
        context.close()
