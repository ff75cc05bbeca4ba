"""Seller API of the marketplace (M1-M5) under /api/v1/marketplace: the
seller terms in force, a seller's listings (M1), and becoming a seller with a bearer token (reading
one's seller record also takes the browser session)."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, UploadedFile

from camshaft.accounts.api_auth import SessionOrToken, TokenAuth
from camshaft.cart import services as cart_services
from camshaft.cart.selectors import cart_view
from camshaft.core.api_schemas import (
    NO_NUL,
    DecimalText,
    ErrorOut,
    InputSchema,
    InvalidOut,
    RecordId,
    RecordIdIn,
    Text,
    WholeNumber,
    created,
    invalid,
    no_content,
    refused_on_meaning,
    responses,
)
from camshaft.marketplace import photos, rules, selectors, services
from camshaft.marketplace.models import ListingCondition
from camshaft.orders.services import quote_view

router = Router(tags=["marketplace"])

#: Refusals by a state the request cannot change by itself (409).
CONFLICTS = {"already_seller", "public_id_taken", "no_terms", "no_address"}
MAX_VEHICLES = 500


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
    date of birth (A1); 409 when already a seller, the ID is taken, or no
    complete address is in the member's address book (M2: buyers receive
    it; add one with the account's address endpoints first)."""
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


# Listings (M1) ------------------------------------------------------------------

NO_LISTING = {"detail": "You have no such listing."}
LISTING_REFUSALS = (
    "the price is 0",
    "no catalogue part has the SKU or MPN, or several brands share the MPN",
    "a vehicle does not exist, a linked listing names vehicles, or a free-standing one none",
)


class ListingIn(InputSchema):
    title: Text(200, min_length=1)
    condition: Literal[tuple(ListingCondition.values)]
    price: DecimalText(whole_digits=8, places=2, description='In the store currency, like "19.99"')
    quantity: WholeNumber(ge=0, le=rules.MAX_QUANTITY)
    description: Text(5000) = ""
    condition_notes: Text(2000) = ""
    return_days: WholeNumber(ge=0, le=rules.MAX_RETURN_DAYS) = Field(
        0, description="0: no returns; otherwise returns accepted within this many days"
    )
    shipping_price: DecimalText(
        whole_digits=8, places=2, description="What you charge to post one sale; 0 for free"
    ) = "0"
    part_code: Text(60) = Field(
        "", description="A catalogue SKU or MPN: the listing fits what the part fits"
    )
    vehicle_ids: list[RecordIdIn] = Field(
        default_factory=list,
        max_length=MAX_VEHICLES,
        description="Free-standing listings: the Part Finder's vehicles it fits",
    )

    def draft(self) -> services.ListingDraft:
        return services.ListingDraft(
            title=self.title,
            condition=self.condition,
            price=self.price,
            quantity=self.quantity,
            description=self.description,
            condition_notes=self.condition_notes,
            return_days=self.return_days,
            shipping_price=Decimal(self.shipping_price),
            part_code=self.part_code,
            vehicle_ids=tuple(self.vehicle_ids),
        )


class PhotoOut(Schema):
    id: int
    position: int
    alt_text: str
    width: int
    height: int
    url: str = Field(description="The photo as stored: re-encoded, without metadata")
    thumbnail_url: str = Field(description="A square JPEG thumbnail")


def photo_out(photo) -> dict:
    return {
        "id": photo.pk,
        "position": photo.position,
        "alt_text": photo.alt_text,
        "width": photo.width,
        "height": photo.height,
        "url": photos.url(photo.image.name),
        "thumbnail_url": photos.thumbnail(photo.image.name).src,
    }


class ListingOut(Schema):
    id: int
    title: str
    condition: str
    price: str = Field(description="A decimal amount as text")
    currency: str
    quantity: int
    description: str
    condition_notes: str
    return_days: int
    shipping_price: str = Field(description="A decimal amount as text")
    part_sku: str = Field(description='The linked catalogue part, or ""')
    vehicle_ids: list[int]
    status: str
    photos: list[PhotoOut] = Field(description="In the order shoppers see them")


