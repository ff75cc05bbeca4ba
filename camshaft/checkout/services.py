"""Checkout use-cases (K2-K4): addresses, shipping method, payment, and
placing the order. Each step checks its input and stores nothing when it
is refused; the card number and security code are handed to the gateway
and never kept (Y3)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from camshaft.accounts import selectors as accounts_selectors
from camshaft.accounts import services as accounts
from camshaft.accounts.models import Address, User
from camshaft.cart.models import Cart
from camshaft.checkout.models import Checkout
from camshaft.checkout.selectors import checkout_of, checkout_summary, steps_to_do
from camshaft.consent.models import ConsentRecord
from camshaft.marketplace import selectors as marketplace_selectors
from camshaft.marketplace import services as marketplace
from camshaft.orders import services as orders
from camshaft.orders.services import CheckoutProblem, OrderRequest, PaymentChoice, PlacedOrder
from camshaft.payments import selectors as payments_selectors
from camshaft.payments import services as payments
from camshaft.payments.cards import CardInvalid
from camshaft.payments.gateways import CardToken, GatewayUnavailable, WalletSession, get_gateway
from camshaft.payments.models import WALLET_METHODS, PaymentMethod, SavedCard

GIFT_MESSAGE_MAX = 500
STEP_NAMES = {
    "cart": "add parts to your cart",
    "address": "your email and billing address",
    "shipping": "a shipping method",
    "payment": "a payment method",
}


@dataclass(frozen=True)
class CardDetails:
    """A card as typed by the shopper, on its way to the gateway. Its repr
    never shows the number or the security code (Y3)."""

    number: str
    exp_month: int
    exp_year: int
    cvc: str
    holder: str

    def __repr__(self) -> str:
        return "CardDetails(<withheld>)"


@dataclass(frozen=True)
class NewAccount:
    """A guest's wish to become a member at checkout (K4)."""

    password: str
    date_of_birth: date | None
    accepted_policy_version: str

    def __repr__(self) -> str:
        return "NewAccount(<withheld>)"


def checkout_for(*, cart: Cart) -> Checkout:
    checkout, _ = Checkout.objects.get_or_create(cart=cart)
    return checkout


def _member(user) -> User | None:
    return user if user is not None and user.is_authenticated else None


def _prefixed(prefix: str, error: ValidationError) -> ValidationError:
    return ValidationError(
        {f"{prefix}.{name}": messages for name, messages in error.message_dict.items()}
    )


def _address(prefix: str, values: dict | None, address_id: int | None, user) -> dict:
    """A one-off address, or (members) one from the address book by id."""
    if address_id is not None:
        member = _member(user)
        try:
            if member is None:
                raise Address.DoesNotExist
            saved = accounts_selectors.address_of(user=member, address_id=address_id)
        except Address.DoesNotExist:
            raise ValidationError(
                {f"{prefix}_address_id": "There is no such address in your address book."}
            ) from None
        values = {name: getattr(saved, name) for name in accounts.POSTAL_FIELDS}
    try:
        return accounts.clean_address(values or {})
    except ValidationError as error:
        raise _prefixed(prefix, error) from None


