"""B2: the API answers anything a client sends without a server error.

schemathesis reads /api/v1/openapi.json and generates requests from it,
valid and invalid, and checks every answer against the document."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from camshaft.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def small_catalogue(db):
    """A catalogue to fuzz against. As in Django's test client, requests must
    not close the test's database connection, which holds its transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from camshaft.search import services
    from tests.factories import FitmentFactory, StockLevelFactory

    fitment = FitmentFactory(part__sku="FUZZ-1")
    StockLevelFactory(part=fitment.part)
    services.rebuild_index()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_B2_api_never_answers_with_a_server_error(case, small_catalogue):
    response = case.call()
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
    # A well-formed request may still be refused on meaning (a VIN whose check
    # digit is wrong, a vehicle id that does not exist): that 4xx is correct.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])
