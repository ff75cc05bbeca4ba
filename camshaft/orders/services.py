"""Order use-cases: placing an order exactly once (K3, Y2, Y4), recording
offline payments, shipping, cancelling (O3) and the state history (O1),
each with its mail through the outbox (O4).

Placing an order is three steps, because a payment gateway is a network
call that must not sit inside a database transaction that holds locks:

1. price the cart on the server (nothing the client sends is a price);
2. authorize the payment, under a key derived from the client's
   idempotency key, so a retry finds the first authorization;
3. in one transaction, lock the cart, look again for an order under the
   same key (a twin request may have won), and store the order.

If step 3 fails for any other reason, the authorization is voided, so no
hold is left on the shopper's card for an order that does not exist."""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from camshaft.accounts.services import POSTAL_FIELDS
from camshaft.cart.models import Cart, CartLine
from camshaft.cart.selectors import CartView, cart_view
from camshaft.core.business_days import STORE_ZONE
from camshaft.core.money import minor_unit
from camshaft.inventory import services as inventory
from camshaft.inventory.models import Allocation
from camshaft.inventory.services import OutOfStock
from camshaft.orders import rules
from camshaft.orders.models import (
    UNSHIPPED,
    Order,
    OrderAddress,
    OrderEvent,
    OrderLine,
    OrderStatus,
)
from camshaft.orders.pricing import LineInput, OrderQuote, quote_order, with_tax
from camshaft.orders.signals import order_cancelled
from camshaft.payments import services as payments
from camshaft.payments.gateways import CardToken, GatewayUnavailable
from camshaft.payments.models import (
    OFFLINE_METHODS,
    WALLET_METHODS,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from camshaft.pricematch import selectors as pricematch_selectors
from camshaft.pricematch import services as pricematch
from camshaft.pricing.selectors import NoRate, current_rate
from camshaft.shipping.models import Shipment
from camshaft.shipping.selectors import (
    Destination,
    ShippingOption,
    carrier_payload,
    quote_shipping,
)
from camshaft.tax.selectors import Destination as TaxDestination
from camshaft.tax.selectors import TaxableLine, tax_for

log = logging.getLogger(__name__)

MAX_IDEMPOTENCY_KEY = 200
Actor = OrderEvent.Actor


class OrderError(Exception):
    """Something the shopper or clerk can act on; `message` says what."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CheckoutProblem(OrderError):
    """The order cannot be placed as it stands (empty cart, no shipping
    method, a total that changed since the shopper reviewed it)."""


class CancelRefused(OrderError):
    """O3 does not allow this cancellation."""


class TransitionRefused(OrderError):
    """The order is not in a state that allows this step."""


@dataclass(frozen=True, slots=True)
class PaymentChoice:
    """How the shopper pays: a tokenized card, a wallet's token, or an
    offline method. Never a card number (Y3)."""

    method: str
    card: CardToken | None = None
    wallet_token: str = ""


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """Everything about an order that is not in the cart. Addresses are
    dicts of POSTAL_FIELDS, already validated by the checkout."""

    email: str
    billing: dict
    shipping: dict
    shipping_method: str
    payment: PaymentChoice
    currency: str
    is_gift: bool = False
    gift_message: str = ""
    channel: str = "web"
    #: The shipping address is a home (air freight may take a day more, S2).
    residential: bool = True

    @property
    def destination(self) -> Destination:
        return destination_of(self.shipping, residential=self.residential)


def destination_of(address: dict, *, residential: bool = True) -> Destination:
    return Destination(
        country=(address.get("country") or "").upper(),
        region=(address.get("region") or "").upper(),
        postal_code=address.get("postal_code") or "",
        residential=residential,
    )


class ThirdPartyGoods(Protocol):
    """Goods others sell through a store order: the marketplace's sellers'
    listings, which orders knows nothing of (the marketplace stands above
    it). `total` is what they add to the order in its currency, priced
    before the payment is authorized; `store` is called inside the order's
    transaction, after the order row exists: it locks and takes what it
    sells, and raises CheckoutProblem (so the authorization is released and
    nothing is stored) when it can no longer sell it at `total`."""

    def total(self, *, currency: str, exchange_rate: Decimal, destination: Destination) -> Decimal:
        """Priced now, with no lock; CheckoutProblem when it cannot be sold."""
        ...

    def store(self, *, order: Order, now: datetime) -> None: ...


@dataclass
class PlacedOrder:
    order: Order
    #: True when this call found the order an earlier call with the same key made.
    replayed: bool = False
    notices: list[str] = field(default_factory=list)
    #: The account a guest opened at checkout (K4), if any.
    new_member: object = None


# ------------------------------------------------------------------ pricing


def cart_lines(cart: Cart | None, *, now: datetime | None = None) -> list[LineInput]:
    """The cart's lines with the catalogue's current prices (store currency),
    or a price-match quote's (P2) where the cart may use one."""
    quoted = pricematch_selectors.quoted_prices(cart=cart, now=now)
    return view_lines(cart_view(cart), quoted=quoted)


def view_lines(view: CartView, *, quoted: dict | None = None) -> list[LineInput]:
    """A quote in `quoted` (part_id -> QuotedPrice) sets the price of its
    part's line when the line holds exactly the quoted quantity; never
    above the catalogue's price."""
    lines = []
    for line in view.lines:
        price, quote = line.part.price, (quoted or {}).get(line.part.id)
        applies = quote is not None and quote.quantity == line.quantity
        lines.append(
            LineInput(
                part_id=line.part.id,
                sku=line.part.sku,
                name=line.part.name,
                brand=line.part.brand,
                mpn=line.part.mpn,
                quantity=line.quantity,
                price=min(price, quote.unit_price) if applies else price,
                core_charge=line.part.core_charge,
                quote_id=quote.quote_id if applies else None,
            )
        )
    return lines


def quote_view(view: CartView, *, currency: str, cart: Cart | None = None) -> OrderQuote:
    """A cart as its page shows it, priced exactly as checkout will price it
    (shipping not yet chosen), with the price-match quotes `cart` may use."""
    try:
        rate = current_rate(currency)
    except NoRate:
        currency, rate = settings.STORE_CURRENCY, Decimal(1)
    quoted = pricematch_selectors.quoted_prices(cart=cart) if cart is not None else None
    return quote_order(lines=view_lines(view, quoted=quoted), currency=currency, exchange_rate=rate)


def _taxed(quote: OrderQuote, destination: Destination, on) -> OrderQuote:
    """Sales tax or VAT where the store has nexus (T1), per line and on
    shipping, in the quote's currency; core deposits are not taxed."""
    taxes = tax_for(
        destination=TaxDestination(
            country=destination.country,
            region=destination.region,
            postal_code=destination.postal_code,
        ),
        lines=[TaxableLine(key=n, amount=line.line_total) for n, line in enumerate(quote.lines)],
        shipping=quote.shipping_total,
        currency=quote.currency,
        on=on,
    )
    return with_tax(
        quote,
        line_taxes=[(taxes.line_rates[n], taxes.line_taxes[n]) for n in range(len(quote.lines))],
        shipping_tax=taxes.shipping_tax,
    )


def cart_shortages(view: CartView) -> dict[int, int]:
    """part_id -> units left, for the cart's lines the warehouses cannot fill."""
    lines = [(line.part.id, line.quantity) for line in view.lines]
    return quote_shipping(lines=lines, destination=None).short


@dataclass(frozen=True, slots=True)
class CartQuote:
    """A cart priced for checkout: the amounts, the shipping methods the
    cart may use to its destination, the chosen one if it is among them,
    and the parts there are too few of."""

    quote: OrderQuote
    options: tuple[ShippingOption, ...]
    shipping: ShippingOption | None
    #: (sku, name) -> units left, for parts the warehouses cannot supply.
    short: dict

    @property
    def shortage(self) -> OutOfStock | None:
        return OutOfStock(self.short) if self.short else None


def quote_cart(
    *,
    cart: Cart | None,
    currency: str,
    shipping_method: str = "",
    destination: Destination | None = None,
    placed_at: datetime | None = None,
) -> CartQuote:
    """What this cart costs now in `currency` delivered to `destination`,
    with `shipping_method`'s price and dates if the cart may use it there
    (no shipping yet otherwise)."""
    lines = cart_lines(cart, now=placed_at)
    shipping = quote_shipping(
        lines=[(line.part_id, line.quantity) for line in lines],
        destination=destination,
        placed_at=placed_at,
    )
    options = shipping.options
    chosen = next((option for option in options if option.code == shipping_method), None)
    named = {line.part_id: (line.sku, line.name) for line in lines}
    try:
        rate = current_rate(currency)
    except NoRate:
        raise CheckoutProblem(
            f"We cannot take orders in {currency} at the moment; please choose "
            f"{settings.STORE_CURRENCY}."
        ) from None
    quote = quote_order(
        lines=lines,
        currency=currency,
        exchange_rate=rate,
        shipping=chosen.price if chosen else Decimal(0),
    )
    if destination is not None:
        # The rate in force on the store's (US Eastern) calendar day.
        day = (placed_at or timezone.now()).astimezone(STORE_ZONE).date()
        quote = _taxed(quote, destination, day)
    short = {named[part_id]: left for part_id, left in shipping.short.items()}
    return CartQuote(quote=quote, options=options, shipping=chosen, short=short)


# -------------------------------------------------------------- placing


def _check_client_key(client_key: str) -> str:
    key = (client_key or "").strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise CheckoutProblem(
            f"An idempotency key of 1 to {MAX_IDEMPOTENCY_KEY} printable characters is required."
        )
    return key


def _owners(*, user, cart_token: str | None) -> list[str]:
    """Who a client proves to be: a signed-in member, the holder of a guest
    cart's token, or both. The first one is whom a new order's key is bound to."""
    owners = []
    if user is not None and user.is_authenticated:
        owners.append(f"user:{user.pk}")
    if cart_token:
        owners.append(f"cart:{cart_token}")
    return owners


def _scoped(owner: str, client_key: str) -> str:
    return hashlib.sha256(f"{owner}\n{client_key}".encode()).hexdigest()


def scoped_key(*, client_key: str, user, cart: Cart) -> str:
    """The stored form of a client's idempotency key. It is bound to who sent
    it (the member, or the guest's cart), so one client's key can never
    replay, and so reveal, another client's order."""
    return _scoped(_owners(user=user, cart_token=cart.token)[0], _check_client_key(client_key))


def replayed_order(*, user, cart_token: str | None, idempotency_key: str) -> PlacedOrder | None:
    """The order an earlier call with this key placed for this client, if
    any. A guest who opened an account at checkout is signed in by then and
    their guest cart is gone, yet their cart token still finds the order."""
    key = _check_client_key(idempotency_key)
    hashed = [_scoped(owner, key) for owner in _owners(user=user, cart_token=cart_token)]
    if existing := Order.objects.filter(idempotency_key__in=hashed).first():
        return PlacedOrder(existing, replayed=True)
    return None


def place_order(
    *,
    cart: Cart,
    request: OrderRequest,
    user,
    idempotency_key: str,
    expected_total: Decimal | None = None,
    now: datetime | None = None,
    others: ThirdPartyGoods | None = None,
) -> PlacedOrder:
    """Turn the cart into an order and authorize its payment, exactly once
    per idempotency key (Y4). Raises CheckoutProblem, or PaymentDeclined
    with the gateway's answer for the shopper. `others` are goods sold by
    others in the same order (the marketplace): one authorization covers
    the store's part and theirs."""
    if replay := replayed_order(user=user, cart_token=cart.token, idempotency_key=idempotency_key):
        return replay
    key = scoped_key(client_key=idempotency_key, user=user, cart=cart)
    now = now or timezone.now()
    quote, others_total = _checked_quote(cart, request, expected_total, now, others)
    payment = _authorize(request, quote, key, extra=others_total)
    try:
        placed = _store_order(
            cart=cart,
            request=request,
            user=user,
            key=key,
            payment=payment,
            now=now,
            others=others,
            others_total=others_total,
        )
    except OutOfStock as gone:  # another buyer took the last units meanwhile (I2)
        _release_unused(payment, key)
        raise CheckoutProblem(gone.message) from None
    except Exception:
        _release_unused(payment, key)
        raise
    if placed.order.payment_id != payment.pk:  # a twin won with a payment of its own
        _release_unused(payment, key)
    return placed


def _priced_for_order(cart: Cart, request: OrderRequest, now) -> CartQuote:
    """The cart priced for placing: a cart of third parties' goods alone
    (nothing of the store's) pays no store shipping."""
    return quote_cart(
        cart=cart,
        currency=request.currency,
        shipping_method=request.shipping_method if cart.lines.exists() else "",
        destination=request.destination,
        placed_at=now,
    )


def _checked_quote(
    cart: Cart, request: OrderRequest, expected_total, now, others
) -> tuple[OrderQuote, Decimal]:
    priced = _priced_for_order(cart, request, now)
    quote = priced.quote
    others_total = Decimal(0)
    if others is not None:
        others_total = others.total(
            currency=quote.currency,
            exchange_rate=quote.exchange_rate,
            destination=request.destination,
        )
    if not quote.lines and not others_total:
        raise CheckoutProblem("Your cart is empty.")
    if priced.shortage:  # checked before authorizing: no hold for what cannot ship
        raise CheckoutProblem(priced.shortage.message)
    if priced.shipping is None and quote.lines:
        raise CheckoutProblem("Please choose one of the shipping methods offered for this cart.")
    total = quote.grand_total + others_total
    if expected_total is not None and expected_total != total:
        raise CheckoutProblem(
            f"The total is now {quote.money(total)}, not "
            f"{quote.money(expected_total)} as when you reviewed it (a price or exchange "
            "rate changed). Please check your order and place it again."
        )
    return quote, others_total


def _authorize(
    request: OrderRequest, quote: OrderQuote, key: str, *, extra: Decimal = Decimal(0)
) -> Payment:
    """Authorize (or, offline, open) the payment. The gateway key names the
    instrument and amount too: a double click repeats the same attempt, a
    retry with another card after a decline is a new one."""
    choice = request.payment
    amount, currency = quote.grand_total + extra, quote.currency
    attempt = hashlib.sha256(
        f"{choice.method}\n{choice.card.token if choice.card else choice.wallet_token}\n"
        f"{amount}\n{currency}".encode()
    ).hexdigest()[:24]
    gateway_key = f"authorize:{key}:{attempt}"
    try:
        if choice.method == PaymentMethod.CARD:
            if choice.card is None:
                raise CheckoutProblem("Please enter a card or choose a saved one.")
            return payments.authorize_card_payment(
                amount=amount, currency=currency, card=choice.card, idempotency_key=gateway_key
            )
        if choice.method in WALLET_METHODS:
            if not choice.wallet_token:
                raise CheckoutProblem("Please approve the payment with your wallet first.")
            return payments.authorize_wallet_payment(
                wallet=choice.method,
                amount=amount,
                currency=currency,
                wallet_token=choice.wallet_token,
                idempotency_key=gateway_key,
            )
        if choice.method in OFFLINE_METHODS:
            return payments.start_offline_payment(
                method=choice.method, amount=amount, currency=currency
            )
    except GatewayUnavailable:
        raise CheckoutProblem(
            "The payment processor did not answer. Nothing was charged; please try again."
        ) from None
    raise CheckoutProblem("Please choose a payment method.")


@transaction.atomic
def _store_order(
    *, cart, request: OrderRequest, user, key, payment, now, others=None, others_total=Decimal(0)
) -> PlacedOrder:
    Cart.objects.select_for_update().filter(pk=cart.pk).exists()
    # The price-match quotes this cart may use are locked before it is priced:
    # a checkout of another cart racing for one of them waits, then prices
    # without it (and is refused below, its total having changed).
    pricematch.lock_quotes(cart=cart, now=now)
    # A twin request holding the same key may have stored the order while we
    # waited for the lock: its order is ours, and its payment is this one.
    if existing := Order.objects.filter(idempotency_key=key).first():
        return PlacedOrder(existing, replayed=True)
    priced = _priced_for_order(cart, request, now)
    quote = priced.quote
    if priced.shortage:
        raise priced.shortage
    unshippable = quote.lines and priced.shipping is None
    if (
        not (quote.lines or others_total)
        or unshippable
        or quote.grand_total + others_total != payment.amount
    ):
        raise CheckoutProblem(
            "Your cart changed while the order was being placed; please review it."
        )
    offline = payment.method in OFFLINE_METHODS
    order = Order.objects.create(
        number=_unused_number(),
        user=user if user is not None and user.is_authenticated else None,
        email=request.email,
        status=OrderStatus.AWAITING_PAYMENT if offline else OrderStatus.PLACED,
        placed_at=now,
        channel=request.channel,
        currency=quote.currency,
        exchange_rate=quote.exchange_rate,
        items_total=quote.items_total,
        core_total=quote.core_total,
        shipping_total=quote.shipping_total,
        tax_total=quote.tax_total,
        discount_total=quote.discount_total,
        shipping_tax=quote.shipping_tax,
        grand_total=quote.grand_total + others_total,
        marketplace_total=others_total,
        shipping_method=request.shipping_method if priced.shipping else "",
        shipping_method_name=priced.shipping.name if priced.shipping else "",
        delivery_earliest=priced.shipping.window.earliest if priced.shipping else None,
        delivery_latest=priced.shipping.window.latest if priced.shipping else None,
        residential=request.residential,
        billing_address=OrderAddress.objects.create(**_address(request.billing)),
        shipping_address=OrderAddress.objects.create(**_address(request.shipping)),
        is_gift=request.is_gift,
        gift_message=request.gift_message.strip() if request.is_gift else "",
        payment=payment,
        idempotency_key=key,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            part_id=line.part_id,
            sku=line.sku,
            name=line.name,
            brand=line.brand,
            mpn=line.mpn,
            quantity=line.quantity,
            unit_price=line.unit_price,
            unit_core_charge=line.unit_core_charge,
            line_total=line.line_total,
            tax_rate=line.tax_rate,
            tax_amount=line.tax_amount,
        )
        for line in quote.lines
    )
    pricematch.redeem_quotes(
        quote_ids=[line.quote_id for line in quote.lines if line.quote_id],
        order_number=order.number,
        now=now,
    )
    destination = request.destination
    inventory.reserve_stock(order=order, country=destination.country, region=destination.region)
    if others is not None:
        others.store(order=order, now=now)
    _record(order, "placed", "", order.status, actor=Actor.SHOPPER, by=user, at=now)
    CartLine.objects.filter(cart=cart).delete()
    _mail(order, "confirmation", f"Order {order.number} confirmed")
    log.info("order %s placed (%s %s)", order.number, order.grand_total, order.currency)
    notices = [payments.offline_delay_notice(payment)] if offline else []
    if payment.method == PaymentMethod.CARD:
        notices.append(payments.DEBIT_HOLD_NOTICE)
    return PlacedOrder(order, notices=notices)