@transaction.atomic
def set_addresses(
    *,
    cart: Cart,
    user,
    email: str = "",
    billing: dict | None = None,
    shipping: dict | None = None,
    billing_address_id: int | None = None,
    shipping_address_id: int | None = None,
    is_gift: bool = False,
    gift_message: str = "",
    save_to_address_book: bool = False,
    business_address: bool = False,
) -> Checkout:
    """Step 1: who the order is for. No `shipping` (nor its id) ships to the
    billing address. A gift ships to its recipient with an optional message,
    and the recipient is never used for marketing (K2). Members' orders go
    to their account's email address."""
    problems: dict[str, list[str]] = {}
    member = _member(user)
    email = member.email if member else (email or "").strip().lower()
    try:
        if not email:
            raise ValidationError("Enter your email address.")
        validate_email(email)
    except ValidationError as error:
        problems["email"] = error.messages
    addresses = {}
    for prefix, values, address_id in (
        ("billing", billing, billing_address_id),
        ("shipping", shipping, shipping_address_id),
    ):
        if prefix == "shipping" and values is None and address_id is None:
            continue
        try:
            addresses[prefix] = _address(prefix, values, address_id, user)
        except ValidationError as error:
            problems.update(error.message_dict)
    gift_message = (gift_message or "").strip() if is_gift else ""
    if len(gift_message) > GIFT_MESSAGE_MAX:
        problems["gift_message"] = [
            f"A gift message can be at most {GIFT_MESSAGE_MAX} characters "
            f"(this one has {len(gift_message)})."
        ]
    if problems:
        raise ValidationError(problems)
    checkout = checkout_for(cart=cart)
    checkout.email = email
    checkout.billing_address = addresses["billing"]
    checkout.ship_to_billing = "shipping" not in addresses
    checkout.shipping_address = addresses.get("shipping", addresses["billing"])
    checkout.residential = not business_address
    checkout.is_gift = bool(is_gift)
    checkout.gift_message = gift_message
    checkout.save()
    if member and save_to_address_book:
        for prefix, address_id in (
            ("billing", billing_address_id),
            ("shipping", shipping_address_id),
        ):
            if (
                prefix in addresses
                and address_id is None
                and not (prefix == "shipping" and addresses["shipping"] == addresses["billing"])
            ):
                accounts.save_address(user=member, changes=addresses[prefix])
    return checkout


@transaction.atomic
def set_shipping_method(*, cart: Cart, code: str, currency: str) -> Checkout:
    """Step 2: one of the methods offered for this cart."""
    checkout = checkout_for(cart=cart)
    checkout.shipping_method = (code or "").strip()[:30]
    priced = checkout_summary(cart=cart, currency=currency).priced
    if priced.shortage:
        raise CheckoutProblem(priced.shortage.message)
    options = {option.code for option in priced.options}
    if checkout.shipping_method not in options:
        offered = ", ".join(sorted(options)) or "none (your cart is empty)"
        raise ValidationError(
            {"shipping_method": f"Choose one of the shipping methods offered: {offered}."}
        )
    checkout.save(update_fields=["shipping_method", "updated_at"])
    return checkout


@transaction.atomic
def choose_payment(
    *,
    cart: Cart,
    user,
    method: str,
    card: CardDetails | None = None,
    saved_card_id: int | None = None,
    wallet_token: str = "",
    save_card: bool = False,
    card_token: str = "",
    allow_off_session: bool = False,
) -> Checkout:
    """Step 3: how the shopper pays. A new card goes to the gateway at once
    and only its token comes back, or (`card_token`) was tokenized in the
    browser by the processor's own fields and never reached us; a saved card
    must be the member's own; a wallet needs the token the wallet handed
    back (see `start_wallet`). `allow_off_session`, with a card the
    member saves: the store may charge it for the difference when they
    later ask to add to the order (O2)."""
    _check_offered(method)
    checkout = checkout_for(cart=cart)
    checkout.payment_method = method
    _forget_instrument(checkout)
    member = _member(user)
    if method == PaymentMethod.CARD:
        keep = bool(save_card and member and saved_card_id is None)
        token = _card_token(member, card, saved_card_id, card_token, keep)
        checkout.card_token = token.token
        checkout.card_brand = token.brand
        checkout.card_last4 = token.last4
        checkout.card_exp_month = token.exp_month
        checkout.card_exp_year = token.exp_year
        checkout.save_card = bool(save_card and member and saved_card_id is None)
        checkout.allow_off_session = bool(checkout.save_card and allow_off_session)
    elif method in WALLET_METHODS:
        if not wallet_token or len(wallet_token) > 200:
            raise ValidationError({"wallet_token": "Approve the payment with your wallet first."})
        checkout.wallet_token = wallet_token
    checkout.save()
    return checkout


