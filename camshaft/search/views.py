"""The search page (C5)."""

from django.core.exceptions import BadRequest
from django.shortcuts import render

from camshaft.abuse import services as abuse
from camshaft.abuse.decorators import rate_limited
from camshaft.analytics import services as analytics
from camshaft.core import params
from camshaft.core.paging import BadPage, page_request
from camshaft.fitment.garage import garage_for
from camshaft.search import selectors
from camshaft.search.selectors import BadSearch, SearchFilters


def filters_from(request, **fixed) -> SearchFilters:
    """Filters from the query string; `fits=1` means the garage's vehicle."""
    q = request.GET
    vehicle_id = params.int_param(q, "vehicle", label="Vehicle")
    if params.bool_param(q, "fits"):
        vehicle_id = garage_for(request).selected_id
    values = {
        "category_id": params.int_param(q, "category"),
        "brand_id": params.int_param(q, "brand"),
        "min_price": params.decimal_param(q, "min_price", label="The lowest price"),
        "max_price": params.decimal_param(q, "max_price", label="The highest price"),
        "in_stock": params.bool_param(q, "in_stock"),
        "vehicle_id": vehicle_id,
        "condition": q.get("condition") or None,
        "seller": q.get("seller") or None,
    }
    values.update(fixed)
    return SearchFilters(**values)


def run_search(request, *, template: str, context: dict, **fixed):
    try:
        result = selectors.search_parts(
            spell=params.switch_param(request.GET, "spell", default=True),
            detect_vehicle=not params.switch_param(request.GET, "novehicle"),
            query=request.GET.get("q", ""),
            filters=filters_from(request, **fixed),
            sort=request.GET.get("sort", "best"),
            page=page_request(request.GET.get("page")),
            garage_vehicle_id=garage_for(request).selected_id,
        )
    except (BadSearch, BadPage, BadRequest) as problem:
        return render(request, "400.html", {"message": str(problem)}, status=400)
    analytics.record_search(request=request, result=result)
    return render(
        request,
        template,
        {**context, "result": result, "query": result.query, "sorts": selectors.SORTS},
    )


@rate_limited(abuse.SEARCH, methods=("GET", "HEAD"))
def search(request):
    return run_search(request, template="search/results.html", context={})
