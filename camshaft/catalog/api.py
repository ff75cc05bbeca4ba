"""JSON API: parts, categories and brands (C6, C7)."""

from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest
from ninja import Path, Query, Router, Schema

from camshaft.catalog import selectors
from camshaft.catalog.models import Part
from camshaft.core.api_schemas import NO_NUL, responses
from camshaft.core.paging import MAX_PAGE, BadPage, page_request
from camshaft.fitment.api import VehicleOut
from camshaft.fitment.garage import garage_for
from camshaft.search import selectors as search_selectors

router = Router(tags=["Catalogue"])

SKU_MAX_CHARS = Part._meta.get_field("sku").max_length


class WarehouseStockOut(Schema):
    warehouse: str
    country: str
    available: int


class FitmentOut(Schema):
    vehicle: VehicleOut
    position: str
    quantity: int
    note: str


class PictureOut(Schema):
    """A picture of the part: the file as uploaded and square thumbnails
    (srcset entries "URL WIDTHw"), primary first (C7)."""

    alt: str
    primary: bool
    original: str
    src: str
    webp_srcset: str
    jpeg_srcset: str


class PartOut(Schema):
    sku: str
    name: str
    brand: str
    mpn: str
    description: str
    category: list[str]
    attributes: dict
    currency: str
    price: Decimal
    core_charge: Decimal | None
    condition: str
    returnability: str
    returnability_note: str
    freight_class: str
    special_order: bool
    custom_made: bool
    hazardous: bool
    performance: bool
    weight_lb: Decimal
    available: int
    availability: str
    stock: list[WarehouseStockOut]
    fits_selected_vehicle: bool | None
    pictures: list[PictureOut]
    vehicles_total: int
    vehicles: list[FitmentOut]


def _absolute(request: HttpRequest, url: str) -> str:
    return request.build_absolute_uri(url) if url.startswith("/") else url


def _srcset(request: HttpRequest, srcset: str) -> str:
    return ", ".join(
        " ".join([_absolute(request, url), width])
        for url, width in (item.rsplit(" ", 1) for item in srcset.split(", "))
    )


@router.get("/parts/{sku}", response=responses(PartOut, 400, 404))
def part_detail(
    request: HttpRequest,
    sku: str = Path(..., min_length=1, max_length=SKU_MAX_CHARS, pattern=NO_NUL),
    vehicles_page: int = Query(1, ge=1, le=MAX_PAGE),
):
    try:
        paging = page_request(vehicles_page, size=25)
    except BadPage as problem:
        return 400, {"detail": str(problem)}
    page = selectors.part_for_page(
        sku=sku, vehicles_page=paging, vehicle_id=garage_for(request).selected_id
    )
    p = page.part
    return PartOut(
        sku=p.sku,
        name=p.name,
        brand=p.brand.name,
        mpn=p.mpn,
        description=p.description,
        category=[c.name for c in page.breadcrumbs],
        attributes=p.attributes,
        currency=settings.STORE_CURRENCY,
        price=p.price,
        core_charge=p.core_charge,
        condition=p.condition,
        returnability=p.returnability,
        returnability_note=page.returnability_note,
        freight_class=p.freight_class,
        special_order=p.is_special_order,
        custom_made=p.is_custom_made,
        hazardous=p.is_hazardous,
        performance=p.is_performance,
        weight_lb=p.weight_lb,
        available=page.available,
        availability=page.availability,
        stock=[
            WarehouseStockOut(warehouse=s.warehouse, country=s.country, available=s.available)
            for s in page.stock
        ],
        fits_selected_vehicle=page.fits_selected,
        pictures=[
            PictureOut(
                alt=pp.alt,
                primary=pp.is_primary,
                original=_absolute(request, pp.full_url),
                src=_absolute(request, pp.picture.src),
                webp_srcset=_srcset(request, pp.picture.webp_srcset),
                jpeg_srcset=_srcset(request, pp.picture.jpeg_srcset),
            )
            for pp in page.pictures
        ],
        vehicles_total=page.vehicles.total,
        vehicles=[
            FitmentOut(
                vehicle=VehicleOut(
                    id=f.vehicle_id,
                    year=f.year,
                    make=f.make,
                    model=f.model,
                    submodel=f.submodel,
                    engine=f.engine,
                ),
                position=f.position,
                quantity=f.quantity,
                note=f.note,
            )
            for f in page.vehicles.items
        ],
    )


class CategoryOut(Schema):
    id: int
    name: str
    path: str
    parent_id: int | None


@router.get("/categories", response=responses(list[CategoryOut]))
def category_list(request: HttpRequest):
    nodes = sorted(selectors.category_nodes().values(), key=lambda n: n.path)
    return [CategoryOut(id=n.id, name=n.name, path=n.path, parent_id=n.parent_id) for n in nodes]


class BrandOut(Schema):
    id: int
    name: str
    slug: str
    parts: int


@router.get("/brands", response=responses(list[BrandOut]))
def brand_list(request: HttpRequest):
    return search_selectors.brands_with_counts()
