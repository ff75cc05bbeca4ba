"""Writes of the marketplace: becoming a seller (A1's 18+, M4's terms),
a seller's listings (M1), and forgetting a person (V4)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from camshaft.catalog.models import Part, normalize_code
from camshaft.consent.sharing import MARKETPLACE_COUNTERPARTY, shared_fields
from camshaft.core.business_days import STORE_ZONE
from camshaft.core.models import AuditAction
from camshaft.core.services import record_access
from camshaft.fitment.models import Vehicle
from camshaft.marketplace import indexing, photos, rules, selectors
from camshaft.marketplace.models import (
    CancelledBy,
    Listing,
    ListingCondition,
    ListingPhoto,
    ListingStatus,
    MarketplaceCartLine,
    Payout,
    Rating,
    Report,
    ReportOutcome,
    ReportSource,
    ReportStatus,
    Sale,
    SaleStatus,
    Seller,
    SellerStatus,
    SellerTerms,
    TermsAcceptance,
)
from camshaft.notifications.services import blank_mail, queue_email
from camshaft.orders import services as orders
from camshaft.orders.services import CheckoutProblem
from camshaft.payments import services as payments
from camshaft.payments.models import PaymentStatus


class SellerProblem(Exception):
    """A refusal a caller shows as it is; `code` tells an API which status."""

    def __init__(self, code: str, message: str, *, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


#: M2: buyers receive the seller's address with each sale.
NO_ADDRESS = (
    "Add your address (name, street, city, postal code and country) to your address book "
    "first: each buyer receives it with the sale, as the law requires of a seller."
)


@transaction.atomic
def become_seller(*, user, public_id: str, terms_version: str, now=None) -> Seller:
    """Make `user` a seller under the current terms with `public_id` (M4).
    Refused, storing nothing, when the member is under 18 or gave no date of
    birth, already sells, names terms that are not the current ones, picks
    an ID that is malformed or taken, or has no complete address on file
    (M2: buyers receive it)."""
    now = now or timezone.now()
    decision = rules.may_sell(born=user.date_of_birth, today=timezone.localdate(now))
    if not decision.allowed:
        raise SellerProblem("under_age", decision.reason)
    if Seller.objects.filter(user=user).exists():
        raise SellerProblem("already_seller", "You are already a seller.")
    terms = selectors.current_terms()
    if terms is None:
        raise SellerProblem("no_terms", "The marketplace is not open to sellers yet.")
    if terms_version != terms.version:
        raise SellerProblem(
            "outdated_terms",
            f"Accept the current seller terms (version {terms.version}).",
            field="terms_version",
        )
    public_id = public_id.strip()
    problem = rules.public_id_problem(public_id)
    if problem:
        raise SellerProblem("bad_public_id", problem, field="public_id")
    if selectors.public_id_taken(public_id):
        raise SellerProblem(
            "public_id_taken", "This user ID is taken: choose another.", field="public_id"
        )
    if selectors.contract_address(user) is None:
        raise SellerProblem("no_address", NO_ADDRESS)
    try:
        with transaction.atomic():
            seller = Seller.objects.create(
                user=user, public_id=public_id, terms=terms, accepted_at=now
            )
            TermsAcceptance.objects.create(seller=seller, terms=terms, accepted_at=now)
            return seller
    except IntegrityError:
        # Two members racing for the same ID, or one member in two tabs.
        raise SellerProblem(
            "public_id_taken", "This user ID is taken: choose another.", field="public_id"
        ) from None


# Listings (M1) -----------------------------------------------------------------


class NotYourListing(Exception):
    """No such listing among the member's own: callers answer 404, as for
    one that does not exist (no IDOR)."""


@dataclass(frozen=True)
class ListingDraft:
    """What a seller states about a listing. `part_code` is a catalogue
    SKU or MPN (the listing then inherits the part's fitment), or "" for a
    free-standing listing that names its `vehicle_ids`."""

    title: str
    condition: str
    price: Decimal
    quantity: int
    description: str = ""
    condition_notes: str = ""
    return_days: int = 0
    #: What the seller charges to post one sale, in the listing's currency.
    shipping_price: Decimal = Decimal(0)
    part_code: str = ""
    vehicle_ids: tuple[int, ...] = field(default_factory=tuple)


def _seller_for_listing(user) -> Seller:
    seller = selectors.seller_of(user)
    if seller is None:
        raise SellerProblem(
            "not_seller", "Become a seller first: accept the seller terms in My Account."
        )
    if seller.status != SellerStatus.ACTIVE:
        raise SellerProblem("suspended", "Your selling is suspended: you cannot change listings.")
    _require_current_terms(seller)
    if selectors.contract_address(user) is None:  # deleted since becoming a seller
        raise SellerProblem("no_address", NO_ADDRESS)
    return seller


def _part_for(code: str) -> Part | None:
    """The catalogue part a SKU or an MPN names; refused when none does, or
    when an MPN is shared by parts of several brands."""
    key = normalize_code(code)
    by_sku = Part.objects.filter(sku=code.strip().upper()).first()
    if by_sku is not None:
        return by_sku
    matches = list(Part.objects.filter(mpn_key=key)[:2]) if key else []
    if not matches:
        raise ValidationError({"part_code": "No catalogue part has this SKU or MPN."})
    if len(matches) > 1:
        raise ValidationError(
            {"part_code": "Several brands' parts have this MPN: give the store's SKU instead."}
        )
    return matches[0]


def _checked(draft: ListingDraft) -> tuple[Part | None, list[Vehicle]]:
    """The draft's part and vehicles, or a ValidationError naming every
    field at fault; nothing is written here."""
    problems = {}
    if not draft.title.strip():
        problems["title"] = "Give the listing a title."
    if draft.condition not in ListingCondition.values:
        problems["condition"] = "The condition is new, used or remanufactured."
    part = None
    if draft.part_code.strip():
        try:
            part = _part_for(draft.part_code)
        except ValidationError as error:
            problems.update({k: v[0] for k, v in error.message_dict.items()})
    ids = set(draft.vehicle_ids)
    vehicles = list(Vehicle.objects.filter(pk__in=ids))
    if len(vehicles) != len(ids):
        problems["vehicles"] = "Some of the chosen vehicles do not exist."
    shipping = draft.shipping_price
    if not shipping.is_finite() or shipping < 0 or shipping > rules.MAX_PRICE:
        problems["shipping_price"] = "The shipping charge is 0 or more."
    elif shipping != shipping.quantize(Decimal("0.01")):
        problems["shipping_price"] = "The shipping charge has at most 2 decimals."
    problems = {
        **rules.listing_problems(
            price=draft.price,
            quantity=draft.quantity,
            return_days=draft.return_days,
            linked=bool(draft.part_code.strip()),
            vehicle_count=len(ids),
        ),
        **problems,
    }
    if problems:
        raise ValidationError(problems)
    return part, vehicles


def _apply(listing: Listing, draft: ListingDraft, part: Part | None) -> None:
    listing.part = part
    listing.title = draft.title.strip()
    listing.condition = draft.condition
    listing.price = draft.price
    listing.quantity = draft.quantity
    listing.description = draft.description.strip()
    listing.condition_notes = draft.condition_notes.strip()
    listing.return_days = draft.return_days
    listing.shipping_price = draft.shipping_price


@transaction.atomic
def create_listing(*, user, draft: ListingDraft) -> Listing:
    """M1: a new active listing in the store's currency; refused (a
    ValidationError naming the fields), nothing stored, when the draft is
    wrong or the member is not an active seller."""
    seller = _seller_for_listing(user)
    part, vehicles = _checked(draft)
    listing = Listing(seller=seller, currency=settings.STORE_CURRENCY)
    _apply(listing, draft, part)
    listing.save()
    listing.vehicles.set(vehicles)
    watch_listing_activity(seller=seller)
    return listing


def _own_listing(user, listing_id: int) -> Listing:
    listing = (
        Listing.objects.select_for_update()
        .filter(pk=listing_id, seller__user_id=getattr(user, "pk", None))
        .first()
    )
    if listing is None or listing.status == ListingStatus.DELETED:
        raise NotYourListing(listing_id)
    return listing


@transaction.atomic
def update_listing(*, user, listing_id: int, draft: ListingDraft) -> Listing:
    """M1: change every stated field of the member's own listing."""
    listing = _own_listing(user, listing_id)
    _seller_for_listing(user)
    if listing.status == ListingStatus.REMOVED:
        raise SellerProblem("removed", "Staff removed this listing: it cannot be changed.")
    part, vehicles = _checked(draft)
    _apply(listing, draft, part)
    listing.save()
    listing.vehicles.set(vehicles)
    watch_listing_activity(seller=listing.seller)
    return listing


