"""The JSON API under /api/v1: each app contributes a router (B2)."""

from django.core.exceptions import ValidationError as InvalidInput
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import ValidationError

from camshaft.abuse.decorators import too_many_requests_json
from camshaft.abuse.services import RateLimited
from camshaft.accounts.api import router as accounts_router
from camshaft.accounts.api_auth import Shopper
from camshaft.analytics.api import router as analytics_router
from camshaft.cart.api import router as cart_router
from camshaft.catalog.api import router as catalog_router
from camshaft.chat.api import router as chat_router
from camshaft.checkout.api import router as checkout_router
from camshaft.core.api_schemas import NO_NUL, invalid
from camshaft.fitment.api import router as fitment_router
from camshaft.marketplace.api import router as marketplace_router
from camshaft.notifications.api import router as notifications_router
from camshaft.orders.api import router as orders_router
from camshaft.orders.services import OrderError
from camshaft.payments.api import router as payments_router
from camshaft.payments.services import PaymentDeclined
from camshaft.pricematch.api import router as pricematch_router
from camshaft.pricing.api import router as pricing_router
from camshaft.privacy.api import router as privacy_router
from camshaft.returns.api import router as returns_router
from camshaft.search.api import router as search_router
from camshaft.support.api import router as support_router


class CamshaftAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document says that the endpoints guests use
    too (cart, checkout, order lookup) take a bearer token *or nothing*."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        _state_no_nul(schema)
        optional = {Shopper.__name__: []}
        for operations in schema["paths"].values():
            for operation in operations.values():
                if optional in operation.get("security", []):
                    operation["security"] = [{}, *operation["security"]]
                if too_many := operation.get("responses", {}).get(429):
                    too_many["headers"] = {"Retry-After": RETRY_AFTER_HEADER}
        _add_links(schema)
        return schema


def _state_no_nul(node) -> None:
    """Every text the API takes refuses NUL (0x00) characters, which no
    database can store (core.middleware.RefuseUnstorableInput): the document
    says so on every string and object key it does not constrain otherwise."""
    if isinstance(node, dict):
        plain = node.get("type") == "string" and not (
            {"pattern", "enum", "const", "format"} & node.keys()
        )
        if plain:
            node["pattern"] = NO_NUL
        if node.get("type") == "object" and "propertyNames" not in node:
            node["propertyNames"] = {"pattern": NO_NUL}  # keys are text too
        for value in node.values():
            _state_no_nul(value)
    elif isinstance(node, list):
        for value in node:
            _state_no_nul(value)


#: What a client can do next with what an answer holds (OpenAPI links): the
#: address it added, the cart line, the order it placed. Generated clients
#: and schemathesis's stateful tests follow them from one call to the next.
LINKS = {
    ("camshaft_accounts_api_add_address", 201): {
        "ChangeAddress": ("camshaft_accounts_api_change_address", {"address_id": "id"}),
        "DeleteAddress": ("camshaft_accounts_api_delete_address", {"address_id": "id"}),
    },
    ("camshaft_cart_api_add", 200): {
        "ChangeLine": ("camshaft_cart_api_change", {"line_id": "lines/0/id"}),
        "RemoveLine": ("camshaft_cart_api_remove", {"line_id": "lines/0/id"}),
    },
    ("camshaft_fitment_api_garage_add", 200): {
        "RemoveVehicle": ("camshaft_fitment_api_garage_remove", {"vehicle_id": "selected"}),
    },
    ("camshaft_fitment_api_finder_vehicle", 200): {
        "VehicleParts": ("camshaft_fitment_api_vehicle_parts", {"vehicle_id": "id"}),
    },
    ("camshaft_support_api_file_ticket", 201): {
        "ShowTicket": ("camshaft_support_api_see_ticket", {"reference": "reference"}),
        "ReplyToTicket": ("camshaft_support_api_reply", {"reference": "reference"}),
    },
    ("camshaft_checkout_api_place_order", 201): {
        "ShowOrder": ("camshaft_orders_api_my_order", {"number": "number"}),
        "CancelOrder": ("camshaft_orders_api_cancel", {"number": "number"}),
    },
}


def _add_links(schema: dict) -> None:
    operations = {
        operation["operationId"]: operation
        for path in schema["paths"].values()
        for operation in path.values()
    }
    for (source, status), links in LINKS.items():
        response = operations[source]["responses"][status]
        response["links"] = {
            name: {
                "operationId": target,
                "parameters": {
                    param: f"$response.body#/{pointer}" for param, pointer in params.items()
                },
            }
            for name, (target, params) in links.items()
        }


RETRY_AFTER_HEADER = {
    "description": "Seconds to wait before trying again (V11).",
    "schema": {"type": "integer", "minimum": 1},
}


api = CamshaftAPI(
    title="Camshaft API",
    version="1",
    description=(
        "Catalogue, Part Finder, VIN lookup, search, accounts, cart, checkout and orders "
        "for a parts store. Members authenticate with `Authorization: Bearer <token>` from "
        "POST /auth/token; guests carry their cart in the `X-Cart-Token` header. A browser "
        "that relies on cookies instead (the store's session, or the cart cookie) sends the "
        "`X-CSRFToken` header with every POST, PUT, PATCH and DELETE, or gets a 403."
    ),
    urls_namespace="api-v1",
)


@api.exception_handler(ValidationError)
def validation_failed(request: HttpRequest, exc: ValidationError):
    """Answer bad input with 422 and each field's problem in plain words."""
    problems = [
        {"field": ".".join(str(p) for p in err.get("loc", ())[1:]) or None, "message": err["msg"]}
        for err in exc.errors
    ]
    return api.create_response(
        request, {"detail": "The request is not valid.", "errors": problems}, status=422
    )


@api.exception_handler(InvalidInput)
def refused_by_a_service(request: HttpRequest, exc: InvalidInput):
    """A service refused the input (a bad address, a card that fails its
    checks): 422 with each field's problem, nothing stored."""
    status, body = invalid(exc)
    return api.create_response(request, body, status=status)


@api.exception_handler(RateLimited)
def too_many_requests(request: HttpRequest, exc: RateLimited):
    """Too many requests from this client or for this account (V11): 429
    with Retry-After."""
    return too_many_requests_json(exc)


@api.exception_handler(OrderError)
def order_cannot_go_on(request: HttpRequest, exc: OrderError):
    """The checkout or the order is not in a state for this (an empty cart,
    a total that changed, a cancellation O3 does not allow): 409 saying why."""
    return api.create_response(request, {"detail": exc.message}, status=409)


@api.exception_handler(PaymentDeclined)
def payment_declined(request: HttpRequest, exc: PaymentDeclined):
    """The payment gateway declined: 402 with its reason for the shopper."""
    return api.create_response(request, {"detail": exc.message}, status=402)


api.add_router("/", fitment_router)
api.add_router("/", catalog_router)
api.add_router("/", search_router)
api.add_router("/", accounts_router)
api.add_router("/", cart_router)
api.add_router("/", checkout_router)
api.add_router("/", orders_router)
api.add_router("/", returns_router)
api.add_router("/", marketplace_router)
api.add_router("/", support_router)
api.add_router("/", chat_router)
api.add_router("/", pricing_router)
api.add_router("/", pricematch_router)
api.add_router("/", payments_router)
api.add_router("/", notifications_router)
api.add_router("/", privacy_router)
api.add_router("/", analytics_router)
