"""JSON API: search by name, SKU or part number (C5)."""

from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from camshaft.abuse import services as abuse
from camshaft.abuse.decorators import api_rate_limited
from camshaft.analytics import services as analytics
from camshaft.core.api_schemas import (
    DecimalText,
    InputSchema,
    RecordId,
    Text,
    refused_on_meaning,
    responses,
)
from camshaft.core.paging import BadPage, PageRequest
from camshaft.search import selectors, suggestions
from camshaft.search.selectors import MAX_PRICE, BadSearch, SearchFilters

# Six whole digits keep every price the pattern admits below MAX_PRICE.
assert Decimal("999999.99") <= MAX_PRICE
Price = DecimalText(
    whole_digits=6, places=2, description='In the store currency, like "25" or "19.99"'
)

router = Router(tags=["Search"])


class SearchIn(InputSchema):
    q: Text(selectors.MAX_QUERY_CHARS, description="Name, SKU or MPN") = ""
    category: RecordId | None = None
    brand: RecordId | None = None
    min_price: Price | None = None
    max_price: Price | None = None
    in_stock: bool = False
    vehicle: RecordId | None = Field(None, description="Only parts and listings that fit it")
    condition: Literal["new", "used", "remanufactured"] | None = None
    seller: Literal["store", "marketplace"] | None = Field(
        None,
        description="store: only the store's parts; marketplace: only marketplace listings "
        "(then `offers` is the paged list and `results` is empty); both when absent",
    )
    sort: Literal["best", "price_asc", "price_desc"] = "best"
    # The deepest page any page size reaches within the result window.
    page: int = Field(1, ge=1, le=100)
    page_size: int = Field(24, ge=1, le=100)
    spell: bool = Field(
        True, description="Correct typos when the words as typed find nothing or very little"
    )
    detect_vehicle: bool = Field(
        True, description='Read a vehicle named in q ("2012 honda civic pads") as a fit filter'
    )


class PartSummaryOut(Schema):
    sku: str
    name: str
    brand: str
    mpn: str
    category: str
    price: Decimal
    core_charge: Decimal | None
    available: int
    in_stock: bool
    fits: bool | None


class FacetOut(Schema):
    id: int
    name: str
    count: int


class KeyFacetOut(Schema):
    key: str = Field(description="The value to pass as the filter")
    name: str
    count: int


class OfferOut(Schema):
    """A marketplace listing: "Sold by <seller> ★ score"."""

    id: int
    title: str
    condition: Literal["new", "used", "remanufactured"]
    price: Decimal
    currency: str
    quantity: int
    seller: str = Field(description="The seller's public user ID")
    score_percent: int | None = Field(description="Percent positive; null: no ratings yet")
    score_count: int
    part_sku: str | None = Field(description="The catalogue part it is linked to")
    fits: bool | None
    url: str = Field(description="The listing's own page on the store, where it is bought")
    seller_url: str = Field(description="The seller's public profile page")


class VehicleMentionOut(Schema):
    label: str = Field(description='e.g. "2012 Honda Civic", for a removable chip')
    year: int | None
    make: str | None
    model: str | None
    vehicle: int | None = Field(description="The one vehicle meant, to save to the garage")
    finder: dict[str, int] = Field(description="Part Finder choices it fills (year, make, model)")


class SearchOut(Schema):
    query: str
    total: int
    page: int
    pages: int
    exact_matches: list[PartSummaryOut]
    results: list[PartSummaryOut]
    categories: list[FacetOut]
    brands: list[FacetOut]
    suggestions: list[str]
    unfiltered_total: int | None
    corrected_query: str | None = Field(
        description="What was searched instead of q, typos corrected; null when q itself"
    )
    vehicle: VehicleMentionOut | None
    relaxed: bool = Field(description="No part matched every word; results match some")
    other_vehicles: bool = Field(
        description="No part for the vehicle named matched; results are for other vehicles"
    )
    notice: str | None = Field(
        None,
        description="Search is degraded (its index is being rebuilt or repaired): only exact "
        "SKUs and part numbers are found, and browsing lists parts without facets",
    )
    offers: list[OfferOut] = Field(
        description="Marketplace listings matching: the first few beside the parts, or the "
        "page when seller=marketplace"
    )
    offers_total: int
    conditions: list[KeyFacetOut]
    seller_types: list[KeyFacetOut]