def listing_out(listing) -> dict:
    return {
        "id": listing.pk,
        "title": listing.title,
        "condition": listing.condition,
        "price": str(listing.price),
        "currency": listing.currency,
        "quantity": listing.quantity,
        "description": listing.description,
        "condition_notes": listing.condition_notes,
        "return_days": listing.return_days,
        "shipping_price": str(listing.shipping_price),
        "part_sku": listing.part.sku if listing.part_id else "",
        "vehicle_ids": sorted(v.pk for v in listing.vehicles.all()),
        "status": listing.status,
        "photos": [photo_out(photo) for photo in listing.photos.all()],
    }


def _refused(problem: services.SellerProblem):
    """403 for who the member is (no seller, suspended); 409 for a state
    they can change: new seller terms to accept (the message names them)."""
    return (409 if problem.code in STATE_CONFLICTS else 403), {"detail": problem.message}


#: Refusals the seller can lift: accept the new terms, remove a photo.
STATE_CONFLICTS = {"terms_outdated", "too_many_photos"}


def _fresh(user, listing_id: int) -> dict:
    return listing_out(selectors.own_listing(user, listing_id))


@router.get(
    "/marketplace/listings",
    auth=TokenAuth(),
    response={200: list[ListingOut], 400: ErrorOut, 401: ErrorOut},
    summary="Your listings",
)
def my_listings(request: HttpRequest):
    return [listing_out(listing) for listing in selectors.listings_of(request.auth)]


@router.post(
    "/marketplace/listings",
    auth=TokenAuth(),
    response=created(ListingOut, 401, 403, 409),
    summary="List a part for sale",
    openapi_extra=refused_on_meaning(*LISTING_REFUSALS),
)
def create_listing(request: HttpRequest, body: ListingIn):
    """201 with the listing; 403 when you are not an active seller."""
    try:
        listing = services.create_listing(user=request.auth, draft=body.draft())
    except services.SellerProblem as problem:
        return _refused(problem)
    except ValidationError as error:
        return invalid(error)
    return 201, _fresh(request.auth, listing.pk)


@router.get(
    "/marketplace/listings/{listing_id}",
    auth=TokenAuth(),
    response=responses(ListingOut, 401, 404),
    summary="One of your listings",
)
def my_listing(request: HttpRequest, listing_id: RecordId):
    listing = selectors.own_listing(request.auth, listing_id)
    if listing is None:
        return 404, NO_LISTING
    return listing_out(listing)


@router.put(
    "/marketplace/listings/{listing_id}",
    auth=TokenAuth(),
    response=responses(ListingOut, 401, 403, 404, 409),
    summary="Change one of your listings",
    openapi_extra=refused_on_meaning(*LISTING_REFUSALS),
)
def change_listing(request: HttpRequest, listing_id: RecordId, body: ListingIn):
    """Someone else's listing is a 404, like one that does not exist."""
    try:
        services.update_listing(user=request.auth, listing_id=listing_id, draft=body.draft())
    except services.NotYourListing:
        return 404, NO_LISTING
    except services.SellerProblem as problem:
        return _refused(problem)
    except ValidationError as error:
        return invalid(error)
    return _fresh(request.auth, listing_id)


def _pause(request: HttpRequest, listing_id: int, *, paused: bool):
    try:
        services.set_paused(user=request.auth, listing_id=listing_id, paused=paused)
    except services.NotYourListing:
        return 404, NO_LISTING
    except services.SellerProblem as problem:
        return _refused(problem)
    return _fresh(request.auth, listing_id)


@router.post(
    "/marketplace/listings/{listing_id}/pause",
    auth=TokenAuth(),
    response=responses(ListingOut, 401, 403, 404, 409),
    summary="Hide one of your listings from shoppers",
)
def pause_listing(request: HttpRequest, listing_id: RecordId):
    return _pause(request, listing_id, paused=True)


@router.post(
    "/marketplace/listings/{listing_id}/resume",
    auth=TokenAuth(),
    response=responses(ListingOut, 401, 403, 404, 409),
    summary="Show a paused listing to shoppers again",
)
def resume_listing(request: HttpRequest, listing_id: RecordId):
    return _pause(request, listing_id, paused=False)


@router.delete(
    "/marketplace/listings/{listing_id}",
    auth=TokenAuth(),
    response=no_content(401, 404),
    summary="Delete one of your listings",
)
def delete_listing(request: HttpRequest, listing_id: RecordId):
    try:
        services.delete_listing(user=request.auth, listing_id=listing_id)
    except services.NotYourListing:
        return 404, NO_LISTING
    return 204, None


