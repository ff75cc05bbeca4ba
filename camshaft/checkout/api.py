"""JSON API for checkout (K2-K4, Y1-Y4, B2): the steps of the web checkout,
then placing the order with an Idempotency-Key header. Refusals are answered
by the API's handlers: bad input 422, a checkout that cannot go on 409, a
declined payment 402 (see camshaft/api.py).

Guests send their cart's X-Cart-Token (from the cart endpoints); members a
bearer token. Totals are always the server's: nothing sent here is a price."""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Router, Schema
from pydantic import StrictBool

from camshaft.accounts.api_auth import Shopper
from camshaft.analytics import services as analytics
from camshaft.cart import cookie
from camshaft.cart import services as cart_services
from camshaft.checkout import selectors, services
from camshaft.core.api_schemas import (
    CountryCode,
    Day,
    DecimalText,
    InputSchema,
    PostalAddressIn,
    RecordIdIn,
    Text,
    WholeNumber,
    created,
    refused_on_meaning,
    responses,
)
from camshaft.orders.api import OrderOut, order_out
from camshaft.orders.pricing import in_currency
from camshaft.orders.selectors import order_by_number
from camshaft.orders.services import CheckoutProblem
from camshaft.payments.models import PaymentMethod
from camshaft.payments.services import PaymentActionRequired

router = Router(tags=["checkout"], auth=Shopper())


class AddressesIn(InputSchema):
    email: Text(254, description="Guests only; members' orders go to their account email.") = ""
    billing: PostalAddressIn | None = None
    billing_address_id: RecordIdIn | None = Field(None, description="Members: from /me/addresses")
    shipping: PostalAddressIn | None = Field(
        None, description="Leave out to ship to the billing address"
    )
    shipping_address_id: RecordIdIn | None = None
    is_gift: StrictBool = False
    gift_message: Text(500) = ""
    save_to_address_book: StrictBool = False
    business_address: StrictBool = Field(
        False, description="Delivered to a business, not a home (air to a home may take a day more)"
    )


class ShippingMethodIn(InputSchema):
    code: Text(30, description="One of GET /checkout's shipping_options")


class CardIn(InputSchema):
    number: Text(30)
    exp_month: WholeNumber(ge=1, le=12)
    exp_year: WholeNumber(ge=2000, le=2100)
    cvc: Text(4)
    holder: Text(100) = ""


class PaymentIn(InputSchema):
    method: Literal[tuple(PaymentMethod.values)]  # type: ignore[valid-type]
    card: CardIn | None = Field(
        None, description="A new card; it goes to the gateway, never to storage"
    )
    saved_card_id: RecordIdIn | None = Field(None, description="Members: from /me/cards")
    save_card: StrictBool = False
    allow_off_session: StrictBool = Field(
        False,
        description="With save_card: the store may charge the saved card for the difference "
        "when the member asks to add to the order before it ships",
    )
    wallet_token: Text(200) = Field(
        "", description="What the wallet handed back (see POST /checkout/wallet)"
    )
    card_token: Text(200) = Field(
        "",
        description="A card tokenized by the processor's own SDK in the app (Stripe: a "
        "PaymentMethod id, pm_…), so the card number never reaches the store",
    )


class WalletIn(InputSchema):
    wallet: Literal["paypal", "amazon_pay", "visa_checkout"]
    return_url: Text(500, description="Where the wallet sends the shopper back")


class WalletOut(Schema):
    redirect_url: str
    wallet_token: str = Field(
        description="Set it with PUT /checkout/payment once the wallet approved"
    )


class NewAccountIn(InputSchema):
    password: Text(200)
    date_of_birth: Day
    accepted_policy_version: Text(20, description="From GET /accounts/policy")


class PlaceIn(InputSchema):
    expected_total: (
        DecimalText(
            whole_digits=12,
            places=2,
            description='The total the shopper saw, as a string like "123.45"; if it changed '
            "the order is not placed (409). It is compared, never charged.",
        )
        | None
    ) = None
    create_account: NewAccountIn | None = Field(None, description="Guests: open an account (K4)")


class ShippingOptionOut(Schema):
    code: str
    name: str
    price: Decimal = Field(description="In the display currency")
    earliest: date = Field(description="Earliest delivery day (business days, S3)")
    latest: date
    carriers: list[str]
    description: str

    @staticmethod
    def of(option, quote) -> "ShippingOptionOut":
        return ShippingOptionOut(
            code=option.code,
            name=option.name,
            price=in_currency(option.price, quote.currency, quote.exchange_rate),
            earliest=option.window.earliest,
            latest=option.window.latest,
            carriers=list(option.carriers),
            description=option.description,
        )


