"""K1: a guest's cart merges into the member's cart when they sign in."""

from camshaft.cart import cookie, services


def merge_guest_cart(sender, request, user, **kwargs):
    if request is None:
        return
    services.merge_into_member_cart(guest_token=cookie.token_from(request), user=user)
