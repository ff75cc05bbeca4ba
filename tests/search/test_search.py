"""C5: search by name, SKU or MPN, with filters, facets, sorts and pagination."""

from decimal import Decimal

import pytest

from camshaft.core.paging import BadPage, PageRequest
from camshaft.search import services
from camshaft.search.selectors import BadSearch, SearchFilters, search_parts
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    FitmentFactory,
    PartFactory,
    StockLevelFactory,
    VehicleFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    brakes = CategoryFactory(name="Brakes", slug="brakes")
    pads = CategoryFactory(name="Brake Pads", slug="pads", parent=brakes)
    filters = CategoryFactory(name="Filters", slug="filters")
    bosch, wagner = BrandFactory(name="Bosch"), BrandFactory(name="Wagner")
    parts = {
        "pad_front": PartFactory(
            sku="BP100",
            mpn="BC905",
            name="Ceramic Front Brake Pad Set",
            brand=bosch,
            category=pads,
            price=Decimal("45.00"),
        ),
        "pad_rear": PartFactory(
            sku="BP200",
            mpn="MX1045",
            name="Semi-Metallic Rear Brake Pads",
            brand=wagner,
            category=pads,
            price=Decimal("30.00"),
        ),
        "pad_cheap": PartFactory(
            sku="BP300",
            mpn="QC11",
            name="Front Brake Pad Economy",
            brand=wagner,
            category=pads,
            price=Decimal("19.99"),
        ),
        "oil": PartFactory(
            sku="OF1",
            mpn="3323",
            name="Premium Oil Filter",
            brand=bosch,
            category=filters,
            price=Decimal("8.50"),
        ),
        "code": PartFactory(
            sku="XK-9",
            mpn="BP100",
            name="Caliper Bolt Kit",
            brand=wagner,
            category=brakes,
            price=Decimal("5.00"),
        ),
    }
    StockLevelFactory(part=parts["pad_front"], quantity=3)
    StockLevelFactory(part=parts["oil"], quantity=1)
    civic = VehicleFactory()
    FitmentFactory(part=parts["pad_rear"], vehicle=civic)
    services.queue_reindex([p.id for p in parts.values()])
    services.sync_index()
    parts["vehicle"] = civic
    parts["pads"] = pads
    parts["brakes"] = brakes
    parts["wagner"] = wagner
    return parts


def skus(result):
    return [p.sku for p in result.items]


def test_C5_finds_parts_by_name_with_stemming(catalogue):
    result = search_parts(query="brake pad")
    assert set(skus(result)) == {"BP100", "BP200", "BP300"}
    assert result.total == 3


def test_C5_exact_sku_match_ranks_first(catalogue):
    result = search_parts(query="bp100")
    # BP100 is the SKU of one part and the MPN of another: both exact, both first.
    assert {p.sku for p in result.exact_matches} == {"BP100", "XK-9"}
    assert "BP100" not in skus(result)


def test_C5_exact_mpn_match_ignores_dashes_and_case(catalogue):
    result = search_parts(query="mx-1045")
    assert [p.sku for p in result.exact_matches] == ["BP200"]


def test_C5_price_sort_both_ways(catalogue):
    up = search_parts(query="brake", sort="price_asc")
    down = search_parts(query="brake", sort="price_desc")
    assert skus(up) == ["XK-9", "BP300", "BP200", "BP100"]
    assert skus(down) == list(reversed(skus(up)))


def test_C5_filters_category_brand_price_stock(catalogue):
    assert set(
        skus(search_parts(query="", filters=SearchFilters(category_id=catalogue["brakes"].id)))
    ) == {"BP100", "BP200", "BP300", "XK-9"}
    assert set(
        skus(search_parts(query="brake", filters=SearchFilters(brand_id=catalogue["wagner"].id)))
    ) == {"BP200", "BP300", "XK-9"}
    assert skus(
        search_parts(
            query="brake", filters=SearchFilters(min_price=Decimal("20"), max_price=Decimal("40"))
        )
    ) == ["BP200"]
    assert skus(search_parts(query="", filters=SearchFilters(in_stock=True), sort="price_asc")) == [
        "OF1",
        "BP100",
    ]


def test_C5_fits_my_vehicle_filter(catalogue):
    result = search_parts(query="pads", filters=SearchFilters(vehicle_id=catalogue["vehicle"].id))
    assert skus(result) == ["BP200"]
    assert result.items[0].fits is True


def test_C5_facet_counts_by_category_and_brand(catalogue):
    result = search_parts(query="brake")
    assert {(f.name, f.count) for f in result.categories} == {("Brakes", 4)}
    assert {(f.name, f.count) for f in result.brands} == {("Wagner", 3), ("Bosch", 1)}
    inside = search_parts(query="brake", filters=SearchFilters(category_id=catalogue["brakes"].id))
    assert {(f.name, f.count) for f in inside.categories} == {("Brake Pads", 3)}


def test_C5_pagination(catalogue):
    first = search_parts(query="brake", sort="price_asc", page=PageRequest(1, 2))
    second = search_parts(query="brake", sort="price_asc", page=PageRequest(2, 2))
    assert skus(first) + skus(second) == ["XK-9", "BP300", "BP200", "BP100"]
    assert first.pages == 2 and first.has_next and not second.has_next


def test_C5_zero_results_as_typed_suggest_a_spelling(catalogue):
    # The shopper chose "search instead for brakke": no correction, a hint.
    result = search_parts(query="brakke", spell=False)
    assert result.total == 0 and result.corrected_query is None
    assert result.suggestions == ["brake"]


def test_C5_zero_results_with_filters_say_how_many_without(catalogue):
    result = search_parts(query="oil", filters=SearchFilters(brand_id=catalogue["wagner"].id))
    assert result.total == 0 and result.unfiltered_total == 1


def test_C5_query_syntax_and_markup_are_just_words(catalogue):
    for nasty in [
        'name:"x" OR 1=1; DROP TABLE catalog_part;--',
        "<script>alert(1)</script>",
        "*",
        "brake AND NOT pad",
        "((((",
        "pid:1",
    ]:
        search_parts(query=nasty)  # never raises


def test_C5_bad_input_is_refused_clearly(catalogue):
    with pytest.raises(BadSearch):
        search_parts(query="x" * 10_000)
    with pytest.raises(BadSearch):
        SearchFilters(min_price=Decimal("-1"))
    with pytest.raises(BadSearch):
        SearchFilters(min_price=Decimal("50"), max_price=Decimal("10"))
    with pytest.raises(BadPage):
        search_parts(query="brake", page=PageRequest(10**6, 24))


def test_C5_changes_reach_the_index_after_sync(catalogue):
    part = catalogue["oil"]
    part.name = "Premium Air Filter"
    part.save()
    services.queue_reindex([part.id])
    services.sync_index()
    assert skus(search_parts(query="air")) == ["OF1"]
    assert skus(search_parts(query="oil")) == []


def test_C5_rebuild_gives_the_same_results(catalogue):
    before = skus(search_parts(query="brake", sort="price_asc"))
    assert services.rebuild_index() == 5
    assert skus(search_parts(query="brake", sort="price_asc")) == before
