"""Recently viewed parts: the last few part ids a browser looked at, in a
signed cookie on that browser only (never stored on the server)."""

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE = "recent"
SALT = "camshaft.recent"
MAX_AGE = 30 * 24 * 60 * 60
MAX_PARTS = 8


def read(request: HttpRequest) -> list[int]:
    try:
        ids = signing.loads(request.COOKIES.get(COOKIE, ""), salt=SALT, max_age=MAX_AGE)
        return [int(i) for i in ids][:MAX_PARTS] if isinstance(ids, list) else []
    except (signing.BadSignature, ValueError, TypeError):
        return []


def remember(response: HttpResponse, seen: list[int], part_id: int) -> None:
    """Put `part_id` first in the cookie of parts seen before it."""
    ids = [part_id, *(i for i in seen if i != part_id)][:MAX_PARTS]
    response.set_cookie(
        COOKIE,
        signing.dumps(ids, salt=SALT),
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