def _check_offered(method: str) -> None:
    """Only the ways to pay the configured gateways really take (Y1)."""
    offered = payments_selectors.offered_methods()
    if method not in offered:
        names = ", ".join(PaymentMethod(value).label for value in offered)
        raise ValidationError({"method": f"Choose a payment method this store takes: {names}."})


def _forget_instrument(checkout: Checkout) -> None:
    checkout.card_token = checkout.card_brand = checkout.card_last4 = ""
    checkout.card_exp_month = checkout.card_exp_year = None
    checkout.wallet_token = ""
    checkout.save_card = checkout.allow_off_session = False


def _card_token(
    member, card: CardDetails | None, saved_card_id: int | None, card_token: str, keep: bool
) -> CardToken:
    if card_token and saved_card_id is None:
        if len(card_token) > 200:
            raise ValidationError({"card": "Enter your card again."})
        gateway = get_gateway()
        try:
            if keep:  # before it pays: a processor may reuse only a card kept first
                return gateway.keep_card(token=card_token)
            return gateway.describe_card(token=card_token)
        except CardInvalid as invalid:
            raise ValidationError({"card": invalid.message}) from None
        except (GatewayUnavailable, NotImplementedError):
            raise ValidationError(
                {"card": "The payment processor did not answer; please try again."}
            ) from None
    if saved_card_id is not None:
        try:
            if member is None:
                raise SavedCard.DoesNotExist
            saved = SavedCard.objects.get(pk=saved_card_id, user=member)
        except SavedCard.DoesNotExist:
            raise ValidationError({"saved_card_id": "There is no such saved card."}) from None
        return payments.saved_card_token(saved)
    if card is None:
        raise ValidationError({"card": "Enter your card details or choose a saved card."})
    try:
        return get_gateway().tokenize_card(
            number=card.number,
            exp_month=card.exp_month,
            exp_year=card.exp_year,
            cvc=card.cvc,
            holder=card.holder,
        )
    except CardInvalid as invalid:
        raise ValidationError({"card": invalid.message}) from None
    except GatewayUnavailable:
        raise ValidationError(
            {"card": "The payment processor did not answer; please try again."}
        ) from None


def start_wallet(*, cart: Cart, wallet: str, currency: str, return_url: str) -> WalletSession:
    """Begin a PayPal, Amazon Pay or Visa Checkout payment for what the cart
    costs now; the shopper comes back to `return_url` with the wallet's token."""
    if wallet not in WALLET_METHODS:
        raise ValidationError({"method": "Choose PayPal, Amazon Pay or Visa Checkout."})
    _check_offered(wallet)
    quote = checkout_summary(cart=cart, currency=currency).quote
    if not quote.lines:
        raise CheckoutProblem("Your cart is empty.")
    # The same checkout starting the same payment again gets the wallet's
    # first answer back, not a second order at the processor (Y4).
    key = f"wallet:{wallet}:{checkout_for(cart=cart).pk}:{quote.grand_total}:{quote.currency}"
    try:
        return get_gateway(wallet=wallet).start_wallet(
            wallet=wallet,
            amount=quote.grand_total,
            currency=quote.currency,
            return_url=return_url,
            idempotency_key=key,
        )
    except GatewayUnavailable:
        raise CheckoutProblem(
            f"{PaymentMethod(wallet).label} did not answer. Nothing was charged; "
            "please try again or choose another way to pay."
        ) from None


