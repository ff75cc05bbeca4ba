"""I1, I2: where an order's parts come from. The plan is a pure function of
the stock and the destination; reserving, releasing and shipping move the
stock counters in the database."""

import pytest

from camshaft.inventory.selectors import Pick, Site, Want, allocation_plan, rank_sites

COLUMBUS = Site(1, "CMH", "Columbus", "US", "OH", 39.9054, -82.9512)
RENO = Site(2, "RNO", "Reno", "US", "NV", 39.6115, -119.8526)
DALLAS = Site(3, "DFW", "Dallas", "US", "TX", 32.7208, -96.9385)
TORONTO = Site(4, "YYZ", "Toronto", "CA", "ON", 43.6503, -79.6648)
ROTTERDAM = Site(5, "RTM", "Rotterdam", "NL", "", 51.8885, 4.4449)
ALL = [COLUMBUS, RENO, DALLAS, TORONTO, ROTTERDAM]


def codes(sites):
    return [site.code for site in sites]


def test_I2_warehouses_rank_nearest_first_and_domestic_before_abroad():
    assert codes(rank_sites(ALL, country="US", region="CA"))[:3] == ["RNO", "DFW", "CMH"]
    assert codes(rank_sites(ALL, country="US", region="NY"))[:3] == ["CMH", "DFW", "RNO"]
    # Toronto is nearer to Michigan than Dallas, but it is abroad.
    assert codes(rank_sites(ALL, country="US", region="MI")) == ["CMH", "DFW", "RNO", "YYZ", "RTM"]
    assert codes(rank_sites(ALL, country="DE"))[0] == "RTM"
    assert codes(rank_sites(ALL, country="CA", region="QC"))[0] == "YYZ"


def test_I2_one_warehouse_that_has_everything_beats_a_nearer_split():
    sites = rank_sites(ALL, country="US", region="OH")
    available = {10: {1: 5, 2: 5}, 11: {2: 1}}  # Columbus lacks part 11
    plan = allocation_plan(wants=[Want(10, 2), Want(11, 1)], available=available, sites=sites)
    assert plan.picks == (Pick(10, 2, 2), Pick(11, 2, 1))  # all from Reno
    assert not plan.short


def test_I2_the_nearest_of_the_warehouses_that_have_everything():
    sites = rank_sites(ALL, country="US", region="TX")
    available = {10: {1: 5, 2: 5, 3: 5}}
    plan = allocation_plan(wants=[Want(10, 3)], available=available, sites=sites)
    assert plan.picks == (Pick(10, 3, 3),)


def test_I2_line_by_line_nearest_then_split_when_no_warehouse_has_enough():
    sites = rank_sites(ALL, country="US", region="OH")
    available = {10: {1: 2, 3: 2, 2: 9}, 11: {3: 1}}
    plan = allocation_plan(wants=[Want(10, 3), Want(11, 1)], available=available, sites=sites)
    # Part 10: Reno alone has 3; part 11 only Dallas. No single warehouse has both.
    assert plan.picks == (Pick(10, 2, 3), Pick(11, 3, 1))
    split = allocation_plan(wants=[Want(10, 5)], available={10: {1: 2, 3: 2, 2: 1}}, sites=sites)
    assert split.picks == (Pick(10, 1, 2), Pick(10, 3, 2), Pick(10, 2, 1))


def test_I2_a_line_prefers_a_warehouse_already_shipping():
    sites = rank_sites(ALL, country="US", region="OH")
    available = {10: {2: 1}, 11: {1: 1, 2: 1}, 12: {3: 1}}
    plan = allocation_plan(
        wants=[Want(10, 1), Want(11, 1), Want(12, 1)], available=available, sites=sites
    )
    # Part 11 could come from Columbus (nearer) but Reno ships part 10 anyway.
    assert Pick(11, 2, 1) in plan.picks


def test_I2_short_says_how_many_are_left():
    plan = allocation_plan(
        wants=[Want(10, 4), Want(11, 1)], available={10: {1: 1, 2: 2}, 11: {}}, sites=ALL
    )
    assert plan.short == {10: 3, 11: 0}
    assert plan.picks == ()


def test_I2_made_to_order_parts_go_with_the_warehouse_shipping_most():
    sites = rank_sites(ALL, country="US", region="OH")
    plan = allocation_plan(
        wants=[Want(10, 2), Want(99, 1, made_to_order=True)],
        available={10: {2: 2}},
        sites=sites,
    )
    assert Pick(99, 2, 1, made_to_order=True) in plan.picks
    alone = allocation_plan(wants=[Want(99, 1, made_to_order=True)], available={}, sites=sites)
    assert alone.picks == (Pick(99, 1, 1, made_to_order=True),)  # the nearest


@pytest.mark.django_db
def test_I2_reserve_release_and_ship_move_the_counters(django_user_model):
    from camshaft.inventory import services
    from camshaft.inventory.models import Allocation, StockLevel
    from camshaft.orders.models import Order
    from tests.factories import StockLevelFactory, WarehouseFactory
    from tests.shopping import ready_cart, stocked_part

    part = stocked_part()
    near = WarehouseFactory(code="CMH", state="OH", country="US")
    StockLevel.objects.filter(part=part).delete()
    level = StockLevelFactory(part=part, warehouse=near, quantity=4)
    from camshaft.checkout import services as checkout

    cart = ready_cart(parts=[part], quantity=3)
    order = checkout.place(cart=cart, user=None, currency="USD", idempotency_key="k").order
    level.refresh_from_db()
    assert (level.quantity, level.reserved) == (4, 3)
    assert list(Allocation.objects.values_list("warehouse__code", "quantity", "status")) == [
        ("CMH", 3, "reserved")
    ]
    assert services.release_stock(order=Order.objects.get(pk=order.pk)) == 3
    level.refresh_from_db()
    assert (level.quantity, level.reserved) == (4, 0)
    assert services.release_stock(order=order) == 0  # twice releases nothing more
