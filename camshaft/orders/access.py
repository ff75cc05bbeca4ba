"""Who may look at an order in the browser (O2): its member, or a guest
whose session proved the number and billing email (or placed the order)."""

from django.http import Http404

from camshaft.orders import selectors
from camshaft.orders.models import Order

SESSION_KEY = "guest_orders"
MAX_REMEMBERED = 20


def grant_order_access(request, order: Order) -> None:
    """Remember in the session that this visitor may see `order`."""
    numbers = [n for n in request.session.get(SESSION_KEY, []) if n != order.number]
    request.session[SESSION_KEY] = [*numbers, order.number][-MAX_REMEMBERED:]


def viewable_order(request, number: str) -> Order:
    """The order if this visitor may see it; Http404 otherwise, the same
    whether the number does not exist or belongs to someone else."""
    if request.user.is_authenticated:
        try:
            return selectors.order_for_member(user=request.user, number=number)
        except Order.DoesNotExist:
            pass
    if number.strip().upper() in request.session.get(SESSION_KEY, []):
        try:
            return selectors.order_by_number(number=number)
        except Order.DoesNotExist:
            pass
    raise Http404("We found no such order.")
