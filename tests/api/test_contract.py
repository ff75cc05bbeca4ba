"""B2: the OpenAPI document is an exact contract, checked by schemathesis.

schemathesis reads /api/v1/openapi.json and sends requests built from it,
valid and invalid, to every operation, signed in as a member; then it
follows the document's links (add an address, then change and delete it;
add a cart line, then change it; place an order, then open and cancel it).
Every check runs. One is sharpened rather than dropped: a request the
document calls valid may still be refused with a status any client must
expect (401, 402, 403, 404, 409, 429) or with a reason the document lists
under `x-refused-on-meaning` (a VIN whose check digit is wrong); any other
refusal is a constraint the document does not state, and fails.

Longer runs: CAMSHAFT_CONTRACT_EXAMPLES (per operation, default 10) and
CAMSHAFT_CONTRACT_STEPS (stateful steps, default 20); docs/api.md shows
how, and how to run the schemathesis command line against `camshaft serve`."""

import os
from datetime import timedelta
from decimal import Decimal

import pytest
import schemathesis
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from camshaft.wsgi import application

EXAMPLES = int(os.environ.get("CAMSHAFT_CONTRACT_EXAMPLES", "10"))
STEPS = int(os.environ.get("CAMSHAFT_CONTRACT_STEPS", "20"))
MEMBER_EMAIL = "contract@example.com"
#: Answers that depend on the world, not on the request's form: a client
#: handles them whatever it sends.
STATE_DEPENDENT = {401, 402, 403, 404, 409, 429}

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


_issued: dict[str, str] = {}


def member() -> dict:
    """The test member's bearer token, issued again whenever a test case
    revoked it (DELETE /auth/token is an operation like any other). Given
    at call time, as explicit headers, so that the auth checks know it is
    real; schemathesis builds some cases before any database exists."""
    return {"Authorization": f"Bearer {_live_token()}"}


def _live_token() -> str:
    from camshaft.accounts import selectors, services
    from camshaft.accounts.models import User

    key = _issued.get("key")
    if key and selectors.token_for_key(key_hash=services.hash_token(key)) is not None:
        return key
    member = User.objects.get(email=MEMBER_EMAIL)
    _issued["key"] = services.issue_api_token(user=member).key
    return _issued["key"]


def refusals_are_documented(ctx, response, case):
    """positive_data_acceptance, with the document's own refusals allowed."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code < 400:
        return None
    status = response.status_code
    if status in STATE_DEPENDENT or status >= 500:  # 5xx: not_a_server_error says it
        return None
    documented = case.operation.definition.raw.get("responses", {}).get(str(status), {})
    if "x-refused-on-meaning" in documented:
        return None
    if status == 422 and "Extra inputs are not permitted" in response.text:
        return None  # a field the schema forbids: schemathesis mislabelled the case
    raise AssertionError(
        f"{case.method} {case.formatted_path}: a request the document calls valid was "
        f"refused with {status}, for a reason the document does not state: "
        f"{response.text[:300]}"
    )


CHECKS = {
    "excluded_checks": [positive_data_acceptance],
    "additional_checks": [refusals_are_documented],
}


@pytest.fixture
def store(db):
    """A small store to call: a part that fits a vehicle, in stock, a rate
    for every currency, and the member the tests sign in as. As in Django's
    test client, requests must not close the test's database connection,
    which holds its transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from camshaft.pricing.models import ExchangeRate
    from camshaft.search import services
    from tests.factories import FitmentFactory, MemberFactory, StockLevelFactory

    fitment = FitmentFactory(part__sku="FUZZ-1")
    StockLevelFactory(part=fitment.part, quantity=10_000)
    for code in ("EUR", "GBP", "CAD", "AUD", "INR", "JPY"):
        ExchangeRate.objects.create(
            currency=code, rate=Decimal("1.5"), effective_from=timezone.now() - timedelta(days=1)
        )
    MemberFactory(email=MEMBER_EMAIL)
    _issued.clear()
    services.rebuild_index()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_B2_every_operation_keeps_the_documented_contract(case, store):
    headers = member()
    response = case.call(headers=headers)
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
    case.validate_response(response, headers=headers, **CHECKS)


class ContractStateMachine(schema.as_state_machine()):
    """Each run of the machine starts from the same store: what one run made
    (addresses, orders, a full cart, rate-limit counts) is rolled back, or
    hypothesis sees the same choices lead elsewhere and calls its data
    generation flaky."""

    def setup(self):
        self._savepoint = transaction.savepoint()

    def teardown(self):
        transaction.savepoint_rollback(self._savepoint)
        cache.clear()

    def get_call_kwargs(self, case):
        return {"headers": member()}

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
        headers = {"Authorization": response.request.headers.get("Authorization", "")}
        case.validate_response(response, headers=headers, **CHECKS)


@pytest.mark.django_db
def test_B2_linked_calls_keep_the_contract(store):
    """Addresses, cart lines, garage vehicles and orders made by one call
    are changed, read and removed by the next, all within the contract."""
    ContractStateMachine.run(
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
