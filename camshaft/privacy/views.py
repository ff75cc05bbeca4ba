"""Storefront pages of the privacy app."""

from django.shortcuts import render

from camshaft.privacy import selectors


def sharing_register(request):
    """V10: which outside parties receive which of a shopper's data."""
    return render(request, "privacy/sharing.html", {"register": selectors.SHARING_REGISTER})
