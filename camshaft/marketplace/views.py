"""Seller pages in My Account: becoming a seller (A1's 18+, M4's terms)
and the seller's listings (M1)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from camshaft.abuse.decorators import rate_limited
from camshaft.abuse.services import MARKETPLACE_REPORT
from camshaft.accounts.views import member_required
from camshaft.cart import services as cart_services
from camshaft.fitment.garage import garage_for
from camshaft.marketplace import forms, photos, rules, selectors, services
from camshaft.marketplace.statements import write_statement_csv


@member_required
def seller_home(request):
    seller = selectors.seller_of(request.user)
    terms = selectors.current_terms()
    form = None
    status = 200
    if seller is None and terms is not None:
        form = forms.BecomeSellerForm(
            request.POST or None, initial={"terms_version": terms.version}
        )
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    services.become_seller(
                        user=request.user,
                        public_id=form.cleaned_data["public_id"],
                        terms_version=form.cleaned_data["terms_version"],
                    )
                except services.SellerProblem as problem:
                    form.add_error(
                        "public_id" if problem.field == "public_id" else None, problem.message
                    )
                    status = {"under_age": 403, "public_id_taken": 409, "no_address": 409}.get(
                        problem.code, 400
                    )
                else:
                    messages.success(request, "You are a seller now.")
                    return redirect("seller_home")
    listings = selectors.listings_of(request.user) if seller else []
    context = {
        "seller": seller,
        "terms": terms,
        "form": form,
        "listings": listings,
        # M2: buyers receive the seller's address; say so before the form.
        "no_address": seller is None and selectors.contract_address(request.user) is None,
    }
    new_terms = selectors.terms_to_accept(seller)
    if new_terms is not None:
        context["new_terms"] = new_terms
        context["accept_form"] = forms.AcceptTermsForm(initial={"terms_version": new_terms.version})
        context["grace_days"] = rules.TERMS_GRACE.days
    return render(request, "marketplace/seller_home.html", context, status=status)


def _vehicle_choices(request, listing=None) -> list:
    chosen = {v.pk: v for v in garage_for(request).vehicles}
    if listing is not None:
        chosen.update({v.pk: v for v in listing.vehicles.all()})
    return list(chosen.values())


def _listing_form_page(request, *, listing=None):
    initial = _initial(listing) if listing is not None else None
    form = forms.ListingForm(
        request.POST or None, initial=initial, vehicles=_vehicle_choices(request, listing)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                if listing is None:
                    services.create_listing(user=request.user, draft=form.draft())
                else:
                    services.update_listing(
                        user=request.user, listing_id=listing.pk, draft=form.draft()
                    )
            except services.SellerProblem as problem:
                form.add_error(None, problem.message)
                status = 403
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages_)
            else:
                messages.success(request, "Your listing is saved.")
                return redirect("seller_home")
    return _render_listing_form(request, form=form, listing=listing, status=status)


def _render_listing_form(request, *, form, listing, photo_form=None, status=200):
    context = {
        "form": form,
        "listing": listing,
        "photos": list(listing.photos.all()) if listing is not None else [],
        "photo_form": photo_form or forms.PhotoForm(),
        "max_photos": rules.MAX_PHOTOS,
    }
    return render(request, "marketplace/listing_form.html", context, status=status)


@member_required
def listing_new(request):
    if selectors.seller_of(request.user) is None:
        return redirect("seller_home")
    return _listing_form_page(request)


@member_required
def listing_edit(request, listing_id: int):
    listing = selectors.own_listing(request.user, listing_id)
    if listing is None:
        raise Http404("You have no such listing.")
    return _listing_form_page(request, listing=listing)


@member_required
@require_POST
def listing_pause(request, listing_id: int):
    paused = request.POST.get("paused") == "1"
    try:
        services.set_paused(user=request.user, listing_id=listing_id, paused=paused)
    except services.NotYourListing:
        raise Http404("You have no such listing.") from None
    except services.SellerProblem as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, "Listing paused." if paused else "Listing active again.")
    return redirect("seller_home")


@member_required
@require_POST
def listing_delete(request, listing_id: int):
    try:
        services.delete_listing(user=request.user, listing_id=listing_id)
    except services.NotYourListing:
        raise Http404("You have no such listing.") from None
    messages.success(request, "Listing deleted.")
    return redirect("seller_home")


def seller_profile(request, public_id: str):
    """A seller's public page (M3): user ID, score and recent comments."""
    profile = selectors.public_profile(public_id)
    if profile is None:
        raise Http404("We found no such seller.")
    context = {"profile": profile, "report_form": forms.ReportForm()}
    return render(request, "marketplace/profile.html", context)