def place(
    *,
    cart: Cart | None,
    user,
    currency: str,
    idempotency_key: str,
    cart_token: str | None = None,
    expected_total: Decimal | None = None,
    account: NewAccount | None = None,
    channel: str = "web",
) -> PlacedOrder:
    """Step 4: place the order, exactly once per idempotency key (Y4). A
    guest asking for an account (K4) gets one once the order is placed; its
    details are checked before anything is charged.

    `cart_token` is the guest cart token the client holds: a repeated call
    finds the order by it even after the guest cart was merged into the new
    member's cart and is gone."""
    if replay := orders.replayed_order(
        user=user,
        cart_token=cart_token or (cart.token if cart else None),
        idempotency_key=idempotency_key,
    ):
        return replay
    if cart is None:
        raise CheckoutProblem("Your cart is empty.")
    checkout = checkout_of(cart=cart)
    if missing := steps_to_do(cart=cart, checkout=checkout):
        needed = ", ".join(STEP_NAMES[step] for step in missing)
        raise CheckoutProblem(f"Before placing the order, please give {needed}.")
    member = _member(user)
    if account is not None and member is None:
        accounts.check_registration(
            email=checkout.email,
            password=account.password,
            date_of_birth=account.date_of_birth,
            accepted_policy_version=account.accepted_policy_version,
        )
    others = None
    if marketplace_selectors.has_marketplace_lines(cart):
        others = marketplace.MarketplaceGoods(cart=cart, buyer=member)
    try:
        placed = orders.place_order(
            cart=cart,
            request=_order_request(checkout, currency, channel),
            user=member,
            idempotency_key=idempotency_key,
            expected_total=expected_total,
            others=others,
        )
    except payments.PaymentActionRequired as needed:
        # 3-D Secure: when the shopper comes back, the checkout pays with the
        # processor's pending payment, which only it knows (not the URL). A
        # card the member asked to keep is kept now, by its reusable token
        # (the pending payment's id could never pay again).
        if member and checkout.save_card and checkout.payment_method == PaymentMethod.CARD:
            payments.save_card(
                user=member,
                card=_checkout_card(checkout),
                off_session_allowed=checkout.allow_off_session,
            )
        if checkout.payment_method == PaymentMethod.CARD:
            Checkout.objects.filter(pk=checkout.pk).update(
                card_token=needed.reference, save_card=False
            )
        raise
    if placed.replayed:
        return placed
    if member and checkout.save_card and checkout.payment_method == PaymentMethod.CARD:
        payments.save_card(
            user=member,
            card=_checkout_card(checkout),
            off_session_allowed=checkout.allow_off_session,
            payment=placed.order.payment,
        )
    if account is not None and member is None:
        _become_member(placed, checkout.email, account)
    Checkout.objects.filter(pk=checkout.pk).delete()
    return placed


def _become_member(placed: PlacedOrder, email: str, account: NewAccount) -> None:
    """K4: the guest's new account, and their order in it."""
    try:
        user = accounts.register(
            email=email,
            password=account.password,
            date_of_birth=account.date_of_birth,
            accepted_policy_version=account.accepted_policy_version,
            channel=ConsentRecord.Channel.CHECKOUT,
        )
    except ValidationError:
        # Someone registered this email between our check and now: the
        # order stands as a guest order, found by number and email.
        placed.notices.append(
            "Your order is placed, but we could not create your account: "
            "an account with this email already exists. Sign in to see the order."
        )
        return
    placed.order = orders.assign_to_member(order=placed.order, user=user)
    placed.new_member = user


def _order_request(checkout: Checkout, currency: str, channel: str) -> OrderRequest:
    method = checkout.payment_method
    return OrderRequest(
        email=checkout.email,
        billing=checkout.billing_address,
        shipping=checkout.shipping_address,
        shipping_method=checkout.shipping_method,
        payment=PaymentChoice(
            method=method,
            card=_checkout_card(checkout) if method == PaymentMethod.CARD else None,
            wallet_token=checkout.wallet_token if method in WALLET_METHODS else "",
        ),
        currency=currency,
        is_gift=checkout.is_gift,
        gift_message=checkout.gift_message,
        channel=channel,
        residential=checkout.residential,
    )


def _checkout_card(checkout: Checkout) -> CardToken:
    return CardToken(
        token=checkout.card_token,
        brand=checkout.card_brand,
        last4=checkout.card_last4,
        exp_month=checkout.card_exp_month or 0,
        exp_year=checkout.card_exp_year or 0,
    )


def forget_person(*, email: str, user=None) -> None:
    """Erasure (V4): unfinished checkouts of the member, and any started
    with their email address, go with the addresses typed into them."""
    if user is not None:
        Checkout.objects.filter(cart__user=user).delete()
    Checkout.objects.filter(email__iexact=email).delete()