def _unused_number() -> str:
    while Order.objects.filter(number=(number := rules.new_order_number())).exists():
        continue  # one in 6.6e11 per existing order: practically never
    return number


def _address(values: dict) -> dict:
    return {name: (values.get(name) or "").strip() for name in POSTAL_FIELDS}


def _release_unused(payment: Payment, key: str) -> None:
    """Void an authorization no order ended up holding (and only then: a
    twin request's order may hold this very payment)."""
    if Order.objects.filter(payment=payment).exists():
        return
    if payment.status not in {PaymentStatus.AUTHORIZED, PaymentStatus.AWAITING_PAYMENT}:
        return
    try:
        payments.void_payment(payment=payment, idempotency_key=f"void:{key}:{payment.pk}")
    except Exception:  # the original error matters more; staff see the open hold
        log.exception("could not void payment %s of an order that was not stored", payment.pk)


# ------------------------------------------------------------- after placing


@transaction.atomic
def assign_to_member(*, order: Order, user) -> Order:
    """A guest who opened an account at checkout (K4) finds the order in it."""
    order = _locked(order)
    if order.user_id is None:
        order.user = user
        order.save(update_fields=["user", "updated_at"])
        _record(order, "account_opened", order.status, order.status, actor=Actor.SHOPPER, by=user)
    return order


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().select_related("payment").get(pk=order.pk)