# Reports (M5) -----------------------------------------------------------------------


class ReportIn(InputSchema):
    listing_id: RecordIdIn | None = Field(None, description="The listing reported, if one is")
    public_id: Text(rules.PUBLIC_ID_MAX) = Field(
        "", description="The seller reported, when no listing is named"
    )
    reason: Text(services.MAX_REASON, min_length=1)


class ReportOut(Schema):
    id: int
    status: str


@router.post(
    "/marketplace/reports",
    auth=TokenAuth(),
    response=created(ReportOut, 401, 404),
    summary="Report a listing or a seller to staff",
    openapi_extra=refused_on_meaning("the reason is blank", "you report yourself"),
)
def file_report(request: HttpRequest, body: ReportIn):
    """404 when no listing on sale or active seller matches."""
    try:
        filed = services.file_report(
            reporter=request.auth,
            reason=body.reason,
            listing_id=body.listing_id,
            public_id=body.public_id,
        )
    except services.ReportProblem as problem:
        if problem.code == "not_found":
            return 404, {"detail": problem.message}
        return 422, {
            "detail": problem.message,
            "errors": [{"field": None, "message": problem.message}],
        }
    return 201, {"id": filed.pk, "status": filed.status}


# Buying (M1) ----------------------------------------------------------------------


class CartListingIn(InputSchema):
    listing_id: RecordIdIn
    quantity: WholeNumber(ge=1, le=rules.MAX_QUANTITY) = 1


class CartOfferOut(Schema):
    line_id: int
    listing_id: int
    title: str
    quantity: int
    unit_price: str = Field(description="In `currency`, as text")
    shipping: str
    tax: str
    problem: str = Field(description='Why it cannot be bought as it is, or ""')


class SellerGroupOut(Schema):
    seller_user_id: str
    offers: list[CartOfferOut]
    shipping: str
    subtotal: str


class MarketplaceCartOut(Schema):
    currency: str
    groups: list[SellerGroupOut]
    total: str


def _cart_out(request: HttpRequest) -> dict:
    cart = cart_services.cart_for(user=request.auth, create=False)
    quote = quote_view(cart_view(cart), currency=request.currency)
    market = selectors.marketplace_cart(
        cart=cart, currency=quote.currency, exchange_rate=quote.exchange_rate, buyer=request.auth
    )
    return {
        "currency": market.currency,
        "total": str(market.total),
        "groups": [
            {
                "seller_user_id": group.public_id,
                "shipping": str(group.shipping),
                "subtotal": str(group.subtotal),
                "offers": [
                    {
                        "line_id": offer.line_id,
                        "listing_id": offer.listing.pk,
                        "title": offer.listing.title,
                        "quantity": offer.quantity,
                        "unit_price": str(offer.unit_price),
                        "shipping": str(offer.shipping),
                        "tax": str(offer.tax),
                        "problem": offer.problem,
                    }
                    for offer in group.offers
                ],
            }
            for group in market.groups
        ],
    }


@router.get(
    "/marketplace/cart",
    auth=TokenAuth(),
    response=responses(MarketplaceCartOut, 401),
    summary="The marketplace listings in your cart, per seller",
)
def marketplace_cart(request: HttpRequest):
    return _cart_out(request)


@router.post(
    "/marketplace/cart/listings",
    auth=TokenAuth(),
    response=created(MarketplaceCartOut, 401, 403, 404),
    summary="Put a listing in your cart (18+)",
    openapi_extra=refused_on_meaning(
        "the listing is your own", "the quantity is more than the seller lists"
    ),
)
def add_to_cart(request: HttpRequest, body: CartListingIn):
    """403 for a member under 18 or without a date of birth (A1); 404 for a
    listing not on sale."""
    cart = cart_services.cart_for(user=request.auth)
    try:
        services.add_listing_to_cart(
            user=request.auth, cart=cart, listing_id=body.listing_id, quantity=body.quantity
        )
    except services.BuyingProblem as problem:
        return _buying_refusal(problem)
    return 201, _cart_out(request)


