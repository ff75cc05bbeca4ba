"""JSON API: Part Finder, VIN lookup, vehicles and the parts that fit them (C3, C4)."""

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from camshaft.core.api_schemas import (
    InputSchema,
    RecordId,
    RecordIdIn,
    refused_on_meaning,
    responses,
)
from camshaft.core.bounds import ID_MAX
from camshaft.core.paging import MAX_PAGE, BadPage, page_request
from camshaft.fitment import garage as garage_cookie
from camshaft.fitment import selectors, services
from camshaft.fitment.vin import InvalidVin

router = Router(tags=["Part Finder"])

Year = Field(..., ge=1900, le=2100, description="Model year")
Id = Field(..., ge=1, le=ID_MAX)


class ChoiceOut(Schema):
    id: int
    name: str


class VehicleOut(Schema):
    id: int
    year: int
    make: str
    model: str
    submodel: str
    engine: str

    @staticmethod
    def of(v) -> "VehicleOut":
        return VehicleOut(
            id=v.id,
            year=v.year,
            make=v.make.name,
            model=v.model.name,
            submodel=v.submodel.name,
            engine=v.engine.name,
        )


class YearMake(InputSchema):
    year: int = Year
    make: int = Id


class YearMakeModel(YearMake):
    model: int = Id


class YearMakeModelSub(YearMakeModel):
    submodel: int = Id


class FullVehicle(YearMakeModelSub):
    engine: int = Id


def _step(state, level: str):
    if state.problem:
        raise HttpError(404, state.problem)
    return getattr(state, level)


@router.get("/finder/years", response=responses(list[int]))
def finder_years(request: HttpRequest):
    return selectors.years()


@router.get("/finder/makes", response=responses(list[ChoiceOut], 404))
def finder_makes(request: HttpRequest, year: int = Query(..., ge=1900, le=2100)):
    return _step(selectors.finder_state(year=year), "makes")


@router.get("/finder/models", response=responses(list[ChoiceOut], 404))
def finder_models(request: HttpRequest, q: Query[YearMake]):
    return _step(selectors.finder_state(year=q.year, make_id=q.make), "models")


@router.get("/finder/submodels", response=responses(list[ChoiceOut], 404))
def finder_submodels(request: HttpRequest, q: Query[YearMakeModel]):
    return _step(selectors.finder_state(year=q.year, make_id=q.make, model_id=q.model), "submodels")


@router.get("/finder/engines", response=responses(list[ChoiceOut], 404))
def finder_engines(request: HttpRequest, q: Query[YearMakeModelSub]):
    return _step(
        selectors.finder_state(
            year=q.year, make_id=q.make, model_id=q.model, submodel_id=q.submodel
        ),
        "engines",
    )


@router.get("/finder/vehicle", response=responses(VehicleOut, 404))
def finder_vehicle(request: HttpRequest, q: Query[FullVehicle]):
    state = selectors.finder_state(
        year=q.year, make_id=q.make, model_id=q.model, submodel_id=q.submodel, engine_id=q.engine
    )
    return VehicleOut.of(_step(state, "vehicle"))


class VinOut(Schema):
    vin: str
    year: int
    make: str | None
    make_id: int | None = Field(
        description="Our make id, to pre-fill the finder; null "
        "when we carry no such vehicles that year"
    )
    model: str | None = Field(None, description="vPIC's model name, when the VIN tells")
    body: str | None = None
    trim: str | None = None
    engine: str | None = Field(None, description='e.g. "3.6L V6", when the VIN tells')
    model_id: int | None = None
    submodel_id: int | None = None
    engine_id: int | None = Field(
        None, description="Set when the VIN names exactly one of our engines"
    )
    message: str


#: 17 of the VIN alphabet (no I, O or Q; either case); the 10th, the model
#: year, is never U, Z or 0. The check digit is checked on meaning.
VIN_PATTERN = (
    r"^[A-HJ-NPR-Za-hj-npr-z0-9]{9}[A-HJ-NPR-TV-Ya-hj-npr-tv-y1-9][A-HJ-NPR-Za-hj-npr-z0-9]{7}$"
)


