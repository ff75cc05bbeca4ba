"""Puts the shopper's garage (C3) on every page."""

from camshaft.fitment import garage as garage_cookie


def garage(request):
    return {"garage": garage_cookie.garage_for(request)}
