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
from camshaft.core.models import AuditAction
from camshaft.core.services import record_access
from camshaft.fitment.models import Vehicle
from camshaft.marketplace import indexing, photos, rules, selectors
from camshaft.marketplace.models import (
    Listing,
    ListingCondition,
    ListingPhoto,
    ListingStatus,
    Rating,
    Report,
    ReportOutcome,
    ReportSource,
    ReportStatus,
    Seller,
    SellerStatus,
    SellerTerms,
    TermsAcceptance,
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
    watch_listing_activity(seller=seller)
    return listing


def _own_listing(user, listing_id: int) -> Listing:
    listing = (
        Listing.objects.select_for_update()
        .filter(pk=listing_id, seller__user_id=getattr(user, "pk", None))
        .first()
    )
    if listing is None:
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
    """M1: the member's own listing is gone."""
    _own_listing(user, listing_id).delete()


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
    """V4: a member's seller record and listings go with them; ratings
    they gave or received go with the account row (CASCADE)."""
    Seller.objects.filter(user=user).delete()
    Report.objects.filter(reporter=user).update(reporter=None)


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
    """M5 (c): the entry point for the sales code (branch mp-buy): call it
    when `buyer` cancels a sale, with how many sales they cancelled within
    rules.CANCEL_WINDOW including this one (the Sale table is theirs)."""
    found = rules.cancellation_suspicion(cancelled_in_window=cancelled_in_window)
    if found is None:
        return None
    seller = Seller.objects.filter(user=buyer).first()
    return raise_notice(member=buyer, suspicion=found, seller=seller, now=now)


class NotSuspended(Exception):
    pass


@transaction.atomic
def reinstate_seller(*, staff, seller_id: int, note: str, now=None) -> Seller:
    """M5: staff lift a suspension, saying why: the seller may sell again
    (their listings show again), is mailed, and the audit log records it."""
    note = note.strip()
    if not note:
        raise ReportProblem("Say why the suspension is lifted.")
    seller = Seller.objects.select_for_update().select_related("user").get(pk=seller_id)
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
