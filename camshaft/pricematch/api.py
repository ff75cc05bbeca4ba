"""JSON API of the low-price guarantee (P2): file a price-match claim
(members with their token, guests with an email), and members' list of
their claims with the quotes granted. Another person's claim is a 404."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema

from camshaft.abuse import services as abuse
from camshaft.abuse.decorators import api_rate_limited
from camshaft.accounts.api_auth import Shopper, TokenAuth
from camshaft.catalog.models import Part
from camshaft.core.api_schemas import (
    CountryCode,
    DecimalText,
    InputSchema,
    Text,
    WholeNumber,
    created,
    refused_on_meaning,
    responses,
)
from camshaft.core.money import CURRENCIES
from camshaft.pricematch import rules, selectors, services
from camshaft.pricematch.models import CompetitorCondition, PriceMatchClaim

router = Router(tags=["price match"])

NOT_FOUND = {"detail": "We found no such price-match claim."}
NO_PART = {"detail": "We do not sell a part with that SKU."}

#: An amount as a string, never a float: "42.50" (below a million).
Amount = DecimalText(
    whole_digits=6, places=2, description='An amount with at most two decimals: "42.50".'
)
ClaimNumber = Text(20, min_length=1, pattern=r"^[A-Za-z0-9-]+$")


class PriceMatchClaimIn(InputSchema):
    sku: Text(40, min_length=1) = Field(
        ..., description="Our part that the competitor sells for less"
    )
    email: Text(254) = Field(
        "", description="Guests: where the answer goes. Members' claims go to their account."
    )
    competitor: Text(100, min_length=1)
    url: Text(500, min_length=1) = Field(
        ..., description="The http(s) page where the price is advertised"
    )
    brand: Text(100, min_length=1) = Field(..., description="The competitor's part's manufacturer")
    mpn: Text(60, min_length=1) = Field(
        ..., description="The competitor's part's manufacturer part number"
    )
    condition: Literal[tuple(CompetitorCondition.values)]
    in_stock: bool = Field(..., description="In stock and ready to ship")
    quantity: WholeNumber(ge=1, le=99) = 1
    price: Amount = Field(..., description="Their price for one")
    shipping: Amount = Field("0", description="Their shipping and handling for the quantity")
    currency: Literal[tuple(CURRENCIES)] = Field(
        settings.STORE_CURRENCY,
        description="The currency of price and shipping; converted with the store's rates",
    )
    country: CountryCode = Field("US", description="Where it would be delivered")
    region: Text(100) = ""
    postal_code: Text(20) = ""


class PriceMatchQuoteOut(Schema):
    unit_price: Decimal
    quantity: int
    currency: str
    expires_at: datetime
    used: bool
    order: str


class PriceMatchClaimOut(Schema):
    number: str
    sku: str
    competitor: str
    status: str
    filed_at: datetime
    quantity: int
    their_total: Decimal = Field(description="With shipping and handling, in the store currency")
    our_total: Decimal = Field(description="Our price and cheapest shipping, same quantity")
    currency: str = Field(description="The store currency of the two totals")
    decline_reason: str
    quote: PriceMatchQuoteOut | None


class PriceMatchRulesOut(Schema):
    rules: list[str]
    quote_days: int


def claim_out(claim: PriceMatchClaim) -> dict:
    quote = getattr(claim, "quote", None)
    return {
        "number": claim.number,
        "sku": claim.part.sku,
        "competitor": claim.competitor,
        "status": claim.status,
        "filed_at": claim.filed_at,
        "quantity": claim.quantity,
        "their_total": claim.their_total,
        "our_total": claim.our_total,
        "currency": settings.STORE_CURRENCY,
        "decline_reason": claim.decline_reason,
        "quote": None
        if quote is None
        else {
            "unit_price": quote.unit_price,
            "quantity": quote.quantity,
            "currency": settings.STORE_CURRENCY,
            "expires_at": quote.expires_at,
            "used": quote.used_at is not None,
            "order": quote.order_number,
        },
    }


@router.get("/price-match/rules", response=responses(PriceMatchRulesOut))
def price_match_rules(request: HttpRequest):
    """When a claim qualifies (P2): what a client shows before filing."""
    return {"rules": list(rules.RULES), "quote_days": rules.QUOTE_DAYS}


@router.post(
    "/price-match/claims",
    auth=Shopper(),
    response=created(PriceMatchClaimOut, 401, 404, 409, 429),
    openapi_extra=refused_on_meaning(
        "a guest's email address is missing or not valid",
        "the url is not an http(s) address",
        "the country is unknown",
        "no exchange rate is set for the currency",
        "the competitor, brand or part number is only spaces",
    ),
)
@api_rate_limited(abuse.PRICE_MATCH)
def file_claim(request: HttpRequest, body: PriceMatchClaimIn):
    """File a price-match claim (P2): 201 with its number, waiting for
    customer service. 409 with the reason when what was typed cannot
    qualify (another manufacturer or part number, not new, not in stock, a
    price of 0, a total not below ours); 422 for malformed input or a
    currency without an exchange rate; 404 for a SKU we do not sell. Nothing
    is stored on a refusal."""
    part = (
        Part.objects.select_related("brand", "category")
        .filter(sku=body.sku.strip().upper(), is_active=True)
        .first()
    )
    if part is None:
        return 404, NO_PART
    try:
        claim = services.file_claim(
            part=part,
            user=request.auth,
            email=body.email,
            competitor=body.competitor,
            url=body.url,
            brand=body.brand,
            mpn=body.mpn,
            condition=body.condition,
            in_stock=body.in_stock,
            quantity=body.quantity,
            unit_price=body.price,
            shipping=body.shipping,
            currency=body.currency,
            country=body.country,
            region=body.region,
            postal_code=body.postal_code,
            channel="api",
        )
    except services.ClaimProblem as problem:
        if problem.code == "refused":
            return 409, {"detail": " ".join(problem.messages)}
        raise
    return 201, claim_out(claim)


@router.get(
    "/price-match/claims", auth=TokenAuth(), response=responses(list[PriceMatchClaimOut], 401)
)
def my_claims(request: HttpRequest):
    """The member's price-match claims, newest first, with their quotes."""
    return [claim_out(claim) for claim in selectors.claims_of(user=request.auth)[:200]]


@router.get(
    "/price-match/claims/{number}",
    auth=TokenAuth(),
    response=responses(PriceMatchClaimOut, 401, 404),
)
def my_claim(request: HttpRequest, number: ClaimNumber):
    """One of the member's claims; another person's is a 404."""
    try:
        return claim_out(selectors.claim_of(user=request.auth, number=number))
    except PriceMatchClaim.DoesNotExist:
        return 404, NOT_FOUND
