"""The shopper's price-match pages (P2): the claim form on a part, and the
mailed link that puts a quote in the cart."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from camshaft.abuse import services as abuse
from camshaft.abuse.decorators import rate_limited
from camshaft.cart import cookie
from camshaft.cart import services as cart_services
from camshaft.catalog.models import Part
from camshaft.pricematch import rules, services
from camshaft.pricematch.forms import ClaimForm
from camshaft.pricematch.models import PriceMatchQuote


@rate_limited(abuse.PRICE_MATCH)
def claim_form(request, sku: str):
    part = get_object_or_404(
        Part.objects.select_related("brand"), sku=sku.strip().upper()[:40], is_active=True
    )
    member = request.user.is_authenticated
    form = ClaimForm(request.POST or None, member=member, initial={"brand": part.brand.name})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                claim = services.file_claim(
                    part=part, user=request.user, channel="web", **form.filing()
                )
            except services.ClaimProblem as problem:
                form.add_error(None, problem)
                status = 409 if problem.code == "refused" else 400
            else:
                messages.success(
                    request,
                    f"Price-match claim {claim.number} is filed. Customer service checks the "
                    f"competitor's page and answers by mail to {claim.email}.",
                )
                return redirect("part", sku=part.sku)
    context = {"part": part, "form": form, "rules": rules.RULES}
    return render(request, "pricematch/claim_form.html", context, status=status)


def use_quote(request, token: str):
    """The link in the approval mail: the quote joins the shopper's cart
    with its part and quantity, and the cart page shows the price."""
    try:
        quote = services.quote_from_link(token, user=request.user)
    except PriceMatchQuote.DoesNotExist:
        raise Http404("We found no such price-match quote.") from None
    cart = cart_services.cart_for(user=request.user, token=cookie.token_from(request))
    try:
        services.put_quote_in_cart(quote=quote, cart=cart)
    except services.ClaimProblem as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(
            request,
            f"Your price-match price is in your cart: {quote.quantity} × {quote.part.name}. "
            "It applies to that quantity, once.",
        )
    response = redirect("cart")
    if not request.user.is_authenticated:
        cookie.remember(response, cart.token)
    return response