@router.get(
    "/search",
    response=responses(SearchOut, 400, 429),
    openapi_extra=refused_on_meaning("min_price is above max_price", status=400),
)
@api_rate_limited(abuse.SEARCH)
def search(request: HttpRequest, params: Query[SearchIn]):
    try:
        result = selectors.search_parts(
            query=params.q,
            sort=params.sort,
            page=PageRequest(params.page, params.page_size),
            spell=params.spell,
            detect_vehicle=params.detect_vehicle,
            filters=SearchFilters(
                category_id=params.category,
                brand_id=params.brand,
                min_price=params.min_price,
                max_price=params.max_price,
                in_stock=params.in_stock,
                vehicle_id=params.vehicle,
                condition=params.condition,
                seller=params.seller,
            ),
        )
    except (BadSearch, BadPage) as problem:
        return 400, {"detail": str(problem)}
    analytics.record_search(request=request, result=result)

    def out(p):
        return PartSummaryOut(**{f: getattr(p, f) for f in PartSummaryOut.model_fields})

    return SearchOut(
        query=result.query,
        total=result.total,
        page=result.page.number,
        pages=result.pages,
        exact_matches=[out(p) for p in result.exact_matches],
        results=[out(p) for p in result.items],
        categories=[FacetOut(id=f.id, name=f.name, count=f.count) for f in result.categories],
        brands=[FacetOut(id=f.id, name=f.name, count=f.count) for f in result.brands],
        suggestions=result.suggestions,
        unfiltered_total=result.unfiltered_total,
        corrected_query=result.corrected_query,
        vehicle=_vehicle_out(result.vehicle),
        relaxed=result.relaxed,
        other_vehicles=result.other_vehicles,
        notice=result.notice,
        offers=[
            OfferOut(**{f: getattr(o, f) for f in OfferOut.model_fields}) for o in result.offers
        ],
        offers_total=result.offers_total,
        conditions=[_key_facet(f) for f in result.conditions],
        seller_types=[_key_facet(f) for f in result.seller_types],
    )


def _key_facet(facet) -> KeyFacetOut:
    return KeyFacetOut(key=facet.id, name=facet.name, count=facet.count)


def _vehicle_out(vehicle) -> VehicleMentionOut | None:
    if vehicle is None:
        return None
    return VehicleMentionOut(
        label=vehicle.label,
        year=vehicle.year,
        make=vehicle.make,
        model=vehicle.model,
        vehicle=vehicle.single_vehicle_id,
        finder=vehicle.finder_query,
    )


class SuggestionOut(Schema):
    text: str = Field(description="What to put in the search box")
    kind: Literal["part", "category", "brand", "vehicle"]


class SuggestOut(Schema):
    query: str
    suggestions: list[SuggestionOut]


class SuggestIn(Schema):
    q: str = Field(..., max_length=suggestions.MAX_PREFIX_CHARS, description="What is typed so far")
    limit: int = Field(suggestions.DEFAULT_SUGGESTIONS, ge=1, le=suggestions.MAX_SUGGESTIONS)


@router.get("/search/suggest", response=responses(SuggestOut, 400, 429))
@api_rate_limited(abuse.SUGGEST)
def suggest(request: HttpRequest, params: Query[SuggestIn]):
    """Suggestions as the shopper types: part names, brands, categories, vehicles (C5)."""
    try:
        found = suggestions.suggest(prefix=params.q, limit=params.limit)
    except suggestions.BadPrefix as problem:
        return 400, {"detail": str(problem)}
    return SuggestOut(
        query=params.q,
        suggestions=[SuggestionOut(text=s.text, kind=s.kind) for s in found],
    )
