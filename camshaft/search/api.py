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
from camshaft.search import selectors
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
    vehicle: RecordId | None = Field(None, description="Only parts that fit it")
    sort: Literal["best", "price_asc", "price_desc"] = "best"
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(24, ge=1, le=100)


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
            filters=SearchFilters(
                category_id=params.category,
                brand_id=params.brand,
                min_price=params.min_price,
                max_price=params.max_price,
                in_stock=params.in_stock,
                vehicle_id=params.vehicle,
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
    )