def _staff_or_system(by) -> str:
    return Actor.STAFF if by is not None else Actor.SYSTEM


@transaction.atomic
def record_offline_payment(
    *, order: Order, amount: Decimal, reference: str, by, idempotency_key: str
) -> Order:
    """Staff record a check, money order or wire for `order` (Y1). Once all
    of it has arrived the order leaves "awaiting payment" and is placed."""
    order = _locked(order)
    if order.status == OrderStatus.CANCELLED:
        raise TransitionRefused("This order is cancelled; return the money to the sender.")
    payments.record_offline_receipt(
        payment=order.payment,
        amount=amount,
        received_by=by,
        reference=reference,
        idempotency_key=idempotency_key,
    )
    order.payment.refresh_from_db()
    if (
        order.status == OrderStatus.AWAITING_PAYMENT
        and order.payment.status == PaymentStatus.AUTHORIZED
    ):
        _move(order, OrderStatus.PLACED, "payment_received", actor=Actor.STAFF, by=by)
        _mail(order, "payment_received", f"Payment received for order {order.number}")
    else:
        _record(
            order,
            "part_payment_received",
            order.status,
            order.status,
            actor=Actor.STAFF,
            by=by,
            note=f"{order.money(amount)} received; {reference}"[:300],
        )
    return order


