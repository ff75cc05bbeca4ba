"""Top-level URLs: storefront, back office at /staff/, API under /api/v1/."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from camshaft.api import api
from camshaft.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("staff/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("camshaft.catalog.urls")),
    path("", include("camshaft.fitment.urls")),
    path("", include("camshaft.search.urls")),
    path("", include("camshaft.accounts.urls")),
    path("", include("camshaft.cart.urls")),
    path("", include("camshaft.checkout.urls")),
    path("", include("camshaft.orders.urls")),
    path("", include("camshaft.returns.urls")),
    path("", include("camshaft.marketplace.urls")),
    path("", include("camshaft.support.urls")),
    path("", include("camshaft.chat.urls")),
    path("", include("camshaft.pricing.urls")),
    path("", include("camshaft.pricematch.urls")),
    path("", include("camshaft.payments.urls")),
    path("", include("camshaft.notifications.urls")),
    path("", include("camshaft.privacy.urls")),
    path("", include("camshaft.analytics.urls")),
]

if not settings.MEDIA_S3_BUCKET and settings.MEDIA_URL.startswith("/"):
    # Part pictures on the local disk (the embedded default): served by the
    # store itself, read-only and only from MEDIA_ROOT. A bucket serves its own.
    urlpatterns.append(
        re_path(
            r"^{}(?P<path>.+)$".format(settings.MEDIA_URL.lstrip("/")),
            core_views.media,
            name="media",
        )
    )

handler404 = "camshaft.core.views.not_found"
handler500 = "camshaft.core.views.server_error"
handler400 = "camshaft.core.views.bad_request"
