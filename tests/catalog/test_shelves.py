"""The part page's shelves: recently viewed parts (a cookie on the shopper's
own browser) and "customers also bought", from order history in aggregate."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from camshaft.catalog import recent
from camshaft.orders import selectors as order_selectors
from camshaft.orders.models import OrderLine
from tests.factories import OrderFactory, PartFactory, add_pictures

pytestmark = pytest.mark.django_db


def shelf(html: str, shelf_id: str) -> list[str]:
    found = re.search(rf'<section class="card shelf" id="{shelf_id}">.*?</section>', html, re.S)
    return re.findall(r'<span class="shelf-name">([^<]+)</span>', found[0]) if found else []


def order_with(*parts, status="placed"):
    order = OrderFactory(status=status)
    for part in parts:
        OrderLine.objects.create(
            order=order,
            part=part,
            sku=part.sku,
            name=part.name,
            brand=part.brand.name,
            mpn=part.mpn,
            quantity=1,
            unit_price=part.price,
            line_total=part.price,
        )
    return order


def test_C7_part_page_shows_recently_viewed_parts_newest_first(client):
    first, second, third = (PartFactory(name=f"Viewed {n}") for n in range(3))
    add_pictures(first)
    for part in (first, second, third):
        html = client.get(reverse("part", args=[part.sku])).content.decode()
    assert shelf(html, "recently-viewed") == ["Viewed 1", "Viewed 0"]
    assert "<picture" in html.split('id="recently-viewed"')[1]


def test_C7_recently_viewed_keeps_the_last_few_and_ignores_a_forged_cookie(client):
    parts = [PartFactory() for _ in range(recent.MAX_PARTS + 2)]
    for part in parts:
        reply = client.get(reverse("part", args=[part.sku]))
    assert recent.read(reply.wsgi_request) == [p.id for p in parts[-2::-1]][: recent.MAX_PARTS]
    client.cookies[recent.COOKIE] = "[1, 2, 3]"
    html = client.get(reverse("part", args=[parts[0].sku])).content.decode()
    assert shelf(html, "recently-viewed") == []


def test_C7_customers_also_bought_counts_orders_in_aggregate_only(client):
    pads = PartFactory(name="Brake Pads", price=Decimal("40"))
    rotor, clips, grease = (PartFactory(name=n) for n in ("Rotor", "Clips", "Grease"))
    for _ in range(order_selectors.ALSO_BOUGHT_MIN_ORDERS + 1):
        order_with(pads, rotor)
    for _ in range(order_selectors.ALSO_BOUGHT_MIN_ORDERS):
        order_with(pads, clips)
    for _ in range(order_selectors.ALSO_BOUGHT_MIN_ORDERS - 1):
        order_with(pads, grease)  # too few orders to show: it could point at one shopper
    for _ in range(5):
        order_with(pads, grease, status="cancelled")
    html = client.get(reverse("part", args=[pads.sku])).content.decode()
    assert shelf(html, "also-bought") == ["Rotor", "Clips"]


def test_C7_no_also_bought_shelf_without_order_history(client):
    part = PartFactory()
    html = client.get(reverse("part", args=[part.sku])).content.decode()
    assert 'id="also-bought"' not in html


def test_C7_shelves_cost_one_listing_query(django_assert_num_queries):
    from camshaft.catalog import selectors

    parts = [PartFactory() for _ in range(4)]
    ids = [p.id for p in parts]
    selectors.part_summaries(ids)  # brand and category names, once per process
    with django_assert_num_queries(1):
        shelves = selectors.related_parts(viewed=ids[:2], bought_with=ids[1:])
    assert [p.id for p in shelves.viewed] == ids[:2]
    assert [p.id for p in shelves.bought_with] == ids[1:]