@transaction.atomic
def start_processing(*, order: Order, by) -> Order:
    """The warehouse has started picking the order."""
    order = _locked(order)
    if order.status != OrderStatus.PLACED:
        raise TransitionRefused(
            f"Only a placed order can start processing; this one is {order.get_status_display()}."
        )
    _move(order, OrderStatus.PROCESSING, "processing", actor=Actor.STAFF, by=by)
    return order


MAX_TRACKING_NUMBER = 60
SHIPPABLE = frozenset({OrderStatus.PLACED, OrderStatus.PROCESSING, OrderStatus.PARTLY_SHIPPED})


@transaction.atomic
def create_shipment(
    *, order: Order, warehouse, carrier, tracking_number: str, by, now: datetime | None = None
) -> Shipment:
    """S4: everything of `order` waiting in `warehouse` leaves with `carrier`
    under `tracking_number`. The stock is consumed, the payment for these
    lines is captured (Y2; the first shipment also carries the shipping
    charge, the last one whatever is left), the order becomes partly shipped
    or shipped and the shopper gets the tracking number. A repeated call
    finds nothing left to ship from there: nothing is captured twice."""
    order = _locked(order)
    tracking = "".join((tracking_number or "").split())
    if not tracking or len(tracking) > MAX_TRACKING_NUMBER or not tracking.isalnum():
        raise TransitionRefused(
            f"A tracking number is 1 to {MAX_TRACKING_NUMBER} letters and digits."
        )
    if not carrier.is_active:
        raise TransitionRefused(f"{carrier} is not an active carrier.")
    if order.status == OrderStatus.AWAITING_PAYMENT:
        raise TransitionRefused("The payment for this order has not arrived yet.")
    if order.status not in SHIPPABLE:
        raise TransitionRefused(f"A {order.get_status_display().lower()} order cannot be shipped.")
    waiting = list(
        Allocation.objects.select_for_update()
        .select_related("order_line")
        .filter(order_line__order=order, warehouse=warehouse, status=Allocation.Status.RESERVED)
        .order_by("id")
    )
    if not waiting:
        raise TransitionRefused(f"Nothing of order {order.number} is waiting in {warehouse}.")
    first = not order.shipments.exists()
    shipment = Shipment.objects.create(
        order=order,
        warehouse=warehouse,
        carrier=carrier,
        tracking_number=tracking,
        shipped_at=now or timezone.now(),
        shipped_by=by if by is not None and by.is_authenticated else None,
        amount_captured=Decimal(0),
    )
    inventory.consume_stock(allocations=waiting, shipment=shipment)
    # No carrier API is connected yet: the label data is what an adapter
    # would send (V10). Only its field names are logged, never the values.
    label = carrier_payload(shipment)
    log.info("shipment %s: label data for %s: %s", shipment.pk, carrier, ", ".join(label))
    more_to_come = Allocation.objects.filter(
        order_line__order=order, status=Allocation.Status.RESERVED
    ).exists()
    payment = order.payment
    amount = min(
        payment.amount_capturable,
        _shipment_amount(order, waiting, first=first, last=not more_to_come),
    )
    if amount > 0:
        payments.capture_payment(
            payment=payment, amount=amount, idempotency_key=f"capture:shipment:{shipment.pk}", by=by
        )
    shipment.amount_captured = amount
    shipment.save(update_fields=["amount_captured"])
    _move(
        order,
        OrderStatus.PARTLY_SHIPPED if more_to_come else OrderStatus.SHIPPED,
        "shipped",
        actor=_staff_or_system(by),
        by=by,
        note=f"{carrier} {tracking} from {warehouse.code}",
    )
    extra = {"shipment": shipment, "shipment_lines": _shipment_lines(waiting)}
    _mail(order, "shipped", f"Order {order.number}: shipped, tracking {tracking}", extra)
    if not payment.is_offline:  # an offline payer had this mail when the money came
        extra["charged"] = order.money(amount)
        _mail(order, "payment_received", f"Invoice for order {order.number}", extra)
    return shipment