@member_required
@require_POST
def report(request, public_id: str):
    """M5: a member reports a seller, or one of their listings."""
    form = forms.ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what is wrong, in up to 1000 characters.")
        return redirect("seller_profile", public_id=public_id)
    listing_id = form.cleaned_data["listing_id"]
    if (
        listing_id is not None
        and not selectors.on_sale()
        .filter(pk=listing_id, seller__public_id__iexact=public_id)
        .exists()
    ):
        raise Http404("We found no such listing.")
    try:
        services.file_report(
            reporter=request.user,
            reason=form.cleaned_data["reason"],
            listing_id=listing_id,
            public_id=public_id,
        )
    except services.ReportProblem as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, "Thank you: staff will look at your report.")
    return redirect("seller_profile", public_id=public_id)


# Buying (M1) and sales -------------------------------------------------------------


def _refused(request, message: str, *, status: int, back: str = "", sign_in: bool = False):
    back = back if back.startswith("/") and not back.startswith("//") else "/"
    context = {"message": message, "back": back, "sign_in": sign_in, "next": back}
    return render(request, "marketplace/refused.html", context, status=status)


@require_POST
def cart_add(request, listing_id: int):
    """The part page's "Add to cart" on a seller's row. Refused with the
    reason and nothing changed: guests (sign in: the 18+ rule needs a date
    of birth), under-18s, one's own listing, more than listed."""
    back = request.POST.get("next", "")
    form = forms.CartListingForm(request.POST)
    if not form.is_valid():
        message = " ".join(e for errors in form.errors.values() for e in errors)
        return _refused(request, message, status=400, back=back)
    cart = cart_services.cart_for(user=request.user) if request.user.is_authenticated else None
    try:
        services.add_listing_to_cart(
            user=request.user,
            cart=cart,
            listing_id=listing_id,
            quantity=form.cleaned_data["quantity"],
        )
    except services.BuyingProblem as problem:
        status = {"not_found": 404, "under_age": 403, "sign_in": 401}.get(problem.code, 422)
        return _refused(request, problem.message, status=status, back=back, sign_in=status == 401)
    messages.success(request, "Added to your cart.")
    return redirect("cart")


@require_POST
@member_required
def cart_remove(request, line_id: int):
    cart = cart_services.cart_for(user=request.user, create=False)
    try:
        services.remove_listing_from_cart(cart=cart, line_id=line_id)
    except services.BuyingProblem:
        raise Http404 from None
    return redirect("cart")


@member_required
def seller_sales(request, *, error: str = "", status: int = 200):
    """My Account › Selling › Sales to ship (M1)."""
    if selectors.seller_of(request.user) is None:
        return redirect("seller_home")
    context = {
        "to_ship": list(selectors.sales_to_ship(request.user)),
        "sales": list(selectors.sales_of_seller(request.user)[:100]),
        "error": error,
    }
    return render(request, "marketplace/sales.html", context, status=status)


def _sale_action(request, action):
    try:
        action()
    except services.SaleProblem as problem:
        if problem.code == "not_found":
            raise Http404 from None
        message = " ".join([problem.message, *problem.problems.values()])
        return message, 422 if problem.problems else 409
    return "", 200


