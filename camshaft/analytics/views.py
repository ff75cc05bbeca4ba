"""The cookie settings page and the banner's accept / reject (V2)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from camshaft.analytics import cookies, services
from camshaft.analytics.forms import CookieChoiceForm
from camshaft.analytics.models import Channel


def _safe_next(request, target: str) -> str | None:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def cookie_settings(request):
    form = CookieChoiceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        visitor = services.choose_analytics(
            analytics=form.accepted,
            channel=Channel.WEB,
            user=request.user,
            visitor_key=cookies.visitor_from(request),
        )
        response = redirect(_safe_next(request, form.cleaned_data["next"]) or "cookie-settings")
        cookies.remember_choice(
            response, analytics=form.accepted, visitor_key=visitor.key if visitor else None
        )
        messages.success(
            request,
            "Analytics cookies are on. Thank you."
            if form.accepted
            else "Only necessary cookies are used.",
        )
        return response
    context = {"form": form, "cookies": cookies.cookie_list()}
    status = 400 if form.is_bound else 200
    return render(request, "analytics/cookie_settings.html", context, status=status)