def _shipment_amount(order: Order, allocations, *, first: bool, last: bool) -> Decimal:
    """What the shipped lines cost with their core deposits and tax; the
    first shipment adds the shipping charge and its tax; the last takes the
    rest of the authorization, so rounding never leaves a cent behind."""
    if last:
        rest = order.payment.amount_capturable
        if order.marketplace_total:
            # Sellers capture their own part when they ship: the store's last
            # shipment takes only what is left of the store's part.
            taken = sum(s.amount_captured for s in order.shipments.all())
            rest = min(rest, order.grand_total - order.marketplace_total - taken)
        return rest
    step = minor_unit(order.currency)
    amount = Decimal(0)
    for allocation in allocations:
        line, quantity = allocation.order_line, allocation.quantity
        tax = (line.tax_amount * quantity / line.quantity).quantize(step, rounding=ROUND_HALF_UP)
        amount += (line.unit_price + line.unit_core_charge) * quantity + tax
    if first:
        amount += order.shipping_total + order.shipping_tax
    return amount


def _shipment_lines(allocations) -> list[dict]:
    return [
        {"quantity": a.quantity, "name": a.order_line.name, "sku": a.order_line.sku}
        for a in allocations
    ]


@transaction.atomic
def mark_delivered(*, order: Order, by, now: datetime | None = None) -> Order:
    order = _locked(order)
    if order.status != OrderStatus.SHIPPED:
        raise TransitionRefused("Only an order that has shipped in full can be marked delivered.")
    order.delivered_at = now or timezone.now()
    order.save(update_fields=["delivered_at"])
    _move(order, OrderStatus.DELIVERED, "delivered", actor=_staff_or_system(by), by=by)
    return order


