"""JSON API for orders (O1-O3, B2): a member's orders, a guest's lookup by
number and billing email, cancelling, changing the shipping address (O2).
Another person's order is a 404, exactly like one that does not exist."""

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from camshaft.abuse import services as abuse
from camshaft.abuse.decorators import api_rate_limited
from camshaft.accounts.api_auth import Shopper, TokenAuth
from camshaft.core.api_schemas import (
    NO_NUL,
    DecimalText,
    InputSchema,
    PostalAddressIn,
    Text,
    refused_on_meaning,
    responses,
)
from camshaft.marketplace import selectors as marketplace_selectors
from camshaft.orders import changes, selectors, services
from camshaft.orders.models import Order

router = Router(tags=["orders"])

NOT_FOUND = {"detail": "We found no such order."}
NUMBER_MAX_CHARS = Order._meta.get_field("number").max_length
OrderNumber = Path(..., min_length=1, max_length=NUMBER_MAX_CHARS, pattern=NO_NUL)
ORDERS_PER_PAGE = 20


class OrderLineOut(Schema):
    sku: str
    name: str
    brand: str
    mpn: str
    quantity: int
    unit_price: Decimal
    unit_core_charge: Decimal
    line_total: Decimal
    tax_rate: Decimal
    tax_amount: Decimal


class ShipmentOut(Schema):
    shipped_at: datetime
    carrier: str
    tracking_number: str
    tracking_url: str = Field(description="The carrier's tracking page, when it has one")
    ships_from: str


class OrderAddressOut(Schema):
    full_name: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str


class OrderEventOut(Schema):
    at: datetime
    status: str
    action: str


class OrderSummaryOut(Schema):
    number: str
    status: str
    placed_at: datetime
    currency: str
    grand_total: Decimal


class SellerSaleOut(Schema):
    id: int = Field(description="The sale's id, for /marketplace/purchases/{id}/...")
    title: str
    quantity: int
    unit_price: Decimal
    shipping_charge: Decimal
    tax: Decimal
    total: Decimal
    status: str = Field(
        description="awaiting_shipment, shipped, delivered, cancelled or refunded (in full)"
    )
    status_text: str = Field(
        description='In words, e.g. "Awaiting shipment by brakeshop" or "Shipped by '
        'brakeshop, UPS tracking 1Z…"'
    )
    carrier: str
    tracking_number: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None
    cancelled_by: str = Field(description="buyer, seller or staff; empty unless cancelled")
    cancel_reason: str
    amount_refunded: Decimal = Field(description="Given back to the buyer, in full or in part")
    refunded_at: datetime | None


class SellerPartOut(Schema):
    seller_user_id: str
    status: str = Field(
        description="The seller's part as a whole: awaiting_shipment, partly_shipped, shipped, "
        "delivered, refunded, cancelled, or closed (a mix of the last ones)"
    )
    status_text: str
    subtotal: Decimal
    sales: list[SellerSaleOut]


class OrderOut(OrderSummaryOut):
    email: str
    exchange_rate: Decimal
    items_total: Decimal
    core_total: Decimal
    shipping_total: Decimal
    tax_total: Decimal
    shipping_tax: Decimal
    discount_total: Decimal
    shipping_method: str
    delivery_earliest: date | None = Field(description="Expected delivery window (S3)")
    delivery_latest: date | None
    payment: str = Field(description="How it is paid; a card by its last four only")
    payment_status: str
    billing_address: OrderAddressOut
    shipping_address: OrderAddressOut
    is_gift: bool
    gift_message: str
    lines: list[OrderLineOut]
    shipments: list[ShipmentOut]
    marketplace_total: Decimal = Field(
        description="The part of the total paid to marketplace sellers"
    )
    sellers: list[SellerPartOut] = Field(
        default_factory=list, description="Each marketplace seller's part: status and tracking"
    )
    history: list[OrderEventOut]
    can_cancel: bool
    cancel_refusal: str = Field(description="Why the shopper cannot cancel now, if they cannot")
    notices: list[str] = Field(default_factory=list)


class OrdersPageOut(Schema):
    page: int
    pages: int
    total: int
    orders: list[OrderSummaryOut]


class LookupIn(InputSchema):
    number: Text(20)
    email: Text(254)


class CancelIn(InputSchema):
    email: Text(254) = Field(
        "", description="Guests: the billing email, as proof the order is theirs"
    )
    reason: Text(300) = ""


class AddressChangeIn(InputSchema):
    email: Text(254) = Field(
        "", description="Guests: the billing email, as proof the order is theirs"
    )
    shipping_address: PostalAddressIn
    residential: bool | None = Field(
        None, description="A home rather than a business (air freight may take a day more)"
    )