class QuoteLineOut(Schema):
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    unit_core_charge: Decimal
    line_total: Decimal
    tax_rate: Decimal
    tax_amount: Decimal


class CheckoutOut(Schema):
    currency: str
    email: str
    billing_address: dict
    shipping_address: dict
    is_gift: bool
    gift_message: str
    shipping_method: str
    shipping_options: list[ShippingOptionOut]
    payment: str = Field(description="The chosen payment as the shopper sees it (last four only)")
    notices: list[str]
    lines: list[QuoteLineOut]
    items_total: Decimal
    core_total: Decimal
    shipping_total: Decimal
    tax_total: Decimal
    shipping_tax: Decimal
    discount_total: Decimal
    marketplace_total: Decimal = Field(
        description="What the marketplace sellers' listings in the cart cost with their "
        "shipping and tax (GET /marketplace/cart shows them per seller)"
    )
    grand_total: Decimal = Field(description="Everything: what the payment is authorized for")
    missing: list[str] = Field(description="Steps still to do before POST /checkout/orders")


def _cart(request: HttpRequest, *, create: bool = False):
    return cart_services.cart_for(
        user=request.auth, token=cookie.token_from(request), create=create
    )


def _out(request: HttpRequest) -> CheckoutOut:
    summary = selectors.checkout_summary(cart=_cart(request), currency=request.currency)
    quote, checkout = summary.quote, summary.checkout
    return CheckoutOut(
        currency=quote.currency,
        email=checkout.email if checkout else "",
        billing_address=checkout.billing_address if checkout else {},
        shipping_address=checkout.shipping_address if checkout else {},
        is_gift=checkout.is_gift if checkout else False,
        gift_message=checkout.gift_message if checkout else "",
        shipping_method=summary.priced.shipping.code if summary.priced.shipping else "",
        shipping_options=[ShippingOptionOut.of(o, quote) for o in summary.priced.options],
        payment=summary.payment_label,
        notices=summary.notices,
        lines=[QuoteLineOut.from_orm(line) for line in quote.lines],
        items_total=quote.items_total,
        core_total=quote.core_total,
        shipping_total=quote.shipping_total,
        tax_total=quote.tax_total,
        shipping_tax=quote.shipping_tax,
        discount_total=quote.discount_total,
        marketplace_total=summary.marketplace_total,
        grand_total=summary.grand_total,
        missing=summary.missing,
    )


def _needs_cart(request: HttpRequest):
    cart = _cart(request)
    if cart is None:
        raise CheckoutProblem("Your cart is empty.")
    return cart


class QuoteIn(InputSchema):
    country: CountryCode
    region: Text(100) = ""
    postal_code: Text(20) = ""
    business_address: StrictBool = False


class QuoteOut(Schema):
    currency: str
    options: list[ShippingOptionOut]


@router.post(
    "/shipping/quote",
    response=responses(QuoteOut, 401, 409),
    openapi_extra=refused_on_meaning("the country is not one we know"),
)
def shipping_quote(request: HttpRequest, body: QuoteIn):
    """Shipping methods for the current cart to a destination, with prices
    and delivery dates (S1-S3), before any address is given at checkout.
    A part the warehouses are short of is a 409 saying which."""
    priced = selectors.quote_for_destination(
        cart=_needs_cart(request),
        currency=request.currency,
        country=body.country,
        region=body.region,
        postal_code=body.postal_code,
        residential=not body.business_address,
    )
    return {
        "currency": priced.quote.currency,
        "options": [ShippingOptionOut.of(o, priced.quote) for o in priced.options],
    }


@router.get("/checkout", response=responses(CheckoutOut, 401))
def show(request: HttpRequest):
    """The cart priced in the display currency, the choices made so far, the
    shipping methods open to this cart and the steps still missing."""
    return _out(request)


