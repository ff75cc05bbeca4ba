"""Doors behind rate limits in one line (V11): `@rate_limited(door)` on a
page view, `@api_rate_limited(door)` under a django-ninja operation's route
decorator. Over the limit the client gets 429 with Retry-After: a page for
people, `{"detail": ...}` for the API."""

from collections.abc import Callable, Iterable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from ninja.decorators import decorate_view

from camshaft.abuse import services
from camshaft.abuse.forms import HONEYPOT_FIELD


def too_many_requests_page(request: HttpRequest, refused: services.RateLimited) -> HttpResponse:
    response = render(
        request, "abuse/too_many_requests.html", {"message": refused.message}, status=429
    )
    response["Retry-After"] = str(refused.retry_after)
    return response


def too_many_requests_json(refused: services.RateLimited) -> HttpResponse:
    response = JsonResponse({"detail": refused.message}, status=429)
    response["Retry-After"] = str(refused.retry_after)
    return response


def rate_limited(door: str, *, methods: Iterable[str] = ("POST",)) -> Callable:
    """Count `methods` requests (a form's POST by default; GET for search)
    against the client's limit at `door`, and record a filled honeypot. A
    RateLimited raised by the view itself (a per-account limit) is answered
    the same way."""
    services.require_door(door)
    counted = frozenset(method.upper() for method in methods)

    def decorate(view):
        @wraps(view)
        def guarded(request: HttpRequest, *args, **kwargs):
            try:
                if request.method in counted:
                    services.check_client(request=request, door=door)
                if request.method == "POST" and request.POST.get(HONEYPOT_FIELD):
                    services.record_honeypot(request=request, door=door)
                return view(request, *args, **kwargs)
            except services.RateLimited as refused:
                return too_many_requests_page(request, refused)

        return guarded

    return decorate


def api_rate_limited(door: str) -> Callable:
    """Count every call of a ninja operation against the client's limit at
    `door`. Put it below `@router.get(...)`, and list 429 in the operation's
    responses so the OpenAPI document shows it."""
    services.require_door(door)

    def guard(run):
        @wraps(run)
        def guarded(request: HttpRequest, *args, **kwargs):
            try:
                services.check_client(request=request, door=door)
            except services.RateLimited as refused:
                return too_many_requests_json(refused)
            return run(request, *args, **kwargs)

        return guarded

    return decorate_view(guard)
