"""The shopper picks a display currency (P1)."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from camshaft.core.money import UnsupportedCurrency, supported_currency
from camshaft.pricing import cookie


@require_POST
def choose_currency(request):
    try:
        currency = supported_currency(request.POST.get("currency", ""))
    except UnsupportedCurrency as problem:
        return render(request, "400.html", {"message": str(problem)}, status=400)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    response.set_cookie(
        cookie.COOKIE,
        currency,
        max_age=cookie.MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
