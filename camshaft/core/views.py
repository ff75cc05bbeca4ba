"""Health check and error pages that never show a stack trace."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.views.static import serve

from camshaft.core import health


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 503 when the database is unreachable; 200 "ok",
    or 200 "degraded" with the reasons when the store serves without a
    part of itself (search without its index answers from the database)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "database unavailable"}, status=503)
    if problems := health.problems():
        return JsonResponse({"status": "degraded", "reasons": problems})
    return JsonResponse({"status": "ok"})


def media(request: HttpRequest, path: str):
    """A stored file (part pictures) from MEDIA_ROOT on the local disk; Django's
    static view refuses paths that leave the folder. Browsers may keep them a
    day: a picture's name changes whenever its content does."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", {"message": "We could not find that page."}, status=404)


def bad_request(request: HttpRequest, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return render(request, "400.html", {"message": str(exception or "")}, status=400)


def server_error(request: HttpRequest):
    if _wants_json(request):
        return JsonResponse({"detail": "Something went wrong on our side."}, status=500)
    return render(request, "500.html", status=500)