@require_POST
@member_required
def sale_ship(request, sale_id: int):
    error, status = _sale_action(
        request,
        lambda: services.ship_sale(
            user=request.user,
            sale_id=sale_id,
            carrier=request.POST.get("carrier", ""),
            tracking_number=request.POST.get("tracking_number", ""),
        ),
    )
    if error:
        return seller_sales(request, error=error, status=status)
    messages.success(request, "Marked shipped: the buyer has the tracking number.")
    return redirect("seller_sales")


@require_POST
@member_required
def sale_cancel(request, sale_id: int):
    error, status = _sale_action(
        request,
        lambda: services.cancel_sale(
            user=request.user,
            sale_id=sale_id,
            role="seller",
            reason=request.POST.get("reason", ""),
        ),
    )
    if error:
        return seller_sales(request, error=error, status=status)
    messages.success(request, "The sale is cancelled; the buyer is told.")
    return redirect("seller_sales")


@require_POST
@member_required
def sale_refund(request, sale_id: int):
    """A seller refunds a shipped sale of a listing that takes returns (M4)."""
    form = forms.SaleRefundForm(request.POST)
    if not form.is_valid():
        problems = " ".join(f"{form[name].label}: {' '.join(e)}" for name, e in form.errors.items())
        return seller_sales(request, error=problems, status=422)
    error, status = _sale_action(
        request,
        lambda: services.refund_sale(
            user=request.user,
            sale_id=sale_id,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
        ),
    )
    if error:
        return seller_sales(request, error=error, status=status)
    messages.success(request, "Refunded: the buyer is told.")
    return redirect("seller_sales")


def _purchase_action(request, sale_id: int, action, done: str):
    sale = selectors.sale_for_buyer(request.user, sale_id)
    if sale is None:
        raise Http404
    error, status = _sale_action(request, action)
    back = reverse("order_detail", args=[sale.order.number])
    if error:
        return _refused(request, error, status=status, back=back)
    messages.success(request, done)
    return redirect(back)


@require_POST
@member_required
def purchase_cancel(request, sale_id: int):
    return _purchase_action(
        request,
        sale_id,
        lambda: services.cancel_sale(user=request.user, sale_id=sale_id, role="buyer"),
        "Cancelled: nothing is charged for it.",
    )


@require_POST
@member_required
def purchase_received(request, sale_id: int):
    return _purchase_action(
        request,
        sale_id,
        lambda: services.confirm_delivery(user=request.user, sale_id=sale_id),
        "Thank you: marked delivered.",
    )


# Listing photos (M1) ------------------------------------------------------------------


def _photo_page(request, listing_id: int, *, photo_form=None, status=200):
    listing = selectors.own_listing(request.user, listing_id)
    if listing is None:
        raise Http404("You have no such listing.")
    form = forms.ListingForm(initial=_initial(listing), vehicles=_vehicle_choices(request, listing))
    return _render_listing_form(
        request, form=form, listing=listing, photo_form=photo_form, status=status
    )


def _initial(listing) -> dict:
    """The listing as its edit form shows it, whichever page renders that
    form (after a refused photo too: a field left out here would show its
    default and be saved as such)."""
    return {
        "title": listing.title,
        "condition": listing.condition,
        "price": listing.price,
        "quantity": listing.quantity,
        "part_code": listing.part.sku if listing.part_id else "",
        "vehicles": [v.pk for v in listing.vehicles.all()],
        "description": listing.description,
        "condition_notes": listing.condition_notes,
        "return_days": listing.return_days,
        "shipping_price": listing.shipping_price,
    }


