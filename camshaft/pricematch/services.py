"""Writes of the low-price guarantee (P2): filing a claim, approving it
into a quote or declining it, putting a mailed quote in a guest's cart,
and using a quote exactly once when an order is placed.

A claim is refused at once, with the reason, when what the shopper typed
cannot qualify (`rules.qualifies`); nothing is stored then. Quotes are
locked (`select_for_update`) by the order that uses them, so two checkouts
racing for one quote leave exactly one order at the quoted price."""

import logging
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from camshaft.accounts.models import country_choices
from camshaft.cart.models import MAX_QUANTITY, Cart, CartLine
from camshaft.catalog.models import Part
from camshaft.core.money import UnsupportedCurrency, supported_currency
from camshaft.notifications.services import queue_email
from camshaft.pricematch import rules, selectors
from camshaft.pricematch.models import (
    Channel,
    ClaimStatus,
    CompetitorCondition,
    PriceMatchClaim,
    PriceMatchQuote,
)
from camshaft.pricing.selectors import NoRate, current_rate
from camshaft.shipping.selectors import Destination

log = logging.getLogger(__name__)

MAX_REASON = 300
MAX_AMOUNT = Decimal("1000000")
#: The mailed link that puts a quote in a guest's cart; it lives as long as the quote.
LINK_SALT = "camshaft.pricematch.quote-link"


class ClaimProblem(ValidationError):
    """Why a claim, a decision or a quote was refused; nothing was changed.
    `code` says which kind ("refused" by a P2 rule, "currency", "invalid"...),
    for field problems too."""

    def __init__(self, message, code=None, params=None):
        super().__init__(message, code, params)
        self.code = code


# ------------------------------------------------------------------ filing


def _text(value, field: str, limit: int, *, required: bool = True) -> str:
    value = " ".join(str(value or "").split())
    if required and not value:
        raise ClaimProblem({field: "This is required."}, code="invalid")
    if len(value) > limit:
        raise ClaimProblem({field: f"At most {limit} characters."}, code="invalid")
    return value