@router.get(
    "/vin/{vin}",
    response=responses(VinOut),
    openapi_extra=refused_on_meaning(
        "the check digit (9th character) does not match",
        "the model year it gives is still to come",
    ),
)
def vin_lookup(
    request: HttpRequest,
    vin: str = Path(
        ...,
        min_length=17,
        max_length=17,
        pattern=VIN_PATTERN,
        description="17 letters and digits, never I, O or Q; the 10th (the model year) never "
        "U, Z or 0; the 9th is the check digit, and a VIN whose check digit does not match "
        "is a 422 saying so",
    ),
):
    try:
        prefill = services.decode_vin_for_finder(vin)
    except InvalidVin as problem:
        return 422, {"detail": str(problem), "errors": [{"field": "vin", "message": str(problem)}]}
    decoded = prefill.decoded
    return VinOut(
        vin=prefill.vin,
        year=prefill.year,
        make=prefill.make_name,
        make_id=prefill.make_id,
        model=decoded.model,
        body=decoded.body,
        trim=decoded.trim,
        engine=str(decoded.engine) or None,
        model_id=prefill.model_id,
        submodel_id=prefill.submodel_id,
        engine_id=prefill.engine_id,
        message=prefill.message,
    )


@router.get("/vehicles/{int:vehicle_id}", response=responses(VehicleOut, 404))
def vehicle_detail(request: HttpRequest, vehicle_id: RecordId):
    return VehicleOut.of(selectors.vehicle(vehicle_id=vehicle_id))


class FittingPartOut(Schema):
    sku: str
    name: str
    brand: str
    price: Decimal
    position: str
    quantity: int
    note: str


class CategoryGroupOut(Schema):
    category_id: int
    category: str
    parts: list[FittingPartOut]


class CategoryCountOut(Schema):
    id: int
    name: str
    parts: int


class VehiclePartsOut(Schema):
    vehicle: VehicleOut
    categories: list[CategoryCountOut]
    total: int
    page: int
    pages: int
    groups: list[CategoryGroupOut]


@router.get(
    "/vehicles/{int:vehicle_id}/parts",
    response=responses(VehiclePartsOut, 400, 404),
)
def vehicle_parts(
    request: HttpRequest,
    vehicle_id: RecordId,
    category: RecordId | None = None,
    page: int = Query(1, ge=1, le=MAX_PAGE),
):
    try:
        paging = page_request(page, size=50)
    except BadPage as problem:
        return 400, {"detail": str(problem)}
    listing = selectors.vehicle_parts(vehicle_id=vehicle_id, category_id=category, page=paging)
    return VehiclePartsOut(
        vehicle=VehicleOut.of(listing.vehicle),
        categories=[CategoryCountOut(id=c, name=n, parts=k) for c, n, k in listing.categories],
        total=listing.page.total,
        page=listing.page.number,
        pages=listing.page.pages,
        groups=[
            CategoryGroupOut(
                category_id=g.category_id,
                category=g.category,
                parts=[
                    FittingPartOut(**{f: getattr(p, f) for f in FittingPartOut.model_fields})
                    for p in g.parts
                ],
            )
            for g in listing.groups
        ],
    )


class GarageOut(Schema):
    selected: int | None
    vehicles: list[VehicleOut]


class GarageIn(InputSchema):
    vehicle: RecordIdIn


def _garage_response(request, state):
    return GarageOut(
        selected=state.selected_id,
        vehicles=[VehicleOut.of(v) for v in selectors.vehicles_by_ids(state.vehicle_ids)],
    )


@router.get(
    "/garage", response=responses(GarageOut), summary="My Garage (kept in a cookie for guests)"
)
def garage_show(request: HttpRequest):
    return _garage_response(request, garage_cookie.read(request))


@router.post("/garage", response=responses(GarageOut, 404))
def garage_add(request: HttpRequest, response: HttpResponse, body: GarageIn):
    selectors.vehicle(vehicle_id=body.vehicle)
    state = garage_cookie.read(request)
    state.add(body.vehicle)
    garage_cookie.write(response, state)
    return _garage_response(request, state)


@router.delete("/garage/{int:vehicle_id}", response=responses(GarageOut, 404))
def garage_remove(request: HttpRequest, response: HttpResponse, vehicle_id: RecordId):
    state = garage_cookie.read(request)
    state.remove(vehicle_id)
    garage_cookie.write(response, state)
    return _garage_response(request, state)
