"""Refuse text no database can store before any view sees it (B2).

PostgreSQL text cannot hold a NUL (0x00) character; SQLite stores it but
nothing good comes of it. Django's form fields refuse it field by field;
this answers every other door (the path, query strings, form posts and JSON
bodies, web and API alike) once, with a clear 4xx instead of a database
error. A query-string value longer than any the store asks for is refused
here too, so no view has to guard its own.

Beside it: RefuseUnstorableValues, the last line behind the bounds forms
and schemas state, PermissionsPolicy, a header on every response, and
ReadReplicas, which lets the database router send a request's reads to a
replica until it writes."""

import json
import logging
import time

from django.conf import settings
from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

from camshaft.core import replicas
from camshaft.core.bounds import QUERY_VALUE_MAX_CHARS

log = logging.getLogger(__name__)

NUL = "\x00"
MESSAGE = "Text may not contain NUL (0x00) characters."
TOO_LONG = f"A query parameter may hold at most {QUERY_VALUE_MAX_CHARS} characters."


def holds_nul(value) -> bool:
    """Whether `value`, or any string inside it, holds a NUL character."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(holds_nul(item) for item in value)
    return False


# JSON can only spell a NUL as this escape (a raw control character is not
# valid JSON), so bodies without it need no second parse beside the API's.
JSON_NUL = b"\\u0000"


def _json_body(request: HttpRequest):
    if not request.content_type or "json" not in request.content_type:
        return None
    if JSON_NUL not in request.body:
        return None
    try:
        return json.loads(request.body)
    except ValueError:
        return None  # the API answers malformed JSON itself


def _too_long(query) -> bool:
    return any(len(value) > QUERY_VALUE_MAX_CHARS for _, values in query for value in values)


class RefuseUnstorableInput:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = list(request.GET.lists())
        if _too_long(query):
            return self.refuse(request, TOO_LONG)
        fields = list(query)
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            fields += list(request.POST.lists())
        if NUL in request.path or holds_nul(dict(fields)) or holds_nul(_json_body(request)):
            return self.refuse(request, MESSAGE)
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest, message: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": "The request is not valid.",
                    "errors": [{"field": None, "message": message}],
                },
                status=422,
            )
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


UNSTORABLE = "A value in the request is too large or too long to be stored."


def unstorable(error: Exception) -> bool:
    """A number or text the database cannot hold that slipped past a form
    or schema bound: SQLite's OverflowError, PostgreSQL's "out of range" or
    "value too long" (a DataError)."""
    return isinstance(error, OverflowError | DataError)


class RefuseUnstorableValues:
    """The last line behind the bounds every form and API schema states
    (B2): a value the database cannot hold is a 400 (422 for the API),
    never a 500. Each one is logged, as a bound that should be added."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not unstorable(exception):
            return None
        log.warning(
            "unbounded input reached the database at %s: %s", request.path, type(exception).__name__
        )
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": "The request is not valid.",
                    "errors": [{"field": None, "message": UNSTORABLE}],
                },
                status=422,
            )
        return HttpResponseBadRequest(UNSTORABLE, content_type="text/plain; charset=utf-8")


class PermissionsPolicy:
    """Send settings.PERMISSIONS_POLICY on every response: camera,
    microphone, location and the rest are off for the store and anything
    it might embed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class ReadReplicas:
    """Marks each request for `camshaft.core.replicas.ReplicaRouter`: its
    reads of the catalogue may go to a replica until it writes. A request
    that changed data the replicas serve sets a short cookie that keeps the
    same browser on the primary for `DATABASE_REPLICA_PIN_SECONDS`, so the
    page after the redirect shows the change even while the replicas lag.
    Without replicas it does nothing."""

    COOKIE = "primary_reads"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replicas.replica_aliases():
            return self.get_response(request)
        state, token = replicas.begin_request(pinned=self._recently_wrote(request))
        try:
            response = self.get_response(request)
        finally:
            replicas.end_request(token)
        if state.wrote_replicated:
            seconds = settings.DATABASE_REPLICA_PIN_SECONDS
            response.set_cookie(
                self.COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def _recently_wrote(self, request) -> bool:
        try:
            return int(request.COOKIES.get(self.COOKIE, "0")) > time.time()
        except ValueError:
            return False