@router.put(
    "/checkout/addresses",
    response=responses(CheckoutOut, 401, 409),
    openapi_extra=refused_on_meaning(
        "a required field is only spaces",
        "the country is not one we know",
        "the postal code or phone number does not fit",
        "the email address is not valid",
        "an address id is not in the member's address book",
        "a guest sent an address id",
    ),
)
def set_addresses(request: HttpRequest, body: AddressesIn):
    services.set_addresses(
        cart=_needs_cart(request),
        user=request.auth,
        email=body.email,
        billing=body.billing.dict() if body.billing else None,
        shipping=body.shipping.dict() if body.shipping else None,
        billing_address_id=body.billing_address_id,
        shipping_address_id=body.shipping_address_id,
        is_gift=body.is_gift,
        gift_message=body.gift_message,
        save_to_address_book=body.save_to_address_book,
        business_address=body.business_address,
    )
    analytics.record_step(request=request, step=analytics.CHECKOUT_STARTED)
    return _out(request)


@router.put(
    "/checkout/shipping-method",
    response=responses(CheckoutOut, 401, 409),
    openapi_extra=refused_on_meaning(
        "the code is not one of the shipping methods open to this cart"
    ),
)
def set_shipping_method(request: HttpRequest, body: ShippingMethodIn):
    services.set_shipping_method(
        cart=_needs_cart(request), code=body.code, currency=request.currency
    )
    return _out(request)


@router.put(
    "/checkout/payment",
    response=responses(CheckoutOut, 401, 409),
    openapi_extra=refused_on_meaning(
        "the card number fails its checks or has expired",
        "a saved card or wallet token is not the shopper's",
        "the method needs a card, saved card or wallet token that is missing",
    ),
)
def set_payment(request: HttpRequest, body: PaymentIn):
    """Choose how to pay. A card's number and security code go straight to
    the payment gateway; only its token, brand, last four and expiry stay."""
    card = None
    if body.card is not None:
        card = services.CardDetails(
            number=body.card.number,
            exp_month=body.card.exp_month,
            exp_year=body.card.exp_year,
            cvc=body.card.cvc,
            holder=body.card.holder,
        )
    services.choose_payment(
        cart=_needs_cart(request),
        user=request.auth,
        method=body.method,
        card=card,
        saved_card_id=body.saved_card_id,
        wallet_token=body.wallet_token,
        save_card=body.save_card,
        card_token=body.card_token,
        allow_off_session=body.allow_off_session,
    )
    return _out(request)


@router.post(
    "/checkout/wallet",
    response=responses(WalletOut, 401, 409),
    openapi_extra=refused_on_meaning("return_url is not an http(s) address of this store"),
)
def start_wallet(request: HttpRequest, body: WalletIn):
    """Begin a wallet payment: send the shopper to `redirect_url`; when the
    wallet approves, PUT /checkout/payment with the wallet and its token."""
    session = services.start_wallet(
        cart=_needs_cart(request),
        wallet=body.wallet,
        currency=request.currency,
        return_url=body.return_url,
    )
    return {"redirect_url": session.redirect_url, "wallet_token": session.token}


class PaymentProblemOut(Schema):
    detail: str
    redirect_url: str = Field(
        "",
        description="Set when the shopper's bank asks them to confirm (3-D Secure): open it; "
        "the bank sends them back, then place the order again with a new Idempotency-Key",
    )


@router.post(
    "/checkout/orders",
    response={**created(OrderOut, 401, 409), 402: PaymentProblemOut, 200: OrderOut},
    openapi_extra=refused_on_meaning(
        "the new account's password or date of birth fails the registration rules",
        "the policy version is not the one in force",
    ),
)
def place_order(
    request: HttpRequest,
    response: HttpResponse,
    body: PlaceIn,
    idempotency_key: str = Header(
        ...,
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Unique per order. Repeating the request with the same key returns "
        "the same order (200) instead of placing another.",
    ),
):
    """Place the order and authorize its payment (201). A declined card is a
    402 with the gateway's reason, and so is a card whose bank asks for 3-D
    Secure first (with `redirect_url`); an incomplete checkout or a total
    that changed is a 409."""
    account = None
    if body.create_account is not None:
        account = services.NewAccount(
            password=body.create_account.password,
            date_of_birth=body.create_account.date_of_birth,
            accepted_policy_version=body.create_account.accepted_policy_version,
        )
    try:
        placed = services.place(
            cart=_cart(request),
            cart_token=cookie.token_from(request),
            user=request.auth,
            currency=request.currency,
            idempotency_key=idempotency_key,
            expected_total=body.expected_total,
            account=account,
            channel="api",
        )
    except PaymentActionRequired as needed:
        return 402, {"detail": needed.message, "redirect_url": needed.redirect_url}
    analytics.record_order(request=request, placed=placed)
    order = order_by_number(number=placed.order.number)
    return (200 if placed.replayed else 201), order_out(order, notices=placed.notices)
