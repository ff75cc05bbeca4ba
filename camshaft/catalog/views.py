"""Storefront pages: home, category tree, brands, the part page (C6, C7)."""

from django.shortcuts import render

from camshaft.catalog import recent, selectors
from camshaft.core.paging import BadPage, page_request
from camshaft.fitment import selectors as fitment_selectors
from camshaft.fitment.garage import garage_for
from camshaft.orders import selectors as order_selectors
from camshaft.search import selectors as search_selectors
from camshaft.search.views import run_search

VEHICLES_PER_PAGE = 25


def home(request):
    return render(
        request,
        "catalog/home.html",
        {
            "finder": fitment_selectors.finder_state(),
            "top_categories": selectors.category_children()[None],
        },
    )


def category_list(request):
    return render(
        request, "catalog/category_list.html", {"children": selectors.category_children()}
    )


def category_detail(request, path):
    category = selectors.category_by_path(path)
    return run_search(
        request,
        template="search/results.html",
        context={
            "heading": category.name,
            "breadcrumbs": selectors.category_ancestors(category.id),
            "browse_category": category,
        },
        category_id=category.id,
    )


def brand_list(request):
    return render(
        request, "catalog/brand_list.html", {"brands": search_selectors.brands_with_counts()}
    )


def brand_detail(request, slug):
    brand = selectors.brand_by_slug(slug)
    return run_search(
        request,
        template="search/results.html",
        context={"heading": brand.name, "browse_brand": brand},
        brand_id=brand.id,
    )


def part_page(request, sku):
    try:
        vehicles_page = page_request(request.GET.get("vehicles_page"), size=VEHICLES_PER_PAGE)
    except BadPage as problem:
        return render(request, "400.html", {"message": str(problem)}, status=400)
    garage = garage_for(request)
    page = selectors.part_for_page(
        sku=sku, vehicles_page=vehicles_page, vehicle_id=garage.selected_id
    )
    seen = recent.read(request)
    related = selectors.related_parts(
        viewed=[pid for pid in seen if pid != page.part.id],
        bought_with=order_selectors.also_bought(part_id=page.part.id),
        vehicle_id=garage.selected_id,
    )
    response = render(
        request, "catalog/part.html", {"page": page, "part": page.part, "related": related}
    )
    recent.remember(response, seen, page.part.id)
    return response
