"""The JSON API under /api/v1: each app contributes a router (B2)."""

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import ValidationError

from camshaft.accounts.api import router as accounts_router
from camshaft.cart.api import router as cart_router
from camshaft.catalog.api import router as catalog_router
from camshaft.fitment.api import router as fitment_router
from camshaft.notifications.api import router as notifications_router
from camshaft.payments.api import router as payments_router
from camshaft.pricing.api import router as pricing_router
from camshaft.privacy.api import router as privacy_router
from camshaft.search.api import router as search_router

api = NinjaAPI(
    title="Camshaft API",
    version="1",
    description="Catalogue, Part Finder, VIN lookup and search for a parts store.",
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


api.add_router("/", fitment_router)
api.add_router("/", catalog_router)
api.add_router("/", search_router)
api.add_router("/", accounts_router)
api.add_router("/", cart_router)
api.add_router("/", pricing_router)
api.add_router("/", payments_router)
api.add_router("/", notifications_router)
api.add_router("/", privacy_router)
