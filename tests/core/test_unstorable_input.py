"""B2: a number or text the database cannot hold is a clear 4xx, on every
path, before (or at worst instead of) a database error."""

import pytest
from django.db import DataError
from django.test import RequestFactory

from camshaft.core.middleware import UNSTORABLE, RefuseUnstorableValues
from tests.factories import PartFactory, VehicleFactory

pytestmark = pytest.mark.django_db

HUGE = "-456696993586949652480"


@pytest.mark.parametrize(
    "query", [f"category={HUGE}", "category=99999999999999999999999", f"page={HUGE}"]
)
def test_B2_vehicle_parts_refuses_numbers_the_database_cannot_hold(client, query):
    vehicle = VehicleFactory()
    response = client.get(f"/api/v1/vehicles/{vehicle.pk}/parts?{query}")
    assert response.status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/vehicles/99999999999999999999999",
        "/api/v1/vehicles/99999999999999999999999/parts",
        "/api/v1/parts/{sku}?vehicles_page=99999999999999999999",
    ],
)
def test_B2_ids_and_pages_beyond_any_row_are_refused(client, path):
    sku = PartFactory().sku
    response = client.get(path.format(sku=sku))
    assert response.status_code == 422


def test_B2_openapi_states_the_bounds_of_ids_and_pages(client):
    document = client.get("/api/v1/openapi.json").json()
    parameters = document["paths"]["/api/v1/vehicles/{vehicle_id}/parts"]["get"]["parameters"]
    by_name = {p["name"]: p["schema"] for p in parameters}
    assert by_name["vehicle_id"]["maximum"] == 2**63 - 1
    assert by_name["page"]["maximum"] == 10_000
    category = by_name["category"]
    bounded = category.get("anyOf", [category])
    assert any(option.get("maximum") == 2**63 - 1 for option in bounded)


@pytest.mark.parametrize("error", [OverflowError("too big"), DataError("value too long")])
@pytest.mark.parametrize("path, status", [("/api/v1/anything", 422), ("/search/", 400)])
def test_B2_a_value_that_slips_past_a_bound_is_a_4xx_not_a_500(error, path, status):
    middleware = RefuseUnstorableValues(lambda request: None)
    response = middleware.process_exception(RequestFactory().get(path), error)
    assert response.status_code == status
    assert UNSTORABLE.encode() in response.content


def test_B2_other_errors_are_left_alone():
    middleware = RefuseUnstorableValues(lambda request: None)
    assert middleware.process_exception(RequestFactory().get("/"), KeyError("x")) is None