def _buying_refusal(problem: services.BuyingProblem):
    status = {"not_found": 404, "under_age": 403, "sign_in": 401}.get(problem.code)
    if status:
        return status, {"detail": problem.message}
    return 422, {
        "detail": problem.message,
        "errors": [{"field": problem.field, "message": problem.message}],
    }


@router.delete(
    "/marketplace/cart/listings/{line_id}",
    auth=TokenAuth(),
    response=no_content(401, 404),
    summary="Take a listing out of your cart",
)
def remove_from_cart(request: HttpRequest, line_id: RecordId):
    cart = cart_services.cart_for(user=request.auth, create=False)
    try:
        services.remove_listing_from_cart(cart=cart, line_id=line_id)
    except services.BuyingProblem as problem:
        return _buying_refusal(problem)
    return 204, None


# Sales (M1, seller and buyer) ----------------------------------------------------------

NO_SALE = {"detail": "You have no such sale."}


class SaleOut(Schema):
    id: int
    order_number: str
    seller_user_id: str
    title: str
    quantity: int
    unit_price: str = Field(description="In `currency`, as text")
    shipping_charge: str
    tax: str
    total: str
    currency: str
    status: str
    sold_at: datetime
    shipped_at: datetime | None
    carrier: str
    tracking_number: str
    delivered_at: datetime | None
    cancelled_at: datetime | None
    cancelled_by: str
    amount_captured: str
    amount_refunded: str = Field(description="Given back to the buyer, never more than captured")
    refunded_at: datetime | None


def sale_out(sale) -> dict:
    return {
        "id": sale.pk,
        "order_number": sale.order.number,
        "seller_user_id": sale.seller.public_id,
        "title": sale.title,
        "quantity": sale.quantity,
        "unit_price": str(sale.unit_price),
        "shipping_charge": str(sale.shipping_charge),
        "tax": str(sale.tax_amount),
        "total": str(sale.total),
        "currency": sale.currency,
        "status": sale.status,
        "sold_at": sale.sold_at,
        "shipped_at": sale.shipped_at,
        "carrier": sale.carrier,
        "tracking_number": sale.tracking_number,
        "delivered_at": sale.delivered_at,
        "cancelled_at": sale.cancelled_at,
        "cancelled_by": sale.cancelled_by,
        "amount_captured": str(sale.amount_captured),
        "amount_refunded": str(sale.amount_refunded),
        "refunded_at": sale.refunded_at,
    }


class ShipIn(InputSchema):
    carrier: Text(rules.MAX_CARRIER, min_length=1)
    tracking_number: Text(rules.MAX_TRACKING_NUMBER, min_length=1)


class SaleCancelIn(InputSchema):
    reason: Text(rules.MAX_CANCEL_REASON) = ""


class SaleRefundIn(InputSchema):
    amount: DecimalText(
        whole_digits=10,
        places=2,
        description='What to give back, like "19.99", in the sale\'s currency: at most what '
        "was charged for the sale",
    )
    reason: Text(rules.MAX_REFUND_REASON) = Field("", description="Told to the buyer")


def _sale_refusal(problem: services.SaleProblem):
    if problem.code == "not_found":
        return 404, NO_SALE
    if problem.problems:
        return 422, {
            "detail": problem.message,
            "errors": [{"field": k, "message": v} for k, v in problem.problems.items()],
        }
    return 409, {"detail": problem.message}


@router.get(
    "/marketplace/sales",
    auth=TokenAuth(),
    response=responses(list[SaleOut], 401),
    summary="Your sales as a seller, newest first",
)
def my_sales(request: HttpRequest):
    return [
        sale_out(sale) for sale in selectors.sales_of_seller(request.auth).select_related("seller")
    ]


@router.post(
    "/marketplace/sales/{sale_id}/ship",
    auth=TokenAuth(),
    response={**responses(SaleOut, 401, 404), 409: ErrorOut},
    summary="Mark one of your sales shipped, with carrier and tracking number",
    openapi_extra=refused_on_meaning("the tracking number is not letters and digits"),
)
def ship_sale(request: HttpRequest, sale_id: RecordId, body: ShipIn):
    """Captures exactly this sale's amount of the buyer's payment (Y2).
    409 when the sale is not awaiting shipment or the buyer has not paid."""
    try:
        sale = services.ship_sale(
            user=request.auth,
            sale_id=sale_id,
            carrier=body.carrier,
            tracking_number=body.tracking_number,
        )
    except services.SaleProblem as problem:
        return _sale_refusal(problem)
    return sale_out(sale)


