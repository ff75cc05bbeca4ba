"""Order pages: the member's list, an order's page (also the confirmation),
a guest's lookup by number and email, and cancelling (O2, O3)."""

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from camshaft.abuse import services as abuse
from camshaft.abuse.decorators import rate_limited
from camshaft.accounts.views import member_required
from camshaft.core.paging import BadPage, Page, page_request
from camshaft.orders import changes, forms, selectors, services
from camshaft.orders.access import grant_order_access, viewable_order
from camshaft.orders.models import Order
from camshaft.returns import selectors as returns

ORDERS_PER_PAGE = 20


@member_required
def my_orders(request):
    try:
        wanted = page_request(request.GET.get("page"), size=ORDERS_PER_PAGE)
    except BadPage as bad:
        raise BadRequest(str(bad)) from None
    orders = selectors.orders_of(user=request.user)
    page = Page(
        items=list(orders[wanted.offset : wanted.offset + wanted.size]),
        number=wanted.number,
        size=wanted.size,
        total=orders.count(),
    )
    return render(request, "orders/my_orders.html", {"page": page})


def order_detail(request, number: str):
    order = viewable_order(request, number)
    context = {
        "order": order,
        "payment": selectors.payment_summary(order),
        "cancel": services.cancel_decision(order=order, as_staff=False),
        "address_change": changes.change_decision(order=order, as_staff=False),
        "cancel_form": forms.CancelForm(),
        "returns": returns.returns_of(order),
        "core_returns": returns.core_returns_of(order),
        "can_return": returns.can_file_return(order) or returns.any_core_open(order),
    }
    return render(request, "orders/detail.html", context)


@rate_limited(abuse.ORDER_LOOKUP)
def lookup(request):
    form = forms.LookupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                order = selectors.order_for_guest(
                    number=form.cleaned_data["number"], email=form.cleaned_data["email"]
                )
            except Order.DoesNotExist:
                form.add_error(None, "We found no order with that number and billing email.")
                status = 404
            else:
                grant_order_access(request, order)
                return redirect("order_detail", number=order.number)
    return render(request, "orders/lookup.html", {"form": form}, status=status)


@require_POST
def cancel(request, number: str):
    order = viewable_order(request, number)
    form = forms.CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.cancel_order(
            order=order,
            by=request.user if request.user.is_authenticated else None,
            as_staff=False,
            reason=reason,
        )
    except services.OrderError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request, f"Order {order.number} is cancelled; a confirmation is on its way."
        )
    return redirect("order_detail", number=order.number)


def change_address(request, number: str):
    """O2: the shopper changes where the order goes, within O3's window:
    first a preview with the new total, then the save of exactly that."""
    order = viewable_order(request, number)
    decision = changes.change_decision(order=order, as_staff=False)
    form = forms.ShippingAddressForm(request.POST or None, order=order)
    preview, status = None, 200
    if request.method == "POST" and not decision.allowed:
        status = 409
    elif request.method == "POST" and form.is_valid():
        change = form.change()
        if "save" in request.POST:
            try:
                changes.change_order(
                    order=order,
                    change=change,
                    by=request.user if request.user.is_authenticated else None,
                    as_staff=False,
                    expected_total=form.cleaned_data["expected_total"],
                    preview_token=form.cleaned_data["preview_token"] or "-",
                )
            except ValidationError as error:
                forms.apply_errors(form, error)
            except services.OrderError as refused:
                form.add_error(None, refused.message)
                status = 409
            else:
                messages.success(request, "The new shipping address is saved; a mail confirms it.")
                return redirect("order_detail", number=order.number)
        try:
            preview = changes.preview_change(order=order, change=change, as_staff=False)
        except ValidationError as error:
            forms.apply_errors(form, error)
        except services.OrderError as refused:
            form.add_error(None, refused.message)
            status = 409
    if status == 200 and form.is_bound and form.errors:
        status = 400
    context = {"order": order, "decision": decision, "form": form, "preview": preview}
    return render(request, "orders/change_address.html", context, status=status)
