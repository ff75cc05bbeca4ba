"""B2: the OpenAPI document states what the code enforces, so a client
generated from it is not refused for a reason it was never told."""

import pytest
from ninja import Schema

import camshaft.api  # noqa: F401  (imports every router and its schemas)
from camshaft.core.api_schemas import NO_NUL

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def document():
    from camshaft.api import api

    return api.get_openapi_schema()


def _schemas(cls=Schema):
    for sub in cls.__subclasses__():
        yield sub
        yield from _schemas(sub)


def test_B2_every_schema_has_its_own_name():
    """Two schemas of one name share one entry in the document, and one of
    them is then described wrongly (the cart's lines were the checkout's)."""
    ours = [s for s in set(_schemas()) if s.__module__.startswith("camshaft.")]
    names = [s.__name__ for s in ours]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []


def test_B2_openapi_states_vin_format(document):
    (vin,) = document["paths"]["/api/v1/vin/{vin}"]["get"]["parameters"]
    assert vin["schema"]["pattern"].startswith("^[A-HJ-NPR-Z")
    assert "check digit" in vin["schema"]["description"]


def test_B2_openapi_states_that_text_holds_no_nul(document):
    token = document["components"]["schemas"]["TokenIn"]
    assert token["properties"]["email"]["pattern"] == NO_NUL
    assert token["propertyNames"] == {"pattern": NO_NUL}


def test_B2_openapi_states_every_answer_of_adding_to_the_cart(document):
    answers = document["paths"]["/api/v1/cart/lines"]["post"]["responses"]
    assert {200, 404, 409, 422} <= set(answers)


def test_B2_an_unknown_sku_is_a_404_and_a_full_cart_a_409(client):
    from tests.shopping import stocked_part

    missing = client.post("/api/v1/cart/lines", {"sku": "NOPE"}, content_type="application/json")
    assert missing.status_code == 404
    part = stocked_part()
    client.post(
        "/api/v1/cart/lines", {"sku": part.sku, "quantity": 99}, content_type="application/json"
    )
    full = client.post("/api/v1/cart/lines", {"sku": part.sku}, content_type="application/json")
    assert full.status_code == 409