@transaction.atomic
def set_paused(*, user, listing_id: int, paused: bool) -> Listing:
    """M1: a paused listing is hidden from shoppers until resumed."""
    listing = _own_listing(user, listing_id)
    _seller_for_listing(user)
    if listing.status == ListingStatus.REMOVED:
        raise SellerProblem("removed", "Staff removed this listing: it cannot be shown again.")
    listing.status = ListingStatus.PAUSED if paused else ListingStatus.ACTIVE
    listing.save(update_fields=["status", "updated_at"])
    return listing


@transaction.atomic
def delete_listing(*, user, listing_id: int) -> None:
    """M1: the member's own listing is gone. One that sold stays, because
    its sales (and the seller's statements) point to it: it is marked
    deleted, with nothing left to sell, and no longer shows anywhere."""
    listing = _own_listing(user, listing_id)
    if listing.status == ListingStatus.DELETED:
        raise NotYourListing(listing_id)
    if listing.sales.exists():
        listing.status, listing.quantity = ListingStatus.DELETED, 0
        listing.save(update_fields=["status", "quantity", "updated_at"])
    else:
        listing.delete()


# Reputation (M3) -----------------------------------------------------------------


class RatingProblem(Exception):
    """`code`: "not_found" (404: no such sale or rating of yours), "invalid"
    (422: the words), otherwise "refused" (409: the state does not allow it)."""

    def __init__(self, message: str, *, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code


@transaction.atomic
def rate_sale(*, user, sale_id: int, value: str, comment: str = "", now=None) -> Rating:
    """M3: the buyer rates the seller, or the seller the buyer, once per
    sale, from delivery until 60 days after. Refused, nothing stored: not a
    party of the sale (not_found), not delivered, past the window, rated
    already, the other side's account erased (refused); a value other than
    positive/neutral/negative or a comment too long (invalid)."""
    now = now or timezone.now()
    pk = getattr(user, "pk", None)
    sale = (
        Sale.objects.select_for_update(of=("self",))
        .select_related("seller")
        .filter(pk=sale_id)
        .filter(Q(buyer_id=pk) | Q(seller__user_id=pk))
        .first()
    )
    if pk is None or sale is None:
        raise RatingProblem("You have no such sale.", code="not_found")
    comment = comment.strip()
    problem = rules.rating_problem(value=value, comment=comment)
    if problem:
        raise RatingProblem(problem, code="invalid")
    decision = rules.may_rate(
        is_party=True,
        delivered_at=sale.delivered_at,
        already_rated=Rating.objects.filter(sale=sale, author_id=pk).exists(),
        now=now,
    )
    if not decision.allowed:
        raise RatingProblem(decision.reason)
    subject_id = sale.seller.user_id if sale.buyer_id == pk else sale.buyer_id
    if subject_id is None:
        raise RatingProblem("The other side of this sale has left the store.")
    try:
        with transaction.atomic():
            return Rating.objects.create(
                sale=sale,
                author_id=pk,
                subject_id=subject_id,
                value=value,
                comment=comment,
                created_at=now,
            )
    except IntegrityError:  # the same member in two tabs
        raise RatingProblem("You have rated this sale already.") from None


@transaction.atomic
def reply_to_rating(*, user, rating_id: int, text: str, now=None) -> Rating:
    """M3: the rated member answers a rating, once. A rating of someone
    else is a 404 (no IDOR)."""
    rating = (
        Rating.objects.select_for_update()
        .filter(pk=rating_id, subject_id=getattr(user, "pk", None))
        .first()
    )
    if rating is None:
        raise RatingProblem("We found no such rating of you.", code="not_found")
    decision = rules.may_reply(
        is_subject=True,
        replied=bool(rating.replied_at),
        removed=bool(rating.removed_at),
    )
    if not decision.allowed:
        raise RatingProblem(decision.reason)
    text = text.strip()
    if not text or len(text) > rules.MAX_COMMENT:
        raise RatingProblem(f"An answer has 1 to {rules.MAX_COMMENT} characters.", code="invalid")
    rating.reply, rating.replied_at = text, now or timezone.now()
    rating.save(update_fields=["reply", "replied_at"])
    return rating


@transaction.atomic
def remove_rating(*, staff, rating_id: int, reason: str, now=None) -> Rating:
    """M3: staff take down a rating that breaks the rules, with the reason;
    it stops counting and showing, and the audit log records who did it."""
    reason = reason.strip()
    if not reason:
        raise RatingProblem("Say why the rating is removed.")
    rating = Rating.objects.select_for_update().filter(pk=rating_id).first()
    if rating is None:
        raise RatingProblem("We found no such rating.")
    if rating.removed_at:
        raise RatingProblem("This rating was removed already.")
    rating.removed_at = now or timezone.now()
    rating.removed_reason = reason[:500]
    rating.removed_by = staff
    rating.save(update_fields=["removed_at", "removed_reason", "removed_by"])
    record_access(
        staff=staff,
        action=AuditAction.DELETED,
        subject_user_id=rating.author_id,
        obj=rating,
        detail=f"Rating removed: {rating.removed_reason}",
    )
    return rating


# Trust and safety (M5) ------------------------------------------------------------

MAX_REASON = 1000


class ReportProblem(Exception):
    """`code` is "not_found" when no listing on sale or active seller matches."""

    def __init__(self, message: str, *, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code


def file_report(
    *,
    reporter,
    reason: str,
    listing_id: int | None = None,
    public_id: str = "",
    reporter_email: str = "",
    now=None,
) -> Report:
    """M5: anyone reports a listing on sale, or a seller by user ID; a
    guest (no `reporter`) leaves `reporter_email` for staff to answer."""
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise ReportProblem(f"Say what is wrong in 1 to {MAX_REASON} characters.")
    listing = None
    if listing_id is not None:
        listing = selectors.on_sale().select_related("seller").filter(pk=listing_id).first()
        if listing is None:
            raise ReportProblem("We found no such listing.", code="not_found")
        seller = listing.seller
    else:
        seller = Seller.objects.filter(
            public_id__iexact=public_id.strip(), status=SellerStatus.ACTIVE
        ).first()
        if seller is None:
            raise ReportProblem("We found no such seller.", code="not_found")
    if reporter is not None and reporter.pk == seller.user_id:
        raise ReportProblem("You cannot report yourself.")
    signed_in = reporter is not None and reporter.pk
    if not signed_in:
        reporter_email = _guest_address(reporter_email)
    return Report.objects.create(
        reporter=reporter if signed_in else None,
        reporter_email="" if signed_in else reporter_email,
        listing=listing,
        member_id=seller.user_id,
        seller=seller,
        reason=reason,
        created_at=now or timezone.now(),
    )


@transaction.atomic
def handle_report(*, staff, report_id: int, outcome: str, note: str = "", now=None) -> Report:
    """M5: staff close a report, taking one action: none, remove the
    listing reported, warn the member, or suspend the seller (whose
    listings then vanish from the store). Audited."""
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("seller__user", "listing", "member")
        .get(pk=report_id)
    )
    if report.status == ReportStatus.CLOSED:
        raise ReportProblem("This report is closed already.")
    if outcome not in ReportOutcome.values:
        raise ReportProblem("Choose an action.")
    if outcome == ReportOutcome.LISTING_REMOVED:
        if report.listing_id is None:
            raise ReportProblem("This report is about a member, not a listing.")
        Listing.objects.filter(pk=report.listing_id).update(status=ListingStatus.REMOVED)
        indexing.queue([report.listing_id])  # a queryset update sends no signal
    elif outcome == ReportOutcome.SUSPENDED:
        if report.seller_id is None:
            raise ReportProblem("This member does not sell: there is nothing to suspend.")
        Seller.objects.filter(pk=report.seller_id).update(status=SellerStatus.SUSPENDED)
        indexing.queue_seller(report.seller_id)
        cancel_open_sales_of_seller(seller=report.seller, now=now)
    elif outcome == ReportOutcome.WARNED and report.seller_id is not None:
        Seller.objects.filter(pk=report.seller_id).update(warnings=F("warnings") + 1)
    report.status = ReportStatus.CLOSED
    report.outcome = outcome
    report.staff_note = note.strip()[:MAX_REASON]
    report.handled_by = staff
    report.handled_at = now or timezone.now()
    report.save()
    if outcome:
        # The member learns what was decided and why (M5).
        queue_email(
            to=report.member.email,
            subject=f"About your {'selling' if report.seller_id else 'account'} on the marketplace",
            template="marketplace/email/report_outcome",
            context={
                "public_id": report.seller.public_id if report.seller_id else "",
                "outcome": outcome,
                "listing_title": report.listing.title if report.listing_id else "",
                "note": report.staff_note,
            },
            category="marketplace",
            reference=f"report-{report.pk}",
        )
    record_access(
        staff=staff,
        action=AuditAction.CHANGED,
        subject_user_id=report.member_id,
        obj=report,
        detail=f"Report closed: {report.get_outcome_display()}. {report.staff_note}".strip(),
    )
    return report


def forget_person(*, user) -> None:
    """V4: a member's seller record and listings go with them. Ratings they
    received go too (nobody is left to be scored); ratings they gave keep
    their value, so the other side's score does not change, but lose the
    author and the comment (M3). Payouts stay for the books, their note
    cleared, pointing at the placeholder seller record below. Sales stay
    for the statements (M4) and the buyers' orders, with the person's side
    pseudonymised: a buyer is detached (their order's addresses are erased
    by orders), a seller who sold keeps a placeholder record
    ("erased-<n>", suspended, no account) and their sold listings lose
    their words. The contract mails sent to the other sides (M2) keep who
    they went to and when, not their bodies."""
    # M2: the stored copies of the contract mails sent to the other sides
    # hold this person's name, phone and address: their bodies go.
    sold = Sale.objects.filter(seller__user=user).values_list("order__number", flat=True)
    bought = Sale.objects.filter(buyer=user).values_list("order__number", flat=True)
    blank_mail(
        category="marketplace_contract",
        references=[f"order:{number}" for number in sold]
        + [f"sale-order:{number}" for number in bought],
    )
    Rating.objects.filter(subject=user).delete()
    Rating.objects.filter(author=user).update(author=None, comment="")
    Payout.objects.filter(seller__user=user).update(note="")
    Sale.objects.filter(buyer=user).update(buyer=None)
    for seller in Seller.objects.filter(user=user):
        sold = Listing.objects.filter(seller=seller, sales__isnull=False).distinct()
        sold.update(
            status=ListingStatus.DELETED,
            quantity=0,
            description="",
            condition_notes="",
        )
        Listing.objects.filter(seller=seller).exclude(pk__in=sold.values("pk")).delete()
        if Sale.objects.filter(seller=seller).exists():
            Seller.objects.filter(pk=seller.pk).update(
                user=None, public_id=f"erased-{seller.pk}", status=SellerStatus.SUSPENDED
            )
        else:
            seller.delete()
    Report.objects.filter(reporter=user).update(reporter=None)


# Buying (M1) -----------------------------------------------------------------------


class BuyingProblem(Exception):
    """A refusal to show as it is. `code`: "not_found" (answer 404),
    "sign_in" (401), "under_age" (403), otherwise "refused" (422)."""

    def __init__(self, message: str, *, code: str = "refused", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def _check_buyer(user, *, now=None) -> None:
    if user is None or not user.is_authenticated:
        raise BuyingProblem(
            "Sign in to buy from marketplace sellers: buyers must be 18 or older.", code="sign_in"
        )
    decision = rules.may_buy(born=user.date_of_birth, today=timezone.localdate(now))
    if not decision.allowed:
        raise BuyingProblem(decision.reason, code="under_age")


@transaction.atomic
def add_listing_to_cart(*, user, cart, listing_id: int, quantity: int) -> MarketplaceCartLine:
    """M1: a member 18 or older puts a listing on sale in their cart, up to
    the quantity listed (units already there count). Refused, nothing
    changed: guests, members under 18 or without a date of birth, one's own
    listing, a listing not on sale (404), more than listed."""
    _check_buyer(user)
    listing = selectors.on_sale().select_related("seller").filter(pk=listing_id).first()
    if listing is None:
        raise BuyingProblem("This listing is not on sale.", code="not_found")
    line = (
        MarketplaceCartLine.objects.select_for_update().filter(cart=cart, listing=listing).first()
    )
    problem = rules.cart_problem(
        own=listing.seller.user_id == user.pk,
        on_sale=True,
        wanted=quantity,
        available=listing.quantity,
        in_cart=line.quantity if line else 0,
    )
    if problem:
        in_cart = line.quantity if line else 0
        quantity_at_fault = quantity < 1 or quantity + in_cart > listing.quantity
        raise BuyingProblem(problem, field="quantity" if quantity_at_fault else None)
    if line is None:
        return MarketplaceCartLine.objects.create(cart=cart, listing=listing, quantity=quantity)
    line.quantity += quantity
    line.save(update_fields=["quantity"])
    return line


@transaction.atomic
def remove_listing_from_cart(*, cart, line_id: int) -> None:
    """The line of this cart is gone; another cart's line is a 404."""
    deleted, _ = MarketplaceCartLine.objects.filter(cart=cart, pk=line_id).delete()
    if not deleted:
        raise BuyingProblem("This cart has no such line.", code="not_found")


@dataclass
class MarketplaceGoods:
    """The marketplace lines of a cart as orders' `ThirdPartyGoods`: priced
    before the payment is authorized, then sold inside the order's
    transaction (M1). Orders never imports this; checkout hands it over."""

    cart: object
    buyer: object
    priced: selectors.MarketplaceCart | None = None

    def total(self, *, currency, exchange_rate, destination) -> Decimal:
        try:
            _check_buyer(self.buyer)
        except BuyingProblem as problem:
            raise CheckoutProblem(problem.message) from None
        self.priced = selectors.marketplace_cart(
            cart=self.cart,
            currency=currency,
            exchange_rate=exchange_rate,
            destination=destination,
            on=timezone.now().astimezone(STORE_ZONE).date(),
            buyer=self.buyer,
        )
        if problems := self.priced.problems:
            raise CheckoutProblem(" ".join(problems))
        sellers = {offer.listing.seller for offer in self.priced.offers}
        unreachable = selectors.without_contract_address(s.user_id for s in sellers)
        if unreachable:
            names = ", ".join(sorted(s.public_id for s in sellers if s.user_id in unreachable))
            raise CheckoutProblem(
                f"{names} cannot sell right now (their address for the sale's contract is "
                "missing): please remove their listings from your cart. Nothing was charged."
            )
        return self.priced.total

    def store(self, *, order, now) -> None:
        sell(order=order, priced=self.priced, now=now)
        MarketplaceCartLine.objects.filter(cart=self.cart).delete()


def _unsellable(listing: Listing, offer: selectors.CartOffer) -> str:
    """Why the locked `listing` can no longer be sold as `offer` priced it."""
    if listing.status != ListingStatus.ACTIVE or listing.seller.status != SellerStatus.ACTIVE:
        return "no longer on sale"
    if listing.quantity < offer.quantity:
        return f"only {listing.quantity} left"
    if (listing.price, listing.shipping_price) != (
        offer.listing.price,
        offer.listing.shipping_price,
    ):
        return "the seller changed the price"
    return ""


def sell(*, order, priced: selectors.MarketplaceCart | None, now) -> list[Sale]:
    """Inside the order's transaction: lock the listings (in id order, so
    two checkouts never deadlock), take the units or refuse the whole order
    (CheckoutProblem: orders then releases the authorization), create one
    Sale per listing with the store's fees as they stand now (M4), and send
    the contract mail (M2). Quantities are saved with `save(update_fields)`
    so post_save listeners (search indexing) see each change."""
    if priced is None or not priced.offers:
        return []
    wanted = {offer.listing.pk: offer for offer in priced.offers}
    locked = list(
        Listing.objects.select_for_update(of=("self",))
        .select_related("seller", "part__category")
        .filter(pk__in=wanted)
        .order_by("pk")
    )
    short = [
        f"{listing.title}: {problem}"
        for listing in locked
        if (problem := _unsellable(listing, wanted[listing.pk]))
    ]
    if len(locked) != len(wanted):
        short.append("A listing in your cart is gone.")
    if short:
        raise CheckoutProblem(
            "Another buyer was quicker or a seller changed a listing: "
            + "; ".join(short)
            + ". Nothing was charged; please review your cart."
        )
    fee = selectors.sale_fee(currency=order.currency).amount
    sales = []
    for listing in locked:
        offer = wanted[listing.pk]
        listing.quantity -= offer.quantity
        listing.save(update_fields=["quantity", "updated_at"])
        sales.append(
            Sale.objects.create(
                order=order,
                seller=listing.seller,
                buyer=order.user,
                listing=listing,
                title=listing.title,
                quantity=offer.quantity,
                unit_price=offer.unit_price,
                currency=order.currency,
                shipping_charge=offer.shipping,
                tax_rate=Decimal(0),
                tax_amount=offer.tax,
                commission_percent=selectors.commission_percent(
                    category=listing.part.category if listing.part_id else None
                ),
                fixed_fee=fee,
                sold_at=now,
            )
        )
    _send_contract(order=order, sales=sales)
    return sales


# The contract (M2) -------------------------------------------------------------------


def _seller_contact(seller: Seller) -> dict:
    """What the buyer learns of the seller (M2): name, phone, email and
    address, from the seller's account and address book."""
    user = seller.user
    address = selectors.contract_address(user)
    postal = {name: getattr(address, name, "") for name in CONTRACT_ADDRESS_FIELDS}
    name = user.get_full_name() or postal["full_name"]
    return {
        "name": name,
        "phone": user.phone or (address.phone if address else ""),
        "email": user.email,
        **postal,
    }


def _buyer_contact(order) -> dict:
    """What the seller learns of the buyer (M2): the name, phone and
    address the order ships to, and the order's email."""
    address = order.shipping_address
    postal = {name: getattr(address, name, "") for name in CONTRACT_ADDRESS_FIELDS}
    return {"name": address.full_name, "phone": address.phone, "email": order.email, **postal}


CONTRACT_ADDRESS_FIELDS = (
    "full_name",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
)


def _send_contract(*, order, sales: list[Sale]) -> None:
    """M2: for each seller of the order, the buyer gets the seller's
    details and the seller the buyer's, each through the sharing register
    (V10), so only its fields leave; nobody else is sent them."""
    buyer = shared_fields(MARKETPLACE_COUNTERPARTY, _buyer_contact(order))
    by_seller: dict[int, list[Sale]] = {}
    for sale in sales:
        by_seller.setdefault(sale.seller_id, []).append(sale)
    for seller_sales in by_seller.values():
        seller = seller_sales[0].seller
        contact = shared_fields(MARKETPLACE_COUNTERPARTY, _seller_contact(seller))
        common = {
            "order_number": order.number,
            "sales": seller_sales,
            "public_id": seller.public_id,
        }
        queue_email(
            to=order.email,
            subject=f"Order {order.number}: your seller {seller.public_id}'s details",
            template="marketplace/email/contract_buyer",
            context={**common, "other": contact},
            category="marketplace_contract",
            reference=f"order:{order.number}",
        )
        queue_email(
            to=seller.user.email,
            subject=f"You sold on {settings.STORE_NAME}: order {order.number}, the buyer",
            template="marketplace/email/contract_seller",
            context={**common, "other": buyer},
            category="marketplace_contract",
            reference=f"sale-order:{order.number}",
        )


# After the sale (M1): shipping, delivery, cancelling --------------------------------


class SaleProblem(Exception):
    """`code` "not_found" (404: no such sale of yours), else "refused" (409
    for a state that does not allow it, 422 for bad input with `problems`)."""

    def __init__(self, message: str, *, code: str = "refused", problems: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.problems = problems or {}


def _locked_sale(sale_id: int, **owner) -> Sale:
    sale = (
        Sale.objects.select_for_update(of=("self",))
        .select_related("order__payment", "seller__user", "listing")
        .filter(pk=sale_id, **owner)
        .first()
    )
    if sale is None:
        raise SaleProblem("We found no such sale.", code="not_found")
    return sale


@transaction.atomic
def ship_sale(*, user, sale_id: int, carrier: str, tracking_number: str, now=None) -> Sale:
    """The seller posted this sale with `carrier` under `tracking_number`:
    exactly this sale's amount is captured from the order's authorization
    (Y2, once: the key names the sale), the buyer is mailed the tracking
    number, and the order says it is partly shipped or shipped."""
    problems = rules.tracking_problems(carrier=carrier, tracking_number=tracking_number)
    sale = _locked_sale(sale_id, seller__user_id=getattr(user, "pk", None))
    if problems:
        raise SaleProblem("Give the carrier and the tracking number.", problems=problems)
    if sale.status != SaleStatus.AWAITING_SHIPMENT:
        raise SaleProblem(f"This sale is {sale.get_status_display().lower()}: it cannot ship.")
    order = sale.order
    payment = order.payment
    if payment.status not in {PaymentStatus.AUTHORIZED, PaymentStatus.PARTLY_CAPTURED}:
        raise SaleProblem("The buyer's payment has not arrived yet: do not ship.")
    amount = min(sale.total, payment.amount_capturable)
    if amount > 0:
        try:
            payments.capture_payment(
                payment=payment, amount=amount, idempotency_key=f"capture:sale:{sale.pk}", by=user
            )
        except payments.PaymentError as error:
            raise SaleProblem(f"The payment could not be captured: {error}") from None
    sale.status = SaleStatus.SHIPPED
    sale.shipped_at = now or timezone.now()
    sale.carrier = carrier.strip()
    sale.tracking_number = "".join(tracking_number.split())
    sale.amount_captured = amount
    sale.save(
        update_fields=["status", "shipped_at", "carrier", "tracking_number", "amount_captured"]
    )
    waiting = Sale.objects.filter(order=order, status=SaleStatus.AWAITING_SHIPMENT).exists()
    orders.record_third_party_shipment(
        order=order,
        everything_shipped=not waiting,
        by=None,
        note=f"{sale.seller.public_id}: {sale.carrier} {sale.tracking_number}",
    )
    _mail_sale(
        sale,
        to=order.email,
        template="shipped",
        subject=f"Order {order.number}: "
        f"{sale.seller.public_id} shipped, tracking {sale.tracking_number}",
    )
    return sale


@transaction.atomic
def confirm_delivery(*, user, sale_id: int, as_staff: bool = False, now=None) -> Sale:
    """The buyer (or staff) says a shipped sale arrived: `delivered_at`
    starts the rating window (M3) and the listing's return window."""
    owner = {} if as_staff else {"buyer_id": getattr(user, "pk", None)}
    sale = _locked_sale(sale_id, **owner)
    decision = rules.may_confirm_delivery(status=sale.status)
    if not decision.allowed:
        raise SaleProblem(decision.reason)
    sale.status = SaleStatus.DELIVERED
    sale.delivered_at = now or timezone.now()
    sale.save(update_fields=["status", "delivered_at"])
    return sale


def cancel_sale(*, user, sale_id: int, role: str, reason: str = "", now=None) -> Sale:
    """Before it ships, the buyer or the seller (out of stock) cancels a
    sale, or staff do: see `_cancel`. Someone else's sale is a 404."""
    owner = {
        "buyer": {"buyer_id": getattr(user, "pk", None)},
        "seller": {"seller__user_id": getattr(user, "pk", None)},
        "staff": {},
    }.get(role)
    if owner is None:
        raise SaleProblem("Only the buyer, the seller or staff cancel a sale.")
    if len(reason.strip()) > rules.MAX_CANCEL_REASON:
        raise SaleProblem(
            f"Say why in at most {rules.MAX_CANCEL_REASON} characters.",
            problems={"reason": f"At most {rules.MAX_CANCEL_REASON} characters."},
        )
    with transaction.atomic():
        sale = _locked_sale(sale_id, **owner)
        return _cancel(sale, role=role, reason=reason.strip(), by=user, now=now)


def _cancel(sale: Sale, *, role: str, reason: str, by=None, now=None, release=True) -> Sale:
    """Cancel one unshipped sale: its part of the authorization is released
    (the hold reduced, or voided when nothing else is left), its units go
    back on the listing, and buyer and seller are mailed."""
    decision = rules.may_cancel_sale(status=sale.status, role=role)
    if not decision.allowed:
        raise SaleProblem(decision.reason)
    if release:
        orders.release_third_party_part(order=sale.order, amount=sale.total, by=None)
    listing = Listing.objects.select_for_update().get(pk=sale.listing_id)
    listing.quantity += sale.quantity
    listing.save(update_fields=["quantity", "updated_at"])
    sale.status = SaleStatus.CANCELLED
    sale.cancelled_at = now or timezone.now()
    sale.cancelled_by = role
    sale.cancel_reason = reason[: rules.MAX_CANCEL_REASON]
    sale.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    if role == CancelledBy.BUYER and sale.buyer_id is not None:
        cancelled = Sale.objects.filter(
            buyer_id=sale.buyer_id,
            cancelled_by=CancelledBy.BUYER,
            cancelled_at__gte=sale.cancelled_at - rules.CANCEL_WINDOW,
        ).count()
        note_sale_cancelled(buyer=sale.buyer, cancelled_in_window=cancelled, now=sale.cancelled_at)
    subject = f"Order {sale.order.number}: {sale.title} is cancelled"
    _mail_sale(sale, to=sale.order.email, template="cancelled", subject=subject)
    if sale.seller.user_id:
        _mail_sale(sale, to=sale.seller.user.email, template="cancelled", subject=subject)
    return sale


def refund_sale(
    *, user, sale_id: int, amount: Decimal, reason: str = "", as_staff: bool = False, now=None
) -> Sale:
    """Give `amount` of a shipped sale back to its buyer (M4): the seller
    of a listing that takes returns, or staff for any sale. The order's
    payment is refunded through payments, once (the key names the sale) and
    never by more than was captured for this sale; the buyer is mailed (and
    the seller, when staff refund), the order's history and the audit log
    record it, and the statement lists it in the month it was made, giving
    back the same share of the commission (not the fixed fee). Someone
    else's sale is "not found"; anything refused changes nothing."""
    owner = {} if as_staff else {"seller__user_id": getattr(user, "pk", None)}
    reason = reason.strip()
    if len(reason) > rules.MAX_REFUND_REASON:
        raise SaleProblem(
            f"Say why in at most {rules.MAX_REFUND_REASON} characters.",
            problems={"reason": f"At most {rules.MAX_REFUND_REASON} characters."},
        )
    role = "staff" if as_staff else "seller"
    with transaction.atomic():
        sale = _locked_sale(sale_id, **owner)
        decision = rules.may_refund_sale(
            status=sale.status,
            role=role,
            accepts_returns=sale.listing.return_days > 0,
            captured=sale.amount_captured,
            refunded=sale.amount_refunded,
            amount=amount,
            currency=sale.currency,
        )
        if not decision.allowed:
            problems = {decision.field: decision.reason} if decision.field else None
            raise SaleProblem(decision.reason, problems=problems)
        order = sale.order
        payment = order.payment
        if payment.is_offline and not as_staff:
            raise SaleProblem("This order was paid offline: the store's staff pay the money back.")
        try:
            payments.refund_payment(
                payment=payment,
                amount=amount,
                idempotency_key=f"refund:sale:{sale.pk}",
                by=user if as_staff else None,
            )
        except payments.PaymentError as error:
            raise SaleProblem(f"The payment could not be refunded: {error.message}") from None
        sale.amount_refunded = amount
        sale.refunded_at = now or timezone.now()
        if amount == sale.amount_captured:
            sale.status = SaleStatus.REFUNDED
        sale.save(update_fields=["amount_refunded", "refunded_at", "status"])
        money = f"{amount} {sale.currency}"
        note = f"{sale.seller.public_id} refunded {money} for {sale.title}" + (
            f": {reason}" if reason else ""
        )
        orders.record_third_party_refund(order=order, by=user if as_staff else None, note=note)
        record_access(
            staff=user if as_staff else None,
            actor="" if as_staff else f"seller {sale.seller.public_id}",
            action=AuditAction.CHANGED,
            subject_user_id=sale.buyer_id,
            subject_email=order.email,
            obj=sale,
            detail=f"Marketplace sale refunded: {money} of {sale.amount_captured} "
            f"{sale.currency} charged, by {role}" + (f". {reason}" if reason else ""),
        )
        subject = f"Order {order.number}: {money} refunded for {sale.title}"
        _mail_sale(
            sale, to=order.email, template="refunded", subject=subject, extra={"reason": reason}
        )
        if as_staff and sale.seller.user_id:
            _mail_sale(
                sale,
                to=sale.seller.user.email,
                template="refunded",
                subject=subject,
                extra={"reason": reason},
            )
    return sale


def _mail_sale(
    sale: Sale, *, to: str, template: str, subject: str, extra: dict | None = None
) -> None:
    queue_email(
        to=to,
        subject=subject,
        template=f"marketplace/email/sale_{template}",
        context={
            "sale": sale,
            "order_number": sale.order.number,
            "public_id": sale.seller.public_id,
            **(extra or {}),
        },
        category=f"marketplace_sale_{template}",
        reference=f"sale-{sale.pk}",
    )


def cancel_open_sales_of_seller(*, seller: Seller, now=None) -> list[Sale]:
    """M5: a suspended seller's unshipped sales are cancelled (by staff),
    their holds released, buyers mailed."""
    cancelled = []
    for sale_id in Sale.objects.filter(
        seller=seller, status=SaleStatus.AWAITING_SHIPMENT
    ).values_list("pk", flat=True):
        sale = _locked_sale(sale_id)
        cancelled.append(_cancel(sale, role="staff", reason="The seller was suspended.", now=now))
    return cancelled


def cancel_open_sales_of_member(*, user, now=None) -> list[Sale]:
    """V4 (and V7): before an account is erased at the store's initiative,
    its sales still awaiting shipment, as seller or buyer, are cancelled by
    staff: holds released, units back, both sides mailed."""
    cancelled = []
    for sale_id in selectors.open_sales_of_member(user).values_list("pk", flat=True):
        sale = _locked_sale(sale_id)
        if sale.status == SaleStatus.AWAITING_SHIPMENT:
            cancelled.append(_cancel(sale, role="staff", reason="The account was erased.", now=now))
    return cancelled


def order_was_cancelled(*, order, by=None, as_staff=False, **_) -> None:
    """Receiver of orders' `order_cancelled`: the order's payment is
    already voided, so each open sale is cancelled without releasing
    anything again, and its units go back on the listing."""
    role = "staff" if as_staff else "buyer"
    for sale_id in Sale.objects.filter(
        order=order, status=SaleStatus.AWAITING_SHIPMENT
    ).values_list("pk", flat=True):
        _cancel(_locked_sale(sale_id), role=role, reason="The order was cancelled.", release=False)


# Listing photos (M1) ------------------------------------------------------------------


def _photo_listing(user, listing_id: int) -> Listing:
    """The member's own listing, locked, that they may still change: someone
    else's is NotYourListing (404) before anything else is looked at."""
    listing = _own_listing(user, listing_id)
    _seller_for_listing(user)
    if listing.status == ListingStatus.REMOVED:
        raise SellerProblem("removed", "Staff removed this listing: it cannot be changed.")
    return listing


@transaction.atomic
def add_listing_photo(*, user, listing_id: int, data: bytes, alt_text: str = "") -> ListingPhoto:
    """M1: a photo after the listing's others. The file is checked (format,
    size, pixels) and stored as a clean re-encoded copy; refused, nothing
    stored, for someone else's listing, a full one, or a bad file."""
    listing = _photo_listing(user, listing_id)
    alt_text = alt_text.strip()
    if len(alt_text) > rules.MAX_ALT_TEXT:
        raise ValidationError({"alt_text": f"At most {rules.MAX_ALT_TEXT} characters."})
    have = listing.photos.count()
    decision = rules.may_add_photos(have=have)
    if not decision.allowed:
        raise SellerProblem("too_many_photos", decision.reason)
    clean = photos.clean_photo(data)
    name = photos.store(clean)
    # The file is stored before its row: should the row fail, it goes again.
    top = listing.photos.aggregate(top=Max("position"))["top"]
    try:
        with transaction.atomic():
            return ListingPhoto.objects.create(
                listing=listing,
                image=name,
                width=clean.width,
                height=clean.height,
                position=0 if top is None else top + 1,
                alt_text=alt_text or listing.title[: rules.MAX_ALT_TEXT],
            )
    except Exception:
        photos.delete_files([name])
        raise


@transaction.atomic
def remove_listing_photo(*, user, listing_id: int, photo_id: int) -> None:
    """M1: one photo of the member's own listing is gone, file included."""
    listing = _own_listing(user, listing_id)
    photo = ListingPhoto.objects.filter(pk=photo_id, listing=listing).first()
    if photo is None:
        raise NotYourListing(listing_id)
    photo.delete()  # the file goes once this commits (photo_deleted)


@transaction.atomic
def arrange_listing_photos(
    *,
    user,
    listing_id: int,
    positions: dict[int, int],
    alt_texts: dict[int, str],
    remove: frozenset[int] = frozenset(),
) -> list[ListingPhoto]:
    """M1: the seller's order (lowest number first, ties by the old order),
    alt texts and removals of their listing's photos, all or nothing. Ids of
    photos not on this listing are refused and nothing changes."""
    listing = _photo_listing(user, listing_id)
    rows = {photo.pk: photo for photo in listing.photos.select_for_update()}
    if (set(positions) | set(alt_texts) | set(remove)) - rows.keys():
        raise NotYourListing(listing_id)
    too_long = [pk for pk, text in alt_texts.items() if len(text.strip()) > rules.MAX_ALT_TEXT]
    if too_long:
        raise ValidationError({"alt_text": f"At most {rules.MAX_ALT_TEXT} characters."})
    for pk in remove:
        rows.pop(pk).delete()  # files go once this commits (photo_deleted)
    ordered = sorted(rows.values(), key=lambda p: (positions.get(p.pk, p.position), p.position))
    for position, photo in enumerate(ordered):
        photo.position = position
        if photo.pk in alt_texts:
            photo.alt_text = alt_texts[photo.pk].strip() or listing.title[: rules.MAX_ALT_TEXT]
    ListingPhoto.objects.bulk_update(ordered, ["position", "alt_text"])
    return ordered


def photo_deleted(sender, instance: ListingPhoto, **kwargs) -> None:
    """A photo row is gone (removed, its listing deleted, its member erased):
    its file and thumbnails go once the deletion commits, so erasure (V4)
    leaves no picture behind. Connected in MarketplaceConfig.ready()."""
    name = instance.image.name
    if name:
        transaction.on_commit(lambda: photos.delete_files([name]))


# Suspicious activity (M5) ----------------------------------------------------------------


def _guest_address(address: str) -> str:
    address = address.strip()
    try:
        validate_email(address)
    except ValidationError:
        raise ReportProblem("Give your email address, so staff can answer you.") from None
    return address


def raise_notice(
    *, member, suspicion: rules.Suspicion, seller: Seller | None = None, now=None
) -> Report | None:
    """M5: an automatic notice in the staff queue, and a mail telling the
    member their account is being reviewed. One open notice per member and
    rule: a pattern that goes on does not flood the queue."""
    if Report.objects.filter(
        member=member, rule=suspicion.rule, source=ReportSource.AUTOMATIC, status=ReportStatus.OPEN
    ).exists():
        return None
    report = Report.objects.create(
        source=ReportSource.AUTOMATIC,
        rule=suspicion.rule,
        member=member,
        seller=seller,
        reason=suspicion.reason[:MAX_REASON],
        created_at=now or timezone.now(),
    )
    queue_email(
        to=member.email,
        subject="We are reviewing recent activity on your account",
        template="marketplace/email/activity_notice",
        context={"rule": suspicion.rule, "reason": suspicion.reason},
        category="marketplace",
        reference=f"notice-{report.pk}",
    )
    return report


def watch_listing_activity(*, seller: Seller, now=None) -> Report | None:
    """M5 (a), (b): after a seller creates or changes a listing, look for a
    new account's cheap expensive parts, and for a burst of new listings."""
    now = now or timezone.now()
    user = seller.user
    window_start = now - rules.BURST_WINDOW
    counts = seller.listings.aggregate(
        recent=Count("pk", filter=Q(created_at__gte=window_start)),
    )
    found = rules.burst_suspicion(created_in_window=counts["recent"])
    account_age = now - user.date_joined
    if found is None and account_age < rules.NEW_ACCOUNT_AGE:
        pairs = seller.listings.filter(
            part__isnull=False, part__price__gte=rules.EXPENSIVE_PART_PRICE
        ).values_list("price", "part__price")
        underpriced = sum(
            rules.is_underpriced(price=price, catalogue_price=catalogue)
            for price, catalogue in pairs
        )
        found = rules.underpricing_suspicion(account_age=account_age, underpriced=underpriced)
    if found is None:
        return None
    return raise_notice(member=user, suspicion=found, seller=seller, now=now)


@transaction.atomic
def note_sale_cancelled(*, buyer, cancelled_in_window: int, now=None) -> Report | None:
    """M5 (c): `_cancel` calls it when `buyer` cancels a sale, with how many
    sales they cancelled within rules.CANCEL_WINDOW including this one."""
    found = rules.cancellation_suspicion(cancelled_in_window=cancelled_in_window)
    if found is None:
        return None
    seller = Seller.objects.filter(user=buyer).first()
    return raise_notice(member=buyer, suspicion=found, seller=seller, now=now)


@transaction.atomic
def remove_listing(*, staff, listing_id: int, reason: str, now=None) -> Report:
    """M5: staff take down a listing on sale they found themselves. It goes
    through the queue's own path: a report by them, closed at once with the
    listing removed, so the seller is mailed why and the audit log has it."""
    report = file_report(reporter=staff, reason=reason, listing_id=listing_id, now=now)
    return handle_report(
        staff=staff,
        report_id=report.pk,
        outcome=ReportOutcome.LISTING_REMOVED,
        note=reason,
        now=now,
    )


class NotSuspended(Exception):
    pass


@transaction.atomic
def reinstate_seller(*, staff, seller_id: int, note: str, now=None) -> Seller:
    """M5: staff lift a suspension, saying why: the seller may sell again
    (their listings show again), is mailed, and the audit log records it."""
    note = note.strip()
    if not note:
        raise ReportProblem("Say why the suspension is lifted.")
    seller = Seller.objects.select_for_update(of=("self",)).select_related("user").get(pk=seller_id)
    if seller.status != SellerStatus.SUSPENDED:
        raise ReportProblem("This seller is not suspended.")
    seller.status = SellerStatus.ACTIVE
    seller.save(update_fields=["status"])
    queue_email(
        to=seller.user.email,
        subject="You can sell on the marketplace again",
        template="marketplace/email/reinstated",
        context={"public_id": seller.public_id, "note": note[:MAX_REASON]},
        category="marketplace",
        reference=f"reinstated-{seller.pk}-{int((now or timezone.now()).timestamp())}",
    )
    record_access(
        staff=staff,
        action=AuditAction.CHANGED,
        subject_user_id=seller.user_id,
        obj=seller,
        detail=f"Suspension lifted: {note[:MAX_REASON]}",
    )
    return seller


# Seller terms (M5, V1) ----------------------------------------------------------------------


def _require_current_terms(seller: Seller) -> None:
    current = selectors.current_terms()
    if current is not None and seller.terms_id != current.pk:
        raise SellerProblem(
            "terms_outdated",
            f"Accept the new seller terms (version {current.version}) on the Selling page "
            "before you create or change listings.",
        )


@transaction.atomic
def publish_seller_terms(*, staff, version: str, body: str, now=None) -> SellerTerms:
    """V1, M5: a new version of the seller terms, in force at once for new
    sellers; every active seller is mailed (through the outbox, so the
    do-not-send list holds) and must accept it before changing listings.
    Their listings stay on sale for rules.TERMS_GRACE, then pause."""
    version, body = version.strip(), body.strip()
    if not version or not body:
        raise ValidationError("Give the version and the text of the terms.")
    if SellerTerms.objects.filter(version=version).exists():
        raise ValidationError({"version": "This version exists already."})
    now = now or timezone.now()
    terms = SellerTerms.objects.create(version=version, body=body, published_at=now)
    grace_ends = now + rules.TERMS_GRACE
    for seller in Seller.objects.filter(status=SellerStatus.ACTIVE).select_related("user"):
        queue_email(
            to=seller.user.email,
            subject=f"New seller terms (version {version})",
            template="marketplace/email/new_terms",
            context={"public_id": seller.public_id, "version": version, "grace_ends": grace_ends},
            category="marketplace",
            reference=f"terms-{terms.pk}-{seller.pk}",
        )
    record_access(
        staff=staff,
        action=AuditAction.CHANGED,
        subject_user_id=None,
        obj=terms,
        detail=f"Seller terms {version} published",
    )
    return terms


@transaction.atomic
def accept_seller_terms(*, user, terms_version: str, now=None) -> Seller:
    """V1: the seller accepts the current terms (naming an older version is
    refused with the current one named)."""
    seller = Seller.objects.select_for_update().filter(user=user).first()
    if seller is None:
        raise SellerProblem("not_seller", "You are not a seller yet.")
    current = selectors.current_terms()
    if current is None or terms_version != current.version:
        raise SellerProblem(
            "outdated_terms",
            f"Accept the current seller terms (version {current.version if current else '-'}).",
            field="terms_version",
        )
    if seller.terms_id == current.pk:
        return seller  # accepted already: the first acceptance stands
    seller.terms, seller.accepted_at = current, now or timezone.now()
    seller.save(update_fields=["terms", "accepted_at"])
    TermsAcceptance.objects.create(seller=seller, terms=current, accepted_at=seller.accepted_at)
    return seller


def pause_listings_after_terms_grace(now) -> str:
    """The scheduled job (V1): once rules.TERMS_GRACE has passed since the
    current terms were published, the active listings of sellers who have
    not accepted them pause (the seller resumes them after accepting)."""
    current = selectors.current_terms()
    if current is None or not rules.terms_grace_over(published_at=current.published_at, now=now):
        return "nothing to pause"
    due = Listing.objects.filter(status=ListingStatus.ACTIVE).exclude(seller__terms=current)
    ids = list(due.values_list("pk", flat=True))
    paused = Listing.objects.filter(pk__in=ids).update(status=ListingStatus.PAUSED, updated_at=now)
    indexing.queue(ids)  # a queryset update sends no signal: search learns here
    return f"{paused} listing(s) paused: their sellers have not accepted terms {current.version}"


def forget_reporter(*, email: str) -> None:
    """V4: a guest's (or member's) address left on reports they filed goes;
    the reports stay for staff, anonymous."""
    if email.strip():
        Report.objects.filter(reporter_email__iexact=email.strip()).update(reporter_email="")


# Statements and payouts (M4) --------------------------------------------------------


class PayoutProblem(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@transaction.atomic
def record_payout(
    *,
    staff,
    seller_id: int,
    amount: Decimal,
    currency: str,
    paid_on,
    reference: str = "",
    note: str = "",
    now=None,
) -> Payout:
    """M4: staff record that the store paid a seller (no money moves in
    Camshaft). Refused, nothing stored: 0 or less, more than is due in that
    currency now, a day in the future. The seller row is locked so two
    clerks cannot both pay out the same amount due. Audited."""
    now = now or timezone.now()
    seller = Seller.objects.select_for_update().filter(pk=seller_id).first()
    if seller is None:
        raise PayoutProblem("We found no such seller.")
    if currency not in {code for code, _ in Payout._meta.get_field("currency").choices}:
        raise PayoutProblem("Choose a supported currency.", field="currency")
    if paid_on > now.astimezone(STORE_ZONE).date():
        raise PayoutProblem("Record a payout once it is made, not before.", field="paid_on")
    due = selectors.amount_due(seller=seller, currency=currency, now=now)
    problem = rules.payout_problem(amount=amount, due=due, currency=currency)
    if problem:
        raise PayoutProblem(problem, field="amount")
    payout = Payout.objects.create(
        seller=seller,
        amount=amount,
        currency=currency,
        paid_on=paid_on,
        reference=reference.strip()[:100],
        note=note.strip()[:500],
        recorded_by=staff,
        recorded_at=now,
    )
    record_access(
        staff=staff,
        action=AuditAction.CHANGED,
        subject_user_id=seller.user_id,
        obj=payout,
        detail=f"Payout recorded: {amount} {currency} on {paid_on} ({payout.reference})",
    )
    return payout