@member_required
@require_POST
def listing_photo_add(request, listing_id: int):
    """M1: a photo for the seller's own listing, from a plain multipart form."""
    if selectors.own_listing(request.user, listing_id) is None:
        raise Http404("You have no such listing.")
    form = forms.PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _photo_page(request, listing_id, photo_form=form, status=400)
    upload = form.cleaned_data["photo"]
    try:
        photos.refuse_by_size(upload.size)  # before a byte of it is read
        services.add_listing_photo(
            user=request.user,
            listing_id=listing_id,
            data=upload.read(),
            alt_text=form.cleaned_data["alt_text"],
        )
    except services.NotYourListing:
        raise Http404("You have no such listing.") from None
    except services.SellerProblem as problem:
        form.add_error(None, problem.message)
        status = 409 if problem.code in {"too_many_photos", "terms_outdated"} else 403
        return _photo_page(request, listing_id, photo_form=form, status=status)
    except ValidationError as error:
        form.add_error("photo", error.messages)
        status = 413 if getattr(error, "code", "") == "too_large" else 400
        return _photo_page(request, listing_id, photo_form=form, status=status)
    messages.success(request, "The photo is added.")
    return redirect("listing_edit", listing_id=listing_id)


def _numbered(post, prefix: str) -> dict[int, str]:
    found = {}
    for key, value in post.items():
        if key.startswith(prefix) and key[len(prefix) :].isdigit():
            found[int(key[len(prefix) :])] = value
    return found


@member_required
@require_POST
def listing_photos_arrange(request, listing_id: int):
    """M1: order, alt texts and removal of the listing's photos, in one form
    (position numbers, so it works without JavaScript)."""
    try:
        positions = {pk: int(v) for pk, v in _numbered(request.POST, "position_").items()}
    except ValueError:
        messages.error(request, "A position is a whole number.")
        return _photo_page(request, listing_id, status=400)
    alt_texts = _numbered(request.POST, "alt_")
    remove = frozenset(pk for pk, v in _numbered(request.POST, "remove_").items() if v)
    try:
        services.arrange_listing_photos(
            user=request.user,
            listing_id=listing_id,
            positions=positions,
            alt_texts=alt_texts,
            remove=remove,
        )
    except services.NotYourListing:
        raise Http404("You have no such listing.") from None
    except (services.SellerProblem, ValidationError) as problem:
        text = problem.message if isinstance(problem, services.SellerProblem) else problem.messages
        messages.error(request, " ".join(text) if isinstance(text, list) else text)
        return _photo_page(request, listing_id, status=400)
    messages.success(request, "Your photos are saved.")
    return redirect("listing_edit", listing_id=listing_id)


# The public listing page (M1, M3) and reports (M5) ---------------------------------------


def listing_page(request, listing_id: int):
    page = selectors.listing_page(listing_id)
    if page is None:
        raise Http404("This listing is not on sale.")
    form = forms.ListingReportForm(guest=not request.user.is_authenticated)
    return _render_listing_page(request, page, form)


def _render_listing_page(request, page, report_form, status=200):
    context = {"page": page, "report_form": report_form}
    return render(request, "marketplace/listing.html", context, status=status)


@rate_limited(MARKETPLACE_REPORT)
@require_POST
def listing_report(request, listing_id: int):
    """M5: anyone reports a listing; guests leave their email address."""
    page = selectors.listing_page(listing_id)
    if page is None:
        raise Http404("This listing is not on sale.")
    member = request.user if request.user.is_authenticated else None
    form = forms.ListingReportForm(request.POST, guest=member is None)
    if not form.is_valid():
        return _render_listing_page(request, page, form, status=400)
    try:
        services.file_report(
            reporter=member,
            reporter_email=form.cleaned_data.get("email", ""),
            reason=form.cleaned_data["reason"],
            listing_id=listing_id,
        )
    except services.ReportProblem as problem:
        form.add_error("email" if "email" in problem.message else None, problem.message)
        return _render_listing_page(request, page, form, status=400)
    messages.success(request, "Thank you: staff will look at your report.")
    return redirect("listing_page", listing_id=listing_id)


