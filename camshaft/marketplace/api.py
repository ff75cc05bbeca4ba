"""Seller API of the marketplace (M1-M5) under /api/v1/marketplace: the
seller terms in force, and becoming a seller with a bearer token (reading
one's seller record also takes the browser session)."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from camshaft.accounts.api_auth import SessionOrToken, TokenAuth
from camshaft.core.api_schemas import (
    ErrorOut,
    InputSchema,
    InvalidOut,
    Text,
    refused_on_meaning,
)
from camshaft.marketplace import rules, selectors, services

router = Router(tags=["marketplace"])

#: Refusals by a state the request cannot change by itself (409).
CONFLICTS = {"already_seller", "public_id_taken", "no_terms"}


class TermsOut(Schema):
    version: str
    body: str
    published_at: datetime


class SellerIn(InputSchema):
    public_id: Text(rules.PUBLIC_ID_MAX, min_length=rules.PUBLIC_ID_MIN) = Field(
        ..., description="Shown in public instead of your name; letters, digits, '-' and '_'"
    )
    terms_version: Text(20, min_length=1) = Field(
        ..., description="The version of the seller terms you accept: the current one"
    )


class SellerOut(Schema):
    public_id: str
    terms_version: str
    accepted_at: datetime
    status: str


def seller_out(seller) -> dict:
    return {
        "public_id": seller.public_id,
        "terms_version": seller.terms.version,
        "accepted_at": seller.accepted_at,
        "status": seller.status,
    }


@router.get(
    "/marketplace/terms",
    response={200: TermsOut, 400: ErrorOut, 404: ErrorOut},
    summary="The seller terms in force",
)
def seller_terms(request: HttpRequest):
    terms = selectors.current_terms()
    if terms is None:
        return 404, {"detail": "The marketplace is not open to sellers yet."}
    return terms


@router.get(
    "/marketplace/seller",
    auth=SessionOrToken(),
    response={200: SellerOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="Your seller record",
)
def my_seller(request: HttpRequest):
    seller = selectors.seller_of(request.auth)
    if seller is None:
        return 404, {"detail": "You are not a seller yet."}
    return seller_out(seller)


@router.post(
    "/marketplace/seller",
    auth=TokenAuth(),
    response={
        201: SellerOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        422: InvalidOut,
    },
    summary="Become a seller (18+, accepting the current seller terms)",
    openapi_extra=refused_on_meaning(
        "the seller terms named are not the current ones",
        "the user ID is malformed or could pass for the store's own",
    ),
)
def become_seller(request: HttpRequest, body: SellerIn):
    """201 with the seller record; 403 for a member under 18 or without a
    date of birth (A1); 409 when already a seller or the ID is taken."""
    try:
        seller = services.become_seller(
            user=request.auth, public_id=body.public_id, terms_version=body.terms_version
        )
    except services.SellerProblem as problem:
        if problem.code == "under_age":
            return 403, {"detail": problem.message}
        if problem.code in CONFLICTS:
            return 409, {"detail": problem.message}
        return 422, {
            "detail": problem.message,
            "errors": [{"field": problem.field, "message": problem.message}],
        }
    return 201, seller_out(seller)
