"""Writes of the marketplace: becoming a seller (A1's 18+, M4's terms),
a seller's listings (M1), and forgetting a person (V4)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from camshaft.catalog.models import Part, normalize_code
from camshaft.core.models import AuditAction
from camshaft.core.services import record_access
from camshaft.fitment.models import Vehicle
from camshaft.marketplace import rules, selectors
from camshaft.marketplace.models import (
    Listing,
    ListingCondition,
    ListingStatus,
    Rating,
    Report,
    ReportOutcome,
    ReportStatus,
    Seller,
    SellerStatus,
)
from camshaft.notifications.services import queue_email


class SellerProblem(Exception):
    """A refusal a caller shows as it is; `code` tells an API which status."""

    def __init__(self, code: str, message: str, *, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@transaction.atomic
def become_seller(*, user, public_id: str, terms_version: str, now=None) -> Seller:
    """Make `user` a seller under the current terms with `public_id` (M4).
    Refused, storing nothing, when the member is under 18 or gave no date of
    birth, already sells, names terms that are not the current ones, or picks
    an ID that is malformed or taken."""
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
    try:
        with transaction.atomic():
            return Seller.objects.create(
                user=user, public_id=public_id, terms=terms, accepted_at=now
            )
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
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@transaction.atomic
def reply_to_rating(*, user, rating_id: int, text: str, now=None) -> Rating:
    """M3: the rated member answers a rating, once."""
    rating = Rating.objects.select_for_update().filter(pk=rating_id).first()
    if rating is None:
        raise RatingProblem("We found no such rating.")
    decision = rules.may_reply(
        is_subject=rating.subject_id == getattr(user, "pk", None),
        replied=bool(rating.replied_at),
        removed=bool(rating.removed_at),
    )
    if not decision.allowed:
        raise RatingProblem(decision.reason)
    text = text.strip()
    if not text or len(text) > rules.MAX_COMMENT:
        raise RatingProblem(f"An answer has 1 to {rules.MAX_COMMENT} characters.")
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
    *, reporter, reason: str, listing_id: int | None = None, public_id: str = "", now=None
) -> Report:
    """M5: anyone reports a listing on sale, or a seller by user ID."""
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
    return Report.objects.create(
        reporter=reporter if reporter is not None and reporter.pk else None,
        listing=listing,
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
        .select_related("seller__user", "listing")
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
    elif outcome == ReportOutcome.SUSPENDED:
        Seller.objects.filter(pk=report.seller_id).update(status=SellerStatus.SUSPENDED)
    report.status = ReportStatus.CLOSED
    report.outcome = outcome
    report.staff_note = note.strip()[:MAX_REASON]
    report.handled_by = staff
    report.handled_at = now or timezone.now()
    report.save()
    if outcome:
        # The member learns what was decided and why (M5).
        queue_email(
            to=report.seller.user.email,
            subject="About your selling on the marketplace",
            template="marketplace/email/report_outcome",
            context={
                "public_id": report.seller.public_id,
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
        subject_user_id=report.seller.user_id,
        obj=report,
        detail=f"Report closed: {report.get_outcome_display()}. {report.staff_note}".strip(),
    )
    return report


def forget_person(*, user) -> None:
    """V4: a member's seller record and listings go with them; ratings
    they gave or received go with the account row (CASCADE)."""
    Seller.objects.filter(user=user).delete()
    Report.objects.filter(reporter=user).update(reporter=None)