@router.post(
    "/marketplace/sales/{sale_id}/cancel",
    auth=TokenAuth(),
    response={**responses(SaleOut, 401, 404), 409: ErrorOut},
    summary="Cancel one of your sales before it ships (out of stock)",
)
def seller_cancel(request: HttpRequest, sale_id: RecordId, body: SaleCancelIn):
    try:
        sale = services.cancel_sale(
            user=request.auth, sale_id=sale_id, role="seller", reason=body.reason
        )
    except services.SaleProblem as problem:
        return _sale_refusal(problem)
    return sale_out(sale)


@router.post(
    "/marketplace/sales/{sale_id}/refund",
    auth=TokenAuth(),
    response={**responses(SaleOut, 401, 404), 409: ErrorOut},
    summary="Refund one of your shipped sales, in full or in part (listings that take returns)",
    openapi_extra=refused_on_meaning(
        "the amount is 0, has more decimals than the currency or is more than was charged"
    ),
)
def seller_refund(request: HttpRequest, sale_id: RecordId, body: SaleRefundIn):
    """Gives `amount` back to the buyer's payment, once per sale (M4).
    404 for a sale that is not yours; 409 when it has not shipped (cancel
    it instead), is cancelled or refunded already, or its listing takes no
    returns; 422 for an amount beyond what was charged for the sale."""
    try:
        sale = services.refund_sale(
            user=request.auth, sale_id=sale_id, amount=body.amount, reason=body.reason
        )
    except services.SaleProblem as problem:
        return _sale_refusal(problem)
    return sale_out(sale)


@router.get(
    "/marketplace/purchases",
    auth=TokenAuth(),
    response=responses(list[SaleOut], 401),
    summary="What you bought on the marketplace, per listing, newest first",
)
def my_purchases(request: HttpRequest):
    return [sale_out(sale) for sale in selectors.purchases_of(request.auth)]


@router.post(
    "/marketplace/purchases/{sale_id}/cancel",
    auth=TokenAuth(),
    response={**responses(SaleOut, 401, 404), 409: ErrorOut},
    summary="Cancel something you bought before its seller ships it",
)
def buyer_cancel(request: HttpRequest, sale_id: RecordId, body: SaleCancelIn):
    try:
        sale = services.cancel_sale(
            user=request.auth, sale_id=sale_id, role="buyer", reason=body.reason
        )
    except services.SaleProblem as problem:
        return _sale_refusal(problem)
    return sale_out(sale)


@router.post(
    "/marketplace/purchases/{sale_id}/received",
    auth=TokenAuth(),
    response={**responses(SaleOut, 401, 404), 409: ErrorOut},
    summary="Say a shipped purchase arrived",
)
def buyer_received(request: HttpRequest, sale_id: RecordId):
    try:
        sale = services.confirm_delivery(user=request.auth, sale_id=sale_id)
    except services.SaleProblem as problem:
        return _sale_refusal(problem)
    return sale_out(sale)


# Listing photos (M1) ---------------------------------------------------------------------

PHOTO_REFUSALS = (
    "the file is not a whole JPEG, PNG or WebP picture",
    "the picture has more than 40 megapixels, or a side under 50 pixels",
)


@router.post(
    "/marketplace/listings/{listing_id}/photos",
    auth=TokenAuth(),
    response={**created(PhotoOut, 401, 403, 404, 409), 413: ErrorOut},
    summary="Add a photo to one of your listings (multipart)",
    openapi_extra=refused_on_meaning(*PHOTO_REFUSALS),
)
def add_photo(
    request: HttpRequest,
    listing_id: RecordId,
    photo: File[UploadedFile],
    alt_text: str = Form("", max_length=rules.MAX_ALT_TEXT, pattern=NO_NUL),
):
    """A JPEG, PNG or WebP photo of at most 10 MB, stored re-encoded with
    its metadata (EXIF, GPS) removed. 404 for someone else's listing
    (nothing stored), 409 when it has 8 photos or new seller terms wait to
    be accepted, 413 for a file over 10 MB."""
    try:
        photos.refuse_by_size(photo.size)  # before a byte of it is read
        added = services.add_listing_photo(
            user=request.auth, listing_id=listing_id, data=photo.read(), alt_text=alt_text
        )
    except services.NotYourListing:
        return 404, NO_LISTING
    except services.SellerProblem as problem:
        return _refused(problem)
    except ValidationError as error:
        if getattr(error, "code", "") == "too_large":
            return 413, {"detail": error.messages[0]}
        return invalid(error)
    return 201, photo_out(added)