def cancel_decision(*, order: Order, as_staff: bool, now: datetime | None = None):
    """Whether O3 lets the shopper (or staff) cancel `order` now, and why not."""
    shipped = order.status not in UNSHIPPED
    if order.status == OrderStatus.CANCELLED:
        return rules.CancelDecision(False, "This order is already cancelled.")
    if as_staff:
        return rules.staff_may_cancel(shipped=shipped)
    return rules.shopper_may_cancel(
        placed_at=order.placed_at, now=now or timezone.now(), shipped=shipped
    )


@transaction.atomic
def cancel_order(
    *, order: Order, by, as_staff: bool, reason: str = "", now: datetime | None = None
) -> Order:
    """Cancel under O3 and release the money: void the authorization, or
    give back what an offline payer already sent. A repeated cancel (a
    double click) finds the order cancelled and does nothing more."""
    order = _locked(order)
    if order.status == OrderStatus.CANCELLED:
        return order
    decision = cancel_decision(order=order, as_staff=as_staff, now=now)
    if not decision.allowed:
        raise CancelRefused(decision.reason)
    payment = order.payment
    if payment.is_offline and payment.amount_refundable > 0:
        payments.refund_payment(
            payment=payment,
            amount=payment.amount_refundable,
            idempotency_key=f"refund:cancel:{order.number}",
            by=by if as_staff else None,
        )
    elif payment.status in {PaymentStatus.AUTHORIZED, PaymentStatus.AWAITING_PAYMENT}:
        payments.void_payment(
            payment=payment,
            idempotency_key=f"void:{order.number}",
            by=by if as_staff else None,
        )
    inventory.release_stock(order=order)
    _move(
        order,
        OrderStatus.CANCELLED,
        "cancelled",
        actor=Actor.STAFF if as_staff else Actor.SHOPPER,
        by=by,
        note=reason,
    )
    order_cancelled.send(sender=Order, order=order, by=by, as_staff=as_staff)
    _mail(order, "cancelled", f"Order {order.number} is cancelled")
    return order


