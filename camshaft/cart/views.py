"""The cart page and its forms (K1)."""

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from camshaft.analytics import services as analytics
from camshaft.cart import cookie, selectors, services
from camshaft.cart.services import CartError
from camshaft.fitment.garage import garage_for
from camshaft.marketplace import selectors as marketplace_selectors
from camshaft.orders.services import cart_shortages, quote_view
from camshaft.pricematch.selectors import quoted_prices


def _cart(request, *, create: bool):
    return services.cart_for(user=request.user, token=cookie.token_from(request), create=create)


def _back(request, cart, fallback: str = "cart"):
    target = request.POST.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = None
    response = redirect(target or fallback)
    if not request.user.is_authenticated:
        cookie.remember(response, cart.token)
    return response


def cart_page(request):
    cart = _cart(request, create=False)
    view = selectors.cart_view(cart, vehicle_id=garage_for(request).selected_id)
    quote = quote_view(view, currency=request.currency, cart=cart)
    short = cart_shortages(view)
    quoted = quoted_prices(cart=cart)
    rows = [
        (line, priced, short.get(line.part.id), quoted.get(line.part.id))
        for line, priced in zip(view.lines, quote.lines, strict=True)
    ]
    context = {
        "cart": view,
        "quote": quote,
        "rows": rows,
        "short": short,
        "has_marketplace_lines": marketplace_selectors.has_marketplace_lines(cart),
    }
    return render(request, "cart/cart.html", context)


@require_POST
def add(request):
    cart = _cart(request, create=True)
    try:
        line = services.add_to_cart(
            cart=cart, sku=request.POST.get("sku", ""), quantity=request.POST.get("quantity", "1")
        )
    except CartError as problem:
        messages.error(request, str(problem))
        return _back(request, cart)
    analytics.record_step(request=request, step=analytics.ADD_TO_CART)
    messages.success(request, f"Added to your cart: {line.quantity} × {line.part.name}.")
    return _back(request, cart)


@require_POST
def update(request, line_id):
    cart = _cart(request, create=False)
    if cart is None:
        raise BadRequest("Your cart is empty.")
    try:
        if request.POST.get("remove"):
            services.remove_line(cart=cart, line_id=line_id)
        else:
            services.set_quantity(
                cart=cart, line_id=line_id, quantity=request.POST.get("quantity", "")
            )
    except CartError as problem:
        messages.error(request, str(problem))
    return _back(request, cart)