def _amount(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ClaimProblem({field: "Enter an amount like 42.50."}, code="invalid") from None
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT or amount != round(amount, 2):
        raise ClaimProblem(
            {field: "Enter an amount like 42.50: not negative, at most two decimals."},
            code="invalid",
        )
    return amount


def _rate(currency: str) -> Decimal:
    try:
        return current_rate(supported_currency(currency))
    except (UnsupportedCurrency, NoRate):
        raise ClaimProblem(
            {
                "currency": f"We cannot compare prices in {str(currency)[:10]} at the moment: "
                f"no exchange rate is set. Please enter the competitor's price in "
                f"{settings.STORE_CURRENCY}."
            },
            code="currency",
        ) from None


@transaction.atomic
def file_claim(
    *,
    part: Part,
    user,
    email: str,
    competitor: str,
    url: str,
    brand: str,
    mpn: str,
    condition: str,
    in_stock: bool,
    quantity,
    unit_price,
    shipping,
    currency: str,
    country: str,
    region: str = "",
    postal_code: str = "",
    channel: str = Channel.WEB,
    now: datetime | None = None,
) -> PriceMatchClaim:
    """File a price-match claim for `part` (P2). Members' claims are theirs
    and go to their account's email; guests give an email. Raises
    ClaimProblem: code "refused" (with the P2 rule's reason) when the offer
    cannot qualify, "currency" when its currency cannot be converted,
    "invalid" for malformed input."""
    member = user if user is not None and user.is_authenticated else None
    email = member.email if member else (email or "").strip().lower()
    try:
        if not email or len(email) > 254:
            raise ValidationError("Enter your email address.")
        validate_email(email)
    except ValidationError:
        raise ClaimProblem({"email": "Enter a valid email address."}, code="invalid") from None
    url = (url or "").strip()
    try:
        if len(url) > 500:
            raise ValidationError("too long")
        URLValidator(schemes=("http", "https"))(url)
    except ValidationError:
        raise ClaimProblem(
            {"url": "Enter the address (http:// or https://) of the page with their price."},
            code="invalid",
        ) from None
    if condition not in CompetitorCondition.values:
        raise ClaimProblem({"condition": "Choose the part's condition."}, code="invalid")
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ClaimProblem({"quantity": "A whole number from 1 to 99."}, code="invalid")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ClaimProblem({"quantity": "A whole number from 1 to 99."}, code="invalid")
    country = (country or "").strip().upper()
    if country not in dict(country_choices()):
        raise ClaimProblem({"country": "Choose a country by its two-letter code."}, code="invalid")
    fields = {
        "competitor": _text(competitor, "competitor", 100),
        "brand": _text(brand, "brand", 100),
        "mpn": _text(mpn, "mpn", 60),
        "region": _text(region, "region", 100, required=False),
        "postal_code": _text(postal_code, "postal_code", 20, required=False),
    }
    typed_price, typed_shipping = _amount(unit_price, "price"), _amount(shipping, "shipping")
    rate = _rate(currency)
    offer = rules.Offer(
        brand=fields["brand"],
        mpn=fields["mpn"],
        condition=condition,
        in_stock=bool(in_stock),
        unit_price=rules.to_store_currency(typed_price, rate=rate),
        shipping=rules.to_store_currency(typed_shipping, rate=rate),
        quantity=quantity,
    )
    if typed_price <= 0:  # a price that rounds to 0 after conversion is refused below too
        raise ClaimProblem(
            "Enter the competitor's advertised price: a price of 0 cannot be matched.",
            code="refused",
        )
    ours = selectors.ours(
        part=part,
        quantity=quantity,
        destination=Destination(
            country=country, region=fields["region"], postal_code=fields["postal_code"]
        ),
    )
    decision = rules.qualifies(offer, ours)
    if not decision.allowed:
        raise ClaimProblem(decision.reason, code="refused")
    return PriceMatchClaim.objects.create(
        number=_unused_number(),
        part=part,
        user=member,
        email=email,
        channel=channel,
        filed_at=now or timezone.now(),
        competitor=fields["competitor"],
        competitor_key=fields["competitor"].casefold(),
        url=url,
        brand=fields["brand"],
        mpn=fields["mpn"],
        condition=condition,
        in_stock=bool(in_stock),
        quantity=quantity,
        currency=supported_currency(currency),
        unit_price=typed_price,
        shipping=typed_shipping,
        exchange_rate=rate,
        their_total=offer.total,
        our_unit_price=ours.unit_price,
        our_shipping=ours.shipping,
        country=country,
        region=fields["region"],
        postal_code=fields["postal_code"],
    )


def _unused_number() -> str:
    while PriceMatchClaim.objects.filter(number=(number := rules.new_claim_number())).exists():
        continue
    return number


# ------------------------------------------------------- staff decisions


def _locked(claim: PriceMatchClaim) -> PriceMatchClaim:
    return (
        PriceMatchClaim.objects.select_for_update().select_related("part__brand").get(pk=claim.pk)
    )


def _pending(claim: PriceMatchClaim, doing: str) -> None:
    if claim.status != ClaimStatus.PENDING:
        raise ClaimProblem(
            f"Claim {claim.number} is already {claim.get_status_display().lower()}; it cannot "
            f"be {doing}.",
            code="wrong_state",
        )


def suggested_price(claim: PriceMatchClaim) -> Decimal:
    """The unit price that matches the competitor's total, with our shipping."""
    return rules.matched_unit_price(
        their_total=claim.their_total,
        our_shipping=claim.our_shipping,
        quantity=claim.quantity,
        our_price=claim.part.price,
    )


@transaction.atomic
def approve_claim(
    *,
    claim: PriceMatchClaim,
    by,
    unit_price: Decimal | None = None,
    now: datetime | None = None,
) -> PriceMatchQuote:
    """Grant a quote (P2): `unit_price` (the matched price by default) for
    the claim's part, shopper and quantity, for 7 days. Below the category's
    floor only with the supervisor's permission `approve_below_floor`."""
    claim = _locked(claim)
    _pending(claim, "approved")
    now = now or timezone.now()
    part = claim.part
    price = suggested_price(claim) if unit_price is None else unit_price
    if not isinstance(price, Decimal) or not price.is_finite() or price <= 0:
        raise ClaimProblem("A quoted price is an amount above 0.", code="invalid")
    price = price.quantize(rules.CENT)
    if price >= part.price:
        raise ClaimProblem(
            f"A quote must be below our price of {part.price}; this one is {price}.",
            code="invalid",
        )
    floor = selectors.floor_for(part)
    below_floor = price < floor
    if below_floor and not by.has_perm("pricematch.approve_below_floor"):
        raise ClaimProblem(
            f"{price} is below the floor of {floor} for {part.category}; a supervisor must "
            "approve a price that low.",
            code="below_floor",
        )
    quote = PriceMatchQuote.objects.create(
        claim=claim,
        part=part,
        user=claim.user,
        email=claim.email,
        quantity=claim.quantity,
        unit_price=price,
        regular_unit_price=part.price,
        created_at=now,
        expires_at=now + rules.QUOTE_VALIDITY,
        below_floor=below_floor,
    )
    claim.status = ClaimStatus.APPROVED
    claim.decided_at, claim.decided_by = now, by
    claim.save(update_fields=["status", "decided_at", "decided_by"])
    _mail(
        claim,
        "approved",
        f"Your price match {claim.number}: {price} each for {claim.quantity}",
        {"link": quote_link(quote)},
    )
    return quote


@transaction.atomic
def decline_claim(
    *, claim: PriceMatchClaim, by, reason: str, now: datetime | None = None
) -> PriceMatchClaim:
    """Decline the claim, saying why (P2); the shopper is told by mail."""
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > MAX_REASON:
        raise ClaimProblem(f"Say why, in at most {MAX_REASON} characters.", code="invalid")
    claim = _locked(claim)
    _pending(claim, "declined")
    claim.status = ClaimStatus.DECLINED
    claim.decided_at, claim.decided_by = now or timezone.now(), by
    claim.decline_reason = reason
    claim.save(update_fields=["status", "decided_at", "decided_by", "decline_reason"])
    _mail(claim, "declined", f"Your price match {claim.number}")
    return claim


def _mail(claim: PriceMatchClaim, template: str, subject: str, extra: dict | None = None):
    queue_email(
        to=claim.email,
        subject=subject,
        template=f"pricematch/email/{template}",
        context={**selectors.mail_context(claim), **(extra or {})},
        kind="transactional",
        category=f"price_match_{template}",
        reference=f"price-match:{claim.number}",
    )


# ----------------------------------------------------------- the quote


def quote_link(quote: PriceMatchQuote) -> str:
    token = signing.dumps({"q": quote.pk}, salt=LINK_SALT)
    return settings.STORE_URL + reverse("pricematch_quote", args=[token])


def quote_from_link(token: str, *, user=None) -> PriceMatchQuote:
    """The quote a mailed link names, or DoesNotExist (404) for a forged
    link, or a member's quote opened by someone signed in as another."""
    try:
        pk = signing.loads(str(token)[:200], salt=LINK_SALT, max_age=rules.QUOTE_VALIDITY)["q"]
        quote = PriceMatchQuote.objects.select_related("part", "claim").get(pk=int(pk))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise PriceMatchQuote.DoesNotExist from None
    member = user if user is not None and user.is_authenticated else None
    if quote.user_id is not None and (member is None or member.pk != quote.user_id):
        raise PriceMatchQuote.DoesNotExist
    return quote


@transaction.atomic
def put_quote_in_cart(
    *, quote: PriceMatchQuote, cart: Cart, now: datetime | None = None
) -> PriceMatchQuote:
    """The mailed link: the quote joins this cart, and the cart holds the
    quoted part in the quoted quantity, so checkout applies the price."""
    quote = PriceMatchQuote.objects.select_for_update().select_related("part").get(pk=quote.pk)
    decision = rules.usable(
        used_at=quote.used_at, expires_at=quote.expires_at, now=now or timezone.now()
    )
    if not decision.allowed:
        raise ClaimProblem(decision.reason, code="unusable")
    if not quote.part.is_active:
        raise ClaimProblem("We no longer sell this part.", code="unusable")
    quote.cart = cart
    quote.save(update_fields=["cart"])
    CartLine.objects.update_or_create(
        cart=cart, part=quote.part, defaults={"quantity": quote.quantity}
    )
    cart.save(update_fields=["updated_at"])
    return quote


def lock_quotes(*, cart: Cart, now: datetime | None = None) -> list[int]:
    """Lock the quotes `cart` may use, in id order, for the order about to
    be stored; a twin checkout waits here until this one commits. Call it
    inside the order's transaction, before pricing the cart."""
    return list(
        selectors.active_quotes(cart=cart, now=now)
        .select_for_update()
        .order_by("id")
        .values_list("id", flat=True)
    )


def redeem_quotes(*, quote_ids: list[int], order_number: str, now: datetime) -> None:
    """Mark the quotes an order's prices used, in the order's transaction.
    Each is used once: a quote another order took meanwhile is refused."""
    if not quote_ids:
        return
    taken = PriceMatchQuote.objects.filter(pk__in=quote_ids, used_at__isnull=True).update(
        used_at=now, order_number=order_number
    )
    if taken != len(set(quote_ids)):
        raise ClaimProblem(
            "This price-match quote has already been used for an order.", code="unusable"
        )
    log.info("price-match quotes %s used by order %s", sorted(quote_ids), order_number)


# ---------------------------------------------------------------- erasure


def forget_person(*, email: str, user=None) -> None:
    """Erasure (V4): claims and quotes stay as anonymous records for the
    report; who filed them, their email and where they live go."""
    owner = PriceMatchClaim.objects.filter(email__iexact=email)
    if user is not None:
        owner = owner | PriceMatchClaim.objects.filter(user=user)
    ids = list(owner.values_list("pk", flat=True))
    PriceMatchClaim.objects.filter(pk__in=ids).update(
        user=None, email="erased@erased.invalid", postal_code="", region=""
    )
    PriceMatchQuote.objects.filter(claim_id__in=ids).update(user=None, email="", cart=None)
