"""JSON API for the cart (K1). Members are found by their session or token;
guests by the X-Cart-Token header (or the cart cookie) returned as `token`."""

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from camshaft.accounts.api_auth import Shopper
from camshaft.analytics import services as analytics
from camshaft.cart import cookie, selectors, services
from camshaft.cart.services import CartError, UnknownPart
from camshaft.core.api_schemas import InputSchema, RecordId, Text, WholeNumber, responses
from camshaft.orders.services import quote_view

router = Router(tags=["Cart"], auth=Shopper())


class CartLineOut(Schema):
    id: int
    sku: str
    name: str
    price: Decimal
    core_charge: Decimal | None
    quantity: int
    line_total: Decimal


class CartOut(Schema):
    token: str | None = Field(description="Guests: send it back as the X-Cart-Token header")
    currency: str = Field(description="The display currency every amount here is in")
    lines: list[CartLineOut]
    count: int
    items_total: Decimal
    core_total: Decimal
    subtotal: Decimal


class AddIn(InputSchema):
    sku: Text(40, min_length=1)
    quantity: WholeNumber(ge=1, le=99) = 1


class QuantityIn(InputSchema):
    quantity: WholeNumber(ge=1, le=99)


def _cart(request, *, create: bool):
    return services.cart_for(user=request.user, token=cookie.token_from(request), create=create)


def _out(request, response: HttpResponse, cart) -> CartOut:
    view = selectors.cart_view(cart)
    quote = quote_view(view, currency=request.currency, cart=cart)
    token = None
    if cart is not None and not request.user.is_authenticated:
        token = cookie.signed(cart.token)
        cookie.remember(response, cart.token)
    return CartOut(
        token=token,
        currency=quote.currency,
        count=view.count,
        items_total=quote.items_total,
        core_total=quote.core_total,
        subtotal=quote.grand_total,
        lines=[
            CartLineOut(
                id=line.id,
                sku=line.part.sku,
                name=line.part.name,
                price=priced.unit_price,
                core_charge=priced.unit_core_charge if line.part.core_charge else None,
                quantity=line.quantity,
                line_total=priced.line_total,
            )
            for line, priced in zip(view.lines, quote.lines, strict=True)
        ],
    )


@router.get("/cart", response=responses(CartOut, 401))
def show(request: HttpRequest, response: HttpResponse):
    return _out(request, response, _cart(request, create=False))


@router.post("/cart/lines", response=responses(CartOut, 401, 404, 409))
def add(request: HttpRequest, response: HttpResponse, body: AddIn):
    """Add a part: 404 when no part on sale has that SKU, 409 when the
    cart cannot take that many more (99 of a part at most)."""
    cart = _cart(request, create=True)
    try:
        services.add_to_cart(cart=cart, sku=body.sku, quantity=body.quantity)
    except UnknownPart as problem:
        return 404, {"detail": str(problem)}
    except CartError as problem:  # more of one part than a cart may hold
        return 409, {"detail": str(problem)}
    analytics.record_step(request=request, step=analytics.ADD_TO_CART)
    return _out(request, response, cart)


@router.patch("/cart/lines/{int:line_id}", response=responses(CartOut, 404, 401))
def change(request: HttpRequest, response: HttpResponse, line_id: RecordId, body: QuantityIn):
    cart = _cart(request, create=False)
    if cart is None:
        return 404, {"detail": "That line is not in your cart."}
    services.set_quantity(cart=cart, line_id=line_id, quantity=body.quantity)
    return _out(request, response, cart)


@router.delete("/cart/lines/{int:line_id}", response=responses(CartOut, 404, 401))
def remove(request: HttpRequest, response: HttpResponse, line_id: RecordId):
    cart = _cart(request, create=False)
    if cart is None:
        return 404, {"detail": "That line is not in your cart."}
    services.remove_line(cart=cart, line_id=line_id)
    return _out(request, response, cart)