@transaction.atomic
def record_third_party_shipment(
    *, order: Order, everything_shipped: bool, by, note: str = "", now: datetime | None = None
) -> Order:
    """A marketplace seller shipped their part of `order` (and captured it
    themselves): the order is partly shipped, or shipped once nothing of the
    store's nor of the sellers' waits. Then the shopper may no longer
    cancel it (O3): they cancel what is still open per seller instead."""
    order = _locked(order)
    store_waiting = Allocation.objects.filter(
        order_line__order=order, status=Allocation.Status.RESERVED
    ).exists()
    done = everything_shipped and not store_waiting
    to = OrderStatus.SHIPPED if done else OrderStatus.PARTLY_SHIPPED
    if order.status in {OrderStatus.PLACED, OrderStatus.PROCESSING, OrderStatus.PARTLY_SHIPPED}:
        if to != order.status:
            _move(order, to, "shipped", actor=_staff_or_system(by), by=by, note=note)
        else:
            _record(order, "shipped", order.status, to, actor=Actor.SYSTEM, by=by, note=note)
    return order


def record_third_party_refund(*, order: Order, by=None, note: str = "") -> OrderEvent:
    """A marketplace seller's shipped sale of `order` was refunded (M4): the
    order's history says so; its status stays, being the store's part's."""
    return _record(
        order,
        "marketplace_refund",
        order.status,
        order.status,
        actor=_staff_or_system(by),
        by=by,
        note=note,
    )


@transaction.atomic
def release_third_party_part(*, order: Order, amount: Decimal, by=None) -> Order:
    """A marketplace sale of `order` was cancelled before it shipped: its
    `amount` leaves the order's totals, and the authorization is reduced by
    it (or voided, and the order cancelled, when nothing else is left to
    pay). Once something was captured the processor releases the rest with
    the last capture."""
    order = _locked(order)
    payment = order.payment
    order.marketplace_total -= amount
    order.grand_total -= amount
    order.save(update_fields=["marketplace_total", "grand_total", "updated_at"])
    if payment.status == PaymentStatus.AUTHORIZED and not payment.amount_captured:
        if order.grand_total <= 0:
            # Nothing of the order is left: it is cancelled as a whole.
            payments.void_payment(payment=payment, idempotency_key=f"void:{order.number}", by=by)
            _move(order, OrderStatus.CANCELLED, "cancelled", actor=_staff_or_system(by), by=by)
        else:
            payments.change_payment_amount(
                payment=payment,
                amount=order.grand_total,
                idempotency_key=f"release:{order.number}:{order.grand_total}",
                by=by,
            )
    elif payment.is_offline and payment.status == PaymentStatus.AWAITING_PAYMENT:
        payments.change_payment_amount(
            payment=payment,
            amount=order.grand_total,
            idempotency_key=f"release:{order.number}:{order.grand_total}",
            by=by,
        )
    return order