@router.delete(
    "/marketplace/listings/{listing_id}/photos/{photo_id}",
    auth=TokenAuth(),
    response=no_content(401, 404),
    summary="Remove a photo of one of your listings",
)
def remove_photo(request: HttpRequest, listing_id: RecordId, photo_id: RecordId):
    try:
        services.remove_listing_photo(user=request.auth, listing_id=listing_id, photo_id=photo_id)
    except services.NotYourListing:
        return 404, {"detail": "You have no such photo."}
    return 204, None


# New seller terms (V1) ---------------------------------------------------------------------


class AcceptTermsIn(InputSchema):
    terms_version: Text(20, min_length=1) = Field(
        ..., description="The version of the seller terms you accept: the current one"
    )


@router.post(
    "/marketplace/seller/terms",
    auth=TokenAuth(),
    response=responses(SellerOut, 401, 404),
    summary="Accept the current seller terms",
    openapi_extra=refused_on_meaning("the seller terms named are not the current ones"),
)
def accept_terms(request: HttpRequest, body: AcceptTermsIn):
    """404 when you are not a seller."""
    try:
        seller = services.accept_seller_terms(user=request.auth, terms_version=body.terms_version)
    except services.SellerProblem as problem:
        if problem.code == "not_seller":
            return 404, {"detail": problem.message}
        return 422, {
            "detail": problem.message,
            "errors": [{"field": problem.field, "message": problem.message}],
        }
    return seller_out(seller)


# Ratings of sales (M3) -------------------------------------------------------------


class RatingIn(InputSchema):
    value: Literal["positive", "neutral", "negative"]
    comment: Text(rules.MAX_COMMENT) = ""


class AnswerIn(InputSchema):
    text: Text(rules.MAX_COMMENT, min_length=1)


class RatingOut(Schema):
    id: int
    sale_id: int | None
    role: str = Field(description="What the rated member was in the sale: seller or buyer")
    value: str
    comment: str
    created_at: datetime
    reply: str
    replied_at: datetime | None
    author_user_id: str = Field(description="The author's public user ID, if they sell")
    subject_user_id: str = Field(description="The rated member's public user ID, if they sell")


class ScoreOut(Schema):
    percent_positive: int | None
    count: int


class RatingsOut(Schema):
    score: ScoreOut
    received: list[RatingOut]
    given: list[RatingOut]


def _public_id(user) -> str:
    seller = getattr(user, "seller", None) if user is not None else None
    return seller.public_id if seller is not None else ""


def rating_out(rating) -> dict:
    return {
        "id": rating.pk,
        "sale_id": rating.sale_id,
        "role": "seller" if rating.sale and rating.sale.buyer_id != rating.subject_id else "buyer",
        "value": rating.value,
        "comment": rating.comment,
        "created_at": rating.created_at,
        "reply": rating.reply,
        "replied_at": rating.replied_at,
        "author_user_id": _public_id(rating.author),
        "subject_user_id": _public_id(rating.subject),
    }


def _rating_refusal(problem: services.RatingProblem):
    if problem.code == "not_found":
        return 404, {"detail": problem.message}
    if problem.code == "invalid":
        return 422, {
            "detail": problem.message,
            "errors": [{"field": None, "message": problem.message}],
        }
    return 409, {"detail": problem.message}


@router.post(
    "/marketplace/sales/{sale_id}/rating",
    auth=TokenAuth(),
    response={**created(RatingOut, 401, 404), 409: ErrorOut},
    summary="Rate the other side of a sale you bought or sold, once, after delivery",
)
def rate_sale(request: HttpRequest, sale_id: RecordId, body: RatingIn):
    """404 when the sale is not yours; 409 when it is not delivered, the 60
    days after delivery are over, or you rated it already."""
    try:
        rating = services.rate_sale(
            user=request.auth, sale_id=sale_id, value=body.value, comment=body.comment
        )
    except services.RatingProblem as problem:
        return _rating_refusal(problem)
    return 201, rating_out(rating)


