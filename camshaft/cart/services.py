"""Cart use-cases (K1). Every change checks the line belongs to the cart."""

import secrets

from django.db import transaction
from django.db.models import F
from django.http import Http404

from camshaft.cart.models import MAX_QUANTITY, Cart, CartLine
from camshaft.catalog.models import Part


class CartError(ValueError):
    """A change the shopper can fix; str() says how. The cart is unchanged."""


class UnknownPart(CartError):
    """No active part has that SKU."""


QUANTITY_MESSAGE = "The quantity must be a whole number from 1 to 99."


def parse_quantity(raw) -> int:
    """Whole numbers 1 to 99, as an int or digits; 1.5, "2.0", "1e1", True,
    0 and 100 are refused with a message."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        quantity = raw
    elif isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        quantity = int(raw.strip())
    else:
        raise CartError(QUANTITY_MESSAGE)
    if not 1 <= quantity <= MAX_QUANTITY:
        raise CartError(QUANTITY_MESSAGE)
    return quantity


def cart_for(*, user=None, token: str | None = None, create: bool = True) -> Cart | None:
    """The member's cart, or the guest cart with this token (a new one if
    `create` and none matches)."""
    if user is not None and user.is_authenticated:
        if not create:
            return Cart.objects.filter(user=user).first()
        # get_or_create: two sign-ins of one member at once (a double click,
        # two devices) both found no cart; the second create met the unique
        # user and failed the sign-in. Django's reads the winner's instead.
        cart, _ = Cart.objects.get_or_create(
            user=user, defaults={"token": secrets.token_urlsafe(32)}
        )
        return cart
    if token:
        cart = Cart.objects.filter(token=token, user__isnull=True).first()
        if cart is not None:
            return cart
    if not create:
        return None
    return Cart.objects.create(token=secrets.token_urlsafe(32))


def _active_part(sku: str) -> Part:
    # Only what a cart line needs: loading the six Decimal columns costs more
    # than the lookup itself on SQLite.
    try:
        return Part.objects.only("id", "sku", "name").get(
            sku=str(sku).strip().upper()[:40], is_active=True
        )
    except Part.DoesNotExist:
        raise UnknownPart("We do not sell a part with that SKU.") from None


@transaction.atomic
def add_to_cart(*, cart: Cart, sku: str, quantity) -> CartLine:
    quantity = parse_quantity(quantity)
    part = _active_part(sku)
    line = CartLine.objects.select_for_update().filter(cart=cart, part=part).order_by().first()
    if line is None:
        line = CartLine.objects.create(cart=cart, part=part, quantity=quantity)
    else:
        if line.quantity + quantity > MAX_QUANTITY:
            raise CartError(
                f"You can have at most {MAX_QUANTITY} of one part in the cart; "
                f"you already have {line.quantity}."
            )
        CartLine.objects.filter(id=line.id).update(quantity=F("quantity") + quantity)
        line.refresh_from_db()
    cart.save(update_fields=["updated_at"])
    return line


def _own_line(cart: Cart, line_id) -> CartLine:
    try:
        return CartLine.objects.select_for_update().get(id=int(line_id), cart=cart)
    except (CartLine.DoesNotExist, TypeError, ValueError):
        raise Http404("That line is not in your cart.") from None


@transaction.atomic
def set_quantity(*, cart: Cart, line_id, quantity) -> CartLine:
    quantity = parse_quantity(quantity)
    line = _own_line(cart, line_id)
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    cart.save(update_fields=["updated_at"])
    return line


@transaction.atomic
def remove_line(*, cart: Cart, line_id) -> None:
    _own_line(cart, line_id).delete()
    cart.save(update_fields=["updated_at"])


@transaction.atomic
def merge_into_member_cart(*, guest_token: str | None, user) -> Cart | None:
    """K1: at sign-in the guest's lines join the member's cart. Quantities of
    a part in both add up, capped at 99; the guest cart is then gone."""
    guest = cart_for(token=guest_token, create=False) if guest_token else None
    member = cart_for(user=user)
    if guest is None or guest.id == member.id:
        return member
    existing = {line.part_id: line for line in member.lines.select_for_update()}
    for line in guest.lines.all():
        if line.part_id in existing:
            mine = existing[line.part_id]
            mine.quantity = min(MAX_QUANTITY, mine.quantity + line.quantity)
            mine.save(update_fields=["quantity"])
        else:
            CartLine.objects.create(cart=member, part_id=line.part_id, quantity=line.quantity)
    guest.delete()
    member.save(update_fields=["updated_at"])
    return member


def forget_person(*, user) -> None:
    """Erasure (V4): a member's carts go, lines and all."""
    Cart.objects.filter(user=user).delete()