# ------------------------------------------------------------------ history


def _move(order: Order, to: str, action: str, *, actor: str, by=None, note: str = "") -> None:
    before = order.status
    order.status = to
    order.save(update_fields=["status", "updated_at"])
    _record(order, action, before, to, actor=actor, by=by, note=note)


def _record(order, action, before, after, *, actor, by=None, note="", at=None) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        action=action,
        from_status=before,
        to_status=after,
        at=at or timezone.now(),
        actor=actor,
        by=by if by is not None and by.is_authenticated else None,
        note=note[:300],
    )


def _mail(order: Order, template: str, subject: str, extra: dict | None = None) -> None:
    from camshaft.notifications.services import queue_email
    from camshaft.orders.selectors import mail_context

    queue_email(
        to=order.email,
        subject=subject,
        template=f"orders/email/{template}",
        context={**mail_context(order), **(extra or {})},
        kind="transactional",
        category=f"order_{template}",
        reference=f"order:{order.number}",
    )


#: Order states after which a refund made at the processor changes the order's state.
_REFUNDABLE_STATES = {
    OrderStatus.SHIPPED,
    OrderStatus.PARTLY_SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.PARTLY_REFUNDED,
}


@transaction.atomic
def payment_changed_at_processor(*, payment, event, **_) -> None:
    """A dispute, or a refund or cancellation made in the processor's own
    dashboard: the order records it (O1), a refund moves its state, and
    staff are told by mail, since money moved without them."""
    from camshaft.notifications.services import queue_email

    order = Order.objects.select_for_update().filter(payment=payment).first()
    if order is None:
        return
    after = order.status
    if event.kind == "refunded" and order.status in _REFUNDABLE_STATES:
        fully = payment.status == PaymentStatus.REFUNDED
        after = OrderStatus.RETURNED if fully else OrderStatus.PARTLY_REFUNDED
    action = f"processor_{event.kind}"[:40]
    if after != order.status:
        _move(order, after, action, actor=OrderEvent.Actor.SYSTEM, note=event.description)
    else:
        _record(
            order,
            action,
            order.status,
            order.status,
            actor=OrderEvent.Actor.SYSTEM,
            note=event.description,
        )
    queue_email(
        to=settings.STAFF_ALERT_EMAIL,
        subject=f"Order {order.number}: {event.description or event.kind} at {payment.gateway}",
        template="orders/email/processor_change",
        context={"order": order, "payment": payment, "event": event},
        kind="transactional",
        category="staff_payment_alert",
        reference=f"order:{order.number}",
    )


#: States in which parts of an order can have come back and been refunded.
RETURNABLE_STATES = frozenset(
    {OrderStatus.DELIVERED, OrderStatus.PARTLY_REFUNDED, OrderStatus.RETURNED}
)


@transaction.atomic
def record_return_refund(*, order: Order, everything_back: bool, by=None, note: str = "") -> Order:
    """A return or a core deposit was refunded (R3, R4): the order is
    returned when every unit came back, partly refunded otherwise (O1)."""
    order = _locked(order)
    after = OrderStatus.RETURNED if everything_back else OrderStatus.PARTLY_REFUNDED
    if order.status not in RETURNABLE_STATES:
        raise TransitionRefused(
            f"A {order.get_status_display().lower()} order has nothing delivered to refund."
        )
    if after == OrderStatus.PARTLY_REFUNDED and order.status == OrderStatus.RETURNED:
        after = OrderStatus.RETURNED
    actor = _staff_or_system(by)
    if after != order.status:
        _move(order, after, "refunded", actor=actor, by=by, note=note)
    else:
        _record(order, "refunded", order.status, order.status, actor=actor, by=by, note=note)
    return order


#: What an erased customer's name becomes on the sales records kept for tax.
ERASED = "(erased)"


def forget_customer(*, order_ids: list[int]) -> None:
    """Erasure (V4): the orders stay, as sales records must, with a placeholder
    address per order (so no two erased people look alike), no gift message,
    no account, and of their addresses only the country and region the tax
    was due in."""
    address_ids = [
        pk
        for pair in Order.objects.filter(pk__in=order_ids).values_list(
            "billing_address", "shipping_address"
        )
        for pk in pair
        if pk is not None
    ]
    for pk in order_ids:
        Order.objects.filter(pk=pk).update(
            email=f"erased-{pk}@erased.invalid", gift_message="", user=None
        )
    for address in OrderAddress.objects.filter(pk__in=address_ids):
        for name in ("line1", "line2", "city", "postal_code", "phone"):
            setattr(address, name, "")
        address.full_name = ERASED
        address.save()  # save(), not update(): the name's search digests follow