@router.get(
    "/marketplace/ratings",
    auth=TokenAuth(),
    response=responses(RatingsOut, 401),
    summary="Your score and the ratings you received and gave, newest first",
)
def my_ratings(request: HttpRequest):
    received, given = selectors.ratings_of(request.auth)
    score = selectors.scores_of([request.auth.pk])[request.auth.pk]
    return {
        "score": {"percent_positive": score.percent_positive, "count": score.count},
        "received": [rating_out(r) for r in received.filter(removed_at__isnull=True)],
        "given": [rating_out(r) for r in given],
    }


@router.post(
    "/marketplace/ratings/{rating_id}/answer",
    auth=TokenAuth(),
    response={**responses(RatingOut, 401, 404), 409: ErrorOut},
    summary="Answer a rating you received, once",
)
def answer_rating(request: HttpRequest, rating_id: RecordId, body: AnswerIn):
    try:
        rating = services.reply_to_rating(user=request.auth, rating_id=rating_id, text=body.text)
    except services.RatingProblem as problem:
        return _rating_refusal(problem)
    return rating_out(rating)


# Statements (M4) -----------------------------------------------------------------------

NOT_SELLER = {"detail": "You are not a seller."}
MonthText = Text(7, min_length=7, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="yyyy-mm")


class StatementLineOut(Schema):
    day: str
    kind: str = Field(description="sale (shipped in the month) or refund (made in the month)")
    sale_id: int
    title: str
    quantity: int
    currency: str
    amount: str
    commission: str = Field(description="Negative on a refund: the commission given back")
    fixed_fee: str
    refund: str
    net: str


class StatementTotalsOut(Schema):
    currency: str
    sales: str
    commission: str
    fixed_fees: str
    refunds: str
    net: str
    payouts: str
    due: str = Field(description="Net earned up to the month's end less payouts up to then")


class PayoutOut(Schema):
    amount: str
    currency: str
    paid_on: str
    reference: str


class StatementOut(Schema):
    month: str
    lines: list[StatementLineOut]
    totals: list[StatementTotalsOut]
    payouts: list[PayoutOut]


class StatementMonthOut(Schema):
    month: str
    url: str


def statement_out(statement) -> dict:
    return {
        "month": statement.month.strftime("%Y-%m"),
        "lines": [
            {
                "day": line.day.isoformat(),
                "kind": line.kind,
                "sale_id": line.sale_id,
                "title": line.title,
                "quantity": line.quantity,
                "currency": line.currency,
                "amount": str(line.amount),
                "commission": str(line.commission),
                "fixed_fee": str(line.fixed_fee),
                "refund": str(line.refund),
                "net": str(line.net),
            }
            for line in statement.lines
        ],
        "totals": [
            {name: str(getattr(t, name)) for name in StatementTotalsOut.model_fields}
            for t in statement.totals
        ],
        "payouts": [
            {
                "amount": str(p.amount),
                "currency": p.currency,
                "paid_on": p.paid_on.isoformat(),
                "reference": p.reference,
            }
            for p in statement.payouts
        ],
    }


@router.get(
    "/marketplace/statements",
    auth=TokenAuth(),
    response=responses(list[StatementMonthOut], 401, 404),
    summary="The months you have a statement for, newest first",
)
def my_statements(request: HttpRequest):
    seller = selectors.seller_of(request.auth)
    if seller is None:
        return 404, NOT_SELLER
    return [
        {
            "month": month.strftime("%Y-%m"),
            "url": f"/api/v1/marketplace/statements/{month:%Y-%m}",
        }
        for month in selectors.statement_months(seller=seller)
    ]


@router.get(
    "/marketplace/statements/{month}",
    auth=TokenAuth(),
    response=responses(StatementOut, 401, 404),
    summary="Your statement for one month (yyyy-mm): sales, fees, refunds, payouts, amount due",
)
def my_statement(request: HttpRequest, month: MonthText):
    seller = selectors.seller_of(request.auth)
    if seller is None:
        return 404, NOT_SELLER
    first = selectors.parse_month(month)
    if first is None:
        return 404, {"detail": "No such month."}
    return statement_out(selectors.statement(seller=seller, month=first))
