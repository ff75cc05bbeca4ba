"""The shopper picks a display currency (P1)."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from camshaft.core.money import UnsupportedCurrency, supported_currency

CURRENCY_COOKIE = "currency"
# A preference, not tracking: a strictly necessary cookie that needs no consent.
CURRENCY_COOKIE_MAX_AGE = 365 * 24 * 60 * 60


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
        CURRENCY_COOKIE,
        currency,
        max_age=CURRENCY_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
