"""Times every request and records storefront page views of consenting
visitors (V9); everyone else's requests are only timed, never recorded."""

import time

from django.conf import settings

from camshaft.analytics import cookies, services

# Back office, API and health checks are not storefront pages.
NOT_STOREFRONT_NAMESPACES = frozenset({"admin", "api-v1"})
UNMATCHED_ROUTE = "(no such page)"


def route_of(request) -> str | None:
    """The page's route name (`part`, `order_detail`), never the path as
    typed, which may hold an order number; None for pages not recorded."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED_ROUTE
    if match.namespace in NOT_STOREFRONT_NAMESPACES or not match.url_name:
        return None
    return match.view_name


class AnalyticsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.analytics_visitor = cookies.visitor_from(request)
        started = time.perf_counter()
        response = self.get_response(request)
        if request.analytics_visitor and self._is_page(request, response):
            route = route_of(request)
            if route is not None:
                services.record_page_view(
                    visitor=request.analytics_visitor,
                    route=route,
                    status=response.status_code,
                    duration_ms=round((time.perf_counter() - started) * 1000),
                )
        return response

    @staticmethod
    def _is_page(request, response) -> bool:
        return (
            request.method == "GET"
            and not request.path.startswith(settings.STATIC_URL)
            and response.get("Content-Type", "").startswith("text/html")
        )