class AddressChangeSaveIn(AddressChangeIn):
    expected_total: DecimalText(
        whole_digits=12,
        places=2,
        description='The new total the preview showed, as a string like "123.45"; if it '
        "moved, nothing changes (409). It is compared, never charged.",
    )


class ChangePreviewOut(Schema):
    number: str
    currency: str
    old_total: Decimal
    new_total: Decimal = Field(description="Send it back as expected_total to save the change")
    shipping_total: Decimal
    tax_total: Decimal
    shipping_method: str = Field(description="Empty when the method is not offered any more")
    changes: list[str] = Field(description="What would change, in words")
    problems: list[str] = Field(description="Why it cannot be saved as it stands")
    payment_note: str = Field(description="What happens to the payment")
    can_save: bool


#: What a well-formed address change can still be refused for (422).
ADDRESS_REFUSALS = (
    "a required field is only spaces",
    "the country is not one we know",
    "the postal code or phone number does not fit",
)


def order_out(order: Order, *, notices: list[str] | None = None) -> OrderOut:
    """`order` as the API shows it; pass one read with its details
    (selectors.order_for_member, order_for_guest or order_by_number)."""
    decision = services.cancel_decision(order=order, as_staff=False)
    return OrderOut(
        number=order.number,
        status=order.status,
        placed_at=order.placed_at,
        currency=order.currency,
        grand_total=order.grand_total,
        email=order.email,
        exchange_rate=order.exchange_rate,
        items_total=order.items_total,
        core_total=order.core_total,
        shipping_total=order.shipping_total,
        tax_total=order.tax_total,
        shipping_tax=order.shipping_tax,
        discount_total=order.discount_total,
        shipping_method=order.shipping_method_name,
        delivery_earliest=order.delivery_earliest,
        delivery_latest=order.delivery_latest,
        payment=selectors.payment_summary(order),
        payment_status=order.payment.status,
        billing_address=OrderAddressOut.from_orm(order.billing_address),
        shipping_address=OrderAddressOut.from_orm(order.shipping_address),
        is_gift=order.is_gift,
        gift_message=order.gift_message,
        lines=[OrderLineOut.from_orm(line) for line in order.lines.all()],
        shipments=[
            ShipmentOut(
                shipped_at=shipment.shipped_at,
                carrier=shipment.carrier.name,
                tracking_number=shipment.tracking_number,
                tracking_url=shipment.tracking_link,
                ships_from=f"{shipment.warehouse.city}, {shipment.warehouse.country}",
            )
            for shipment in order.shipments.all()
        ],
        marketplace_total=order.marketplace_total,
        sellers=[
            SellerPartOut(
                seller_user_id=part.public_id,
                status=part.status,
                status_text=part.status_text,
                subtotal=part.subtotal,
                sales=[
                    SellerSaleOut(
                        id=sale.pk,
                        title=sale.title,
                        quantity=sale.quantity,
                        unit_price=sale.unit_price,
                        shipping_charge=sale.shipping_charge,
                        tax=sale.tax_amount,
                        total=sale.total,
                        status=sale.status,
                        status_text=sale.status_text,
                        carrier=sale.carrier,
                        tracking_number=sale.tracking_number,
                        shipped_at=sale.shipped_at,
                        delivered_at=sale.delivered_at,
                        cancelled_at=sale.cancelled_at,
                        cancelled_by=sale.cancelled_by,
                        cancel_reason=sale.cancel_reason,
                        amount_refunded=sale.amount_refunded,
                        refunded_at=sale.refunded_at,
                    )
                    for sale in part.sales
                ],
            )
            for part in marketplace_selectors.order_parts(order)
        ],
        history=[
            OrderEventOut(at=event.at, status=event.to_status, action=event.action)
            for event in order.events.all()
        ],
        can_cancel=decision.allowed,
        cancel_refusal=decision.reason,
        notices=notices or [],
    )


def _shoppers_order(request: HttpRequest, number: str, email: str) -> Order | None:
    """The member's order, or a guest's proved by its billing email."""
    order = _members_order(request, number)
    if order is None and email:
        try:
            order = selectors.order_for_guest(number=number, email=email)
        except Order.DoesNotExist:
            order = None
    return order


def _members_order(request: HttpRequest, number: str) -> Order | None:
    if not request.auth.is_authenticated:
        return None
    try:
        return selectors.order_for_member(user=request.auth, number=number)
    except Order.DoesNotExist:
        return None