@member_required
@require_POST
def accept_terms(request):
    """V1: a seller accepts the new seller terms."""
    form = forms.AcceptTermsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tick the box to accept the new seller terms.")
        return redirect("seller_home")
    try:
        services.accept_seller_terms(
            user=request.user, terms_version=form.cleaned_data["terms_version"]
        )
    except services.SellerProblem as problem:
        messages.error(request, problem.message)
        return redirect("seller_home")
    messages.success(request, "Thank you: you accepted the new seller terms.")
    return redirect("seller_home")


# Ratings (M3) -------------------------------------------------------------------------


def _ratings_page(request, *, forms_by_sale=None, error: str = "", status: int = 200):
    received, given = selectors.ratings_of(request.user)
    context = {
        "to_rate": [
            (
                sale,
                (forms_by_sale or {}).get(sale.pk) or forms.RatingForm(),
                sale.buyer_id == request.user.pk,
            )
            for sale in selectors.sales_to_rate(request.user)
        ],
        "received": list(received.filter(removed_at__isnull=True)[:100]),
        "given": list(given[:100]),
        "score": selectors.scores_of([request.user.pk])[request.user.pk],
        "error": error,
    }
    return render(request, "marketplace/ratings.html", context, status=status)


@member_required
def my_ratings(request):
    """My Account › Ratings: sales to rate, ratings received (to answer) and given."""
    return _ratings_page(request)


@member_required
@require_POST
def rate_sale(request, sale_id: int):
    form = forms.RatingForm(request.POST)
    if not form.is_valid():
        return _ratings_page(
            request, forms_by_sale={sale_id: form}, error="Check your rating.", status=400
        )
    try:
        services.rate_sale(
            user=request.user,
            sale_id=sale_id,
            value=form.cleaned_data["value"],
            comment=form.cleaned_data["comment"],
        )
    except services.RatingProblem as problem:
        if problem.code == "not_found":
            raise Http404(problem.message) from None
        status = 400 if problem.code == "invalid" else 409
        return _ratings_page(request, error=problem.message, status=status)
    messages.success(request, "Thank you: your rating is saved.")
    return redirect("my_ratings")


@member_required
@require_POST
def answer_rating(request, rating_id: int):
    form = forms.AnswerForm(request.POST)
    if not form.is_valid():
        return _ratings_page(request, error="An answer has 1 to 500 characters.", status=400)
    try:
        services.reply_to_rating(
            user=request.user, rating_id=rating_id, text=form.cleaned_data["text"]
        )
    except services.RatingProblem as problem:
        if problem.code == "not_found":
            raise Http404(problem.message) from None
        status = 400 if problem.code == "invalid" else 409
        return _ratings_page(request, error=problem.message, status=status)
    messages.success(request, "Your answer is saved.")
    return redirect("my_ratings")


# Statements (M4) ----------------------------------------------------------------------


def _own_seller(request):
    seller = selectors.seller_of(request.user)
    if seller is None:
        raise Http404("You are not a seller.")
    return seller


@member_required
def statements(request):
    """My Account › Selling › Statements: one per month since the first sale."""
    seller = _own_seller(request)
    months = selectors.statement_months(seller=seller)
    return render(request, "marketplace/statements.html", {"months": months})


def _statement_for(request, month: str):
    seller = _own_seller(request)
    first = selectors.parse_month(month)
    if first is None:
        raise Http404("No such month.")
    return selectors.statement(seller=seller, month=first)


@member_required
def statement(request, month: str):
    found = _statement_for(request, month)
    return render(request, "marketplace/statement.html", {"statement": found})


@member_required
def statement_csv(request, month: str):
    """The month's statement as CSV, written by the store's one CSV writer."""
    found = _statement_for(request, month)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statement-{found.month:%Y-%m}.csv"'
    write_statement_csv(found, response)
    return response