@router.get("/orders", auth=TokenAuth(), response=responses(OrdersPageOut, 401))
def my_orders(request: HttpRequest, page: int = Query(1, ge=1, le=10_000)):
    """The member's orders, newest first, 20 a page."""
    orders = selectors.orders_of(user=request.auth)
    total = orders.count()
    start = (page - 1) * ORDERS_PER_PAGE
    return {
        "page": page,
        "pages": max(1, -(-total // ORDERS_PER_PAGE)),
        "total": total,
        "orders": list(orders[start : start + ORDERS_PER_PAGE]),
    }


# Before /orders/{number}: the first matching path decides the allowed methods.
@router.post("/orders/lookup", response=responses(OrderOut, 404, 429))
@api_rate_limited(abuse.ORDER_LOOKUP)
def lookup(request: HttpRequest, body: LookupIn):
    """A guest finds an order by its number and billing email; either one
    wrong is the same 404. Too many lookups from one client: 429."""
    try:
        order = selectors.order_for_guest(number=body.number, email=body.email)
    except Order.DoesNotExist:
        return 404, NOT_FOUND
    return order_out(order)


@router.get("/orders/{number}", auth=TokenAuth(), response=responses(OrderOut, 401, 404))
def my_order(request: HttpRequest, number: str = OrderNumber):
    """One of the member's orders. Guests use POST /orders/lookup."""
    order = _members_order(request, number)
    if order is None:
        return 404, NOT_FOUND
    return order_out(order)


@router.post("/orders/{number}/cancel", auth=Shopper(), response=responses(OrderOut, 401, 404, 409))
def cancel(request: HttpRequest, body: CancelIn, number: str = OrderNumber):
    """Cancel under O3: within 24 hours, nothing shipped, not placed in
    weekend processing (Friday 5 PM to Monday 9 AM US Eastern). Members send
    their token; guests the billing email. A refusal is a 409 saying why."""
    order = _shoppers_order(request, number, body.email)
    if order is None:
        return 404, NOT_FOUND
    order = services.cancel_order(
        order=order,
        by=request.auth if request.auth.is_authenticated else None,
        as_staff=False,
        reason=body.reason,
    )
    return order_out(selectors.order_by_number(number=order.number))


def _address_change(body: AddressChangeIn) -> changes.OrderChange:
    return changes.OrderChange(
        shipping_address=body.shipping_address.dict(), residential=body.residential
    )


@router.post(
    "/orders/{number}/address/preview",
    auth=Shopper(),
    response=responses(ChangePreviewOut, 401, 404, 409),
    openapi_extra=refused_on_meaning(*ADDRESS_REFUSALS),
)
def preview_address_change(request: HttpRequest, body: AddressChangeIn, number: str = OrderNumber):
    """O2: the order with a new shipping address, priced again (shipping,
    tax) before anything changes. Within O3's window only (24 hours, not
    placed in weekend processing, nothing shipped); otherwise 409 saying why.
    Members send their token; guests the billing email."""
    order = _shoppers_order(request, number, body.email)
    if order is None:
        return 404, NOT_FOUND
    preview = changes.preview_change(order=order, change=_address_change(body), as_staff=False)
    return ChangePreviewOut(
        number=order.number,
        currency=order.currency,
        old_total=order.grand_total,
        new_total=preview.quote.grand_total,
        shipping_total=preview.quote.shipping_total,
        tax_total=preview.quote.tax_total,
        shipping_method=preview.shipping.name if preview.shipping else "",
        changes=list(preview.changes),
        problems=list(preview.problems),
        payment_note=preview.payment_note,
        can_save=preview.can_save,
    )


@router.post(
    "/orders/{number}/address",
    auth=Shopper(),
    response=responses(OrderOut, 401, 404, 409),
    openapi_extra=refused_on_meaning(*ADDRESS_REFUSALS),
)
def change_address(request: HttpRequest, body: AddressChangeSaveIn, number: str = OrderNumber):
    """O2: ship the order to a new address, exactly as previewed: send the
    preview's `new_total` as `expected_total`. If the total moved, stock ran
    out, or the card's bank declines holding a higher total, nothing changes
    and the answer is a 409 saying why. The shopper gets a mail."""
    order = _shoppers_order(request, number, body.email)
    if order is None:
        return 404, NOT_FOUND
    changes.change_order(
        order=order,
        change=_address_change(body),
        by=request.auth if request.auth.is_authenticated else None,
        as_staff=False,
        expected_total=Decimal(body.expected_total),
    )
    return order_out(selectors.order_by_number(number=order.number))
